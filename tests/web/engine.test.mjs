// The playground's engine in WebAssembly (SITE/engine.js and engine.wasm, as scripts/site.sh builds
// them) under Node, through the calls the page's worker makes (apps/playground/engine.cpp):
//   - its replies are the native API's, text for text (API_REPLAY runs the same requests natively):
//     the worked example, and XOR and a spiral trained in float (the loss curve, the heatmap);
//   - the worked example's figures: E_total, the chain rule of w5, w5 after one step;
//   - XOR trains below a loss of 0.01, and modelFile() is byte for byte the file that the native
//     `bpnn train` command from the export action writes;
//   - the MNIST digits of the site, handed over with addFile, train;
//   - bad requests (bad_requests.mjs) each answer 4xx with {"error": ...}, never a
//     throw, and a good request works after them.
// Usage: node engine.test.mjs SITE BPNN API_REPLAY
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { bad, setup } from './bad_requests.mjs';

const [site, bpnn, replay] = process.argv.slice(2).map((p) => path.resolve(p));
const require = createRequire(import.meta.url);
// Node cannot fetch a file path, so the glue gets the module's bytes.
const createBpnnEngine = require(path.resolve(site, 'engine.js'));
const engine = await createBpnnEngine({ wasmBinary: fs.readFileSync(path.join(site, 'engine.wasm')) });
for (const name of ['call', 'modelFile', 'modelName', 'addFile']) assert.equal(typeof engine[name], 'function', name);

// A failed check is printed as itself: the glue's own handlers rethrow it, and Node then prints the
// glue's one long line of source.
process.removeAllListeners('uncaughtException');
process.removeAllListeners('unhandledRejection');
process.on('uncaughtException', (e) => { console.error(e); process.exit(1); });
process.on('unhandledRejection', (e) => { console.error(e); process.exit(1); });

const text = (body) => (typeof body === 'string' ? body : JSON.stringify(body));
// A reply's JSON, after checking its status.
const ok = (action, body = {}) => {
  const r = engine.call(action, text(body));
  assert.equal(r.status, 200, `${action} ${text(body).slice(0, 80)}: ${r.body.slice(0, 300)}`);
  return JSON.parse(r.body);
};
const nine = (v) => v.toFixed(9);

