// The bpnn playground page: it reads the learner's choices, hands them to bpnn's engine (compiled to
// WebAssembly, running in worker.js) and draws what comes back. Every number is computed by bpnn;
// none is computed here. The page is static files: any static web server (or bpnn serve) serves it.
// window.bpnnState holds what the page shows, as plain values, for tests and the curious.
'use strict';

// The names the network takes (activation, loss, optimizer, init, arithmetic): asked of the engine,
// which takes them from bpnn's registry, before anything is drawn.
const choices = { activation: [], loss: [], optimizer: [], init: [], arithmetic: [], schedule: [], features: [] };
const state = { last: null, playing: false, selected: null, configKey: '', panelsVersion: 0 };
window.bpnnState = {
  version: 0, iteration: 0, epoch: 0, loss: null, testLoss: null, accuracy: null, choices,
  weights: {}, gradients: {}, biases: {}, lossHistory: [], numbers: null, chain: null, gradcheck: null,
  errors: [], updates: 0, export: null, hash: '',
};
const $ = (id) => document.getElementById(id);
const startHash = location.hash;  // read before the first render writes the page's own
const fmt = (v, digits = 9) => (v === null || v === undefined ? '–' : Number(v).toFixed(digits));
// A data value as a learner reads it: a float's 7 significant digits, not its binary noise.
const short = (v) => String(+Number(v).toPrecision(7));
// Writes only what changed: while training, an unchanged write still costs the browser a relayout.
function setText(id, text) { const el = $(id); if (el.textContent !== String(text)) el.textContent = text; }
function setProperty(el, name, value) { if (el[name] !== value) el[name] = value; }

// --- the engine -------------------------------------------------------------------------------
const worker = new Worker('worker.js');
const pending = new Map();  // call id -> its promise's resolve
let nextId = 1;
worker.onmessage = (event) => {
  const m = event.data;
  if (m.id !== undefined) {
    pending.get(m.id)(m);
    pending.delete(m.id);
    return;
  }
  // While playing, the worker sends the state (at most 40 times a second) and says when it stops.
  window.bpnnState.updates++;
  render(JSON.parse(m.state));
  if (m.error) showError(m.error);
  if (!m.playing) stopped();
  worker.postMessage({ drawn: true });  // drawn (the browser paints it next): the next, please
};
worker.onerror = (e) => { $('status').textContent = 'the engine failed to start'; showError(e.message); };
function engine(action, body = {}) {
  return new Promise((resolve) => {
    const id = nextId++;
    pending.set(id, resolve);
    worker.postMessage({ id, action, body });
  });
}
// One call of the engine: its JSON answer, or (shown, and recorded) its refusal.
async function api(action, body = {}) {
  const reply = await engine(action, body);
  const answer = JSON.parse(reply.body);
  if (reply.status !== 200) {
    const message = answer.error || `the engine answered ${reply.status}`;
    window.bpnnState.errors.push({ action, status: reply.status, message });
    showError(message);
    throw new Error(message);
  }
  if (CHANGES.includes(action)) showError('');  // a read (numbers, chain) leaves a message standing
  return answer;
}
function showError(message) {
  $('error').hidden = !message;
  $('error').textContent = withLabels(message);
}
// The engine names a request's field ("field 'network.layers[0].units'"); the learner knows the
// form's label, which follows it in brackets.
const FIELD_LABELS = {
  'network.learning_rate': 'learning rate', 'network.batch_size': 'batch', 'network.weight_decay': 'L2 decay',
  'network.l1': 'L1', 'network.seed': 'the network\'s seed', 'network.loss': 'loss',
  'network.optimizer': 'optimizer', 'network.features': 'inputs', 'network.init': 'init',
  'network.arithmetic': 'arithmetic', 'data.points': 'points', 'data.noise': 'noise', 'data.test_split': 'test share',
  'data.seed': 'the data\'s seed', 'data.classes': 'classes',
};
function withLabels(message) {
  return String(message).replace(/field '([^']+)'/g, (whole, field) => {
    const layer = /^network\.layers\[(\d+)\]\.(\w+)$/.exec(field);
    let label = FIELD_LABELS[field] ?? (field.startsWith('network.schedule') ? 'lr schedule' : null);
    if (layer) {
      const k = Number(layer[1]) + 1, rows = document.querySelectorAll('#layers .layer-row').length;
      label = `${k === rows ? 'the output layer' : `hidden layer ${k}`}'s ${layer[2] === 'units' ? 'size' : layer[2]}`;
    }
    return label ? `${whole} (${label})` : whole;
  });
}
// Actions that change the network or the data: they answer with the whole state (a step with what
// it did, and the state is asked for next).
const CHANGES = ['data', 'network', 'step', 'reset', 'weight', 'load'];
async function act(action, body) {
  if (['data', 'network', 'reset', 'weight', 'load'].includes(action)) {  // an old gradient check no longer applies
    $('gradcheck-result').textContent = '';
    window.bpnnState.gradcheck = null;
    if (!['weight', 'reset'].includes(action)) { $('chain').innerHTML = ''; state.selected = null; }
    $('command').hidden = true;  // an old command no longer says what the page did
    $('command-note').textContent = '';
  }
  try {
    const reply = await api(action, body);
    if (reply.version !== undefined) render(reply);
    else if (CHANGES.includes(action)) render(await api('state'));
    return reply;
  } catch (e) {
    // Refused: the form goes back to what the engine holds, so it never shows what is not training.
    if (action === 'network' && state.last) { state.configKey = ''; showConfig(state.last.config); }
    return null;
  }
}

// --- the controls -----------------------------------------------------------------------------
function layerRow(units, activation, output, dropout = 0) {
  const row = document.createElement('div');
  row.className = 'layer-row';
  row.innerHTML = `<span>${output ? 'output' : 'hidden'}</span>` +
    `<input type="number" min="1" max="64" value="${units}">` +
    `<select>${choices.activation.map((a) => `<option${a === activation ? ' selected' : ''}>${a}</option>`).join('')}` +
    '</select>' +
    (output ? '' : '<button title="remove this layer">×</button>') +
    (output ? '' : dropoutInput(dropout));
  const remove = row.querySelector('button');
  if (remove) remove.onclick = () => { row.remove(); $('net-pending').hidden = false; };
  row.dataset.output = output ? '1' : '';
  return row;
}
// A hidden layer's dropout rate: zeroes each of its outputs with this probability while training.
function dropoutInput(rate) {
  return '<label class="dropout-part" title="dropout after the activation: while training, each output is zeroed ' +
    'with this probability and the others scaled by 1/(1 − rate); 0: none">dropout ' +
    `<input class="dropout" type="number" min="0" max="0.9" step="0.1" value="${rate}"></label>`;
}
// The input features of a 2-D set (none for the other sets: the box is hidden).
function showFeatures(features) {
  setProperty($('features'), 'hidden', !features || features.length === 0);
  $('feature-boxes').querySelectorAll('input').forEach((box) => {
    box.checked = (features || []).includes(box.value);
  });
}
const featureLabel = (name) => (choices.features.find((f) => f.name === name) || { label: name }).label;
function showConfig(config) {
  const key = JSON.stringify(config);
  if (key === state.configKey) return;
  state.configKey = key;
  $('net-pending').hidden = true;  // the form shows what the engine trains
  const layers = $('layers');
  layers.innerHTML = '';
  config.layers.forEach((l, i) => layers.appendChild(layerRow(l.units, l.activation, i === config.layers.length - 1,
    l.dropout)));
  $('net-loss').value = config.loss;
  $('net-optimizer').value = config.optimizer;
  $('net-lr').value = config.learning_rate;
  $('net-batch').value = config.batch_size;
  $('net-decay').value = config.weight_decay;
  $('net-l1').value = config.l1;
  showFeatures(config.features);
  $('net-init').value = config.init;
  $('net-seed').value = config.seed;
  $('net-shuffle').checked = config.shuffle;
  $('net-arithmetic').value = config.arithmetic;
  showSchedule(config.schedule);
}
function readConfig() {
  const layers = [...$('layers').querySelectorAll('.layer-row')].map((row) => ({
    units: Number(row.querySelector('input').value), activation: row.querySelector('select').value }));
  $('layers').querySelectorAll('.layer-row').forEach((row, i) => {
    const dropout = row.querySelector('.dropout');
    if (dropout) layers[i].dropout = Number(dropout.value);
  });
  const config = {
    layers, loss: $('net-loss').value, optimizer: $('net-optimizer').value, learning_rate: Number($('net-lr').value),
    batch_size: Number($('net-batch').value), weight_decay: Number($('net-decay').value), init: $('net-init').value,
    seed: Number($('net-seed').value), shuffle: $('net-shuffle').checked, arithmetic: $('net-arithmetic').value,
  };
  config.schedule = readSchedule();
  if (state.last && state.last.data.set === 'mazur' && state.last.config.worked_example) config.preset = 'mazur';
  config.l1 = Number($('net-l1').value);
  // The checked features, in the table's order (the perceptron's line is in x1 and x2, its default).
  if (!$('features').hidden && config.optimizer !== 'perceptron') {
    config.features = [...$('feature-boxes').querySelectorAll('input:checked')].map((box) => box.value);
  }
  return config;
}
// The learning-rate schedule: the registry's (choices.schedule), each option an input of its own.
function showSchedule(schedule = { name: 'constant' }) {
  $('net-schedule').value = schedule.name;
  const row = choices.schedule.find((r) => r.name === schedule.name);
  $('schedule-options').innerHTML = (row ? row.options : []).map((o) =>
    `<label title="${o.meaning}">${o.name} <input data-option="${o.name}" type="number" ` +
    `value="${schedule[o.name] ?? o.default}"${o.type === 'integer' ? ' step="1" min="1"' : ' step="any" min="0"'}>` +
    '</label>').join('');
}
function readSchedule() {
  const schedule = { name: $('net-schedule').value || 'constant' };
  $('schedule-options').querySelectorAll('input').forEach((el) => { schedule[el.dataset.option] = Number(el.value); });
  return schedule;
}
// The stop condition play and run N steps pass to the engine: {train_loss_below | test_loss_below | epochs}.
function readStop() {
  const when = $('stop-when').value;
  return when ? { [when]: Number($('stop-value').value) } : null;
}
function syncStopControls(kindChanged = false) {
  const when = $('stop-when').value, value = $('stop-value');
  value.hidden = !when;
  if (kindChanged) value.value = when === 'epochs' ? 100 : 0.01;  // each kind's usual value
  value.step = when === 'epochs' ? '1' : 'any';
  if (state.playing) worker.postMessage({ play: { per_update: Number($('speed').value), stop: readStop() } });
  if (state.last) writeHash(state.last);
}

