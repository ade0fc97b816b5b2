// The playground's input features, L1 and dropout in headless Chromium, on the static site served
// by a plain static server (page.mjs): the circle learned by one sigmoid unit on x1² and x2² (no
// hidden layer), its plot still over the (x1, x2) plane; L1 pulling most weights to zero; a hidden
// layer with dropout 0.3 training; each run's "copy as command" giving the page's model file byte
// for byte through the native bpnn train (the same dropout masks included); the page's address
// keeping each choice; a refused choice naming its field. Screenshots go to ARTIFACT_DIR.
// Usage: node features.test.mjs SITE_DIR BPNN ARTIFACT_DIR
import assert from 'node:assert/strict';
import { openSite } from './page.mjs';

const t = await openSite(...process.argv.slice(2, 5));
const { page } = t;
let failed = false;
// The network form: hidden layers [[units, activation, dropout], ...] before a 1-unit sigmoid
// output, the checked input features, and the fields given; then "build network", waiting for the
// engine's config to hold the features.
async function build(hidden, features, fields) {
  await page.evaluate((hiddenLayers, checked, values) => {
    document.querySelectorAll('#layers .layer-row button').forEach((remove) => remove.click());
    hiddenLayers.forEach(() => document.getElementById('layer-add').click());
    const rows = document.querySelectorAll('#layers .layer-row');
    hiddenLayers.forEach(([units, activation, dropout], i) => {
      rows[i].querySelector('input').value = units;
      rows[i].querySelector('select').value = activation;
      rows[i].querySelector('.dropout').value = dropout;
    });
    rows[rows.length - 1].querySelector('input').value = 1;
    rows[rows.length - 1].querySelector('select').value = 'sigmoid';
    document.querySelectorAll('#feature-boxes input').forEach((box) => { box.checked = checked.includes(box.value); });
    Object.entries(values).forEach(([id, value]) => { document.getElementById(id).value = value; });
  }, hidden, features, fields);
  await page.click('#net-apply');
  await page.waitForFunction((want, layers) => JSON.stringify(window.bpnnState.config.features) === want &&
    window.bpnnState.config.layers.length === layers && window.bpnnState.iteration === 0,
  { timeout: 10000 }, JSON.stringify(features), hidden.length + 1);
}
// Trains `epochs` whole epochs with "run N steps" (N batches).
async function train(epochs) {
  const batches = await page.evaluate(() => window.bpnnState.batches);
  await page.$eval('#step-count', (el, n) => { el.value = n; }, epochs * batches);
  await page.click('#step-n');
  await page.waitForFunction((n) => window.bpnnState.epoch === n && window.bpnnState.batch === 0,
    { timeout: 30000 }, epochs);
  return page.evaluate(() => window.bpnnState);
}
const firstLayerWeights = () => page.evaluate(() => window.bpnnState.tensors['0.weight']);
const inputLabels = () => page.$$eval('#network text.feature', (els) => els.map((el) => el.textContent));
// The page's address in a new tab: its network config once the engine holds it.
async function restoredConfig(hash) {
  const tab = await t.open(hash);
  await tab.waitForFunction((want) => JSON.stringify(window.bpnnState.config) === want, { timeout: 10000 },
    JSON.stringify(await page.evaluate(() => window.bpnnState.config)));
  const config = await tab.evaluate(() => window.bpnnState.config);
  const boxes = await tab.$$eval('#feature-boxes input:checked', (els) => els.map((el) => el.value));
  await tab.close();
  return { config, boxes };
}