// 1. The same replies as the native API, text for text, on a fresh session of each.
const requests = [
  ['choices', {}], ['state', {}], ['data', { set: 'mazur' }], ['chain', { layer: 1, to: 0, from: 0 }],
  ['numbers', { sample: 0 }], ['step', { unit: 'sample', count: 1 }], ['numbers', { last_step: true }],
  ['chain', { last_step: true, layer: 1, to: 0, from: 0 }], ['gradcheck', {}], ['export', {}],
  ['data', { set: 'xor' }],
  ['network', { layers: [{ units: 3, activation: 'sigmoid' }, { units: 1, activation: 'sigmoid' }], learning_rate: 3, batch_size: 0, seed: 1 }],
  ['step', { unit: 'epoch', count: 200 }], ['numbers', { last_step: true }], ['predict', { input: [0.25, 0.75] }],
  ['data', { set: 'spiral', points: 100, noise: 0.1, test_split: 0.2, seed: 3 }],
  ['network', { layers: [{ units: 8, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], learning_rate: 0.3, batch_size: 10, seed: 2 }],
  ['step', { unit: 'epoch', count: 20 }], ['export', {}],
  ['network', { layers: [{ units: 6, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], learning_rate: 0.3,
    batch_size: 10, schedule: { name: 'cosine', epochs: 8 } }],
  ['step', { unit: 'batch', count: 1000, stop: { epochs: 8 } }], ['state', {}], ['export', {}], ['data', { set: 'nope' }],
];
const native = spawnSync(replay, {
  input: requests.map(([action, body]) => JSON.stringify({ action, body: JSON.stringify(body) })).join('\n') + '\n',
  encoding: 'utf8', maxBuffer: 1 << 28,
});
assert.equal(native.status, 0, native.stderr);
const nativeReplies = native.stdout.trim().split('\n').map((line) => JSON.parse(line));
assert.equal(nativeReplies.length, requests.length);
requests.forEach(([action, body], k) => {
  const r = engine.call(action, JSON.stringify(body));
  assert.equal(r.status, nativeReplies[k].status, `${action}: the status`);
  assert.ok(r.body === nativeReplies[k].body,
    `${action} ${JSON.stringify(body)}: the engine's reply is the native one\n wasm:   ${r.body.slice(0, 300)}\n native: ${nativeReplies[k].body.slice(0, 300)}`);
});
console.log(`ok   ${requests.length} replies are the native API's, text for text`);

// 2. The worked example.
const choices = ok('choices');
for (const name of ['sigmoid', 'relu', 'tanh', 'softmax']) assert.ok(choices.activation.includes(name), name);
assert.deepEqual(choices.arithmetic, ['fast', 'portable']);
const mazur = ok('data', { set: 'mazur' });
assert.equal(mazur.config.worked_example, true);
assert.equal(nine(mazur.loss), '0.298371109');
const chain = ok('chain', { layer: 1, to: 0, from: 0 });
assert.equal(chain.name, 'w5');
assert.deepEqual(chain.factors.map((f) => f.value.toFixed(9)), ['0.741365070', '0.186815602', '0.593269992']);
assert.equal(chain.factors[0].value.toFixed(8), '0.74136507');
assert.equal(nine(chain.product), '0.082167041');
assert.equal(ok('step', { unit: 'sample', count: 1 }).iteration, 1);
const stepped = ok('state');
assert.equal(nine(stepped.network.layers[1].weight[0][0]), '0.358916480');
assert.equal(nine(stepped.loss), '0.291027774');
console.log('ok   the worked example: E_total 0.298371109, the chain rule of w5, w5 = 0.358916480 after a step');

// 3. XOR below 0.01, and the model file is the native command's, byte for byte.
ok('data', { set: 'xor' });
ok('network', { layers: [{ units: 3, activation: 'sigmoid' }, { units: 1, activation: 'sigmoid' }], learning_rate: 3, batch_size: 0, seed: 1 });
assert.equal(ok('step', { unit: 'epoch', count: 5000 }).iteration, 5000);
const xor = ok('state');
assert.ok(xor.loss < 0.01, `XOR loss ${xor.loss} < 0.01`);
assert.equal(xor.accuracy, 1);
// The engine's model file and the one the exported command writes, run by the native CLI on the
// exported CSV: the same bytes (weights and what the model means).
const sameFileAsCommand = (label, files = {}) => {
  const run = ok('export');
  assert.ok(run.exact, `${label}: ${run.note}`);
  assert.equal(engine.modelName(), run.model_name);
  const model = engine.modelFile();
  assert.ok(model instanceof Uint8Array && model.length > 0);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bpnn-engine-'));
  fs.writeFileSync(path.join(work, run.csv_name), run.csv);
  for (const [name, bytes] of Object.entries(files)) fs.writeFileSync(path.join(work, name), bytes);
  const cli = spawnSync('bash', ['-c', run.command.replace(/^bpnn /, `'${bpnn}' `)], { cwd: work, encoding: 'utf8' });
  assert.equal(cli.status, 0, `${run.command}: ${cli.stderr}`);
  const file = fs.readFileSync(path.join(work, run.model_name));
  assert.ok(Buffer.from(model).equals(file), `${label}: the engine's model file is what ${run.command} writes\n` +
    ` engine: ${Buffer.from(model).subarray(0, 900).toString('latin1')}\n cli:    ${file.subarray(0, 900).toString('latin1')}`);
  fs.rmSync(work, { recursive: true, force: true });
  return run.command;
};
const xorCommand = sameFileAsCommand('xor');
assert.match(xorCommand, /--net 2-3sigmoid-1sigmoid --train xor.csv --loss mse .*--epochs 5000 --seed 1 --arithmetic portable /);
console.log(`ok   XOR: loss ${xor.loss.toFixed(6)} after 5,000 steps; modelFile() is the file of: ${xorCommand}`);
ok('data', { set: 'function', function: 'sin', points: 60, test_split: 0.25, seed: 4 });
ok('step', { unit: 'epoch', count: 30 });
console.log(`ok   a regression: modelFile() is the file of: ${sameFileAsCommand('function')}`);

// 4. The site's MNIST digits, handed to the engine as the worker does.
const missing = engine.call('data', '{"set": "mnist", "points": 200}');
assert.equal(missing.status, 409, missing.body);
for (const name of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte']) {
  engine.addFile(`/data/mnist/${name}`, new Uint8Array(zlib.gunzipSync(fs.readFileSync(path.join(site, 'mnist', `${name}.gz`)))));
}
const digits = ok('data', { set: 'mnist', points: 2000 });
assert.equal(digits.data.train_size + digits.data.test_size, 2000);
assert.equal(digits.data.inputs, 784);
assert.equal(ok('step', { unit: 'epoch', count: 1 }).epoch, 1);
const digitsState = ok('state');
assert.ok(digitsState.accuracy > 0.5, `accuracy after one epoch on the digits: ${digitsState.accuracy}`);
assert.throws(() => engine.addFile('/data/mnist/train-labels-idx1-ubyte/under-a-file', new Uint8Array(1)), /cannot write/);
console.log(`ok   MNIST: 2,000 digits from the site, accuracy ${digitsState.accuracy} after one epoch`);

// The site's pre-trained model (scripts/pretrain-mnist.mjs): what its command writes from the page's
// CSV, natively; loaded, the engine shows the accuracies it was made with; an epoch more from it is
// what the exported command, with --init and the file, writes.
const about = JSON.parse(fs.readFileSync(path.join(site, 'mnist', 'pretrained.json'), 'utf8'));
const pretrained = fs.readFileSync(path.join(site, 'mnist', 'pretrained.safetensors'));
ok('data', { set: 'mnist', test_split: 0.1 });
{
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bpnn-pretrained-'));
  fs.writeFileSync(path.join(work, about.csv_name), ok('export').csv);
  const cli = spawnSync('bash', ['-c', about.command.replace(/^bpnn /, `'${bpnn}' `)], { cwd: work, encoding: 'utf8' });
  assert.equal(cli.status, 0, `${about.command}: ${cli.stderr}`);
  const out = about.command.match(/--out (\S+)$/)[1];
  assert.ok(fs.readFileSync(path.join(work, out)).equals(pretrained), `the site's model is what ${about.command} writes`);
  fs.rmSync(work, { recursive: true, force: true });
}
const loaded = ok('load', { model: pretrained.toString('base64'), name: 'mnist-pretrained.safetensors' });
assert.equal(loaded.loaded, 'mnist-pretrained.safetensors');
assert.deepEqual([loaded.accuracy, loaded.test_accuracy], [about.accuracy, about.test_accuracy]);
assert.ok(about.test_accuracy >= 0.85, `the pre-trained model's held-out accuracy ${about.test_accuracy}`);
assert.ok(Buffer.from(engine.modelFile()).equals(pretrained));
ok('step', { unit: 'epoch', count: 1 });
const onward = sameFileAsCommand('pretrained', { 'mnist-pretrained.safetensors': pretrained });
assert.match(onward, / --init mnist-pretrained\.safetensors --out mnist\.safetensors$/);
console.log(`ok   the pre-trained model (${about.network}, ${about.epochs} epochs): the file of its command; held-out ` +
  `accuracy ${about.test_accuracy} when loaded; an epoch more: the file of ${onward}`);

// 5. Bad requests: each answered 4xx with a message, never a throw; the engine goes on working.
for (const [action, body] of setup) ok(action, body);
const refusals = [];
for (let pass = 0; pass < 2; pass++) {
  for (const [action, body, raw] of bad) {
    const shown = `${action} ${(raw ? body : JSON.stringify(body)).slice(0, 80)}`;
    let r;
    assert.doesNotThrow(() => { r = engine.call(action, raw ? body : JSON.stringify(body)); }, shown);
    assert.ok(r.status >= 400 && r.status < 500, `${shown} -> ${r.status} ${r.body.slice(0, 200)}`);
    const reply = JSON.parse(r.body);
    assert.deepEqual(Object.keys(reply), ['error'], shown);
    assert.ok(typeof reply.error === 'string' && reply.error.length > 0, `a message for ${shown}`);
    if (pass === 0) refusals.push(`  ${shown.slice(0, 60)}: ${r.status} ${reply.error}`);
  }
}
assert.equal(ok('data', { set: 'xnor' }).data.set, 'xnor');
assert.equal(ok('step', { unit: 'epoch', count: 10 }).iteration, 10);
console.log(`ok   ${2 * bad.length} bad requests answered 4xx with a message; the engine goes on. Each kind, once:`);
console.log(refusals.join('\n'));
