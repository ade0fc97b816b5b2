// The playground's panels beyond the numbers of a step, in headless Chromium on the static site (as
// playground.test.mjs): a learning-rate schedule (the rate the readout shows, and the copied command
// with --lr-schedule giving the page's weights bit for bit), the stop condition (play stops by itself
// and says why), the confusion matrices (their counts are the accuracy's) and each neuron's picture
// of its output over the plane (the engine's numbers, drawn over the network's circles, which still
// answer clicks), the address keeping all of it, and the page's cost per update with the pictures.
// Screenshots go to ARTIFACT_DIR.
// Usage: node panels.test.mjs SITE_DIR BPNN ARTIFACT_DIR
import assert from 'node:assert/strict';
import { openSite } from './page.mjs';

const t = await openSite(...process.argv.slice(2, 5));
const { page } = t;
let failed = false;
try {
  const text = (selector) => page.$eval(selector, (el) => el.textContent);
  const bpnn = () => page.evaluate(() => window.bpnnState);
  // The network form set from a plain object, then built.
  async function build(layers, fields, schedule) {
    await page.evaluate((layers, fields, schedule) => {
      const rows = document.getElementById('layers');
      rows.innerHTML = '';
      layers.forEach((l, i) => rows.appendChild(layerRow(l.units, l.activation, i === layers.length - 1)));
      for (const [id, value] of Object.entries(fields)) document.getElementById(id).value = value;
      showSchedule(schedule);
    }, layers, fields, schedule);
    await page.click('#net-apply');
    await page.waitForFunction((s) => {
      const now = window.bpnnState.config.schedule;
      return Object.keys(now).length === Object.keys(s).length && Object.entries(s).every(([k, v]) => now[k] === v) &&
        window.bpnnState.iteration === 0;
    }, { timeout: 10000 }, schedule);
  }
  async function useData(set, fields = {}) {
    await page.select('#data-set', set);
    await page.evaluate((fields) => {
      for (const [id, value] of Object.entries(fields)) document.getElementById(id).value = value;
    }, fields);
    await page.click('#data-apply');
    await page.waitForFunction((set) => window.bpnnState.dataSet === set, { timeout: 10000 }, set);
  }
  async function setStop(when, value) {
    await page.select('#stop-when', when);
    if (!when) return;
    await page.$eval('#stop-value', (el, v) => { el.value = v; el.dispatchEvent(new Event('change')); }, value);
  }
  async function playUntilStopped(speed = '0') {
    await page.select('#speed', speed);
    await page.click('#play');
    await page.waitForFunction(() => !window.bpnnState.playing && window.bpnnState.stopped, { timeout: 60000 });
  }
  await page.evaluate(() => {  // whether play runs, for the waits above
    const button = document.getElementById('play');
    new MutationObserver(() => { window.bpnnState.playing = button.textContent.includes('pause'); })
      .observe(button, { childList: true, characterData: true, subtree: true });
  });

  // 1. The schedules are the registry's, each with its options; a step schedule halves XOR's rate
  // every 100 epochs (full batch: an epoch a step), the readout shows the rate of the epoch and the
  // next epoch's, and the copied command, with --lr-schedule step, gives the page's weights.
  const choices = await page.evaluate(() => window.bpnnState.choices.schedule);
  assert.deepEqual(choices.map((s) => s.name), ['constant', 'step', 'cosine', 'invscaling']);
  assert.deepEqual(await page.$$eval('#net-schedule option', (o) => o.map((x) => x.value)), choices.map((s) => s.name));
  assert.deepEqual(choices.find((s) => s.name === 'step').options.map((o) => o.name), ['step_size', 'gamma']);
  await useData('xor');
  const xorLayers = [{ units: 3, activation: 'sigmoid' }, { units: 1, activation: 'sigmoid' }];
  await build(xorLayers, { 'net-lr': 3, 'net-batch': 0, 'net-seed': 1 }, { name: 'step', step_size: 100, gamma: 0.5 });
  const scheduleInputs = (tab) => tab.$$eval('#schedule-options input',
    (els) => els.map((el) => [el.dataset.option, el.value]));
  assert.deepEqual(await scheduleInputs(page), [['step_size', '100'], ['gamma', '0.5']]);
  assert.equal(await text('#lr'), '3');
  await page.evaluate(() => { document.getElementById('step-count').value = 200; });
  await page.click('#step-n');
  await page.waitForFunction(() => window.bpnnState.iteration === 200, { timeout: 20000 });
  let s = await bpnn();
  assert.equal(s.learningRate, 1.5);  // epochs 101 to 200: 3 x 0.5
  assert.equal(s.nextLearningRate, 0.75);
  assert.equal(await text('#lr'), '1.5');
  assert.equal(await text('#lr-next'), ' (next epoch 0.75)');
  await page.waitForFunction(() => window.bpnnState.numbers?.iteration === 200, { timeout: 10000 });
  assert.equal((await bpnn()).numbers.learning_rate, 1.5, 'the last step applied the rate shown');
  await page.click('#step-batch');
  await page.waitForFunction(() => window.bpnnState.iteration === 201 && window.bpnnState.numbers?.iteration === 201,
    { timeout: 10000 });
  assert.equal(await text('#lr'), '0.75');
  assert.equal(await text('#lr-next'), '');
  assert.equal((await bpnn()).numbers.learning_rate, 0.75);
  await t.screenshot('panels-schedule');
  const stepRun = await t.reproduce('xor-step-schedule');
  assert.match(stepRun.command, / --lr 3 --lr-schedule step --lr-step 100 --lr-gamma 0.5 --batch-size 4 --epochs 201 /);

  // 2. The stop condition: play at full speed stops by itself at the end of the first epoch whose
  // training loss is below 0.01, and says so; the command repeats it; play again stops at once.
  await build(xorLayers, { 'net-lr': 3 }, { name: 'constant' });
  await setStop('train_loss_below', 0.01);
  await playUntilStopped();
  s = await bpnn();
  assert.ok(s.loss < 0.01, `stopped with loss ${s.loss}`);
  const where = `^epoch ${s.epoch} \\(iteration ${s.iteration}\\)`;
  assert.match(s.stopped, new RegExp(`${where}: the training loss [0-9.e-]+ is below 0.01$`));
  assert.equal(await text('#stopped'), `stopped by itself at ${s.stopped}`);
  assert.equal(await page.$eval('#stopped', (el) => el.hidden), false);
  assert.equal(await text('#play'), '▶ play');
  const stopAt = s.iteration;
  await t.screenshot('panels-stopped');
  await t.reproduce('xor-stopped');
  await page.click('#play');  // the condition holds: play ends at once
  await page.waitForFunction(() => !window.bpnnState.playing, { timeout: 10000 });
  await new Promise((r) => setTimeout(r, 200));
  assert.equal((await bpnn()).iteration, stopAt);
  // The epoch before did not hold: reset, and run to one epoch short of it.
  await page.click('#reset');
  await page.waitForFunction(() => window.bpnnState.iteration === 0 && !window.bpnnState.stopped, { timeout: 10000 });
  await page.evaluate((n) => { document.getElementById('step-count').value = n; }, stopAt - 1);
  await setStop('', 0);
  await page.click('#step-n');
  await page.waitForFunction((n) => window.bpnnState.iteration === n, { timeout: 20000 }, stopAt - 1);
  assert.ok((await bpnn()).loss >= 0.01, 'the loss one epoch earlier was not below 0.01');
  assert.equal(await page.$eval('#stopped', (el) => el.hidden), true);

  // 3. An epoch count with a cosine schedule over as many epochs on a 2-D set of mini-batches: play
  // stops at that epoch's end, where the command (cosine, --epochs 30) repeats the page bit for bit.
  await useData('circle', { 'data-points': 200, 'data-noise': 0.1, 'data-test': 0.2, 'data-seed': 1 });
  const circleLayers = [{ units: 8, activation: 'tanh' }, { units: 8, activation: 'tanh' },
    { units: 1, activation: 'sigmoid' }];
  await build(circleLayers, { 'net-lr': 0.5, 'net-batch': 10, 'net-seed': 1 }, { name: 'cosine', epochs: 30 });
  await setStop('epochs', 30);
  await playUntilStopped('10');
  s = await bpnn();
  assert.equal(s.epoch, 30);
  assert.equal(s.batch, 0);
  assert.match(s.stopped, /^epoch 30 \(iteration 480\): the stop condition's 30 epochs are done$/);
  assert.ok(s.learningRate < 0.01 && s.learningRate > 0, `cosine's last epoch: ${s.learningRate}`);
  const cosineRun = await t.reproduce('circle-cosine');
  assert.match(cosineRun.command, / --lr-schedule cosine --batch-size 10 --epochs 30 /);

  // 4. The confusion matrices: the library's counts, rows the true class; they sum to each set's
  // size and their diagonal over that is the accuracy shown. Three classes: 3 x 3.
  const confusionChecks = async (classes) => {
    const st = await bpnn();
    const c = st.confusion;
    assert.equal(c.classes, classes);
    for (const [m, size, accuracy, id] of [[c.train, st.train.length, st.accuracy, 'training'],
      [c.test, st.dataPoints - st.train.length, st.testAccuracy, 'test']]) {
      assert.equal(m.length, classes);
      const total = m.flat().reduce((a, b) => a + b, 0), right = m.reduce((a, row, k) => a + row[k], 0);
      assert.equal(total, size, `${id}: the matrix counts every sample`);
      assert.equal(right / total, accuracy, `${id}: diagonal / total is the accuracy shown`);
      const cells = await page.$$eval(`#confusion-${id} td`, (els) => els.map((el) => Number(el.textContent)));
      assert.deepEqual(cells, m.flat(), `${id}: the table shows the counts`);
      assert.equal(await page.$$eval(`#confusion-${id} td.diagonal`, (els) => els.length), classes);
    }
  };
  await confusionChecks(2);
  await useData('blobs', { 'data-classes': 3 });
  await page.evaluate(() => { document.getElementById('step-count').value = 300; });
  await page.click('#step-n');
  await page.waitForFunction(() => window.bpnnState.iteration === 300, { timeout: 20000 });
  await confusionChecks(3);
  await page.$eval('#confusion', (el) => el.scrollIntoView({ block: 'center' }));
  await t.screenshot('panels-confusion');

  // 5. Each neuron's picture: its output over the plane on a 16 x 16 grid (a 2-8-8-1 network: 17
  // pictures, one over each circle), the engine's numbers (predict at a cell's centre gives each
  // unit's value there), sigmoid's in [0, 1] and tanh's in [-1, 1]; clicks reach the circles.
  await useData('circle');
  await build(circleLayers, { 'net-lr': 0.5, 'net-batch': 10 }, { name: 'constant' });
  await setStop('', 0);
  await page.evaluate(() => { document.getElementById('step-count').value = 400; });
  await page.click('#step-n');
  await page.waitForFunction(() => window.bpnnState.iteration === 400, { timeout: 20000 });
  s = await bpnn();
  assert.equal(s.neurons.side, 16);
  assert.deepEqual(s.neurons.layers.map((l) => l.length), [8, 8, 1]);
  const all = (k) => s.neurons.layers[k].flat();
  for (const k of [0, 1, 2]) {
    assert.ok(s.neurons.layers[k].every((cells) => cells.length === 256), `layer ${k}: 16 x 16 cells a unit`);
  }
  assert.ok(all(2).every((v) => v >= 0 && v <= 1), 'the sigmoid output in [0, 1]');
  assert.ok([...all(0), ...all(1)].every((v) => v >= -1 && v <= 1), 'tanh units in [-1, 1]');
  assert.ok(Math.max(...all(2)) - Math.min(...all(2)) > 0.5, 'the output tells the circle apart');
  const [row, col] = [5, 9], h = s.heatmap;
  const predicted = await page.evaluate((x, y) => api('predict', { input: [x, y] }),
    h.x0 + ((h.x1 - h.x0) * (col + 0.5)) / 16, h.y1 - ((h.y1 - h.y0) * (row + 0.5)) / 16);
  s.neurons.layers.forEach((units, k) => units.forEach((cells, j) => {
    assert.ok(Math.abs(cells[row * 16 + col] - predicted.layers[2 * k + 1].out[j]) <= 0.005 + 1e-9,
      `layer ${k} unit ${j}: the picture's cell is the unit's output there`);
  }));
  const pictures = await page.$$eval('#neuron-pictures canvas', (els) => els.map((el) => {
    const r = el.getBoundingClientRect();
    return { layer: Number(el.dataset.layer), unit: Number(el.dataset.unit), w: el.width,
      x: r.left + r.width / 2, y: r.top + r.height / 2, size: r.width };
  }));
  assert.equal(pictures.length, 17);
  assert.ok(pictures.every((p) => p.w === 16 && p.size > 12), `pictures large enough: ${JSON.stringify(pictures[0])}`);
  // Each picture sits on its circle, and a click on it is the circle's: its bias's chain rule.
  const circles = await page.$$eval('#network circle.neuron.weight', (els) => els.map((el) => {
    const r = el.getBoundingClientRect();
    return { layer: Number(el.dataset.layer), unit: Number(el.dataset.to), x: r.left + r.width / 2,
      y: r.top + r.height / 2 };
  }));
  pictures.forEach((p) => {
    const c = circles.find((q) => q.layer === p.layer && q.unit === p.unit);
    assert.ok(Math.hypot(c.x - p.x, c.y - p.y) < 1.5, `picture ${p.layer}.${p.unit} on its circle`);
  });
  const target = pictures.find((p) => p.layer === 1 && p.unit === 2);
  await page.$eval('#network', (el) => el.scrollIntoView({ block: 'center' }));
  const { x, y } = await page.$eval('#neuron-pictures canvas[data-layer="1"][data-unit="2"]', (el) => {
    const r = el.getBoundingClientRect();
    return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
  });
  assert.ok(target);
  await t.screenshot('panels-neurons');
  await page.mouse.move(x, y);
  await page.waitForFunction(() => !document.getElementById('tooltip').hidden, { timeout: 5000 });
  assert.match(await text('#tooltip'), /^b\(h2\.3\) = /);
  await page.mouse.click(x, y);
  await page.waitForFunction(() => window.bpnnState.chain?.name === 'b(h2.3)', { timeout: 10000 });
  assert.match(await text('#chain'), /bias of h2\.3/);

  // The page's cost per update while playing at full speed, with the pictures (Chromium's own
  // counters: script, style, layout and paint of the main thread, per state drawn).
  await page.select('#speed', '0');
  const before = await page.metrics(), updates0 = (await bpnn()).updates, start = Date.now();
  await page.click('#play');
  await new Promise((r) => setTimeout(r, 3000));
  await page.click('#play');
  await page.waitForFunction(() => !window.bpnnState.playing, { timeout: 10000 });
  const after = await page.metrics(), updates = (await bpnn()).updates - updates0;
  const seconds = (Date.now() - start) / 1000;
  const per = (name) => (1000 * (after[name] - before[name])) / updates;
  const sizes = await page.evaluate(async () => {
    const state = JSON.parse((await engine('state')).body);
    return { all: JSON.stringify(state).length, neurons: JSON.stringify(state.neurons).length };
  });
  console.log(`panels: 2-8-8-1 on 200 points: ${updates} updates in ${seconds.toFixed(1)} s ` +
    `(${(updates / seconds).toFixed(1)} a second); main thread per update: ${per('TaskDuration').toFixed(2)} ms ` +
    `(script ${per('ScriptDuration').toFixed(2)}, layout ${per('LayoutDuration').toFixed(2)}, style ` +
    `${per('RecalcStyleDuration').toFixed(2)}); the state ${sizes.all} characters, its pictures ${sizes.neurons}`);
  assert.ok(updates > 10, `play drew ${updates} updates in 3 s`);

  // A network the drawing cannot picture (17 units in a layer): no pictures, and none left behind.
  await build([{ units: 17, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], {}, { name: 'constant' });
  assert.equal((await bpnn()).neurons, null);
  assert.equal(await page.$$eval('#neuron-pictures canvas', (els) => els.length), 0);
  assert.equal(await page.$eval('#pictures-legend', (el) => el.hidden), true);

  // 6. The address keeps the schedule and the stop condition: a new tab opened at it shows them.
  await build(circleLayers, { 'net-lr': 0.5, 'net-batch': 10 }, { name: 'invscaling', power: 0.25 });
  await setStop('test_loss_below', 0.05);
  const hash = (await bpnn()).hash;
  assert.match(hash, /schedule=invscaling&schedule_power=0.25/);
  assert.match(hash, /stop=test_loss_below%3A0.05/);
  const again = await t.open(hash);
  await again.waitForFunction(() => window.bpnnState.config?.schedule?.name === 'invscaling', { timeout: 10000 });
  assert.deepEqual((await again.evaluate(() => window.bpnnState.config)).schedule, { name: 'invscaling', power: 0.25 });
  assert.equal(await again.$eval('#stop-when', (el) => el.value), 'test_loss_below');
  assert.equal(await again.$eval('#stop-value', (el) => el.value), '0.05');
  assert.deepEqual(await scheduleInputs(again), [['power', '0.25']]);
  await again.close();

  console.log(`panels: all checks passed (screenshots in ${t.artifacts})`);
} catch (e) {
  failed = true;
  console.error(e);
}
process.exit(await t.finish(failed));
