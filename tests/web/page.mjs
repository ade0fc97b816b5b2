// What the site's browser tests share: the site served by a plain static server (Python's
// http.server), headless Chromium on it, the page's JavaScript errors collected, and "copy as
// command" checked against the native CLI bit for bit.
//   const t = await openSite(SITE_DIR, BPNN, ARTIFACT_DIR);  // t.page is open and the engine ready
//   ... t.text(selector), await t.reproduce('label'), t.screenshot('name') ...
//   await t.finish(failed)  // asserts no JavaScript error (unless failed), closes all; exit status
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import puppeteer from 'puppeteer-core';
import { startStaticServer } from './serve.mjs';

// A safetensors file's tensors: name -> raw little-endian bytes.
export function tensors(file) {
  const bytes = fs.readFileSync(file);
  const length = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + length).toString('utf8'));
  const out = {};
  for (const [name, t] of Object.entries(header)) {
    if (name !== '__metadata__') out[name] = { dtype: t.dtype, shape: t.shape, data: bytes.subarray(8 + length + t.data_offsets[0], 8 + length + t.data_offsets[1]) };
  }
  return out;
}

export async function openSite(siteDir, bpnnPath, artifactDir) {
  const [site, bpnn, artifacts] = [siteDir, bpnnPath, artifactDir].map((a) => path.resolve(a));
  fs.mkdirSync(artifacts, { recursive: true });
  const { child, url } = await startStaticServer(site);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'bpnn-chromium-'));
  const downloads = fs.mkdtempSync(path.join(os.tmpdir(), 'bpnn-downloads-'));
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`],
    downloadBehavior: { policy: 'allow', downloadPath: downloads },
  });
  const errors = [];
  // A new tab on the site (at address, a '#...' of the page's state), its errors collected.
  async function open(address = '') {
    const tab = await browser.newPage();
    await tab.setViewport({ width: 1400, height: 900, deviceScaleFactor: 0.75 });  // smaller screenshots, still legible
    tab.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    tab.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
    await tab.goto(url + address, { waitUntil: 'load' });
    await tab.waitForFunction(() => window.bpnnState.ready, { timeout: 20000 });
    return tab;
  }
  const page = await open();
  async function downloaded(name) {
    const file = path.join(downloads, name);
    for (let k = 0; k < 100 && !fs.existsSync(file); k++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(fs.existsSync(file), `the page downloaded ${name}`);
    return file;
  }
  // "copy as command": runs the page's bpnn train command on the page's downloaded CSV and checks
  // the weights it saves are the page's, bit for bit, and the page's downloaded model the same; the
  // downloaded model loads in bpnn inspect, which prints the page's weights.
  async function reproduce(label, tab = page) {
    await tab.evaluate(() => { window.bpnnState.export = null; });
    await tab.click('#copy-command');
    await tab.waitForFunction(() => window.bpnnState.export, { timeout: 20000 });
    const e = await tab.evaluate(() => window.bpnnState.export);
    assert.ok(e.exact, `${label}: the command reproduces the page: ${e.note}`);
    assert.ok((await tab.$eval('#command', (el) => el.textContent)).startsWith(e.command));
    await tab.click('#download-csv');
    await tab.click('#download-model');
    const csv = await downloaded(e.csv_name);
    const model = await downloaded(e.model_name);
    assert.equal(fs.readFileSync(csv, 'utf8'), e.csv);
    const work = fs.mkdtempSync(path.join(os.tmpdir(), `bpnn-${label}-`));
    fs.copyFileSync(csv, path.join(work, e.csv_name));
    const run = spawnSync('bash', ['-c', e.command.replace(/^bpnn /, `'${bpnn}' `)], { cwd: work, encoding: 'utf8' });
    assert.equal(run.status, 0, `${e.command}: ${run.stderr}`);
    const pageModel = tensors(model), cli = tensors(path.join(work, e.model_name));
    assert.ok(fs.readFileSync(model).equals(fs.readFileSync(path.join(work, e.model_name))),
      `${label}: bpnn train's model file is the page's, byte for byte`);
    const state = await tab.evaluate(() => window.bpnnState);
    assert.deepEqual(Object.keys(cli).sort(), Object.keys(state.tensors).sort());
    for (const [name, t] of Object.entries(cli)) {
      assert.equal(t.dtype, 'F32');
      assert.ok(t.data.equals(pageModel[name].data), `${label}: ${name} of bpnn train and of the page's model are the same bytes`);
      const floats = new Float32Array(t.data.buffer.slice(t.data.byteOffset, t.data.byteOffset + t.data.length));
      assert.deepEqual([...floats], state.tensors[name], `${label}: ${name} as the page shows it`);
    }
    // bpnn inspect loads the downloaded model and prints every weight (%.9g: the float exactly).
    const printed = execFileSync(bpnn, ['inspect', '--model', model, '--weights'], { encoding: 'utf8' });
    for (const [name, values] of Object.entries(state.tensors)) {
      const block = printed.split(`\n${name} [`)[1];
      assert.ok(block, `bpnn inspect prints ${name}`);
      const numbers = block.split('\n').slice(1).join(' ').trim().split(/\s+/).slice(0, values.length).map((v) => Math.fround(Number(v)));
      assert.deepEqual(numbers, values, `${label}: bpnn inspect shows the page's ${name}`);
    }
    fs.rmSync(work, { recursive: true, force: true });
    // Gone, so that a later run's download of the same name is waited for, not this one read again.
    for (const file of [csv, model]) fs.rmSync(file, { force: true });
    return e;
  }
  return {
    browser, page, url, bpnn, artifacts, errors, open, reproduce,
    text: (selector, tab = page) => tab.$eval(selector, (el) => el.textContent),
    screenshot: (name, tab = page) => tab.screenshot({ path: path.join(artifacts, `${name}.png`) }),
    // Ends the test: no JavaScript error and no refused request (unless it failed already), then
    // everything closed; resolves with the exit status.
    async finish(failed) {
      try {
        if (!failed) {
          assert.deepEqual(errors, [], 'no JavaScript error');
          assert.deepEqual(await page.evaluate(() => window.bpnnState.errors), [], 'no refused request');
        }
      } catch (e) {
        console.error(e);
        failed = true;
      }
      if (failed && errors.length) console.error('page errors:', errors);
      await browser.close();
      child.kill();
      fs.rmSync(profile, { recursive: true, force: true });
      fs.rmSync(downloads, { recursive: true, force: true });
      return failed ? 1 : 0;
    },
  };
}
