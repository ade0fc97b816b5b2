// The playground's responsiveness, measured, not asserted: the static site (scripts/site.sh) served
// by Python's http.server and driven in headless Chromium. For each network (a 2-8-8-1 tanh
// network on 200 circle points, and the largest the page allows, 8 dense layers: 7 hidden of 64),
// playing at full speed for some seconds, it reports:
//   updates/s  the states the page received from the engine's worker and drew, a second
//   click      the time from a click on "show" (the numbers of one step) to those numbers drawn,
//              ten clicks 300 ms apart while training (median and worst)
//   steps/s    the engine's training steps a second while playing, against `bpnn train` (native,
//              one thread, portable arithmetic) on the same work just before and just after
// Usage (after npm install --prefix tests/web):
//   node bench/playground.mjs SITE_DIR BPNN [seconds of play, 5] [runs, 3]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
const require = createRequire(new URL('../tests/web/package.json', import.meta.url));
const puppeteer = require('puppeteer-core');
const { startStaticServer } = await import(new URL('../tests/web/serve.mjs', import.meta.url));

const site = path.resolve(process.argv[2] || 'build/site');
const bpnn = path.resolve(process.argv[3] || 'build/bpnn');
const seconds = Number(process.argv[4] || 5);
const runs = Number(process.argv[5] || 3);
const data = '#set=circle&points=200&noise=0.1&test=0&dseed=1';
const networks = {
  '2-8-8-1': `${data}&net=8tanh-8tanh-1sigmoid&loss=mse&opt=sgd&lr=0.5&batch=10&decay=0&init=default&seed=1`,
  '2-(64x7)-1': `${data}&net=${Array(7).fill('64tanh').join('-')}-1sigmoid&loss=mse&opt=sgd&lr=0.1&batch=10&decay=0&init=default&seed=1`,
};
const { child, url } = await startStaticServer(site);
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'bpnn-bench-'));
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bpnn-bench-cli-'));
const browser = await puppeteer.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', `--user-data-dir=${profile}`] });

// bpnn train on the page's command for `epochs` epochs: its steps a second (start-up included).
function train(command, epochs, batches) {
  const line = command.replace(/^bpnn /, `'${bpnn}' `).replace(/--epochs \d+/, `--epochs ${epochs}`) + ' --threads 1';
  const start = process.hrtime.bigint();
  const run = spawnSync('bash', ['-c', `${line} 2>/dev/null`], { cwd: work, encoding: 'utf8' });
  const took = Number(process.hrtime.bigint() - start) / 1e9;
  if (run.status !== 0) throw new Error(`${line}: ${run.stderr}`);
  return (epochs * batches) / took;
}
const spread = (values, digits = 1) =>
  `best ${Math.max(...values).toFixed(digits)}, ${Math.min(...values).toFixed(digits)}-${Math.max(...values).toFixed(digits)}`;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

try {
  const page = await browser.newPage();
  for (const [name, address] of Object.entries(networks)) {
    const results = [];
    let cliRate = 0;
    for (let run = 1; run <= runs; run++) {
      await page.goto('about:blank');
      await page.goto(url + address);
      await page.waitForFunction(() => window.bpnnState.ready, { timeout: 20000 });
      // The page's command and CSV (any number of epochs: the runs below set their own).
      await page.evaluate(() => { window.bpnnState.export = null; });
      await page.click('#copy-command');
      await page.waitForFunction(() => window.bpnnState.export, { timeout: 20000 });
      const e = await page.evaluate(() => window.bpnnState.export);
      const batches = await page.evaluate(() => window.bpnnState.batches);
      fs.writeFileSync(path.join(work, e.csv_name), e.csv);
      if (cliRate === 0) cliRate = train(e.command, 20, batches);  // a first guess, to size the runs
      const epochs = Math.max(20, Math.round((cliRate * seconds) / 2 / batches));  // about half the play's length
      const before = train(e.command, epochs, batches);

      await page.select('#speed', '0');
      const start = await page.evaluate(() => ({ updates: window.bpnnState.updates, iteration: window.bpnnState.iteration, t: performance.now() }));
      await page.click('#play');
      // Clicks while playing: "show" asks the engine for the numbers of one step and draws them.
      const clicks = [];
      await new Promise((r) => setTimeout(r, 500));
      for (let k = 0; k < 10; k++) {
        clicks.push(await page.evaluate(() => new Promise((resolve) => {
          const before = window.bpnnState.numbers, t0 = performance.now();
          document.getElementById('numbers-refresh').click();
          const wait = () => (window.bpnnState.numbers !== before ? resolve(performance.now() - t0) : setTimeout(wait, 1));
          wait();
        })));
        await new Promise((r) => setTimeout(r, 300));
      }
      await new Promise((r) => setTimeout(r, Math.max(0, seconds * 1000 - 500 - 10 * 300)));
      const end = await page.evaluate(() => ({ updates: window.bpnnState.updates, iteration: window.bpnnState.iteration, t: performance.now() }));
      await page.click('#play');
      await page.waitForFunction(() => document.getElementById('play').textContent.includes('play'), { timeout: 10000 });
      const after = train(e.command, epochs, batches);
      cliRate = (before + after) / 2;

      const wall = (end.t - start.t) / 1000;
      const r = { updates: (end.updates - start.updates) / wall, steps: (end.iteration - start.iteration) / wall,
        before, after, click: median(clicks), worst: Math.max(...clicks) };
      r.ratio = r.steps / cliRate;
      results.push(r);
      console.log(`${name} run ${run}: ${r.updates.toFixed(1)} updates/s; click ${r.click.toFixed(0)} ms (worst ${r.worst.toFixed(0)}); ` +
        `engine ${Math.round(r.steps)} steps/s; bpnn train ${Math.round(before)} before, ${Math.round(after)} after; ratio ${r.ratio.toFixed(2)}`);
    }
    console.log(`${name} tanh on 200 points, sgd, batches of 10, ${seconds} s of play, ${runs} runs (load average ${os.loadavg()[0].toFixed(1)}, ${os.cpus().length} cores):`);
    console.log(`  updates a second: ${spread(results.map((r) => r.updates))}`);
    const clicks = results.map((r) => r.click);
    console.log(`  click to drawn, median of each run: ${Math.min(...clicks).toFixed(0)}-${Math.max(...clicks).toFixed(0)} ms; ` +
      `worst single click ${Math.max(...results.map((r) => r.worst)).toFixed(0)} ms`);
    console.log(`  engine / bpnn train steps a second: ${spread(results.map((r) => r.ratio), 2)}`);
  }
} finally {
  await browser.close();
  child.kill();
  fs.rmSync(profile, { recursive: true, force: true });
  fs.rmSync(work, { recursive: true, force: true });
}
