// The playground's engine: bpnn compiled to WebAssembly (engine.js and engine.wasm, built by
// scripts/site.sh), in a Web Worker so that training never blocks the page. The worker holds the
// one session and only passes messages: every number comes from the engine.
//   page -> worker  {id, action, body}     one call of the engine's API (apps/playground/api.hpp);
//                                          'model' asks for the model file's bytes; 'load' takes
//                                          {bytes, name} or {url, name} (a file of the site) and
//                                          hands the file to the engine's load as base64
//                   {play: {per_update, stop}}  train until paused: per_update batches per update, or
//                                          as many as fit in a slice of time when it is 0; stop (or
//                                          null): the step request's stop condition, which ends play
//                   {pause: true}
//                   {drawn: true}          the last state posted while playing is drawn
//   worker -> page  {id, status, body}     the call's answer (JSON text; for 'model': bytes, name)
//                   {state, playing}       the state while playing (at most kUpdatesPerSecond a second)
'use strict';
importScripts('engine.js');

// The longest one slice of play trains before the worker reads messages again: a click, or the
// page asking for the next state, waits at most this long.
const kSliceMs = 15;
const kUpdatesPerSecond = 40;  // above the 30 a page must draw, so that a late frame still leaves 30

let engine = null;
const ready = createBpnnEngine().then((module) => { engine = module; });

// The MNIST digits (the site's mnist/ folder, gzipped IDX files) go into the engine's files,
// inflated, the first time a data request asks for them.
let digitsLoaded = null;
function loadDigits() {
  digitsLoaded ??= Promise.all(['train-images-idx3-ubyte', 'train-labels-idx1-ubyte'].map(async (name) => {
    const response = await fetch(`mnist/${name}.gz`);
    if (!response.ok) {
      digitsLoaded = null;
      throw Object.assign(new Error(`this site has no MNIST digits (mnist/${name}.gz: HTTP ${response.status}); ` +
        'scripts/site.sh puts them there from the data cache'), { status: 409 });
    }
    const inflated = response.body.pipeThrough(new DecompressionStream('gzip'));
    engine.addFile(`/data/mnist/${name}`, new Uint8Array(await new Response(inflated).arrayBuffer()));
  }));
  return digitsLoaded;
}

// The bytes of a model file to load: given, or fetched from the site.
async function modelBytes({ bytes, url }) {
  if (bytes) return new Uint8Array(bytes);
  const response = await fetch(url);
  if (!response.ok) throw Object.assign(new Error(`${url}: HTTP ${response.status}`), { status: 404 });
  return new Uint8Array(await response.arrayBuffer());
}
function base64(bytes) {
  let text = '';
  for (let k = 0; k < bytes.length; k += 0x8000) text += String.fromCharCode(...bytes.subarray(k, k + 0x8000));
  return btoa(text);
}

function call(action, body) {
  const reply = engine.call(action, typeof body === 'string' ? body : JSON.stringify(body));
  return { status: reply.status, body: reply.body };
}

let playing = null;  // {per_update, stop} while playing
let lastPost = 0;
// A state is posted only when the page has drawn the last one ({drawn}), so that states never
// queue up behind a slow drawing and the page always has time to answer the learner.
let drawing = false;
function playSlice() {
  if (!playing) return;
  const started = performance.now();
  const body = playing.per_update > 0 ? { unit: 'batch', count: playing.per_update }
    : { unit: 'batch', count: 100000, seconds: kSliceMs / 1000 };
  if (playing.stop) body.stop = playing.stop;
  const step = call('step', body);
  const reply = step.status === 200 ? JSON.parse(step.body) : { error: JSON.parse(step.body).error };
  const stop = step.status !== 200 || reply.error || reply.stopped;
  const now = performance.now();
  if (stop || (!drawing && now - lastPost >= 1000 / kUpdatesPerSecond - 1)) {
    lastPost = now;
    drawing = true;
    if (stop) playing = null;
    postMessage({ state: call('state', {}).body, playing: !!playing, error: stop ? reply.error || null : null });
  }
  // One batch an update: one update a frame (what an eye can follow); full speed: the next slice at once.
  const wait = playing && playing.per_update > 0 ? Math.max(0, 1000 / kUpdatesPerSecond - (now - started)) : 0;
  if (playing) setTimeout(playSlice, wait);
}

onmessage = async (event) => {
  const m = event.data;
  if (m.drawn) { drawing = false; return; }
  await ready;
  if (m.play) {
    const was = playing;
    playing = { per_update: Math.max(0, Math.floor(Number(m.play.per_update) || 0)), stop: m.play.stop || null };
    if (!was) playSlice();
    return;
  }
  if (m.pause) {
    playing = null;
    postMessage({ state: call('state', {}).body, playing: false, error: null });
    return;
  }
  try {
    if (m.action === 'model') {
      const bytes = engine.modelFile();
      postMessage({ id: m.id, status: 200, bytes, name: engine.modelName() }, [bytes.buffer]);
      return;
    }
    if (m.action === 'data' && m.body && m.body.set === 'mnist') await loadDigits();
    if (m.action === 'load') m.body = { model: base64(await modelBytes(m.body)), name: m.body.name };
    postMessage({ id: m.id, ...call(m.action, m.body ?? {}) });
  } catch (e) {
    postMessage({ id: m.id, status: e.status || 500, body: JSON.stringify({ error: String(e.message || e) }) });
  }
};