function wirePanels() {  // the schedule's and the stop condition's controls
  $('stop-when').onchange = () => syncStopControls(true);
  $('stop-value').onchange = () => syncStopControls();
  $('net-schedule').onchange = () => showSchedule({ name: $('net-schedule').value });
}

function readData() {
  const set = $('data-set').value;
  if (['and', 'or', 'xor', 'xnor', 'mazur'].includes(set)) return { set };
  if (set === 'points') return { set, csv: $('data-csv').value, test_split: Number($('data-test').value) };
  if (set === 'mnist') return { set, test_split: 0.1 };
  if (set === 'function') {
    return { set, function: $('data-fn').value, points: Number($('data-points').value),
      noise: Number($('data-noise').value),
      test_split: Number($('data-test').value), seed: Number($('data-seed').value) };
  }
  const data = { set, points: Number($('data-points').value), noise: Number($('data-noise').value),
    test_split: Number($('data-test').value), seed: Number($('data-seed').value) };
  if (['blobs', 'spiral'].includes(set)) data.classes = Number($('data-classes').value);
  return data;
}
function syncDataControls() {
  const set = $('data-set').value;
  $('gen-options').hidden = ['and', 'or', 'xor', 'xnor', 'mazur', 'mnist'].includes(set);
  $('data-points').parentElement.hidden = set === 'points';
  $('data-noise').parentElement.hidden = set === 'points';
  $('data-csv').hidden = set !== 'points';
  $('fn-row').hidden = set !== 'function';
  $('data-classes').parentElement.hidden = !['blobs', 'spiral'].includes(set);
}

async function step(unit, count = 1, stop = null) {
  const reply = await act('step', stop ? { unit, count, stop } : { unit, count });
  if (reply && reply.error) showError(reply.error);
  return reply;
}
// Play: the worker trains until paused, sending the state at most 40 times a second; the speed is
// batches per update (one: what an eye can follow), or as many as 15 ms hold (0: full speed).
function play() {
  if (state.playing) { worker.postMessage({ pause: true }); return; }
  state.playing = true;
  $('play').textContent = '❚❚ pause';
  worker.postMessage({ play: { per_update: Number($('speed').value), stop: readStop() } });
}
function stopped() {
  state.playing = false;
  $('play').textContent = '▶ play';
  setProperty($('panels-note'), 'hidden', true);  // the panels now follow the last state (refreshPanels)
  refreshPanels(state.last);
}

// --- drawing ----------------------------------------------------------------------------------
function neuronName(layer, j, layers) {  // layer 0: inputs; layers: the number of dense layers
  if (layer === 0) return `i${j + 1}`;
  if (layer === layers) return `o${j + 1}`;
  return layers === 2 ? `h${j + 1}` : `h${layer}.${j + 1}`;
}
// The tutorial's numbering: w1, w2 into h1, w3, w4 into h2, ... (made once per network shape).
function weightNames(network) {
  const key = network.layers.map((l) => `${l.weight.length}x${l.weight[0]?.length || 0}`).join();
  if (state.weightNames?.key === key) return state.weightNames.names;
  const names = [];
  let n = 1;
  network.layers.forEach((layer) => {
    names.push(layer.weight.map((row) => row.map(() => `w${n++}`)));
  });
  state.weightNames = { key, names };
  return names;
}
function colour(v) { return v >= 0 ? '#2c6fbb' : '#d2691e'; }

// The drawing is rebuilt when the network's shape or the selection changes; otherwise (while
// training) only the colours and widths move, which costs the browser far less than new elements.
function drawNetwork(s) {
  const svg = $('network');
  const net = s.network;
  if (!net) { svg.innerHTML = ''; svg.dataset.key = ''; return; }
  const pixels = net.layers[0].weight_omitted;  // digits: the inputs drawn as one box, without their lines
  const sizes = [pixels ? 1 : net.inputs, ...net.layers.map((l) => l.units)];
  let maxAbs = 1e-9;
  net.layers.forEach((l) => l.weight.forEach((row) => row.forEach((w) => { maxAbs = Math.max(maxAbs, Math.abs(w)); })));
  // A line's look in steps (its sign, and its width in 11 steps of |w| / max |w|): while training,
  // only the lines whose look changed are written, which keeps large networks cheap to redraw.
  const look = (w) => (w >= 0 ? 1 : -1) * (1 + Math.round((10 * Math.abs(w)) / maxAbs));
  const width = (code) => 0.6 + (Math.abs(code) - 1) / 2;
  const sel = state.selected;
  const key = JSON.stringify([sizes, pixels, sel && [sel.layer, sel.to, sel.from, sel.bias], !!s.neurons,
    net.input_names, net.layers.map((l) => l.dropout)]);
  if (svg.dataset.key === key && state.geometry.many) {
    drawLines(net, look, width);
    const circles = svg.getElementsByTagName('circle');
    let n = sizes[0];
    net.layers.forEach((layer) => layer.bias.forEach((b) => { circles[n++].style.stroke = colour(b); }));
    return;
  }
  if (svg.dataset.key === key) {
    const lines = svg.getElementsByTagName('line'), circles = svg.getElementsByTagName('circle');
    const looks = state.lineLooks;
    let n = 0;
    net.layers.forEach((layer) => layer.weight.forEach((row) => row.forEach((w) => {
      const code = look(w);
      if (looks[n] !== code) {
        looks[n] = code;
        lines[n].setAttribute('stroke', colour(code));
        lines[n].setAttribute('stroke-width', width(code));
      }
      n++;
    })));
    n = sizes[0];
    net.layers.forEach((layer) => layer.bias.forEach((b) => { circles[n++].style.stroke = colour(b); }));
    return;
  }
  svg.dataset.key = key;
  const looks = state.lineLooks = [];
  // The drawing grows with the widest layer (up to 640 high), so circles never overlap.
  // (Room on the left for the inputs' features, and below for the layers' dropout rates.)
  const widest = Math.max(...sizes), padX = net.input_names ? 70 : 50, W = 640;
  const padY = net.layers.some((l) => l.dropout > 0) ? 36 : 28;
  const H = Math.min(640, Math.max(300, 2 * padY + (s.neurons ? 44 : 12) * (widest - 1)));  // room for pictures
  const spacing = widest > 1 ? (H - 2 * padY) / (widest - 1) : H;
  const radius = Math.max(2, Math.min(s.neurons ? 18 : 13, 0.42 * spacing));
  const big = radius < 9;  // too small for a name inside
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  const x = (c) => padX + (c * (W - 2 * padX)) / (sizes.length - 1);
  const y = (c, j) => (sizes[c] === 1 ? H / 2 : H / 2 + (j - (sizes[c] - 1) / 2) * spacing);
  // Many weights: their lines go on a canvas under the drawing (thousands of SVG elements make
  // every update a long repaint); a weight is then found by the pointer's distance to its line.
  const many = net.layers.reduce((n, l) => n + l.weight.length * (l.weight[0]?.length || 0), 0) > kMaxSvgLines;
  state.geometry = { x, y, W, H, many };
  $('network-lines').hidden = !many;
  const names = weightNames(net);
  let html = '';
  if (many) drawLines(net, look, width);
  else net.layers.forEach((layer, k) => {
    layer.weight.forEach((row, j) => row.forEach((w, i) => {
      const selected = sel && sel.layer === k && sel.to === j && sel.from === i, code = look(w);
      looks.push(code);
      html += `<line class="weight${selected ? ' selected' : ''}" data-layer="${k}" data-to="${j}" data-from="${i}"` +
        ` data-name="${names[k][j][i]}" x1="${x(k)}" y1="${y(k, i)}" x2="${x(k + 1)}" y2="${y(k + 1, j)}"` +
        ` stroke="${colour(code)}" stroke-width="${width(code)}" stroke-opacity="0.75"/>`;
    }));
  });
  sizes.forEach((n, c) => {
    for (let j = 0; j < n; j++) {
      const name = neuronName(c, j, net.layers.length);
      const bias = c > 0 ? net.layers[c - 1].bias[j] : null;
      html += `<circle class="neuron${c > 0 ? ' weight' : ''}" data-layer="${c - 1}" data-to="${j}" data-bias="1"` +
        ` data-name="b(${name})"` +
        ` cx="${x(c)}" cy="${y(c, j)}" r="${radius}"${bias !== null ? ` style="stroke:${colour(bias)}"` : ''}/>`;
      const label = (dy, text) => `<text x="${x(c)}" y="${y(c, j) + dy}" text-anchor="middle">${text}</text>`;
      const pictured = s.neurons && c > 0;  // its picture covers the circle: the name goes to its upper right
      if (pictured) {
        html += `<text class="beside" x="${x(c) + 0.8 * radius}" y="${y(c, j) - 0.8 * radius}">${name}</text>`;
      }
      if (!pictured && !big && !(pixels && c === 0)) html += label(4, name);
      if (pixels && c === 0) html += label(-18, `${net.inputs} pixels`);
      if (c === 0 && net.input_names) {  // an input feature: its formula left of its neuron
        html += `<text class="feature" x="${x(c) - radius - 4}" y="${y(c, j) + 4}" text-anchor="end">` +
          `${featureLabel(net.input_names[j])}</text>`;
      }
    }
    const rate = c > 0 ? net.layers[c - 1].dropout : 0;
    if (rate > 0) html += `<text class="dropout" x="${x(c)}" y="${H - 5}" text-anchor="middle">dropout ${rate}</text>`;
  });
  svg.innerHTML = html;
}

