// The same training timed in bpnn's WebAssembly engine and in TensorFlow.js, in this page (driven by
// run.mjs). Every row trains the workload's network on the workload's data with plain SGD, the
// batches in file order, one epoch as warm-up and then `epochs` epochs timed (repeated up to a
// second, see timed), reading the loss at the end of each epoch. Its rows:
//   bpnn        the engine's training run (bench_engine.js: make_data and make_run, the library's
//               TrainingRun in float, portable arithmetic, one thread), an epoch per call
//   bpnn-page   the page's own engine (engine.js): the "data", "network" and "step" actions, the
//               `epochs` epochs in one "step" (its loss curve bookkeeping included); it refuses
//               more than 64 units a layer, as the page does
//   tfjs-BACKEND-minimize      tf.sequential of dense layers, optimizer.minimize on each batch
//   tfjs-BACKEND-trainOnBatch  the same model compiled, model.trainOnBatch on each batch
// Both TF.js loops take batches made into tensors once, before the warm-up.
'use strict';

const WORKLOADS = {
  // 784-128relu-10, cross-entropy on the logits, batch 64, on the site's 2,000 digits (31 batches
  // of 64 and one of 16).
  mnist: {
    data: { set: 'mnist', points: 2000, test_split: 0 },
    network: {
      layers: [{ units: 128, activation: 'relu' }, { units: 10, activation: 'identity' }],
      loss: 'cross_entropy', optimizer: 'sgd', learning_rate: 0.1, batch_size: 64, seed: 1, shuffle: false,
    },
  },
  // 2-8-8-1 tanh, tanh, sigmoid, mean squared error, batch 10, on 200 points of the circle set.
  circle: {
    data: { set: 'circle', points: 200, noise: 0.1, seed: 1, test_split: 0 },
    network: {
      layers: [{ units: 8, activation: 'tanh' }, { units: 8, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }],
      loss: 'mse', optimizer: 'sgd', learning_rate: 0.5, batch_size: 10, seed: 1, shuffle: false,
    },
  },
};
const DIGIT_FILES = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte'];

let pageEngine = null;  // engine.js, as the page's worker runs it
let benchEngine = null;  // bench_engine.js
const samples = {};  // workload -> {x, y: Float32Array, n, inputs, outputs}: TF.js's copy of the engine's data

function engineCall(action, body) {
  const reply = pageEngine.call(action, JSON.stringify(body));
  if (reply.status !== 200) throw new Error(`engine ${action}: ${reply.status} ${reply.body}`);
  return JSON.parse(reply.body);
}

// The digits as bpnn's read_idx makes them: pixel p as the float 0 + (1 - 0) / 255 * p, computed in
// float (one rounding of an exact product, as JavaScript's double product rounded once to float);
// labels one-hot, as TF.js's softmaxCrossEntropy takes them.
function digits(images, labels) {
  const view = new DataView(images.buffer, images.byteOffset);
  const n = view.getUint32(4), pixels = view.getUint32(8) * view.getUint32(12);
  const scale = Math.fround(1 / 255);
  const x = new Float32Array(n * pixels);
  for (let k = 0; k < x.length; k++) x[k] = Math.fround(scale * images[16 + k]);
  const y = new Float32Array(n * 10);
  for (let k = 0; k < n; k++) y[k * 10 + labels[8 + k]] = 1;
  return { x, y, n, inputs: pixels, outputs: 10 };
}

// The circle's points as the engine drew them: the state's training rows [x1, x2, label], doubles
// made float as the engine makes them.
function circlePoints() {
  const rows = engineCall('data', WORKLOADS.circle.data).data.train;
  const x = new Float32Array(rows.length * 2), y = new Float32Array(rows.length);
  rows.forEach(([x1, x2, label], k) => { x[2 * k] = x1; x[2 * k + 1] = x2; y[k] = label; });
  return { x, y, n: rows.length, inputs: 2, outputs: 1 };
}

