// Thousands of bad requests against a real `bpnn serve` on 127.0.0.1: malformed JSON, unknown
// fields, sizes over the limits, NaN and infinities, oversized bodies, unknown sessions and
// actions. Every one must be answered 4xx with {"error": ...}; the server must stay up, and a good
// request after them must work. Bounded: 2,000 requests, 8 at a time, 45 s at most.
// Usage: node hammer.mjs BPNN
import assert from 'node:assert/strict';
import { startServer } from './serve.mjs';

const { child, url } = await startServer(process.argv[2]);
const deadline = Date.now() + 45000;
let failed = false;
const post = async (path, body, raw = false) => {
  const response = await fetch(url + path.replace(/^\//, ''), { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: raw ? body : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, text };
};
try {
  const { text } = await post('api/sessions', {});
  const id = JSON.parse(text).id;
  const s = (action) => `api/sessions/${id}/${action}`;
  const layers = (n, units) => Array.from({ length: n }, () => ({ units, activation: 'sigmoid' }));
  const big = 'x'.repeat(70 * 1024);
  const bad = [
    [s('data'), '{"set": "xor"', true], [s('data'), 'not json', true], [s('data'), '[1,2,3]', true], [s('data'), '"xor"', true],
    [s('data'), { set: 'nope' }], [s('data'), { set: 'xor', extra: 1 }], [s('data'), { set: 'spiral', points: 100000 }],
    [s('data'), { set: 'spiral', noise: -1 }], [s('data'), { set: 'circle', test_split: 2 }], [s('data'), { set: 'blobs', seed: -5 }],
    [s('data'), '{"set": "spiral", "noise": NaN}', true], [s('data'), '{"set": "spiral", "noise": 1e999}', true],
    [s('data'), { set: 'points', points: [[0, 0, 0]] }], [s('data'), { set: 'points', points: [[0, 'a', 1], [1, 1, 1]] }],
    [s('data'), { set: 'points', points: Array.from({ length: 2001 }, (_, k) => [k, k, k % 2]) }],
    [s('data'), { set: 'points', csv: '1,2\n3,4,5' }], [s('data'), { set: 'points', points: [[0, 0, 3], [1, 1, 1]] }],
    [s('network'), { layers: layers(9, 2) }], [s('network'), { layers: layers(2, 65) }], [s('network'), { layers: [] }],
    [s('network'), { layers: [{ units: 0 }] }], [s('network'), { layers: [{ units: 1, activation: 'sinusoid' }] }],
    [s('network'), { layers: [{ units: 1 }], learning_rate: 1000 }], [s('network'), { layers: [{ units: 1 }], learning_rate: 0 }],
    [s('network'), '{"layers": [{"units": 1}], "learning_rate": NaN}', true], [s('network'), { layers: [{ units: 1 }], batch_size: -1 }],
    [s('network'), { layers: [{ units: 1 }], optimizer: 'lbfgs' }], [s('network'), { layers: [{ units: 1 }], loss: 'hinge' }],
    [s('network'), { layers: [{ units: 1 }], bogus: true }], [s('network'), { layers: [{ units: 7 }] }],
    [s('network'), { layers: [{ units: 1, activation: 'sigmoid' }], loss: 'cross_entropy' }],
    [s('network'), { layers: [{ units: 1, activation: 'relu' }], loss: 'bce' }], [s('network'), { layers: 'big' }],
    [s('network'), { layers: [{ units: 1.5 }] }], [s('network'), { layers: [{ units: 1e300 }] }],
    [s('step'), { count: 0 }], [s('step'), { count: 1e9 }], [s('step'), { unit: 'year' }], [s('step'), { count: '5' }],
    [s('step'), { unit: 'epoch', count: 20000 }], [s('step'), '{"count": Infinity}', true],
    [s('weight'), { layer: 5, to: 0, from: 0, value: 1 }], [s('weight'), { layer: 0, to: 99, from: 0, value: 1 }],
    [s('weight'), { layer: 0, to: 0, from: 0, value: 1e9 }], [s('weight'), { layer: 0, to: 0, value: 1 }],
    [s('weight'), { layer: 0, to: 0, from: 0, bias: true, value: 1 }], [s('weight'), '{"layer":0,"to":0,"from":0,"value":NaN}', true],
    [s('numbers'), { sample: 4 }], [s('numbers'), { sample: -1 }], [s('chain'), { layer: 0, to: 0 }],
    // No step taken yet (409), or both a sample and the last step, or not a flag.
    [s('numbers'), { last_step: true }], [s('numbers'), { last_step: true, sample: 0 }],
    [s('numbers'), { last_step: 'yes' }], [s('chain'), { last_step: true, layer: 0, to: 0, from: 0 }],
    [s('chain'), { layer: 9, to: 0, from: 0 }], [s('chain'), { layer: 0, to: 0, from: 5 }], [s('gradcheck'), { please: 1 }],
    [s('reset'), { now: true }], [s('teleport'), {}], [s('data'), big, true], [s('network'), `{"layers": "${big}"}`, true],
    ['api/sessions/0000000000000000/step', {}], ['api/sessions/../../etc/passwd/step', {}], ['api/sessions', { id: 'mine' }],
    ['api/nothing', {}], [s('data'), '{"set": "xor", "set": 5}', true], [s('data'), '{"set": "\\ud800"}', true],
    [s('data'), '\u0000\u0001', true], [s('data'), '{"a":'.repeat(2000), true],
  ];
  let sent = 0;
  const refusals = new Map();
  const one = async (k) => {
    const [path, body, raw] = bad[k % bad.length];
    const r = await post(path, body, raw);
    assert.ok(r.status >= 400 && r.status < 500, `${path} ${String(raw ? body : JSON.stringify(body)).slice(0, 80)} -> ${r.status} ${r.text.slice(0, 200)}`);
    const message = JSON.parse(r.text).error;
    assert.ok(typeof message === 'string' && message.length > 0, `a message for ${path}`);
    refusals.set(k % bad.length, `${r.status} ${message}`);
    sent++;
  };
  for (let k = 0; k < 2000 && Date.now() < deadline; k += 8) {
    await Promise.all(Array.from({ length: 8 }, (_, j) => one(k + j)));
  }
  assert.ok(sent >= bad.length, `sent ${sent} bad requests`);
  // The server is still up, and good requests work.
  assert.equal(child.exitCode, null, 'the server is still running');
  const data = await post(s('data'), { set: 'xnor' });
  assert.equal(data.status, 200, data.text.slice(0, 200));
  const step = await post(s('step'), { unit: 'epoch', count: 10 });
  assert.equal(step.status, 200, step.text);
  assert.equal(JSON.parse(step.text).iteration, 10);
  const events = await fetch(`${url}api/sessions/${id}/events`);
  assert.equal(events.headers.get('content-type'), 'text/event-stream');
  const reader = events.body.getReader();
  const first = new TextDecoder().decode((await reader.read()).value);
  assert.ok(first.startsWith('event: state\ndata: {'), first.slice(0, 80));
  await reader.cancel();
  console.log(`serve: ${sent} bad requests refused with 4xx and a message; the server stayed up. Each kind, once:`);
  for (const [k, m] of [...refusals].sort((a, b) => a[0] - b[0])) console.log(`  ${bad[k][0].replace(id, 'ID')}: ${m}`);
} catch (e) {
  failed = true;
  console.error(e);
} finally {
  child.kill();
}
process.exit(failed ? 1 : 0);
