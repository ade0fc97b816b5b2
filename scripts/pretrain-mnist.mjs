// The site's pre-trained MNIST model: the engine of the site (SITE/engine.js and engine.wasm) trains
// a network on the site's digits (SITE/mnist, as the page's MNIST data: 2,000 digits, a tenth held
// out) exactly as the page would, and writes what it made into SITE/mnist:
//   pretrained.safetensors  the model file (the page's "load the pre-trained model" loads it)
//   pretrained.json         {network, epochs, accuracy, test_accuracy, command, csv_name}: what it
//                           is, and the bpnn train command that gives the same file from the CSV
//                           that the page's "download CSV" gives (portable arithmetic: any machine)
// Usage: node scripts/pretrain-mnist.mjs SITE
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import zlib from 'node:zlib';

const site = path.resolve(process.argv[2] ?? '');
const layers = [{ units: 64, activation: 'relu' }, { units: 10, activation: 'identity' }];
const epochs = 20;

const require = createRequire(import.meta.url);
const createBpnnEngine = require(path.join(site, 'engine.js'));
const engine = await createBpnnEngine({ wasmBinary: fs.readFileSync(path.join(site, 'engine.wasm')) });
for (const name of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte']) {
  const bytes = zlib.gunzipSync(fs.readFileSync(path.join(site, 'mnist', `${name}.gz`)));
  engine.addFile(`/data/mnist/${name}`, new Uint8Array(bytes));
}
const call = (action, body = {}) => {
  const reply = engine.call(action, JSON.stringify(body));
  assert.equal(reply.status, 200, `pretrain-mnist: ${action}: ${reply.body.slice(0, 300)}`);
  return JSON.parse(reply.body);
};
call('data', { set: 'mnist', test_split: 0.1 });  // the page's MNIST request
call('network', { layers, loss: 'cross_entropy', learning_rate: 0.1, batch_size: 32 });
// A step call stops after 3 s, part-way through an epoch if need be: the next goes on from there.
for (let done = 0; done < epochs;) done = call('step', { unit: 'epoch', count: epochs - done }).epoch;
const state = call('state');
assert.equal(state.epoch, epochs, 'pretrain-mnist: the run stopped early');
const run = call('export');
assert.ok(run.exact, `pretrain-mnist: the command would not repeat the run: ${run.note}`);
fs.writeFileSync(path.join(site, 'mnist', 'pretrained.safetensors'), engine.modelFile());
const network = `784-${layers.map((l) => `${l.units}${l.activation}`).join('-')}`;
const about = { network, epochs, accuracy: state.accuracy, test_accuracy: state.test_accuracy,
  train_size: state.data.train_size, test_size: state.data.test_size, command: run.command, csv_name: run.csv_name };
fs.writeFileSync(path.join(site, 'mnist', 'pretrained.json'), `${JSON.stringify(about, null, 1)}\n`);
console.log(`pretrain-mnist: ${network}, ${epochs} epochs: accuracy ${state.accuracy} (training digits), ` +
  `${state.test_accuracy} (held-out digits)`);