const kMaxSvgLines = 1500;
// The network's lines on the canvas under the drawing: one path per look (sign and width), the
// chosen weight's line on top.
function drawLines(net, look, width) {
  const canvas = $('network-lines'), box = $('network').getBoundingClientRect(), { x, y, W, H } = state.geometry;
  const scale = window.devicePixelRatio || 1;
  if (canvas.width !== Math.round(box.width * scale)) canvas.width = Math.round(box.width * scale);
  if (canvas.height !== Math.round(box.height * scale)) canvas.height = Math.round(box.height * scale);
  const g = canvas.getContext('2d');
  g.setTransform(1, 0, 0, 1, 0, 0);
  g.clearRect(0, 0, canvas.width, canvas.height);
  g.setTransform(canvas.width / W, 0, 0, canvas.height / H, 0, 0);
  const paths = new Map();
  net.layers.forEach((layer, k) => layer.weight.forEach((row, j) => row.forEach((w, i) => {
    const code = look(w);
    if (!paths.has(code)) paths.set(code, new Path2D());
    const path = paths.get(code);
    path.moveTo(x(k), y(k, i));
    path.lineTo(x(k + 1), y(k + 1, j));
  })));
  g.globalAlpha = 0.6;
  for (const [code, path] of paths) {
    g.strokeStyle = colour(code);
    g.lineWidth = width(code);
    g.stroke(path);
  }
  const sel = state.selected;
  if (sel && !sel.bias) {
    g.globalAlpha = 1;
    g.strokeStyle = '#f0a500';
    g.lineWidth = 3;
    g.beginPath();
    g.moveTo(x(sel.layer), y(sel.layer, sel.from));
    g.lineTo(x(sel.layer + 1), y(sel.layer + 1, sel.to));
    g.stroke();
  }
}
// The weight whose line passes within 4 units of the pointer, when the lines are on the canvas,
// as the drawing's elements describe theirs ({dataset}); null when none does.
function nearestLine(e) {
  const s = state.last, geometry = state.geometry;
  if (!s || !s.network || !geometry?.many) return null;
  const box = $('network').getBoundingClientRect(), { x, y, W, H } = geometry;
  const px = ((e.clientX - box.left) * W) / box.width, py = ((e.clientY - box.top) * H) / box.height;
  let best = null, bestDistance = 4;
  s.network.layers.forEach((layer, k) => {
    if (px < x(k) || px > x(k + 1)) return;
    const t = (px - x(k)) / (x(k + 1) - x(k));
    layer.weight.forEach((row, j) => row.forEach((w, i) => {
      const distance = Math.abs(y(k, i) + t * (y(k + 1, j) - y(k, i)) - py);
      if (distance < bestDistance) { bestDistance = distance; best = { k, j, i }; }
    }));
  });
  if (!best) return null;
  const name = weightNames(s.network)[best.k][best.j][best.i];
  return { dataset: { layer: best.k, to: best.j, from: best.i, name } };
}

// Each neuron's output over the plot's plane (the engine's, on a coarse grid: state.neurons) as a
// small canvas over its circle, which lets clicks through to the circle: made when the drawing is
// rebuilt, repainted in place while training. Coloured as the plot (its legend's scale) over the
// activation's range, or for an unbounded one from its layer's lowest value to its highest.
const ACTIVATION_RANGE = { sigmoid: [0, 1], softmax: [0, 1], step: [0, 1], tanh: [-1, 1] };
const PICTURE_COLOURS = [...Array(101).keys()].map((k) => outputColour(k / 100));  // the values have 2 decimals
function drawNeuronPictures(s) {
  const holder = $('neuron-pictures'), svg = $('network'), n = s.network && s.neurons;
  setProperty($('pictures-legend'), 'hidden', !n);
  const key = n ? `${svg.dataset.key}|${n.side}` : '';
  if (holder.dataset.key !== key) {
    holder.dataset.key = key;
    holder.innerHTML = '';
    if (!n) return;
    const [, , W, H] = svg.getAttribute('viewBox').split(' ').map(Number);
    svg.querySelectorAll('circle.neuron.weight').forEach((c) => {  // every neuron but the inputs
      const r = Number(c.getAttribute('r')) - 1.5, cx = Number(c.getAttribute('cx')), cy = Number(c.getAttribute('cy'));
      const canvas = document.createElement('canvas');
      canvas.width = canvas.height = n.side;
      canvas.dataset.layer = c.dataset.layer;
      canvas.dataset.unit = c.dataset.to;
      Object.assign(canvas.style, { left: `${(100 * (cx - r)) / W}%`, top: `${(100 * (cy - r)) / H}%`,
        width: `${(200 * r) / W}%`, height: `${(200 * r) / H}%` });
      holder.appendChild(canvas);
    });
  }
  if (!n) return;
  const ranges = n.layers.map((units, k) => {
    const bounded = ACTIVATION_RANGE[s.config.layers[k].activation];
    if (bounded) return bounded;
    let lo = Infinity, hi = -Infinity;
    units.forEach((cells) => cells.forEach((v) => { if (v !== null) { lo = Math.min(lo, v); hi = Math.max(hi, v); } }));
    return hi > lo ? [lo, hi] : [lo - 1, lo + 1];
  });
  for (const canvas of holder.children) {
    const k = Number(canvas.dataset.layer), cells = n.layers[k][Number(canvas.dataset.unit)], [lo, hi] = ranges[k];
    canvas.image ??= canvas.getContext('2d').createImageData(n.side, n.side);
    const pixels = canvas.image.data;
    for (let c = 0; c < cells.length; c++) {
      const rgb = PICTURE_COLOURS[Math.round(100 * Math.max(0, Math.min(1, ((cells[c] ?? lo) - lo) / (hi - lo))))];
      pixels[4 * c] = rgb[0];
      pixels[4 * c + 1] = rgb[1];
      pixels[4 * c + 2] = rgb[2];
      pixels[4 * c + 3] = 255;
    }
    canvas.getContext('2d').putImageData(canvas.image, 0, 0);
  }
}

