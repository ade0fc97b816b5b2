// Drives the playground page in headless Chromium against a real `bpnn serve`, and checks what it
// shows through window.bpnnState and the DOM: the worked example's numbers, XOR learning, the
// gradient check, and no JavaScript error. Screenshots go to the folder given as the 2nd argument.
// Usage: node playground.test.mjs BPNN ARTIFACT_DIR
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer-core';
import { startServer } from './serve.mjs';

const [bpnn, artifacts] = process.argv.slice(2);
fs.mkdirSync(artifacts, { recursive: true });
const { child, url } = await startServer(bpnn);
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'bpnn-chromium-'));
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`],
});
const errors = [];
let failed = false;
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 900, deviceScaleFactor: 0.75 });  // smaller screenshots, still legible
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => window.bpnnState.sessionId && window.bpnnState.streamEvents > 0, { timeout: 10000 });
  const text = (selector) => page.$eval(selector, (el) => el.textContent);

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
  await page.screenshot({ path: path.join(artifacts, 'mazur.png') });

  // One step with lr 0.5: w5 = 0.4 - 0.5 * 0.082167041.
  await page.click('#step-sample');
  await page.waitForFunction(() => window.bpnnState.iteration === 1, { timeout: 10000 });
  assert.equal((await page.evaluate(() => window.bpnnState.weights.w5)).toFixed(9), '0.358916480');
  assert.equal(await text('#loss'), '0.291027774');

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
  await page.screenshot({ path: path.join(artifacts, 'xor.png') });

  // A 2-D set, trained with play and pause: the heatmap view.
  await page.select('#data-set', 'circle');
  await page.click('#data-apply');
  await page.waitForFunction(() => window.bpnnState.dataSet === 'circle', { timeout: 10000 });
  await page.evaluate(() => {
    document.querySelector('#layers .layer-row input').value = 6;
    document.querySelector('#layers .layer-row select').value = 'tanh';
    document.getElementById('net-lr').value = 1;
  });
  await page.click('#net-apply');
  await page.waitForFunction(() => window.bpnnState.config.learning_rate === 1, { timeout: 10000 });
  await page.click('#play');
  await page.waitForFunction(() => window.bpnnState.iteration > 300, { timeout: 20000 });
  await page.click('#play');
  const circle = await page.evaluate(() => window.bpnnState);
  assert.ok(circle.testLoss !== null && circle.accuracy > 0.5, `circle trains: ${circle.loss} ${circle.accuracy}`);
  await new Promise((r) => setTimeout(r, 300));
  await page.screenshot({ path: path.join(artifacts, 'circle.png') });

  assert.deepEqual(errors, [], 'no JavaScript error');
  const apiErrors = await page.evaluate(() => window.bpnnState.errors);
  assert.deepEqual(apiErrors, [], 'no refused request');
  console.log(`playground: all checks passed (screenshots in ${artifacts})`);
} catch (e) {
  failed = true;
  console.error(e);
  if (errors.length) console.error('page errors:', errors);
} finally {
  await browser.close();
  child.kill();
  fs.rmSync(profile, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
