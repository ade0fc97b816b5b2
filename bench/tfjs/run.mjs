// bpnn's WebAssembly engine against TensorFlow.js 4.22 on the same training, in one headless
// Chromium: 784-128relu-10 (batch 64) on the site's 2,000 MNIST digits and 2-8-8-1 (batch 10) on
// 200 points of the circle set, plain SGD, the same epochs, batches in file order. The page
// (index.html, bench.js) is served twice by this script's own static server: cross-origin isolated
// (COOP and COEP headers), where TF.js's wasm backend runs its threaded SIMD build with as many threads
// as it takes (hardwareConcurrency / 2: the first lines printed say how many), and plain, where it runs
// its one-thread SIMD build. bpnn's engine, the page engine and TF.js's cpu backend run in the isolated
// page, on one thread. Each row times the same epochs, repeated up to a second where they take
// less (bench.js's timed). The rows take turns, run after run; each figure is the best of the runs
// (samples trained a second), and bpnn's ratio to each row and to the fastest TF.js row is printed.
// Usage (after npm install --prefix bench/tfjs, and the engine's bench entry built beside the site's
// engine: cmake --build BUILD --target bench_engine, BUILD as scripts/site.sh's BPNN_ENGINE_BUILD):
//   node bench/tfjs/run.mjs SITE_DIR [runs, 3]
//   BPNN_ENGINE_BUILD  the engine's build folder (default: build-wasm in the repository)
//   EPOCHS_MNIST, EPOCHS_CIRCLE  the epochs timed (default 5 and 300, repeated up to a second; one
//                                more runs first, untimed)
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.resolve(here, '../..');
const require = createRequire(path.join(here, 'package.json'));
const puppeteer = require('puppeteer-core');

const site = path.resolve(process.argv[2] || 'build/site');
const runs = Number(process.argv[3] || 3);
const build = path.resolve(process.env.BPNN_ENGINE_BUILD || path.join(root, 'build-wasm'));
const epochs = { mnist: Number(process.env.EPOCHS_MNIST || 5), circle: Number(process.env.EPOCHS_CIRCLE || 300) };
for (const [file, how] of [[path.join(site, 'engine.js'), 'bash scripts/site.sh SITE_DIR'],
  [path.join(build, 'bench_engine.js'), `cmake --build ${build} --target bench_engine`],
  [path.join(here, 'node_modules/@tensorflow/tfjs/package.json'), 'npm install --prefix bench/tfjs']]) {
  if (!fs.existsSync(file)) {
    console.error(`run.mjs: ${file} is missing: ${how}`);
    process.exit(1);
  }
}