// A weight or bias of the drawing: its place, its value now, and its dE/dw in the numbers shown.
function weightInfo(el) {
  const k = Number(el.dataset.layer), j = Number(el.dataset.to), name = el.dataset.name;
  const layer = state.last.network.layers[k];
  const shown = (window.bpnnState.numbers?.weights || []).find((w) => w.name === name);
  const info = { name, layer: k, to: j, grad: shown ? shown.grad : null };
  if (el.dataset.bias) return { ...info, value: layer.bias[j], bias: true };
  const i = Number(el.dataset.from);
  return { ...info, value: layer.weight[j][i], from: i };
}

// The plots' box inside their canvas: room on the left and below for the axes' numbers.
function plotBox(canvas) {
  const left = 30, right = 6, top = 6, bottom = 22;
  return { x: left, y: top, w: canvas.width - left - right, h: canvas.height - top - bottom };
}
// About five round numbers (1, 2 or 5 times a power of ten apart) from lo to hi.
function ticks(lo, hi) {
  const raw = (hi - lo) / 5, power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((v) => v >= raw);
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9 * step; v += step) out.push(Math.abs(v) < 1e-12 ? 0 : v);
  return out;
}
// The box's frame and the numbers along x (below) and y (left), for px and py mapping values to pixels.
function drawAxes(g, box, xs, ys, px, py) {
  g.strokeStyle = '#8c93a3';
  g.strokeRect(box.x, box.y, box.w, box.h);
  g.fillStyle = '#1d2330';
  g.font = '10px sans-serif';
  g.textAlign = 'center';
  xs.forEach((v) => { g.fillText(String(+v.toFixed(6)), px(v), box.y + box.h + 13); });
  g.textAlign = 'right';
  ys.forEach((v) => { g.fillText(String(+v.toFixed(6)), box.x - 4, py(v) + 3); });
  g.textAlign = 'left';
}

// Regression on one input: the data as dots (test ones hollow) and the network's output as a curve.
function drawCurve(s, canvas, g) {
  const c = s.curve, box = plotBox(canvas), showTest = $('show-test').checked;
  const ys = [...s.data.train, ...s.data.test].map((r) => r[1]).concat(c.values.filter((v) => v !== null));
  const lo = Math.min(...ys), hi = Math.max(...ys), pad = 0.1 * (hi - lo || 1);
  const px = (x) => box.x + ((x - c.x0) / (c.x1 - c.x0)) * box.w;
  const py = (y) => box.y + box.h - ((y - lo + pad) / (hi - lo + 2 * pad)) * box.h;
  drawAxes(g, box, ticks(c.x0, c.x1), ticks(lo - pad, hi + pad), px, py);
  const dots = (list, filled) => list.forEach((r) => {
    g.beginPath(); g.arc(px(r[0]), py(r[1]), 2.5, 0, 2 * Math.PI);
    g.fillStyle = g.strokeStyle = '#b5520f';
    if (filled) g.fill(); else g.stroke();
  });
  dots(s.data.train, true);
  if (showTest) dots(s.data.test, false);
  g.strokeStyle = '#2c6fbb'; g.lineWidth = 2.5; g.beginPath();
  c.values.forEach((v, k) => {
    const x = px(c.x0 + ((c.x1 - c.x0) * k) / (c.values.length - 1));
    if (k === 0) g.moveTo(x, py(v ?? 0)); else g.lineTo(x, py(v ?? 0));
  });
  g.stroke(); g.lineWidth = 1;
}

// Each class's colour (class 0 orange, 1 blue, 2 green, ...): light over the plane, dark for points.
const CLASS_COLOURS = [[244, 170, 120], [44, 180, 220], [120, 200, 120], [190, 140, 220], [240, 220, 100],
  [230, 110, 140], [150, 150, 150], [100, 210, 200], [200, 160, 110], [160, 190, 80]];
const pointColour = (label) => `rgb(${CLASS_COLOURS[label].map((c) => Math.round(0.6 * c)).join(',')})`;
// A cell's colour: for two classes, class 1's probability v from orange (0) to blue (1), the
// legend's scale; for more, the classes' colours mixed by their probabilities.
function outputColour(v) {
  return [Math.round(244 - 200 * v), Math.round(170 + 10 * v), Math.round(120 + 100 * v)];
}
function mixedColour(p) {
  const rgb = [0, 0, 0];
  p.forEach((pj, j) => { for (let c = 0; c < 3; c++) rgb[c] += pj * CLASS_COLOURS[j][c]; });
  return rgb.map(Math.round);
}
// The legend (the scale for two classes, a swatch a class for more) and the classes a click adds:
// the data's, and one more (up to 10).
function showClasses(s) {
  const classes = s.data.classes || 0, key = `${classes}`;
  if (!s.heatmap || $('legend').dataset.key === key) return;
  $('legend').dataset.key = key;
  const hint = '<span class="hint">dots: training points, rings: test points</span>';
  $('legend').innerHTML = classes <= 2
    ? '<span>0</span><span class="scale"></span><span>1</span>' +
      `<span class="hint">the output (class 1's probability);</span>${hint}`
    : CLASS_COLOURS.slice(0, classes).map((c, j) =>
      `<span class="swatch" style="background:rgb(${c.join(',')})"></span><span>class ${j}</span>`).join('') + hint;
  const choice = $('click-class').value;
  $('click-class').innerHTML = [...Array(Math.min(10, Math.max(2, classes) + 1)).keys()].map((j) =>
    `<option value="${j}">${j}${j < classes ? '' : ' (new)'}</option>`).join('');
  if (Number(choice) <= classes) $('click-class').value = choice;
}
let heatmapCells = null;  // an offscreen canvas of one pixel per cell
function drawHeatmap(s) {
  const canvas = $('heatmap'), g = canvas.getContext('2d');
  g.clearRect(0, 0, canvas.width, canvas.height);
  const h = s.heatmap;
  setProperty(canvas, 'hidden', !h && !s.curve);
  setProperty($('legend'), 'hidden', !h);
  showClasses(s);
  setProperty($('plot-options'), 'hidden', !h && !s.curve);
  setProperty(canvas, 'title',
    s.curve ? 'the data and the output curve' : 'the output over the plane (click to add a point)');
  if (s.curve) { drawCurve(s, canvas, g); return; }
  if (!h) return;
  const box = plotBox(canvas), discrete = $('discretize').checked;
  // The cells as one side x side image, scaled up without smoothing: one call, not side² rectangles.
  if (!heatmapCells || heatmapCells.width !== h.side) {
    heatmapCells = document.createElement('canvas');
    heatmapCells.width = heatmapCells.height = h.side;
  }
  const cells = heatmapCells.getContext('2d'), image = cells.createImageData(h.side, h.side);
  const classes = h.classes || 2;
  for (let k = 0; k < h.side * h.side; k++) {
    let rgb;
    if (classes === 2) {
      const v = Math.max(0, Math.min(1, h.values[k]));
      rgb = outputColour(discrete ? (v >= 0.5 ? 1 : 0) : v);
    } else {
      const p = h.values.slice(k * classes, (k + 1) * classes);
      const top = p.indexOf(Math.max(...p));
      rgb = mixedColour(discrete ? p.map((_, j) => (j === top ? 1 : 0)) : p);
    }
    image.data.set([...rgb, 255], 4 * k);
  }
  cells.putImageData(image, 0, 0);
  g.imageSmoothingEnabled = !discrete;  // a smooth surface, or crisp class regions
  g.drawImage(heatmapCells, box.x, box.y, box.w, box.h);
  const px = (xv) => box.x + ((xv - h.x0) / (h.x1 - h.x0)) * box.w;
  const py = (yv) => box.y + ((h.y1 - yv) / (h.y1 - h.y0)) * box.h;
  const xTicks = ticks(h.x0, h.x1), yTicks = ticks(h.y0, h.y1);
  drawAxes(g, box, xTicks, yTicks, px, py);
  window.bpnnState.plot = { xTicks, yTicks, discrete, showTest: $('show-test').checked, classes };
  const points = (list, filled) => list.forEach((p) => {
    g.beginPath();
    g.arc(px(p[0]), py(p[1]), 3.5, 0, 2 * Math.PI);
    g.fillStyle = pointColour(p[2]);
    g.strokeStyle = '#fff';
    if (filled) {
      g.fill(); g.stroke();
    } else {
      g.lineWidth = 2; g.strokeStyle = g.fillStyle; g.stroke(); g.lineWidth = 1;
    }
  });
  points(s.data.train, true);
  if ($('show-test').checked) points(s.data.test, false);
  const p = s.perceptron;
  if (p && (p.w[0] !== 0 || p.w[1] !== 0)) {  // the line the unit draws: w1 x + w2 y + b = 0
    const ends = Math.abs(p.w[1]) > Math.abs(p.w[0])
      ? [h.x0, h.x1].map((xv) => [xv, -(p.b + p.w[0] * xv) / p.w[1]])
      : [h.y0, h.y1].map((yv) => [-(p.b + p.w[1] * yv) / p.w[0], yv]);
    g.save();
    g.beginPath(); g.rect(box.x, box.y, box.w, box.h); g.clip();
    g.strokeStyle = '#1d2330'; g.lineWidth = 2; g.setLineDash([6, 4]);
    g.beginPath(); g.moveTo(px(ends[0][0]), py(ends[0][1])); g.lineTo(px(ends[1][0]), py(ends[1][1])); g.stroke();
    g.restore();
  }
}

