// The playground's bad requests, shared by the WebAssembly engine's test (engine.test.mjs) and the
// native API's (bad_requests.test.mjs): [action, body, raw], where raw says the body is the text
// to send as it is (not JSON to stringify). Each must be answered 4xx with {"error": "..."} by a
// session holding XOR and a 2-3-1 network, and leave the session working.
export const setup = [
  ['data', { set: 'xor' }],
  ['network', { layers: [{ units: 3, activation: 'sigmoid' }, { units: 1, activation: 'sigmoid' }], learning_rate: 3 }],
];
const layers = (n, units) => Array.from({ length: n }, () => ({ units, activation: 'sigmoid' }));
const big = 'x'.repeat(1100 * 1024);  // over the 1 MiB a request may carry
export const bad = [
  ['data', '{"set": "xor"', true], ['data', 'not json', true], ['data', '[1,2,3]', true], ['data', '"xor"', true],
  ['data', { set: 'nope' }], ['data', { set: 'xor', extra: 1 }], ['data', { set: 'spiral', points: 100000 }],
  ['data', { set: 'spiral', noise: -1 }], ['data', { set: 'circle', test_split: 2 }], ['data', { set: 'blobs', seed: -5 }],
  ['data', '{"set": "spiral", "noise": NaN}', true], ['data', '{"set": "spiral", "noise": 1e999}', true],
  ['data', { set: 'points', points: [[0, 0, 0]] }], ['data', { set: 'points', points: [[0, 'a', 1], [1, 1, 1]] }],
  ['data', { set: 'points', points: Array.from({ length: 2001 }, (_, k) => [k, k, k % 2]) }],
  ['data', { set: 'points', csv: '1,2\n3,4,5' }], ['data', { set: 'points', points: [[0, 0, 10], [1, 1, 1]] }], ['data', { set: 'points', points: [[0, 0, 0.5], [1, 1, 1]] }],
  ['data', { set: 'points', points: [[0, 0, 1, 2], [1, 1, 1]] }], ['data', { set: 'points', points: [[0, 0, 1, 1], [1, 1, 0]], test_split: 0.5 }],
  ['data', { set: 'circle', classes: 3 }], ['data', { set: 'spiral', classes: 7 }], ['data', { set: 'xor', keep_weights: 'yes' }],
  ['data', { set: 'mnist', points: 5 }],
  ['load', {}], ['load', { model: 42 }], ['load', { model: 'AB$D' }], ['load', { model: 'QUJD' }], ['load', { model: 'QUJ' }],
  ['load', { model: 'QUJD', name: '../x.safetensors' }], ['load', { model: 'QUJD', name: '' }], ['load', { model: '', x: 1 }],
  ['load', { model: 'CAAAAAAAAAB7fQ==' }],  // a safetensors header "{}": no bpnn network in it
  ['network', { layers: layers(9, 2) }], ['network', { layers: layers(2, 65) }], ['network', { layers: [] }],
  ['network', { layers: [{ units: 0 }] }], ['network', { layers: [{ units: 1, activation: 'sinusoid' }] }],
  ['network', { layers: [{ units: 1 }], learning_rate: 1000 }], ['network', { layers: [{ units: 1 }], learning_rate: 0 }],
  ['network', '{"layers": [{"units": 1}], "learning_rate": NaN}', true], ['network', { layers: [{ units: 1 }], batch_size: -1 }],
  ['network', { layers: [{ units: 1 }], optimizer: 'lbfgs' }], ['network', { layers: [{ units: 1 }], loss: 'hinge' }],
  ['network', { layers: [{ units: 1 }], bogus: true }], ['network', { layers: [{ units: 7 }] }],
  ['network', { layers: [{ units: 1, activation: 'sigmoid' }], loss: 'cross_entropy' }],
  ['network', { layers: [{ units: 1, activation: 'relu' }], loss: 'bce' }], ['network', { layers: 'big' }],
  ['network', { layers: [{ units: 1.5 }] }], ['network', { layers: [{ units: 1e300 }] }],
  ['network', { layers: [{ units: 1 }], preset: 'mazur' }],
  // The learning-rate schedule: an object naming one of the registry's, with the options it takes.
  ['network', { layers: [{ units: 1 }], schedule: 'step' }], ['network', { layers: [{ units: 1 }], schedule: {} }],
  ['network', { layers: [{ units: 1 }], schedule: { name: 'exponential' } }],
  ['network', { layers: [{ units: 1 }], schedule: { name: 'cosine', gamma: 0.5 } }],
  ['network', { layers: [{ units: 1 }], schedule: { name: 'step', step_size: 0 } }],
  ['network', { layers: [{ units: 1 }], schedule: { name: 'step', gamma: -1 } }],
  ['network', { layers: [{ units: 1 }], schedule: { name: 'invscaling', power: -0.5 } }],
  ['network', { layers: [{ units: 1 }], schedule: { name: 'constant', epochs: 10 } }],
  ['network', { layers: [{ units: 1 }], schedule: { name: 'cosine', epochs: 0 } }],
  ['network', { layers: [{ units: 1 }], schedule: { name: 'step', every: 2 } }],
  // A step's stop condition: train or test loss below a number, or a number of epochs; XOR has no test set.
  ['step', { stop: 0.01 }], ['step', { stop: { loss_below: 0.01 } }], ['step', { stop: { train_loss_below: -1 } }],
  ['step', { stop: { train_loss_below: 'low' } }], ['step', { stop: { epochs: 0 } }], ['step', { stop: { epochs: 2.5 } }],
  ['step', { stop: { test_loss_below: 0.01 } }], ['step', '{"stop": {"train_loss_below": NaN}}', true],
  // Input features, L1 and dropout.
  ['network', { layers: [{ units: 1 }], features: ['x3'] }], ['network', { layers: [{ units: 1 }], features: ['x1', 'x1'] }],
  ['network', { layers: [{ units: 1 }], features: [] }], ['network', { layers: [{ units: 1 }], features: 'x1' }],
  ['network', { layers: [{ units: 1 }], features: [1] }], ['network', { layers: [{ units: 1 }], features: Array(8).fill('x1') }],
  ['network', { layers: [{ units: 1, activation: 'step' }], optimizer: 'perceptron', features: ['x1_x2'] }],
  ['network', { layers: [{ units: 1 }], l1: -1 }], ['network', { layers: [{ units: 1 }], l1: 2 }],
  ['network', { layers: [{ units: 1 }], l1: 0.1, optimizer: 'rprop' }],
  ['network', { layers: [{ units: 2, dropout: 0.95 }, { units: 1 }] }], ['network', { layers: [{ units: 1, dropout: 0.5 }] }],
  ['network', { layers: [{ units: 2, dropout: 'half' }, { units: 1 }] }], ['network', { layers: [{ units: 2, dropout: -0.1 }, { units: 1 }] }],
  ['step', { count: 0 }], ['step', { count: 1e9 }], ['step', { unit: 'year' }], ['step', { count: '5' }],
  ['step', { unit: 'epoch', count: 20000 }], ['step', '{"count": Infinity}', true], ['step', { seconds: 60 }],
  ['weight', { layer: 5, to: 0, from: 0, value: 1 }], ['weight', { layer: 0, to: 99, from: 0, value: 1 }],
  ['weight', { layer: 0, to: 0, from: 0, value: 1e9 }], ['weight', { layer: 0, to: 0, value: 1 }],
  ['weight', { layer: 0, to: 0, from: 0, bias: true, value: 1 }], ['weight', '{"layer":0,"to":0,"from":0,"value":NaN}', true],
  ['numbers', { sample: 4 }], ['numbers', { sample: -1 }], ['chain', { layer: 0, to: 0 }],
  // No step taken yet (409), or both a sample and the last step, or not a flag.
  ['numbers', { last_step: true }], ['numbers', { last_step: true, sample: 0 }],
  ['numbers', { last_step: 'yes' }], ['chain', { last_step: true, layer: 0, to: 0, from: 0 }],
  ['chain', { layer: 9, to: 0, from: 0 }], ['chain', { layer: 0, to: 0, from: 5 }], ['gradcheck', { please: 1 }],
  ['predict', {}], ['predict', { input: [1] }], ['predict', { input: [0, 1e300] }], ['predict', { sample: 4, input: [0, 0] }],
  ['export', { now: true }], ['choices', { all: true }], ['state', { full: true }],
  ['reset', { now: true }], ['teleport', {}], ['', {}], ['close', {}], ['../../etc/passwd', {}], ['STATE', {}],
  ['data', big, true], ['network', `{"layers": "${big}"}`, true],
  ['data', '{"set": "xor", "set": 5}', true], ['data', '{"set": "\\ud800"}', true], ['data', '{"set": "\xff"}', true],
  ['data', '\u0000\u0001', true], ['data', '{"a":'.repeat(2000), true],
  ['data', '['.repeat(100000) + ']'.repeat(100000), true], ['data', `{"set": ${'['.repeat(100000) + ']'.repeat(100000)}}`, true],
];