// URL prefix -> folder: the page and its packages, the site (engine.js, engine.wasm, mnist/), and
// the engine's bench entry (those two files only).
const folders = { '/bench/': here, '/site/': site };
const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };
function serve(isolated) {
  const server = http.createServer((request, response) => {
    const url = decodeURIComponent(new URL(request.url, 'http://x').pathname);
    let file = null;
    if (url === '/' || url === '/index.html') file = path.join(here, 'index.html');
    else if (url === '/engine-build/bench_engine.js' || url === '/engine-build/bench_engine.wasm') {
      file = path.join(build, path.basename(url));
    } else {
      for (const [prefix, folder] of Object.entries(folders)) {
        const candidate = path.join(folder, url.slice(prefix.length));
        if (url.startsWith(prefix) && candidate.startsWith(folder + path.sep)) file = candidate;
      }
    }
    if (!file || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      response.writeHead(404).end();
      return;
    }
    const headers = { 'Content-Type': types[path.extname(file)] || 'application/octet-stream' };
    if (isolated) {  // what SharedArrayBuffer, and so TF.js's threads, need
      headers['Cross-Origin-Opener-Policy'] = 'same-origin';
      headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
    }
    response.writeHead(200, headers).end(fs.readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// Rows: [name, page, the row bench.js measures]. The page engine has no 784-128 network (the page
// allows 64 units a layer): that row says so.
const rows = [
  ['bpnn engine (TrainingRun)', 'isolated', 'bpnn'],
  ['TF.js wasm, isolated page', 'isolated', 'tfjs-wasm-minimize'],
  ['TF.js wasm, plain page', 'plain', 'tfjs-wasm-minimize'],
  ['TF.js cpu', 'isolated', 'tfjs-cpu-minimize'],
  ['bpnn page engine (step)', 'isolated', 'bpnn-page'],
  ['TF.js wasm, isolated page, trainOnBatch', 'isolated', 'tfjs-wasm-trainOnBatch'],
  ['TF.js wasm, plain page, trainOnBatch', 'plain', 'tfjs-wasm-trainOnBatch'],
  ['TF.js cpu, trainOnBatch', 'isolated', 'tfjs-cpu-trainOnBatch'],
];
const workloads = { mnist: '784-128relu-10, batch 64, 2,000 digits', circle: '2-8-8-1, batch 10, 200 points' };

const servers = { isolated: await serve(true), plain: await serve(false) };
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'bpnn-bench-tfjs-'));
const browser = await puppeteer.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', `--user-data-dir=${profile}`] });
try {
  const pages = {}, info = {};
  for (const [kind, server] of Object.entries(servers)) {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(`${m.text()} ${m.location()?.url ?? ''}`); });
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    info[kind] = await page.evaluate(() => window.bench.setup());
    if (errors.length) throw new Error(`the ${kind} page: ${errors.join('; ')}`);
    pages[kind] = page;
  }
  const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`${await browser.version()}; TF.js ${info.isolated.tfjs} (wasm backend ${info.isolated.tfjs_wasm}); ` +
              `${os.cpus().length} cores, load average ${load()}`);
  for (const [kind, i] of Object.entries(info)) {
    console.log(`${kind} page: crossOriginIsolated ${i.crossOriginIsolated}, TF.js wasm SIMD ${i.wasmSimd}, ` +
                `threads ${i.wasmThreads} (hardwareConcurrency ${i.hardwareConcurrency}; ${i.wasmBinary})`);
  }

  const results = {};  // workload -> row name -> [result of each run]
  for (const workload of Object.keys(workloads)) {
    results[workload] = {};
    for (let run = 1; run <= runs; run++) {
      for (const [name, kind, row] of rows) {
        await pages[kind].bringToFront();
        const r = await pages[kind].evaluate((row, w, e) => window.bench.measure(row, w, e),
          row, workload, epochs[workload]);
        (results[workload][name] ||= []).push(r);
        const rate = () => `${r.samplesPerSecond.toFixed(0)} samples/s (${r.epochs} epochs in ` +
                           `${r.seconds.toFixed(3)} s, loss ${r.loss.toPrecision(4)})`;
        console.log(`  ${workload} run ${run} ${name}: ${r.refused ? `refused: ${r.refused}` : rate()}`);
      }
    }
  }

  console.log(`\nload average ${load()}; samples/s, best of ${runs} (range); ${epochs.mnist} epochs of ` +
              `784-128relu-10, ${epochs.circle} of 2-8-8-1 (repeated up to 1 s), after one untimed`);
  console.log('| workload | row | samples/s | range | bpnn engine / row | last loss |');
  console.log('|---|---|---:|---|---:|---:|');
  const summary = [];
  for (const [workload, label] of Object.entries(workloads)) {
    const best = {};  // row name -> its best rate
    for (const [name, list] of Object.entries(results[workload])) {
      if (!list[0].refused) best[name] = Math.max(...list.map((r) => r.samplesPerSecond));
    }
    const bpnn = best['bpnn engine (TrainingRun)'];
    for (const [name, list] of Object.entries(results[workload])) {
      if (list[0].refused) {
        console.log(`| ${label} | ${name} | refused | ${list[0].refused.replace(/\|/g, '/')} | | |`);
        continue;
      }
      const rates = list.map((r) => r.samplesPerSecond), loss = list[rates.indexOf(best[name])].loss;
      console.log(`| ${label} | ${name} | ${best[name].toFixed(0)} | ${Math.min(...rates).toFixed(0)}-` +
                  `${best[name].toFixed(0)} | ${(bpnn / best[name]).toFixed(2)} | ${loss.toPrecision(4)} |`);
    }
    const [fastest, rate] = Object.entries(best).filter(([name]) => name.startsWith('TF.js'))
      .reduce((a, b) => (b[1] > a[1] ? b : a));
    summary.push(`${label}: bpnn engine / fastest TF.js (${fastest}) = ${(bpnn / rate).toFixed(2)}`);
  }
  console.log('');
  summary.forEach((line) => console.log(line));
} finally {
  await browser.close();
  Object.values(servers).forEach((s) => s.close());
  fs.rmSync(profile, { recursive: true, force: true });
}