function drawLosses(s) {
  const canvas = $('losses'), g = canvas.getContext('2d');
  const W = canvas.width, H = canvas.height, pad = 34;
  g.clearRect(0, 0, W, H);
  const hist = s.history || [];
  const values = hist.flatMap((r) => [r[1], r[2]]).filter((v) => v !== null && v > 0);
  g.fillStyle = '#1d2330';
  g.font = '11px sans-serif';
  g.fillText('loss (log scale) per iteration:', pad, 14);
  g.fillStyle = '#2c6fbb'; g.fillText('— training', pad + 160, 14);
  g.fillStyle = '#d2691e'; g.fillText('— test', pad + 225, 14);
  g.fillStyle = '#1d2330';
  if (hist.length < 1 || values.length === 0) return;
  const lo = Math.log10(Math.min(...values)), hi = Math.log10(Math.max(...values)) + 1e-9;
  const top = Math.ceil(hi), bottom = Math.min(Math.floor(lo), top - 1);
  const maxIt = Math.max(1, hist[hist.length - 1][0]);
  const px = (it) => pad + ((W - pad - 8) * it) / maxIt;
  const py = (v) => 22 + ((H - 22 - pad) * (top - Math.log10(v))) / (top - bottom);
  g.strokeStyle = '#e2e4ea';
  for (let e = bottom; e <= top; e++) {
    g.beginPath(); g.moveTo(pad, py(10 ** e)); g.lineTo(W - 8, py(10 ** e)); g.stroke();
    g.fillText(`1e${e}`, 2, py(10 ** e) + 4);
  }
  g.fillText(`${maxIt}`, W - 40, H - 12);
  const line = (col, colour) => {
    g.strokeStyle = colour; g.lineWidth = 2; g.beginPath();
    let started = false;
    hist.forEach((r) => {
      if (r[col] === null || r[col] <= 0) return;
      if (!started) { g.moveTo(px(r[0]), py(r[col])); started = true; } else g.lineTo(px(r[0]), py(r[col]));
    });
    g.stroke(); g.lineWidth = 1;
  };
  line(1, '#2c6fbb');
  line(2, '#d2691e');
}

// The confusion matrices of the training and the test set (the library's evaluate: rows the true
// class, columns the predicted one), redrawn only when they change.
function drawConfusion(s) {
  const c = s.confusion, el = $('confusion'), key = c ? JSON.stringify(c) : '';
  if (el.dataset.key === key) return;
  el.dataset.key = key;
  setProperty(el, 'hidden', !c);
  if (!c) { el.innerHTML = ''; return; }
  const percent = (v) => (v === null || v === undefined ? '–' : `${(100 * v).toFixed(1)}%`);
  const table = (name, m, accuracy) => {
    if (!m) return '';
    let html = `<div><div>${name} (accuracy ${percent(accuracy)})</div>` +
      `<table id="confusion-${name}"><tr><th title="true class ↓, predicted →">↓ →</th>` +
      `${m.map((_, p) => `<th>${p}</th>`).join('')}</tr>`;
    m.forEach((row, t) => {
      html += `<tr><th>${t}</th>${row.map((v, p) => `<td${p === t ? ' class="diagonal"' : ''}` +
        `${p !== t && v > 0 ? ' style="background:#fde8e8"' : ''}>${v}</td>`).join('')}</tr>`;
    });
    return `${html}</table></div>`;
  };
  el.innerHTML = '<div class="hint">confusion matrices: how many samples of each true class (rows) the network ' +
    `predicts as each class (columns)</div><div class="tables">${table('training', c.train, s.accuracy)}` +
    `${table('test', c.test, s.test_accuracy)}</div>`;
}

// The learning rate (the schedule's, of the epoch in progress, and the next epoch's when it differs)
// and why the last play or run stopped by itself.
function showRateAndStop(s) {
  const rate = (v) => (v === null || v === undefined ? '–' : String(+Number(v).toPrecision(6)));
  setText('lr', rate(s.learning_rate));
  const next = s.next_learning_rate;
  const changes = next !== undefined && next !== null && next !== s.learning_rate;
  setText('lr-next', changes ? ` (next epoch ${rate(next)})` : '');
  setProperty($('stopped'), 'hidden', !s.stopped);
  if (s.stopped) setText('stopped', `stopped by itself at ${s.stopped}`);
}

function drawOutputs(s) {
  const table = $('outputs');
  if (!s.outputs) { if (table.firstChild) table.innerHTML = ''; return; }
  const inputs = s.data.inputs;
  let html = '<tr>' + [...Array(inputs).keys()].map((i) => `<th>i${i + 1}</th>`).join('') +
    '<th>target</th><th>output</th></tr>';
  s.outputs.forEach((out, k) => {
    const row = s.data.train[k];
    html += '<tr>' + row.slice(0, inputs).map((v) => `<td>${short(v)}</td>`).join('') +
      `<td>${row.slice(inputs).map(short).join(', ')}</td>` +
      `<td class="num">${out.map((v) => fmt(v, 6)).join(', ')}</td></tr>`;
  });
  table.innerHTML = html;
}

function render(s) {
  if (!s || s.version === undefined) return;
  if (state.last && s.version < state.last.version) return;  // an older state arriving late
  if (!s.data) {  // an event leaves out the data set the page has
    if (!state.last) return;
    s.data = state.last.data;
  }
  state.last = s;
  showConfig(s.config);
  setText('iteration', s.iteration);
  setText('epoch', s.epoch);
  setText('epoch-batch', s.batch ? ` (+ batch ${s.batch} of ${s.batches})` : '');
  setText('loss', fmt(s.loss));
  setText('test-loss', s.test_loss === null || s.test_loss === undefined ? '–' : fmt(s.test_loss, 6));
  const percent = (v) => (v === null || v === undefined ? '–' : `${(100 * v).toFixed(1)}%`);
  setText('accuracy', percent(s.accuracy));
  setText('test-accuracy', percent(s.test_accuracy));
  showRateAndStop(s);
  if (s.error) showError(s.error);
  const select = $('sample');
  if (select.options.length !== s.data.train_size + 1) {  // the last step, then each training sample
    const inputs = (r) => r.slice(0, s.data.inputs).map((v) => +Number(v).toFixed(3)).join(', ');
    const samples = s.data.train.length === s.data.train_size
      ? s.data.train.map((r, k) => `<option value="${k}">sample ${k}: (${inputs(r)})</option>`)
      : [...Array(s.data.train_size).keys()].map((k) => `<option value="${k}">sample ${k}</option>`);
    select.innerHTML = '<option value="last">the last step (what it applied)</option>' + samples.join('');
  }
  setProperty($('digit-panel'), 'hidden', s.data.set !== 'mnist');
  setProperty($('pretrained-row'), 'hidden', s.data.set !== 'mnist');
  setProperty($('click-hint'), 'hidden', !s.heatmap || s.data.inputs !== 2);
  if (s.data.set === 'mnist') showPretrained(s.loaded);
  const verdict = $('perceptron-verdict');
  setProperty(verdict, 'hidden', !s.perceptron);
  if (s.perceptron) {
    const p = s.perceptron;
    verdict.className = `verdict${p.separable === false ? ' failed' : ''}`;
    verdict.textContent = `perceptron: w1 = ${fmt(p.w[0], 3)}, w2 = ${fmt(p.w[1], 3)}, b = ${fmt(p.b, 3)}` +
      ` (the dashed line) — ${p.verdict}`;
  }
  drawNetwork(s);
  drawNeuronPictures(s);
  drawHeatmap(s);
  drawLosses(s);
  drawConfusion(s);
  drawOutputs(s);
  writeHash(s);
  // The panels follow the network: refreshed after each change, or while playing saying which
  // iteration they show.
  if (!state.playing) refreshPanels(s);
  const stale = state.playing && state.panelsIteration !== undefined && state.panelsIteration !== s.iteration;
  setProperty($('panels-note'), 'hidden', !stale);
  if (stale) {
    setText('panels-note',
      `the numbers below are of iteration ${state.panelsIteration}; pause to see iteration ${s.iteration}'s`);
  }
  const b = window.bpnnState;
  Object.assign(b, { version: s.version, iteration: s.iteration, epoch: s.epoch, batch: s.batch,
    batches: s.batches, lastStep: s.last_step, reproducible: s.reproducible, perceptron: s.perceptron || null,
    loss: s.loss, testAccuracy: s.test_accuracy,
    testLoss: s.test_loss, accuracy: s.accuracy, dataSet: s.data.set, config: s.config, curve: s.curve || null,
    dataPoints: s.data.train_size + s.data.test_size, train: s.data.train, heatmap: s.heatmap || null,
    lossHistory: (s.history || []).map((r) => ({ iteration: r[0], train: r[1], test: r[2] })),
    learningRate: s.learning_rate ?? null, nextLearningRate: s.next_learning_rate ?? null, stopped: s.stopped ?? null,
    confusion: s.confusion || null, neurons: s.neurons || null, loaded: s.loaded ?? null });
  b.weights = {}; b.biases = {}; b.tensors = {};
  if (s.network) {
    const names = weightNames(s.network);
    s.network.layers.forEach((layer, k) => {
      const index = layer.index ?? 2 * k;  // the dense layer's in the model (dropout layers shift it)
      b.tensors[`${index}.weight`] = layer.weight.flat();  // as the model file names them
      b.tensors[`${index}.bias`] = layer.bias.slice();
      layer.weight.forEach((row, j) => row.forEach((w, i) => { b.weights[names[k][j][i]] = w; }));
      layer.bias.forEach((v, j) => { b.biases[`b(${neuronName(k + 1, j, s.network.layers.length)})`] = v; });
    });
  }
}