async function setup() {
  const files = await Promise.all(DIGIT_FILES.map(async (name) => {
    const response = await fetch(`/site/mnist/${name}`);
    if (!response.ok) throw new Error(`/site/mnist/${name}: HTTP ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  }));
  pageEngine = await createBpnnEngine();
  benchEngine = await createBpnnBench();
  benchEngine.FS.mkdirTree('/data/mnist');
  DIGIT_FILES.forEach((name, k) => {
    pageEngine.addFile(`/data/mnist/${name}`, files[k]);
    benchEngine.FS.writeFile(`/data/mnist/${name}`, files[k]);
  });
  samples.mnist = digits(files[0], files[1]);
  samples.circle = circlePoints();
  tf.wasm.setWasmPaths('/bench/node_modules/@tensorflow/tfjs-backend-wasm/dist/');
  // Cross-origin isolated, the wasm backend loads its threaded SIMD build: asked for every core, it
  // takes at most hardwareConcurrency / 2 threads (its backend.cc counts two hyperthreads a core).
  if (self.crossOriginIsolated) tf.wasm.setThreadsCount(navigator.hardwareConcurrency);
  await tf.setBackend('wasm');
  return {
    tfjs: tf.version.tfjs, tfjs_wasm: tf.wasm.version_wasm, userAgent: navigator.userAgent,
    crossOriginIsolated: self.crossOriginIsolated, wasmSimd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'),
    wasmThreads: tf.wasm.getThreadsCount(), hardwareConcurrency: navigator.hardwareConcurrency,
    wasmBinary: performance.getEntriesByType('resource').map((e) => e.name.split('/').pop())
      .filter((name) => name.startsWith('tfjs-backend-wasm')).join(', '),
  };
}

// Runs epoch() `epochs` times, timed, and again until at least MIN_SECONDS have passed (the caller
// has run its warm-up epoch): a row much faster than the others is timed as long as they are at
// least, so that a short quiet moment of a loaded machine cannot make its figure.
const MIN_SECONDS = 1;
async function timed(epochs, epoch, n) {
  const start = performance.now();
  let loss = NaN, done = 0;
  do {
    for (let e = 0; e < epochs; e++) loss = await epoch();
    done += epochs;
  } while (performance.now() - start < MIN_SECONDS * 1000);
  const seconds = (performance.now() - start) / 1000;
  return { samplesPerSecond: (done * n) / seconds, seconds, epochs: done, loss };
}

async function measureBpnn(workload, epochs) {
  const w = WORKLOADS[workload];
  const run = new benchEngine.BenchRun(JSON.stringify(w.data), JSON.stringify(w.network));
  try {
    run.epoch();
    return await timed(epochs, () => run.epoch(), run.samples());
  } finally {
    run.delete();
  }
}

async function measurePageEngine(workload, epochs) {
  const w = WORKLOADS[workload];
  engineCall('data', w.data);
  const reply = pageEngine.call('network', JSON.stringify(w.network));
  if (reply.status !== 200) return { refused: JSON.parse(reply.body).error };
  engineCall('step', { unit: 'epoch', count: 1 });
  const step = () => engineCall('step', { unit: 'epoch', count: epochs }).loss;
  const result = await timed(1, step, epochs * samples[workload].n);
  return { ...result, epochs: result.epochs * epochs };
}

const tfActivation = { relu: 'relu', tanh: 'tanh', sigmoid: 'sigmoid', identity: 'linear' };

async function measureTfjs(backend, method, workload, epochs) {
  await tf.setBackend(backend);
  const net = WORKLOADS[workload].network, { x, y, n, inputs, outputs } = samples[workload];
  const batches = [];
  for (let first = 0; first < n; first += net.batch_size) {
    const end = Math.min(n, first + net.batch_size);
    batches.push([tf.tensor2d(x.subarray(first * inputs, end * inputs), [end - first, inputs]),
                  tf.tensor2d(y.subarray(first * outputs, end * outputs), [end - first, outputs])]);
  }
  const model = tf.sequential();
  net.layers.forEach((layer, k) => model.add(tf.layers.dense({
    units: layer.units, activation: tfActivation[layer.activation], ...(k === 0 ? { inputShape: [inputs] } : {}),
  })));
  const loss = net.loss === 'cross_entropy' ? (target, logits) => tf.losses.softmaxCrossEntropy(target, logits)
                                            : (target, output) => tf.losses.meanSquaredError(target, output);
  const optimizer = tf.train.sgd(net.learning_rate);
  let epoch;
  if (method === 'minimize') {
    epoch = () => {
      let cost = null;
      batches.forEach(([xb, yb], k) => {
        const last = k === batches.length - 1;  // the epoch's last batch returns its loss, read below
        const c = optimizer.minimize(() => loss(yb, model.apply(xb, { training: true })), last);
        if (last) cost = c;
      });
      const value = cost.dataSync()[0];
      cost.dispose();
      return value;
    };
  } else {
    model.compile({ optimizer, loss });
    epoch = async () => {
      let value = NaN;
      for (const [xb, yb] of batches) value = await model.trainOnBatch(xb, yb);
      return value;
    };
  }
  try {
    await epoch();  // the first epoch makes the optimizer's and the model's own tensors
    const tensors = tf.memory().numTensors;
    const result = await timed(epochs, epoch, n);
    // No tensor left behind by a step (a leak would slow the loop down and would be the bench's fault).
    const leaked = tf.memory().numTensors - tensors;
    if (leaked !== 0) throw new Error(`tfjs-${backend}-${method}: ${leaked} tensors left behind in ${epochs} epochs`);
    return { ...result, backend: tf.getBackend() };
  } finally {
    batches.flat().forEach((t) => t.dispose());
    model.dispose();
    optimizer.dispose();
  }
}

async function measure(row, workload, epochs) {
  if (row === 'bpnn') return measureBpnn(workload, epochs);
  if (row === 'bpnn-page') return measurePageEngine(workload, epochs);
  const [, backend, method] = row.split('-');
  return measureTfjs(backend, method, workload, epochs);
}

window.bench = { setup, measure, workloads: WORKLOADS };
