// The playground's responsiveness (issue 12, acceptance 4), measured, not asserted: a 2-8-8-1 tanh
// network on 200 circle points (sgd, batches of 10) trained with the page's play button in
// headless Chromium. Each run reports the state updates a second the page received and drew (from
// the event stream), the server's training speed with the page open, and `bpnn train`'s on the
// same work (the page's own exported command and CSV), run just before and just after the play so
// that a change in the machine's load shows. The ratio compares the play with the mean of the two.
// Usage (after npm install --prefix tests/web):
//   node bench/playground.mjs build/bpnn [seconds of play, 5] [runs, 3]
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
const runs = Number(process.argv[4] || 3);
const address = '#set=circle&points=200&noise=0.1&test=0&dseed=1&net=8tanh-8tanh-1sigmoid&loss=mse&opt=sgd&lr=0.5&batch=10&decay=0&init=default&seed=1';
const { child, url } = await startServer(bpnn);
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'bpnn-bench-'));
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bpnn-bench-cli-'));
const browser = await puppeteer.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', `--user-data-dir=${profile}`] });

// bpnn train on the page's command for `epochs` epochs: its steps a second (start-up included).
function train(command, epochs, batches) {
  const line = command.replace(/^bpnn /, `'${bpnn}' `).replace(/--epochs \d+/, `--epochs ${epochs}`);
  const start = process.hrtime.bigint();
  const run = spawnSync('bash', ['-c', `${line} 2>/dev/null`], { cwd: work, encoding: 'utf8' });
  const took = Number(process.hrtime.bigint() - start) / 1e9;
  if (run.status !== 0) throw new Error(`${line}: ${run.stderr}`);
  return (epochs * batches) / took;
}
const spread = (values) => `best ${Math.max(...values).toFixed(2)}, ${Math.min(...values).toFixed(2)}-${Math.max(...values).toFixed(2)}`;

try {
  const page = await browser.newPage();
  const results = [];
  let cliRate = 0;
  for (let run = 1; run <= runs; run++) {
    await page.goto('about:blank');
    await page.goto(url + address);
    await page.waitForFunction(() => window.bpnnState.config && window.bpnnState.config.layers.length === 3 && window.bpnnState.streamEvents > 0, { timeout: 10000 });
    // The page's command and CSV (any number of epochs: the runs below set their own).
    await page.evaluate(() => { window.bpnnState.export = null; });
    await page.click('#copy-command');
    await page.waitForFunction(() => window.bpnnState.export, { timeout: 10000 });
    const e = await page.evaluate(() => window.bpnnState.export);
    const batches = await page.evaluate(() => window.bpnnState.batches);
    const batchSize = Number(e.command.match(/--batch-size (\d+)/)[1]);
    fs.writeFileSync(path.join(work, e.csv_name), e.csv);
    if (cliRate === 0) cliRate = train(e.command, 1000, batches);  // a first guess, to size the runs
    const epochs = Math.max(100, Math.round((cliRate * seconds) / 2 / batches));  // about half the play's length
    const before = train(e.command, epochs, batches);

    const start = await page.evaluate(() => ({ events: window.bpnnState.streamEvents, iteration: window.bpnnState.iteration, t: performance.now() }));
    await page.click('#play');
    await new Promise((r) => setTimeout(r, seconds * 1000));
    await page.click('#play');
    const end = await page.evaluate(() => ({ events: window.bpnnState.streamEvents, iteration: window.bpnnState.iteration, t: performance.now() }));
    await page.waitForFunction(() => document.getElementById('play').textContent.includes('play'), { timeout: 10000 });
    const after = train(e.command, epochs, batches);
    cliRate = (before + after) / 2;

    const wall = (end.t - start.t) / 1000;
    const r = { updates: (end.events - start.events) / wall, server: (end.iteration - start.iteration) / wall, before, after };
    r.ratio = r.server / cliRate;
    results.push(r);
    console.log(`run ${run}: page ${r.updates.toFixed(1)} updates/s; server ${Math.round(r.server)} steps/s (${Math.round(r.server * batchSize)} samples/s); ` +
      `bpnn train ${Math.round(before)} before, ${Math.round(after)} after (${epochs} epochs each); ratio ${r.ratio.toFixed(2)}`);
  }
  console.log(`playground, 2-8-8-1 tanh on 200 points, sgd, batches of 10, ${seconds} s of play, ${runs} runs (load average ${os.loadavg()[0].toFixed(1)}, ${os.cpus().length} cores):`);
  console.log(`  page: state updates a second: ${spread(results.map((r) => r.updates))}  (target: at least 20)`);
  console.log(`  server / bpnn train steps a second: ${spread(results.map((r) => r.ratio))}  (target: at least 0.5)`);
} finally {
  await browser.close();
  child.kill();
  fs.rmSync(profile, { recursive: true, force: true });
  fs.rmSync(work, { recursive: true, force: true });
}