// The numbers of one step and the chosen weight's chain rule, again for state s.
function refreshPanels(s) {
  if (!s || state.panelsVersion === s.version) return;
  state.panelsVersion = s.version;
  state.panelsIteration = s.iteration;
  showNumbers();
  if (state.selected) showChain(state.selected);
}

// --- reproduce it: the bpnn train command, the data as CSV, the model file, the page's address ----
async function exportRun() {
  $('command-note').textContent = 'preparing the command and its data…';
  $('copy-command').disabled = $('download-csv').disabled = true;
  const e = await act('export');
  $('copy-command').disabled = $('download-csv').disabled = false;
  if (!e) { $('command-note').textContent = ''; return null; }
  window.bpnnState.export = e;
  $('command').hidden = false;
  $('command').textContent = `${e.command}\n# ${e.note}\n# (the training set: download CSV, saved as ${e.csv_name})`;
  $('command-note').textContent = e.note;
  return e;
}
function download(name, text) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type: 'text/csv' }));
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}
// The page's state as its address: #set=xor&net=3sigmoid-1sigmoid&lr=3..., restored on load.
const CONFIG_KEYS = {
  loss: 'loss', optimizer: 'opt', learning_rate: 'lr', batch_size: 'batch', weight_decay: 'decay', init: 'init',
  seed: 'seed', arithmetic: 'arith', l1: 'l1',
};
const DATA_KEYS = {
  function: 'fn', points: 'points', classes: 'classes', noise: 'noise', test_split: 'test', seed: 'dseed', csv: 'csv',
};
function writeHash(s) {
  const q = new URLSearchParams();
  const r = s.data.request || { set: s.data.set };
  q.set('set', r.set);
  Object.entries(DATA_KEYS).forEach(([k, short]) => {
    const v = k === 'points' && Array.isArray(r[k]) ? undefined : r[k];
    if (v !== undefined && !(k === 'csv' && v.length > 4000)) q.set(short, v);
  });
  if (Array.isArray(r.points)) {  // clicked points: as CSV lines, when short enough for an address
    const csv = r.points.map((p) => p.slice(0, 3).join(',')).join('\n');
    if (csv.length <= 4000) q.set('csv', csv);
  }
  if (!s.config.worked_example) {
    q.set('net', s.config.layers.map((l) => `${l.units}${l.activation}`).join('-'));
    Object.entries(CONFIG_KEYS).forEach(([k, short]) => q.set(short, s.config[k]));
    if (!s.config.shuffle) q.set('shuffle', '0');
    const schedule = s.config.schedule;
    if (schedule && schedule.name !== 'constant') {
      q.set('schedule', schedule.name);
      Object.entries(schedule).forEach(([k, v]) => { if (k !== 'name') q.set(`schedule_${k}`, v); });
    }
    const rates = s.config.layers.map((l) => l.dropout || 0);  // each layer's, when any has one
    if (rates.some((r) => r > 0)) q.set('dropout', rates.join(','));
    const features = (s.config.features || []).join(',');
    if (features && features !== 'x1,x2') q.set('features', features);
  }
  const stop = readStop();
  if (stop) Object.entries(stop).forEach(([when, value]) => q.set('stop', `${when}:${value}`));
  const hash = `#${q.toString()}`;
  window.bpnnState.hash = hash;
  if (location.hash !== hash) history.replaceState(null, '', hash);
}
async function restoreHash() {
  const q = new URLSearchParams(startHash.slice(1));
  if (!q.get('set')) return;
  if (q.get('stop')) {
    const [when, value] = q.get('stop').split(':');
    $('stop-when').value = when;
    $('stop-value').value = value;
    syncStopControls();
  }
  const data = { set: q.get('set') };
  Object.entries(DATA_KEYS).forEach(([k, short]) => {
    if (q.has(short)) data[k] = ['csv', 'function'].includes(k) ? q.get(short) : Number(q.get(short));
  });
  $('data-set').value = data.set;
  if (data.function) $('data-fn').value = data.function;
  syncDataControls();
  if (!(await act('data', data)) || !q.get('net')) return;
  const layers = q.get('net').split('-').map((item) => {
    const m = item.match(/^(\d+)([a-z_]+)$/);
    return m ? { units: Number(m[1]), activation: m[2] } : null;
  });
  if (layers.includes(null)) { showError(`the address's net=${q.get('net')} is not UNITSactivation-...`); return; }
  const config = { layers, shuffle: q.get('shuffle') !== '0' };
  (q.get('dropout') || '').split(',').forEach((r, i) => { if (r && layers[i]) layers[i].dropout = Number(r); });
  if (q.get('features')) config.features = q.get('features').split(',');
  Object.entries(CONFIG_KEYS).forEach(([k, short]) => {
    if (q.has(short)) {
      config[k] = ['loss', 'optimizer', 'init', 'arithmetic'].includes(k) ? q.get(short) : Number(q.get(short));
    }
  });
  if (q.has('schedule')) {
    config.schedule = { name: q.get('schedule') };
    for (const [k, v] of q) if (k.startsWith('schedule_')) config.schedule[k.slice('schedule_'.length)] = Number(v);
  }
  await act('network', config);
}