try {
  // The checkboxes are the engine's features (TF Playground's), x1 and x2 checked for XOR.
  const choices = await page.evaluate(() => window.bpnnState.choices.features);
  assert.deepEqual(choices.map((f) => f.name), ['x1', 'x2', 'x1_squared', 'x2_squared', 'x1_x2', 'sin_x1', 'sin_x2']);
  assert.deepEqual(await page.$$eval('#feature-boxes label', (els) => els.map((el) => el.textContent.trim())),
    choices.map((f) => f.label));
  assert.deepEqual(await page.$$eval('#feature-boxes input:checked', (els) => els.map((el) => el.value)), ['x1', 'x2']);
  assert.equal(await page.$eval('#features', (el) => el.hidden), false);

  // 1. The circle on x1² and x2²: one sigmoid unit, no hidden layer, separates inside from outside.
  await page.select('#data-set', 'circle');
  await page.click('#data-apply');
  await page.waitForFunction(() => window.bpnnState.dataSet === 'circle', { timeout: 10000 });
  await build([], ['x1_squared', 'x2_squared'], { 'net-lr': 3, 'net-batch': 0, 'net-l1': 0 });
  const squares = await train(1000);
  assert.ok(squares.accuracy > 0.9 && squares.testAccuracy > 0.9,
    `x1², x2² and no hidden layer: accuracy ${squares.accuracy}, test ${squares.testAccuracy}`);
  assert.deepEqual(squares.config.layers, [{ units: 1, activation: 'sigmoid' }]);
  // The drawing's inputs are named by their features; the plot is over the (x1, x2) plane: class 1
  // (inside the circle) at its centre, class 0 in its corners.
  assert.deepEqual(await inputLabels(), ['x₁²', 'x₂²']);
  const h = squares.heatmap, centre = (h.side / 2) * h.side + h.side / 2;
  assert.ok(h.values[centre] > 0.5 && h.values[0] < 0.5 && h.values[h.side * h.side - 1] < 0.5,
    `the plane: centre ${h.values[centre]}, corners ${h.values[0]} ${h.values[h.side * h.side - 1]}`);
  await t.screenshot('features-circle');
  const squaresRun = await t.reproduce('features-circle');
  assert.match(squaresRun.command, /^bpnn train --net 2-1sigmoid --train circle\.csv /);
  assert.equal(squaresRun.csv.split('\n')[0], 'x1_squared,x2_squared,label');
  const squaresHash = await page.evaluate(() => window.bpnnState.hash);
  assert.match(squaresHash, /features=x1_squared%2Cx2_squared/);
  assert.deepEqual((await restoredConfig(squaresHash)).boxes, ['x1_squared', 'x2_squared']);

  // A refused choice (no feature at all) names its field, and the form goes back to the engine's.
  await page.$$eval('#feature-boxes input', (boxes) => boxes.forEach((box) => { box.checked = false; }));
  await page.click('#net-apply');
  await page.waitForFunction(() => window.bpnnState.errors.length > 0, { timeout: 10000 });
  assert.match(await t.text('#error'), /network\.features/);
  assert.deepEqual(await page.$$eval('#feature-boxes input:checked', (els) => els.map((el) => el.value)),
    ['x1_squared', 'x2_squared']);
  await page.evaluate(() => { window.bpnnState.errors = []; });

  // 2. L1: every feature into 8 tanh units. Without L1 no weight of the first layer ends within 0.01
  // of zero; with L1 0.01 most do (each step pulls them by lr · L1 toward it), and it still learns.
  const all = choices.map((f) => f.name);
  await build([[8, 'tanh', 0]], all, { 'net-lr': 0.3, 'net-batch': 10, 'net-l1': 0 });
  await train(100);
  const near = (weights) => weights.filter((w) => Math.abs(w) < 0.01).length;
  const plain = near(await firstLayerWeights());
  await build([[8, 'tanh', 0]], all, { 'net-lr': 0.3, 'net-batch': 10, 'net-l1': 0.01 });
  const l1 = await train(100);
  const sparse = near(await firstLayerWeights());
  assert.equal(l1.config.l1, 0.01);
  assert.ok(sparse >= 40 && sparse > plain + 30,
    `weights within 0.01 of zero: ${sparse} of 56 with L1, ${plain} without`);
  assert.ok(l1.accuracy > 0.9, `with L1: accuracy ${l1.accuracy}`);
  assert.deepEqual(await inputLabels(), choices.map((f) => f.label));
  await t.screenshot('l1');
  const l1Run = await t.reproduce('l1');
  assert.match(l1Run.command, /--net 7-8tanh-1sigmoid .* --lr 0\.3 --l1 0\.01 --batch-size 10 --epochs 100 /);
  assert.equal(l1Run.csv.split('\n')[0], `${all.join(',')},label`);
  const l1Hash = await page.evaluate(() => window.bpnnState.hash);
  assert.match(l1Hash, /l1=0\.01/);
  assert.equal((await restoredConfig(l1Hash)).config.l1, 0.01);

  // 3. Dropout 0.3 after a hidden layer of 16 relu units: the network description (and so the
  // command) holds the dropout layer; it trains; bpnn train draws the same masks from its generator.
  await build([[16, 'relu', 0.3]], ['x1', 'x2'], { 'net-lr': 0.3, 'net-batch': 10, 'net-l1': 0 });
  const dropped = await train(100);
  assert.deepEqual(dropped.config.layers,
    [{ units: 16, activation: 'relu', dropout: 0.3 }, { units: 1, activation: 'sigmoid' }]);
  assert.ok(dropped.accuracy > 0.9 && dropped.lossHistory[0].train > 2 * dropped.loss,
    `dropout 0.3 trains: accuracy ${dropped.accuracy}, loss ${dropped.lossHistory[0].train} -> ${dropped.loss}`);
  assert.deepEqual(Object.keys(dropped.tensors).sort(), ['0.bias', '0.weight', '3.bias', '3.weight']);
  assert.equal(await t.text('#network text.dropout'), 'dropout 0.3');
  await page.waitForFunction(() => window.bpnnState.numbers?.last_step &&
    window.bpnnState.numbers.iteration === window.bpnnState.iteration, { timeout: 10000 });
  assert.equal(await page.evaluate(() => window.bpnnState.numbers.layers[0].activation), 'relu, dropout');
  await t.screenshot('dropout');
  const droppedRun = await t.reproduce('dropout');
  const described = JSON.stringify({ input: [2], layers: [{ type: 'dense', units: 16 }, { type: 'relu' },
    { p: 0.3, type: 'dropout' }, { type: 'dense', units: 1 }, { type: 'sigmoid' }] });
  assert.ok(droppedRun.command.startsWith(`bpnn train --net '${described}' --train circle.csv `), droppedRun.command);
  const dropoutHash = await page.evaluate(() => window.bpnnState.hash);
  assert.match(dropoutHash, /dropout=0\.3%2C0/);
  const restored = await restoredConfig(dropoutHash);
  assert.equal(restored.config.layers[0].dropout, 0.3);

  console.log(`features: all checks passed (screenshots in ${t.artifacts})`);
} catch (e) {
  failed = true;
  console.error(e);
}
process.exit(await t.finish(failed));
