// The playground's responsiveness (issue 12, acceptance 4), measured, not asserted: a 2-8-8-1
// network on 200 points trained with the page's play button in headless Chromium for a few
// seconds. Reports the state updates a second the page received (from the SSE stream), the
// server's training steps a second with the page open, and `bpnn train`'s on the same work (the
// page's own exported command and CSV). Usage (after npm install --prefix tests/web):
//   node bench/playground.mjs build/bpnn [seconds]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
const require = createRequire(new URL('../tests/web/package.json', import.meta.url));
const puppeteer = require('puppeteer-core');
const { startServer } = await import(new URL('../tests/web/serve.mjs', import.meta.url));

const bpnn = path.resolve(process.argv[2] || 'build/bpnn');
const seconds = Number(process.argv[3] || 5);
const { child, url } = await startServer(bpnn);
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'bpnn-bench-'));
const browser = await puppeteer.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', `--user-data-dir=${profile}`] });
try {
  const page = await browser.newPage();
  await page.goto(`${url}#set=circle&points=200&noise=0.1&test=0&dseed=1&net=8tanh-8tanh-1sigmoid&loss=mse&opt=sgd&lr=0.5&batch=10&decay=0&init=default&seed=1`);
  await page.waitForFunction(() => window.bpnnState.config && window.bpnnState.config.layers.length === 3 && window.bpnnState.streamEvents > 0, { timeout: 10000 });
  const before = await page.evaluate(() => ({ events: window.bpnnState.streamEvents, iteration: window.bpnnState.iteration, t: performance.now() }));
  await page.click('#play');
  await new Promise((r) => setTimeout(r, seconds * 1000));
  await page.click('#play');
  const after = await page.evaluate(() => ({ events: window.bpnnState.streamEvents, iteration: window.bpnnState.iteration, t: performance.now() }));
  const wall = (after.t - before.t) / 1000;
  const updates = (after.events - before.events) / wall, serverSteps = (after.iteration - before.iteration) / wall;
  // bpnn train on the same work: the page's command for enough whole epochs to run a few seconds.
  await page.click('#step-epoch');
  await page.waitForFunction(() => window.bpnnState.batch === 0, { timeout: 10000 });
  await page.evaluate(() => { window.bpnnState.export = null; });
  await page.click('#copy-command');
  await page.waitForFunction(() => window.bpnnState.export, { timeout: 10000 });
  const e = await page.evaluate(() => window.bpnnState.export);
  const batches = await page.evaluate(() => window.bpnnState.batches);
  const epochs = Math.max(1, Math.round((serverSteps * seconds) / batches));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bpnn-bench-cli-'));
  fs.writeFileSync(path.join(work, e.csv_name), e.csv);
  const command = e.command.replace(/^bpnn /, `'${bpnn}' `).replace(/--epochs \d+/, `--epochs ${epochs}`);
  const start = process.hrtime.bigint();
  const run = spawnSync('bash', ['-c', `${command} 2>/dev/null`], { cwd: work, encoding: 'utf8' });
  const cliSeconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (run.status !== 0) throw new Error(`${command}: ${run.stderr}`);
  const cliSteps = (epochs * batches) / cliSeconds;
  console.log(`playground, 2-8-8-1 on 200 points, batch 10 (${batches} steps an epoch), ${wall.toFixed(1)} s of play:`);
  console.log(`  page: ${updates.toFixed(1)} state updates a second (SSE)`);
  console.log(`  server with the page open: ${Math.round(serverSteps)} steps a second`);
  console.log(`  bpnn train, same work (${epochs} epochs, ${cliSeconds.toFixed(2)} s incl. start-up): ${Math.round(cliSteps)} steps a second`);
  console.log(`  ratio server / bpnn train: ${(serverSteps / cliSteps).toFixed(2)}`);
  fs.rmSync(work, { recursive: true, force: true });
} finally {
  await browser.close();
  child.kill();
  fs.rmSync(profile, { recursive: true, force: true });
}