// --- the numbers of one step, and the chain rule of one weight ---------------------------------
// The numbers of one step: the last step's (the gradients it applied and the update it made), or a
// step's on the chosen sample from the weights now (before any step, sample 0's).
async function showNumbers(lastStep = state.last && state.last.last_step) {
  const s = state.last;
  if (s && s.data.inputs > 64) {
    $('numbers').innerHTML = `<p>${s.data.inputs} inputs: too many numbers to list. ` +
      'Draw a digit above to see each layer\'s activations.</p>';
    return;
  }
  if (s && s.config.optimizer === 'perceptron') {
    $('numbers').innerHTML = '<p>The perceptron rule needs no derivative: for each sample, y = step(w·x + b), then ' +
      'w += lr (t − y) x and b += lr (t − y). Nothing changes when y = t.</p>';
    return;
  }
  const choice = $('sample').value || 'last';
  const n = await act('numbers', choice !== 'last' ? { sample: Number(choice) }
    : lastStep ? { last_step: true } : { sample: 0 });
  if (!n) return;
  window.bpnnState.numbers = n;
  window.bpnnState.gradients = Object.fromEntries(n.weights.map((w) => [w.name, w.grad]));
  $('numbers').innerHTML = numbersHtml(n);
}
// The loss as a sum, with what it is divided by: the mean over the step's samples and (mse, mae,
// bce) over the outputs, so that the 2-2-2 worked example's mse is the tutorial's Σ ½ (target − out)².
function lossFormula(n) {
  const outputs = n.layers[n.layers.length - 1].neurons.length, over = n.samples * outputs;
  const terms = { mse: '(target − out)²', mae: '|target − out|',
    bce: '−[target log out + (1 − target) log(1 − out)]' }[n.loss_name];
  if (terms) {
    return ` <span class="hint">= Σ ${terms} ÷ ${over} (${n.samples} sample${n.samples > 1 ? 's' : ''} × ` +
      `${outputs} output${outputs > 1 ? 's' : ''})</span>`;
  }
  if (n.loss_name === 'cross_entropy') {
    return ` <span class="hint">= Σ −log softmax(out)_target ÷ ${n.samples} sample${n.samples > 1 ? 's' : ''}</span>`;
  }
  return '';
}
function numbersHtml(n) {
  const cell = (v, id = '') => `<td class="num"${id}>${fmt(v)}</td>`;
  const some = (list) => list.slice(0, 16).join(', ') + (list.length > 16 ? `, … (${list.length} in all)` : '');
  let html = n.last_step
    ? `<p id="numbers-what">the last step (iteration ${n.iteration}), on sample${n.samples > 1 ? 's' : ''} ` +
      `${some(n.batch)}: the gradients it <b>applied</b> (${n.samples > 1 ? `E is the mean of its ${n.samples} ` +
      `samples' losses, so each sample adds its own dE/dw ÷ ${n.samples}` : 'dE/dw'}) and the update it <b>made</b> ` +
      '(after − before)</p>'
    : `<p id="numbers-what">a step on sample ${n.sample} from the weights now: dE/dw on it and the update the ` +
      `${n.optimizer} optimizer would make</p>`;
  const first = n.samples > 1 ? ` of the first sample (${n.batch[0]})` : '';
  html += `<p>input${first} (${n.input_names.join(', ')}) = (${n.input[0].map(short).join(', ')}), ` +
    `target = (${n.target[0].map(short).join(', ')})</p>`;
  if (n.input[0].some((v) => v === 0)) {
    html += '<p class="hint">an input of 0 gives the weights it feeds dE/dw = δ × 0 = 0 on this sample</p>';
  }
  html += `<p>forward pass, then E = ${n.loss_name} = <b class="num" id="numbers-loss">${fmt(n.loss)}</b>` +
    `${lossFormula(n)}</p>`;
  html += `<table><tr><th>neuron${first}</th><th>net</th><th>out</th><th>δ = dE/dnet</th></tr>`;
  n.layers.forEach((l) => l.neurons.forEach((name, j) => {
    html += `<tr><td>${name}</td>${cell(l.net[0][j])}${cell(l.out[0][j])}${cell(l.delta[0][j])}</tr>`;
  }));
  html += `</table><p>${n.last_step ? '' : 'update: '}${n.update_rule}</p>`;
  const heads = n.last_step ? ['w before', 'dE/dw applied', 'update made', 'w after']
    : ['w', 'dE/dw', 'update it would make', 'w new'];
  html += `<table id="numbers-weights"><tr><th>weight</th>${heads.map((h) => `<th>${h}</th>`).join('')}</tr>`;
  n.weights.forEach((w) => {
    const update = w.frozen ? '<td class="num">frozen</td>' : cell(w.update);
    html += `<tr data-name="${w.name}"><td>${w.name}</td>${cell(w.value)}${cell(w.grad)}${update}` +
      `${cell(w.new_value)}</tr>`;
  });
  if (n.weights_total > n.weights.length) {
    html += `<tr><td colspan="5">… the first ${n.weights.length} of ${n.weights_total} weights and biases: ` +
      'click one in the drawing for its numbers (its chain rule)</td></tr>';
  }
  return html + '</table>';
}

// The chain rule of one weight, on the chosen sample (the last step's: its first sample, and dE/dw
// summed over its batch).
async function showChain(info) {
  state.selected = info;
  const choice = $('sample').value || 'last', last = choice === 'last' && state.last && state.last.last_step;
  const body = { layer: info.layer, to: info.to, ...(last ? { last_step: true }
    : { sample: choice === 'last' ? 0 : Number(choice) }) };
  if (info.bias) body.bias = true; else body.from = info.from;
  const at = state.last && state.last.iteration;
  const c = await act('chain', body);
  if (!c) return;
  drawNetwork(state.last);
  const shown = [];
  const row = (name, what, value, id = '') => {
    const text = fmt(value);
    shown.push(text);
    return `<tr><td class="factor">${name}</td><td>${what}</td><td class="num factor-value"${id}>${text}</td></tr>`;
  };
  let html = `<p><b>${c.name}</b> (${c.from ? c.from + ' → ' : 'bias of '}${c.to}) = ` +
    `<span class="num">${fmt(c.value)}</span>${c.last_step ? ' before the last step' : ''}, ` +
    `on sample ${c.sample}${c.samples > 1 ? ` (the first of the step's ${c.samples})` : ''}, at iteration ${at}</p>`;
  html += `<p>${c.equation}</p><table>`;
  c.factors.forEach((f) => {
    html += row(f.name, f.formula, f.value);
    (f.terms || []).forEach((t) => {
      html += `<tr><td></td><td>δ_${t.neuron} × ${t.weight} = ${fmt(t.delta)} × ${fmt(t.weight_value)}</td>` +
        `<td class="num">${fmt(t.product)}</td></tr>`;
    });
  });
  html += row(`dE/d${c.name}`, 'the product', c.product, ' id="chain-product"');
  if (c.samples > 1) {
    html += row('', `summed over the ${c.samples} samples (each ÷ ${c.samples}: E is their mean)`, c.sum);
  }
  html += row('', 'back-propagation computed', c.backprop);
  html += row('', c.last_step ? 'the update the step made (after − before)' : 'the update the optimizer would make',
    c.update) + '</table>';
  // The edit box holds the weight's value now (after the last step, not the value it started from).
  const layer = state.last.network.layers[info.layer];
  const now = info.bias ? layer.bias[info.to] : layer.weight[info.to][info.from];
  html += `<label>set ${c.name} (now ${fmt(now)}) = <input id="edit-value" type="number" step="0.01" value="${now}"> ` +
    '<button id="edit-apply">apply</button></label>';
  $('chain').innerHTML = html;
  $('chain').scrollIntoView({ block: 'nearest' });  // below a long table it would open out of sight
  $('edit-apply').onclick = async () => {
    const edit = { layer: info.layer, to: info.to, value: Number($('edit-value').value) };
    if (info.bias) edit.bias = true; else edit.from = info.from;
    if (await act('weight', edit)) showChain(info);
  };
  window.bpnnState.chain = {
    iteration: at, name: c.name, factors: Object.fromEntries(c.factors.map((f) => [f.name, f.value])),
    product: c.product, backprop: c.backprop, update: c.update, lastStep: c.last_step, shown };
}

// --- a digit drawn on a 28x28 canvas, and what the model makes of it --------------------------
const digit = new Float64Array(28 * 28);
function paintDigit() {
  const g = $('digit').getContext('2d'), image = g.createImageData(28, 28);
  digit.forEach((v, k) => { const c = Math.round(255 * v); image.data.set([c, c, c, 255], 4 * k); });
  g.putImageData(image, 0, 0);
}
function brush(e) {  // a soft pen about two pixels wide
  const box = $('digit').getBoundingClientRect();
  const cx = ((e.clientX - box.left) / box.width) * 28, cy = ((e.clientY - box.top) / box.height) * 28;
  for (let r = Math.floor(cy) - 2; r <= Math.floor(cy) + 2; r++) {
    for (let c = Math.floor(cx) - 2; c <= Math.floor(cx) + 2; c++) {
      if (r < 0 || r > 27 || c < 0 || c > 27) continue;
      const d = Math.hypot(r + 0.5 - cy, c + 0.5 - cx);
      digit[r * 28 + c] = Math.max(digit[r * 28 + c], Math.max(0, Math.min(1, 1.6 - d / 1.1)));
    }
  }
  paintDigit();
}
async function predict(body) {
  const p = await act('predict', body);
  if (!p) return;
  window.bpnnState.prediction = p;
  if (p.input) { digit.set(p.input); paintDigit(); }
  const label = p.label !== undefined ? ` (the set's label: ${p.label})` : '';
  let html = `<p>the model says <b id="predicted">${p.class}</b>${label}</p><div class="bars">`;
  p.probabilities.forEach((v, k) => {
    html += `<span>${k}</span><div class="bar" style="width:${(100 * v).toFixed(1)}%"></div>` +
      `<span class="num">${v.toFixed(3)}</span>`;
  });
  html += '</div>';
  $('prediction').innerHTML = html;
  let act_ = '';
  p.layers.forEach((l) => {
    const top = Math.max(1e-9, ...l.out.map(Math.abs));
    act_ += `<div>${l.index}: ${l.kind} (${l.out.length})</div><div class="units">` + l.out.map((v) =>
      `<span title="${v.toFixed(4)}" ` +
      `style="background:rgba(${v >= 0 ? '44,111,187' : '210,105,30'},${Math.abs(v) / top})">` +
      '</span>').join('') + '</div>';
  });
  $('activations').innerHTML = act_;
}

// The model file (what bpnn train --out writes), made by the engine and saved by the browser.
// What the site's pre-trained model is (mnist/pretrained.json, written with it by scripts/site.sh),
// and whether the page holds it now.
let pretrained;
async function showPretrained(loaded) {
  pretrained ??= fetch('mnist/pretrained.json').then((r) => (r.ok ? r.json() : null)).catch(() => null);
  const p = await pretrained;
  $('load-pretrained').disabled = !p;
  const about = p ? `${p.network}, ${p.epochs} epochs on the ${p.train_size} training digits: ` +
    `${(100 * p.test_accuracy).toFixed(1)} % of the ${p.test_size} held-out digits right` : 'this site has none';
  $('pretrained-note').textContent = loaded === kPretrainedName ? `loaded (${about})` : about;
}
const kPretrainedName = 'mnist-pretrained.safetensors';
// A model file chosen by the learner: its name as the command line will name it (--init).
async function openModel(file) {
  const name = file.name.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^\.+/, '').slice(-100) || 'model.safetensors';
  await act('load', { bytes: new Uint8Array(await file.arrayBuffer()), name });
}

