// Each defect the playground issue found in the page, as a learner meets it, checked in headless
// Chromium on the static site (one block a defect, named as the issue names it). Speed itself is
// measured in bench/playground.mjs, never asserted here.
// Usage: node defects.test.mjs SITE_DIR BPNN ARTIFACT_DIR
import assert from 'node:assert/strict';
import { openSite } from './page.mjs';

const t = await openSite(...process.argv.slice(2, 5));
const { page } = t;
const state = (tab = page) => tab.evaluate(() => window.bpnnState);
// Waits for f(arg) in the page; on a timeout says what the page showed.
async function wait(f, arg, tab = page) {
  try {
    await tab.waitForFunction(f, { timeout: 20000 }, arg);
  } catch (e) {
    const s = await tab.evaluate(() => ({ iteration: window.bpnnState.iteration, config: window.bpnnState.config,
      errors: window.bpnnState.errors, error: document.getElementById('error').textContent,
      play: document.getElementById('play').textContent }));
    throw new Error(`${e.message}: waiting for ${f} (${arg}); the page: ${JSON.stringify(s)}`);
  }
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// The page at a data set and network, as its address gives them.
const xnor = '#set=xnor&net=3sigmoid-1sigmoid&loss=mse&opt=sgd&lr=3&batch=0&decay=0&init=default&seed=1';
const circle = (net, lr = 0.5) =>
  `#set=circle&points=200&noise=0.1&test=0.2&dseed=1&net=${net}&loss=mse&opt=sgd&lr=${lr}&batch=10&decay=0&init=default&seed=1`;
async function goto(address) {
  await page.goto('about:blank');
  await page.goto(t.url + address, { waitUntil: 'load' });
  await wait(() => window.bpnnState.ready);
}
// Types CSV into "my points" and applies it.
async function points(csv) {
  await page.select('#data-set', 'points');
  await page.$eval('#data-csv', (el, v) => { el.value = v; }, csv);
  await page.click('#data-apply');
}
let failed = false;
try {
  // "The number panels go stale": after a rebuild the numbers panel lists the new network's
  // neurons; after run N, reset and a weight edit it shows the iteration the network is at.
  await goto(circle('8tanh-8tanh-1sigmoid'));
  await wait(() => window.bpnnState.numbers);
  let neurons = await page.$$eval('#numbers table:first-of-type tr td:first-child', (tds) => tds.map((td) => td.textContent));
  assert.deepEqual(neurons, [...[1, 2, 3, 4, 5, 6, 7, 8].map((j) => `h1.${j}`), ...[1, 2, 3, 4, 5, 6, 7, 8].map((j) => `h2.${j}`), 'o1']);
  await page.$eval('#step-count', (el) => { el.value = 25; });
  await page.click('#step-n');
  await wait(() => window.bpnnState.iteration === 25 && window.bpnnState.numbers?.iteration === 25);
  assert.match(await t.text('#numbers-what'), /iteration 25/);
  await page.click('#reset');
  await wait(() => window.bpnnState.iteration === 0 && window.bpnnState.numbers && !window.bpnnState.numbers.last_step);
  assert.match(await t.text('#numbers-what'), /a step on sample 0 from the weights now/);

  // "Play is too fast to watch and cannot be slowed": the speed control defaults to one batch an
  // update (at most 40 updates a second); pausing stops it, and clicking play rapidly starts one
  // loop, not several.
  await goto(xnor);
  assert.equal(await page.$eval('#speed', (el) => el.value), '1');
  const start = Date.now();
  await page.click('#play');
  await sleep(1500);
  await page.click('#play');
  await wait(() => document.getElementById('play').textContent.includes('play'));
  const watched = await state();
  const seconds = (Date.now() - start) / 1000;
  assert.ok(watched.iteration > 0 && watched.iteration <= 40 * seconds + 2,
    `one batch an update: ${watched.iteration} iterations in ${seconds} s`);
  for (let k = 0; k < 5; k++) await page.click('#play');  // play, pause, play, pause, play
  await sleep(400);
  await page.click('#play');
  await wait(() => document.getElementById('play').textContent.includes('play'));
  await sleep(300);
  const paused = (await state()).iteration;
  await sleep(500);
  assert.equal((await state()).iteration, paused, 'after pause no loop trains on');

  // "Hover's dE/dw disagrees with the panels": hovering a weight shows the dE/dw of the numbers
  // panel, to the same digits, and says which step they are of.
  const before = (await state()).iteration;
  await page.click('#step-batch');
  await wait((n) => window.bpnnState.numbers?.last_step && window.bpnnState.numbers.iteration === n + 1, before);
  const row = await page.$eval('#numbers-weights tr[data-name="w1"]', (el) => [...el.cells].map((c) => c.textContent));
  const line = await page.$('line[data-name="w1"]');
  const box = await line.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await wait(() => !document.getElementById('tooltip').hidden);
  const tip = await t.text('#tooltip');
  assert.ok(tip.includes(`dE/dw1 = ${row[2]}`), `the tooltip (${tip}) shows the panel's dE/dw1 ${row[2]}`);
  assert.match(tip, /the last step, iteration \d+/);

  // "Biases never show their colour": each neuron's ring is its bias's colour.
  const rings = await page.evaluate(() => {
    const net = window.bpnnState.config && document.querySelectorAll('#network circle.neuron.weight');
    return [...net].map((c) => getComputedStyle(c).stroke);
  });
  const biases = Object.values((await state()).biases);
  assert.equal(rings.length, biases.length);
  rings.forEach((stroke, k) => assert.equal(stroke, biases[k] >= 0 ? 'rgb(44, 111, 187)' : 'rgb(210, 105, 30)', `bias ${k}`));

  // "The output surface is a blocky 40×40 with no axes or legend": axes with round numbers, a
  // legend, a test-data toggle and discretize.
  await goto(circle('8tanh-8tanh-1sigmoid'));
  await wait(() => window.bpnnState.plot);
  const plot = (await state()).plot;
  assert.ok(plot.xTicks.length >= 3 && plot.yTicks.length >= 3, `axes: ${JSON.stringify(plot)}`);
  assert.ok(await page.$eval('#legend', (el) => !el.hidden && el.textContent.includes('class 1')));
  await page.click('#discretize');
  await wait(() => window.bpnnState.plot.discrete);
  await page.click('#show-test');
  await wait(() => !window.bpnnState.plot.showTest);
  await t.screenshot('defects-plot');

  // "Circles overlap from 16 units": no two neurons of a layer overlap, up to 64 units.
  for (const net of ['16tanh-16tanh-1sigmoid', '64tanh-1sigmoid']) {
    await goto(circle(net));
    const layout = await page.$$eval('#network circle.neuron', (cs) => cs.map((c) => [+c.getAttribute('cx'), +c.getAttribute('cy'), +c.getAttribute('r')]));
    const columns = Object.values(layout.reduce((by, c) => ({ ...by, [c[0]]: [...(by[c[0]] || []), c] }), {}));
    for (const column of columns) {
      for (let k = 1; k < column.length; k++) {
        assert.ok(column[k][1] - column[k - 1][1] >= 2 * column[k][2], `${net}: neurons ${k - 1} and ${k} do not overlap`);
      }
    }
  }

  // "The biggest allowed network (8 × 64) freezes the page": eight dense layers (seven hidden of 64
  // and the output) play in the worker while the page answers (pause works, the numbers come).
  await goto(circle(Array(7).fill('64tanh').join('-') + '-1sigmoid', 0.1));
  await page.select('#speed', '0');
  await page.click('#play');
  await wait(() => window.bpnnState.iteration > 20);
  await page.click('#numbers-refresh');
  await wait(() => window.bpnnState.numbers?.last_step);
  await page.click('#play');
  await wait(() => document.getElementById('play').textContent.includes('play'));
  await t.screenshot('defects-largest');

  // "The page's own downloaded CSV cannot be pasted back": the exported CSV, header and all, gives
  // the same points.
  await goto(xnor);
  await goto(circle('8tanh-1sigmoid'));
  await page.click('#download-csv');
  await wait(() => window.bpnnState.export);
  const exported = (await state()).export;
  const trainPoints = (await state()).train.length;
  await points(exported.csv);
  await wait((n) => window.bpnnState.dataSet === 'points' && window.bpnnState.dataPoints === n, trainPoints);
  // "Positions in errors are 0-based", "extra columns ignored": line numbers count from 1, and a
  // line of four fields is refused.
  await points('x,y,label\n0,0,1\n1,1,0\n0.5,oops,1');
  await wait(() => !document.getElementById('error').hidden);
  assert.match(await t.text('#error'), /line 4/);
  await points('0,0,1\n1,1,0,5');
  await wait(() => /line 2: expected x,y,label/.test(document.getElementById('error').textContent));
  // "2,000 points exceed the request limit": 2,000 pasted points are taken.
  const many = Array.from({ length: 2000 }, (_, k) => `${(k % 50) / 25 - 1},${Math.floor(k / 50) / 20 - 1},${k % 2}`);
  await points(many.join('\n'));
  await wait(() => window.bpnnState.dataPoints === 2000);
  await page.evaluate(() => { window.bpnnState.errors = []; });  // the two refusals above were meant

  // "A rejected value stays in the form while the old one trains": a refused network puts the
  // form back to the network that trains.
  await goto(xnor);
  await page.$eval('#net-lr', (el) => { el.value = 1000; });
  await page.click('#net-apply');
  await wait(() => !document.getElementById('error').hidden);
  assert.match(await t.text('#error'), /field 'network\.learning_rate' \(learning rate\)/);  // the form's label too
  assert.equal(Number(await page.$eval('#net-lr', (el) => el.value)), (await state()).config.learning_rate);
  await page.evaluate(() => { window.bpnnState.errors = []; });
  await page.$eval('#layers .layer-row input', (el) => { el.value = 0; });
  await page.click('#net-apply');
  await wait(() => /network\.layers\[0\]\.units' \(hidden layer 1's size\)/.test(document.getElementById('error').textContent));
  await page.evaluate(() => { window.bpnnState.errors = []; });

  // "check gradients on a diverged network throws a TypeError": it reports instead.
  await goto('#set=function&fn=sin&points=100&noise=0.1&test=0&dseed=1&net=16identity-1identity&loss=mse&opt=sgd&lr=10&batch=10&decay=0&init=default&seed=1');
  await page.$eval('#step-count', (el) => { el.value = 200; });
  await page.click('#step-n');
  await wait(() => /diverged/.test(document.getElementById('error').textContent));
  await page.click('#gradcheck');
  await wait(() => document.getElementById('gradcheck-result').textContent.length > 0 || window.bpnnState.errors.length > 0);
  await page.evaluate(() => { window.bpnnState.errors = []; });

  // "copy as command on MNIST takes 12.7 s with no feedback": the page says it is preparing it at
  // once, then shows it.
  await page.select('#data-set', 'mnist');
  await page.click('#data-apply');
  await wait(() => window.bpnnState.dataSet === 'mnist');
  const note = await page.evaluate(() => {
    window.bpnnState.export = null;
    document.getElementById('copy-command').click();
    return document.getElementById('command-note').textContent;
  });
  assert.match(note, /preparing/);
  await wait(() => window.bpnnState.export);
  console.log('defects: all checks passed');
} catch (e) {
  failed = true;
  console.error(e);
}
process.exit(await t.finish(failed));
