// Drives the playground's static site (scripts/site.sh), served by a plain static server (Python's
// http.server), in headless Chromium, and checks what it shows through window.bpnnState and the
// DOM: the worked example's numbers, the gradients a step applied and the update it made, every
// panel following each step, XOR learning, the gradient check, "copy as command" run through the
// native CLI giving the page's weights bit for bit, the downloaded model in `bpnn inspect`, the
// page's address restoring it, and no JavaScript error. Screenshots go to ARTIFACT_DIR.
// Usage: node playground.test.mjs SITE_DIR BPNN ARTIFACT_DIR
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSite } from './page.mjs';

const t = await openSite(...process.argv.slice(2, 5));
const { page, bpnn, errors } = t;  // errors: the page's JavaScript errors so far
const artifacts = t.artifacts;
const reproduce = (tab, label) => t.reproduce(label, tab);
let failed = false;
try {
  const text = (selector) => page.$eval(selector, (el) => el.textContent);

  // The menus are the engine's choices (bpnn's registry, and the playground's perceptron rule and
  // default init); the command line's registry lists the same activations.
  const choices = await page.evaluate(() => window.bpnnState.choices);
  const registry = execFileSync(bpnn, ['registry'], { encoding: 'utf8' });
  for (const name of choices.activation) assert.match(registry, new RegExp(`\\b${name}\\b`), `bpnn registry lists ${name}`);
  const menu = (selector) => page.$$eval(`${selector} option`, (options) => options.map((o) => o.value));
  assert.deepEqual(await menu('#net-loss'), choices.loss);
  assert.deepEqual(await menu('#net-optimizer'), choices.optimizer);
  assert.deepEqual(await menu('#net-init'), choices.init);
  assert.deepEqual(await menu('#net-arithmetic'), choices.arithmetic);
  assert.deepEqual(choices.arithmetic, ['fast', 'portable']);
  assert.equal(await page.$eval('#net-arithmetic', (el) => el.value), 'portable');
  assert.deepEqual(await menu('#layers .layer-row:first-child select'), choices.activation);
  for (const name of ['sigmoid', 'relu', 'leaky_relu', 'softmax', 'step']) {
    assert.ok(choices.activation.includes(name), name);
  }
  assert.ok(choices.optimizer.includes('perceptron') && choices.init.includes('default'));

  // The 2-2-2 worked example: its first forward pass and the chain rule of w5.
  await page.select('#data-set', 'mazur');
  await page.click('#data-apply');
  await page.waitForFunction(() => window.bpnnState.dataSet === 'mazur' && window.bpnnState.numbers, { timeout: 10000 });
  assert.equal(await text('#loss'), '0.298371109');
  assert.equal((await page.evaluate(() => window.bpnnState.loss)).toFixed(9), '0.298371109');
  assert.equal(await text('#numbers-loss'), '0.298371109');
  await page.$eval('line[data-name="w5"]', (el) => el.dispatchEvent(new MouseEvent('click', { bubbles: true })));
  await page.waitForFunction(() => window.bpnnState.chain && window.bpnnState.chain.name === 'w5', { timeout: 10000 });
  const chain = await page.evaluate(() => window.bpnnState.chain);
  const shown = await text('#chain');
  for (const figure of ['0.741365070', '0.186815602', '0.593269992', '0.082167041']) {
    assert.ok(chain.shown.includes(figure), `chain rule shows ${figure}: ${chain.shown}`);
    assert.ok(shown.includes(figure), `the chain-rule panel shows ${figure}`);
  }
  assert.equal(chain.factors['dE/dout_o1'].toFixed(8), '0.74136507');
  await t.screenshot('mazur');

  // One step with lr 0.5: w5 = 0.4 - 0.5 * 0.082167041.
  await page.click('#step-sample');
  await page.waitForFunction(() => window.bpnnState.iteration === 1, { timeout: 10000 });
  const w5After = await page.evaluate(() => window.bpnnState.weights.w5);
  assert.equal(w5After.toFixed(9), '0.358916480');
  assert.equal(await text('#loss'), '0.291027774');
  // The numbers panel then shows that step: the gradients it applied (the tutorial's dE/dw) and the
  // update it made, after - before of the weights the page shows, exactly.
  await page.waitForFunction(() => window.bpnnState.numbers?.last_step && window.bpnnState.numbers.iteration === 1,
    { timeout: 10000 });
  const applied = await page.evaluate(() => window.bpnnState.numbers);
  const w5 = applied.weights.find((w) => w.name === 'w5');
  assert.equal(w5.grad.toFixed(9), '0.082167041');
  assert.equal(applied.weights.find((w) => w.name === 'w1').grad.toFixed(9), '0.000438568');
  assert.equal(w5.value, 0.4);
  assert.equal(w5.new_value, w5After);
  assert.equal(w5.update, w5After - 0.4);
  assert.ok(Math.abs(w5.update + 0.5 * 0.082167041) < 1e-9, `the update is -lr dE/dw5: ${w5.update}`);
  assert.match(await text('#numbers-what'), /the last step \(iteration 1\).*applied.*made \(after − before\)/);
  // mse over one sample's two outputs: the tutorial's E_total = Σ ½ (target − out)².
  assert.match(await page.$eval('#numbers', (el) => el.textContent), /E = mse = 0\.298371109 = Σ \(target − out\)² ÷ 2 \(1 sample × 2 outputs\)/);
  const w5Row = await page.$eval('#numbers-weights tr[data-name="w5"]', (el) => [...el.cells].map((c) => c.textContent));
  assert.deepEqual(w5Row, ['w5', '0.400000000', '0.082167041', '-0.041083520', '0.358916480']);
  // The chain-rule panel followed the step by itself: w5's factors at the weights before it, the
  // update it made, and the edit box holding w5 now.
  await page.waitForFunction(() => window.bpnnState.chain?.lastStep, { timeout: 10000 });
  const stepChain = await page.evaluate(() => window.bpnnState.chain);
  assert.equal(stepChain.product.toFixed(9), '0.082167041');
  assert.equal(stepChain.update, w5.update);
  assert.equal(Number(await page.$eval('#edit-value', (el) => el.value)), w5After);
  // A second step: every panel shows iteration 2 (none keeps the first step's numbers).
  await page.click('#step-sample');
  await page.waitForFunction(() => window.bpnnState.iteration === 2 && window.bpnnState.numbers?.iteration === 2 &&
    window.bpnnState.chain?.iteration === 2, { timeout: 10000 });
  assert.match(await text('#numbers-what'), /the last step \(iteration 2\)/);
  assert.equal(Number(await page.$eval('#edit-value', (el) => el.value)),
    await page.evaluate(() => window.bpnnState.weights.w5));
  assert.notEqual(await text('#numbers-loss'), '0.298371109');
  await t.screenshot('mazur-step');

  // XOR with a 2-3-1 sigmoid network, full batch, lr 3: below 0.01 within 5,000 steps.
  await page.select('#data-set', 'xor');
  await page.click('#data-apply');
  await page.waitForFunction(() => window.bpnnState.dataSet === 'xor', { timeout: 10000 });
  await page.evaluate(() => {
    const rows = document.querySelectorAll('#layers .layer-row');
    rows[0].querySelector('input').value = 3;
    rows[0].querySelector('select').value = 'sigmoid';
    rows[rows.length - 1].querySelector('select').value = 'sigmoid';
    document.getElementById('net-lr').value = 3;
    document.getElementById('net-batch').value = 0;
    document.getElementById('net-seed').value = 1;
    document.getElementById('step-count').value = 5000;
  });
  await page.click('#net-apply');
  await page.waitForFunction(() => window.bpnnState.config.learning_rate === 3 && window.bpnnState.iteration === 0, { timeout: 10000 });
  await page.click('#step-n');
  await page.waitForFunction(() => window.bpnnState.iteration === 5000, { timeout: 20000 });
  const xor = await page.evaluate(() => window.bpnnState);
  assert.ok(xor.loss < 0.01, `XOR loss ${xor.loss} < 0.01`);
  assert.equal(xor.accuracy, 1);
  assert.ok(xor.lossHistory.length > 10 && xor.lossHistory[0].train > xor.loss, 'the loss curve falls');
  await page.click('#gradcheck');
  await page.waitForFunction(() => window.bpnnState.gradcheck, { timeout: 10000 });
  const check = await page.evaluate(() => window.bpnnState.gradcheck);
  assert.ok(check.max_relative_error < 1e-5 && check.checked === 13, `gradient check ${JSON.stringify(check)}`);
  await t.screenshot('xor');
  const xorRun = await reproduce(page, 'xor');
  assert.match(xorRun.command, /--net 2-3sigmoid-1sigmoid .*--lr 3 --batch-size 4 --epochs 5000 --seed 1 --arithmetic portable /);
  // One more batch (the whole set, in float): the numbers panel shows the gradients that step applied
  // and the update it made, after - before of the weights the page shows, to the bit; its plain SGD
  // was fused into back-propagation, so the update is -lr dE/dw up to float rounding.
  const xorBefore = await page.evaluate(() => window.bpnnState.tensors);
  await page.click('#step-batch');
  await page.waitForFunction(() => window.bpnnState.iteration === 5001 && window.bpnnState.numbers?.iteration === 5001,
    { timeout: 10000 });
  const xorStep = await page.evaluate(() => ({ numbers: window.bpnnState.numbers, tensors: window.bpnnState.tensors }));
  assert.equal(xorStep.numbers.samples, 4);
  const seen = {};
  for (const w of xorStep.numbers.weights) {
    const tensor = `${2 * w.layer}.${w.from === null ? 'bias' : 'weight'}`;
    seen[tensor] = (seen[tensor] ?? -1) + 1;
    const b = xorBefore[tensor][seen[tensor]], a = xorStep.tensors[tensor][seen[tensor]];
    assert.equal(w.value, b, `${w.name} before`);
    assert.equal(w.new_value, a, `${w.name} after`);
    assert.equal(w.update, Math.fround(a - b), `${w.name}: the update shown is after - before`);
    // Rounding: adding the update to the weight (an ulp or two of it) and summing the batch in float.
    const ulp = 2 ** -23 * Math.max(Math.abs(a), Math.abs(b)), applied = -3 * w.grad;
    assert.ok(Math.abs(w.update - applied) <= 2 * ulp + 1e-6 * Math.abs(applied),
      `${w.name}: update ${w.update}, -lr dE/dw ${applied}`);
  }
  assert.equal(Object.values(seen).reduce((n, k) => n + k + 1, 0), 13);
  assert.match(await text('#numbers-what'), /the last step \(iteration 5001\).*applied.*made/);

  // A 2-D set, trained with play and pause: the heatmap view.
  await page.select('#data-set', 'circle');
  await page.click('#data-apply');
  await page.waitForFunction(() => window.bpnnState.dataSet === 'circle', { timeout: 10000 });
  await page.evaluate(() => {
    document.querySelector('#layers .layer-row input').value = 6;
    document.querySelector('#layers .layer-row select').value = 'tanh';
    document.getElementById('net-lr').value = 1;
    document.getElementById('net-batch').value = 16;
  });
  await page.click('#net-apply');
  await page.waitForFunction(() => window.bpnnState.config.learning_rate === 1, { timeout: 10000 });
  await page.select('#speed', '0');  // full speed
  await page.click('#play');
  await page.waitForFunction(() => window.bpnnState.iteration > 300, { timeout: 20000 });
  await page.click('#play');
  const circle = await page.evaluate(() => window.bpnnState);
  assert.ok(circle.testLoss !== null && circle.accuracy > 0.5, `circle trains: ${circle.loss} ${circle.accuracy}`);
  await new Promise((r) => setTimeout(r, 300));
  await t.screenshot('circle');
  // Paused part-way through an epoch (most likely): the command says so; "finish epoch" ends it.
  await page.evaluate(() => { window.bpnnState.export = null; });
  await page.click('#copy-command');
  await page.waitForFunction(() => window.bpnnState.export, { timeout: 10000 });
  const partway = await page.evaluate(() => window.bpnnState);
  assert.equal(partway.export.exact, partway.batch === 0, partway.export.note);
  if (partway.batch > 0) assert.match(partway.export.note, /finish epoch/);
  await page.click('#step-epoch');
  await page.waitForFunction((e) => window.bpnnState.epoch === e + 1 && window.bpnnState.batch === 0, { timeout: 10000 }, partway.epoch);
  await reproduce(page, 'circle');

  // The page's address holds its state: a new tab opened at it shows the same data and network.
  const hash = await page.evaluate(() => window.bpnnState.hash);
  assert.match(hash, /set=circle.*net=6tanh-1sigmoid.*lr=1.*batch=16/);
  const again = await t.open(hash);
  await again.waitForFunction(() => window.bpnnState.dataSet === 'circle' && window.bpnnState.config.batch_size === 16, { timeout: 10000 });
  const restored = await again.evaluate(() => window.bpnnState);
  assert.deepEqual(restored.config, circle.config);
  await again.close();

  // Three classes on a 2-D set: three blobs, one logit a class read by cross-entropy, a plane of
  // three colours, and a command that gives the page's weights.
  await page.select('#data-set', 'blobs');
  await page.$eval('#data-classes', (el) => { el.value = 3; });
  await page.click('#data-apply');
  await page.waitForFunction(() => window.bpnnState.dataSet === 'blobs', { timeout: 10000 });
  const blobs = await page.evaluate(() => ({ config: window.bpnnState.config, labels: window.bpnnState.train.map((r) => r[2]) }));
  assert.deepEqual([...new Set(blobs.labels)].sort(), [0, 1, 2]);
  assert.deepEqual(blobs.config.layers.at(-1), { units: 3, activation: 'identity' });
  assert.equal(blobs.config.loss, 'cross_entropy');
  assert.deepEqual(await page.$$eval('#legend .swatch', (els) => els.length), 3);
  await page.evaluate(() => { document.getElementById('step-count').value = 300; });
  await page.click('#step-n');
  await page.waitForFunction(() => window.bpnnState.iteration === 300, { timeout: 20000 });
  const three = await page.evaluate(() => window.bpnnState);
  assert.ok(three.accuracy > 0.9 && three.testAccuracy > 0.85, `three blobs: accuracy ${three.accuracy}, test ${three.testAccuracy}`);
  assert.equal(three.heatmap.values.length, 3 * three.heatmap.side ** 2);
  assert.match(await text('#test-accuracy'), /%$/);
  await t.screenshot('three-classes');
  await page.click('#step-epoch');
  await page.waitForFunction(() => window.bpnnState.batch === 0, { timeout: 10000 });
  await reproduce(page, 'blobs');

  // Your own points: each click on the plane adds one of the chosen class, keeping the trained
  // weights and the test points; a pasted CSV replaces them.
  const before = await page.evaluate(() => window.bpnnState.dataPoints);
  const trained = await page.evaluate(() => ({ tensors: window.bpnnState.tensors, test: window.bpnnState.dataPoints - window.bpnnState.train.length }));
  // The plane's box is read before each click: the first point changes the page, which may move it.
  const heatmapBox = () => page.$eval('#heatmap', (el) => {
    el.scrollIntoView({ block: 'center' });
    const r = el.getBoundingClientRect();
    return { x: r.left, y: r.top, w: r.width, h: r.height };
  });
  let box = await heatmapBox();
  await page.select('#click-class', '1');
  await page.mouse.click(box.x + box.w * 0.9, box.y + box.h * 0.1);
  await page.waitForFunction((n) => window.bpnnState.dataSet === 'points' && window.bpnnState.dataPoints === n + 1, { timeout: 10000 }, before);
  const clicked = await page.evaluate(() => ({ tensors: window.bpnnState.tensors, test: window.bpnnState.dataPoints - window.bpnnState.train.length, reproducible: window.bpnnState.reproducible }));
  assert.deepEqual(clicked.tensors, trained.tensors, 'a click keeps the trained weights');
  assert.equal(clicked.test, trained.test, 'a click keeps the test points');
  assert.equal(clicked.reproducible, false);
  await page.select('#click-class', '0');
  box = await heatmapBox();
  await page.mouse.click(box.x + box.w * 0.5, box.y + box.h * 0.5);
  await page.waitForFunction((n) => window.bpnnState.dataPoints === n + 2, { timeout: 10000 }, before);
  const added = await page.evaluate(() => { const t = window.bpnnState.train; return [t[t.length - 2], t[t.length - 1]]; });
  assert.equal(added[0][2], 1);
  assert.equal(added[1][2], 0);
  assert.ok(added[0][0] > added[1][0] && added[0][1] > added[1][1], `the first click is up and right of the second: ${added}`);
  await page.select('#data-set', 'points');
  await page.$eval('#data-csv', (el) => { el.value = '0,0,0\n1,1,1\n0,1,1\n1,0,0\n0.5,0.5,1'; });
  await page.click('#data-apply');
  await page.waitForFunction(() => window.bpnnState.dataPoints === 5, { timeout: 10000 });

  // Regression on a 1-D function: a curve instead of a heatmap, and its command reproduces it too.
  await page.select('#data-set', 'function');
  await page.select('#data-fn', 'sin');
  await page.$eval('#data-test', (el) => { el.value = 0.2; });
  await page.click('#data-apply');
  await page.waitForFunction(() => window.bpnnState.dataSet === 'function' && window.bpnnState.curve, { timeout: 10000 });
  const sine = await page.evaluate(() => window.bpnnState);
  assert.deepEqual(sine.config.layers, [{ units: 16, activation: 'tanh' }, { units: 1, activation: 'identity' }]);
  const batches = await page.evaluate(() => window.bpnnState.batches);
  await page.evaluate((n) => { document.getElementById('step-count').value = n; }, 40 * batches);
  await page.click('#step-n');
  await page.waitForFunction((n) => window.bpnnState.iteration === n, { timeout: 20000 }, 40 * batches);
  const fitted = await page.evaluate(() => window.bpnnState);
  assert.ok(fitted.loss < sine.loss / 2 && fitted.testLoss !== null, `the curve fits: ${sine.loss} -> ${fitted.loss}`);
  assert.equal(fitted.epoch, 40);
  await t.screenshot('sine');
  await reproduce(page, 'sine');

  // Perceptron mode: one M-P neuron with the perceptron rule learns AND (in the epochs bpnn demo
  // perceptron takes: the same unit, seed and rule), and never XOR.
  await page.select('#data-set', 'and');
  await page.click('#data-apply');
  await page.waitForFunction(() => window.bpnnState.dataSet === 'and', { timeout: 10000 });
  await page.click('#perceptron-mode');
  await page.waitForFunction(() => window.bpnnState.config.optimizer === 'perceptron' && window.bpnnState.perceptron, { timeout: 10000 });
  await page.select('#speed', '1');  // one epoch (one batch of the four) an update
  await page.click('#play');
  await page.waitForFunction(() => window.bpnnState.perceptron.converged, { timeout: 10000 });
  const and = await page.evaluate(() => window.bpnnState);
  assert.equal(and.accuracy, 1);
  assert.match(await text('#perceptron-verdict'), /learned: epoch \d+ had no mistake/);
  const demo = execFileSync(bpnn, ['demo', 'perceptron'], { encoding: 'utf8' });
  assert.match(demo, new RegExp(`AND\\s+learned in ${and.perceptron.converged_at} epochs`), demo);
  await page.select('#data-set', 'xor');
  await page.click('#data-apply');
  await page.waitForFunction(() => window.bpnnState.dataSet === 'xor' && window.bpnnState.perceptron, { timeout: 10000 });
  await page.evaluate(() => { document.getElementById('step-count').value = 500; });
  await page.click('#step-n');
  await page.waitForFunction(() => window.bpnnState.perceptron && window.bpnnState.perceptron.separable === false, { timeout: 10000 });
  const xorUnit = await page.evaluate(() => window.bpnnState.perceptron);
  assert.equal(xorUnit.epochs, 100);
  assert.equal(xorUnit.converged, false);
  assert.match(await text('#perceptron-verdict'), /did NOT converge in 100 epochs.*not linearly separable/);
  await t.screenshot('perceptron-xor');

  // MNIST: 2,000 digits from the data cache (or a message saying how to get them), a 784-32-10
  // network trained for 3 epochs, a digit drawn on the canvas and its prediction with activations.
  await page.select('#data-set', 'mnist');
  await page.click('#data-apply');
  await page.waitForFunction(() => window.bpnnState.dataSet === 'mnist' || window.bpnnState.errors.length > 0, { timeout: 20000 });
  if (await page.evaluate(() => window.bpnnState.dataSet !== 'mnist')) {
    assert.match(await text('#error'), /mnist/i);
    await page.evaluate(() => { window.bpnnState.errors = []; });
    errors.splice(0, errors.length, ...errors.filter((e) => !e.includes('404')));
    console.log('playground: the site has no MNIST digits; checked the message only');
  } else {
    const batches = await page.evaluate(() => window.bpnnState.batches);
    await page.evaluate((n) => { document.getElementById('step-count').value = n; }, 3 * batches);
    await page.click('#step-n');
    await page.waitForFunction((n) => window.bpnnState.iteration === n, { timeout: 30000 }, 3 * batches);
    const digits = await page.evaluate(() => window.bpnnState);
    assert.ok(digits.accuracy > 0.8 && digits.testLoss !== null, `MNIST trains: accuracy ${digits.accuracy}`);
    // The held-out digits' accuracy beside the training digits' (not training accuracy alone).
    assert.ok(digits.testAccuracy > 0.7 && digits.testAccuracy <= 1, `test accuracy ${digits.testAccuracy}`);
    assert.equal(await text('#test-accuracy'), `${(100 * digits.testAccuracy).toFixed(1)}%`);
    const pad = await page.$eval('#digit', (el) => { const r = el.getBoundingClientRect(); return { x: r.left, y: r.top, w: r.width, h: r.height }; });
    await page.mouse.move(pad.x + pad.w * 0.5, pad.y + pad.h * 0.2);
    await page.mouse.down();
    for (let k = 1; k <= 12; k++) await page.mouse.move(pad.x + pad.w * 0.5, pad.y + pad.h * (0.2 + (0.6 * k) / 12));
    await page.mouse.up();
    await page.waitForFunction(() => window.bpnnState.prediction, { timeout: 10000 });
    const drawn = await page.evaluate(() => window.bpnnState.prediction);
    assert.equal(drawn.probabilities.length, 10);
    assert.ok(Math.abs(drawn.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-9);
    assert.deepEqual(drawn.layers.map((l) => l.out.length), [32, 32, 10, 10]);
    assert.equal(await text('#predicted'), String(drawn.class));
    await t.screenshot('mnist');
    await page.evaluate(() => { window.bpnnState.prediction = null; });
    await page.click('#digit-sample');
    await page.waitForFunction(() => window.bpnnState.prediction, { timeout: 10000 });
    const sample = await page.evaluate(() => window.bpnnState.prediction);
    assert.ok(sample.label !== undefined && sample.input.length === 784);

    // The site's pre-trained model: loaded, the page shows the accuracies it was made with
    // (mnist/pretrained.json) and its network; an epoch more, and copy as command adds --init.
    const about = await page.evaluate(() => fetch('mnist/pretrained.json').then((r) => r.json()));
    await page.waitForFunction(() => !document.getElementById('load-pretrained').disabled, { timeout: 10000 });
    await page.click('#load-pretrained');
    await page.waitForFunction(() => window.bpnnState.loaded === 'mnist-pretrained.safetensors', { timeout: 20000 });
    const loaded = await page.evaluate(() => window.bpnnState);
    assert.deepEqual([loaded.accuracy, loaded.testAccuracy, loaded.iteration], [about.accuracy, about.test_accuracy, 0]);
    assert.deepEqual(loaded.config.layers.map((l) => `${l.units}${l.activation}`), ['64relu', '10identity']);
    assert.equal(await text('#test-accuracy'), `${(100 * about.test_accuracy).toFixed(1)}%`);
    await page.waitForFunction(() => document.getElementById('pretrained-note').textContent.startsWith('loaded'));
    assert.match(await text('#pretrained-note'), /^loaded \(784-64relu-10identity, 20 epochs on the 1800 training digits/);
    await page.click('#step-epoch');
    await page.waitForFunction(() => window.bpnnState.epoch === 1, { timeout: 20000 });
    await page.evaluate(() => { window.bpnnState.export = null; });
    await page.click('#copy-command');
    await page.waitForFunction(() => window.bpnnState.export, { timeout: 30000 });
    await page.waitForFunction(() => /^(copied|not copied)/.test(document.getElementById('command-note').textContent));
    assert.match(await page.evaluate(() => window.bpnnState.export.command),
      / --epochs 1 --seed 1 --arithmetic portable --init mnist-pretrained\.safetensors --out mnist\.safetensors$/);
    await t.screenshot('mnist-pretrained');
    // "open model": a file the learner chooses loads the same way, named for the command line.
    const chosen = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bpnn-open-')), 'my model.safetensors');
    fs.copyFileSync(path.join(process.argv[2], 'mnist', 'pretrained.safetensors'), chosen);
    await (await page.$('#open-model')).uploadFile(chosen);
    await page.waitForFunction(() => window.bpnnState.loaded === 'my-model.safetensors', { timeout: 20000 });
    assert.equal(await page.evaluate(() => window.bpnnState.testAccuracy), about.test_accuracy);
    fs.rmSync(path.dirname(chosen), { recursive: true, force: true });
  }

  console.log(`playground: all checks passed (screenshots in ${artifacts})`);
} catch (e) {
  failed = true;
  console.error(e);
}
process.exit(await t.finish(failed));