async function downloadModel(e) {
  e.preventDefault();
  const reply = await engine('model');
  if (reply.status !== 200) { showError(JSON.parse(reply.body).error); return; }
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([reply.bytes], { type: 'application/octet-stream' }));
  a.download = reply.name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

// A click on the plane adds a point of the chosen class to the data (which becomes "my points").
async function addPoint(e) {
  const s = state.last;
  if (!s || !s.heatmap || s.data.inputs !== 2) return;
  const canvas = $('heatmap'), rect = canvas.getBoundingClientRect(), h = s.heatmap, box = plotBox(canvas);
  const cx = ((e.clientX - rect.left) * canvas.width) / rect.width - box.x;
  const cy = ((e.clientY - rect.top) * canvas.height) / rect.height - box.y;
  if (cx < 0 || cy < 0 || cx > box.w || cy > box.h) return;
  const x = h.x0 + (cx / box.w) * (h.x1 - h.x0);
  const y = h.y1 - (cy / box.h) * (h.y1 - h.y0);
  // Every point kept where it was (test points stay test points), the new one a training point,
  // and the network keeps training from its weights.
  const round = (v) => Math.round(v * 1e4) / 1e4;
  const points = [...s.data.train.map((r) => [round(r[0]), round(r[1]), r[2], 0]),
    ...s.data.test.map((r) => [round(r[0]), round(r[1]), r[2], 1])];
  points.push([round(x), round(y), Number($('click-class').value), 0]);
  $('data-set').value = 'points';
  syncDataControls();
  $('data-csv').value = points.map((p) => p.slice(0, 3).join(',')).join('\n');
  await act('data', { set: 'points', points, keep_weights: true });
}

// --- wiring -----------------------------------------------------------------------------------
function wire() {
  $('data-set').onchange = syncDataControls;
  $('data-apply').onclick = () => act('data', readData());
  $('net-apply').onclick = async () => {
    if (await act('network', readConfig())) $('net-pending').hidden = true;
  };
  // An edited network form trains nothing until "build network": the page says so until then.
  for (const type of ['input', 'change']) {
    $('setup').addEventListener(type, (e) => {
      if (e.target.id.startsWith('net-') || e.target.closest('#layers, #feature-boxes, #schedule-options')) {
        $('net-pending').hidden = false;
      }
    });
  }
  $('layer-add').onclick = () => {
    const rows = $('layers').querySelectorAll('.layer-row');
    if (rows.length < 8) $('layers').insertBefore(layerRow(3, 'sigmoid', false), rows[rows.length - 1]);
    $('net-pending').hidden = false;
  };
  $('play').onclick = play;
  for (const id of ['show-test', 'discretize']) $(id).onchange = () => { if (state.last) drawHeatmap(state.last); };
  let drawing = false;
  $('digit').addEventListener('pointerdown', (e) => { drawing = true; brush(e); });
  $('digit').addEventListener('pointermove', (e) => { if (drawing) brush(e); });
  window.addEventListener('pointerup', () => { if (drawing) { drawing = false; predict({ input: [...digit] }); } });
  $('digit-clear').onclick = () => {
    digit.fill(0);
    paintDigit();
    $('prediction').innerHTML = '';
    $('activations').innerHTML = '';
  };
  $('digit-sample').onclick = () => predict({ sample: Math.floor(Math.random() * state.last.data.train_size) });
  $('perceptron-mode').onclick = async () => {
    $('layers').innerHTML = '';
    $('layers').appendChild(layerRow(1, 'step', true));
    $('net-optimizer').value = 'perceptron';
    $('net-loss').value = 'mse';
    $('net-lr').value = 0.1;
    await act('network', readConfig());
  };
  $('step-sample').onclick = () => step('sample');
  $('step-batch').onclick = () => step('batch');
  $('step-epoch').onclick = () => step('epoch');
  $('step-n').onclick = () => step('batch', Number($('step-count').value), readStop());
  $('reset').onclick = () => act('reset');
  $('copy-command').onclick = async () => {
    const e = await exportRun();
    if (!e) return;
    // The clipboard may be refused (no focus, a page not served over https or from localhost).
    const copied = navigator.clipboard ? await navigator.clipboard.writeText(e.command).then(() => true, () => false)
      : false;
    $('command-note').textContent = `${copied ? 'copied. ' : 'not copied (the browser refused): select the command ' +
      'above. '}${e.note}`;
  };
  $('download-csv').onclick = async () => {
    const e = await exportRun();
    if (e) download(e.csv_name, e.csv);
  };
  $('numbers-refresh').onclick = () => showNumbers();
  $('sample').onchange = () => showNumbers();
  $('gradcheck').onclick = async () => {
    const g = await act('gradcheck');
    if (!g) return;
    window.bpnnState.gradcheck = g;
    $('gradcheck-result').textContent = `gradient check (bpnn's checker, on ${g.samples} samples): ${g.checked} ` +
      `values against (E(w + h) − E(w − h)) / 2h, h = ${g.step}; largest relative error ` +
      `${Number.isFinite(g.max_relative_error) ? g.max_relative_error.toExponential(2) : 'not a number'} ` +
      `(${g.worst}) — ${g.passed ? 'back-propagation agrees' : g.report}`;
  };
  $('heatmap').addEventListener('click', addPoint);

  const svg = $('network'), tip = $('tooltip');
  svg.addEventListener('mousemove', (e) => {
    const el = e.target.closest('.weight') || nearestLine(e);
    if (!el || !state.last) { tip.hidden = true; return; }
    const info = weightInfo(el);
    tip.hidden = false;
    const n = window.bpnnState.numbers;
    const which = n && (n.last_step ? `the last step, iteration ${n.iteration}` : `a step on sample ${n.sample}`);
    const grad = info.grad === null ? ''
      : `   dE/d${info.name} = ${fmt(info.grad)} (${which}, as in the numbers panel)`;
    tip.textContent = `${info.name} = ${fmt(info.value)}${grad}`;
    tip.style.left = `${e.clientX + 12}px`;
    tip.style.top = `${e.clientY + 12}px`;
  });
  svg.addEventListener('mouseleave', () => { tip.hidden = true; });
  svg.addEventListener('click', (e) => {
    const el = e.target.closest('.weight') || nearestLine(e);
    if (el && state.last) showChain(weightInfo(el));
  });
  $('download-model').onclick = downloadModel;
  $('load-pretrained').onclick = () => act('load', { url: 'mnist/pretrained.safetensors', name: kPretrainedName });
  $('open-model').onchange = async (e) => {
    if (e.target.files[0]) await openModel(e.target.files[0]);
    e.target.value = '';  // the same file chosen again loads again
  };

}

// Fills the network's menus from the engine's choices.
async function loadChoices() {
  Object.assign(choices, await api('choices'));
  const labels = { perceptron: 'perceptron rule' };
  for (const field of ['loss', 'optimizer', 'init', 'arithmetic']) {
    const options = choices[field].map((name) => `<option value="${name}">${labels[name] || name}</option>`);
    $(`net-${field}`).innerHTML = options.join('');
  }
  $('net-schedule').innerHTML = choices.schedule.map((r) =>
    `<option value="${r.name}" title="${r.summary}">${r.name}</option>`).join('');
  $('feature-boxes').innerHTML = choices.features.map((f) =>
    `<label><input type="checkbox" value="${f.name}"> ${f.label}</label>`).join('');
}

async function start() {
  wire();
  wirePanels();
  syncDataControls();
  try {
    await loadChoices();
    render(await api('state'));
    await restoreHash();
    $('status').textContent = 'ready';
    window.bpnnState.ready = true;  // the page's address applied: the learner (or a test) may begin
  } catch (e) {
    $('status').textContent = 'the engine did not start';
  }
}
start();
