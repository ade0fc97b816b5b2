// bpnn serve hands out the playground's site as a static host would, with the headers of
// cross-origin isolation (what a threaded WebAssembly build needs) and the .wasm's media type, and
// nothing outside the site's folder. Usage: node serve.test.mjs BPNN SITE_DIR
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { startBpnnServe } from './serve.mjs';

const [bpnn, site] = process.argv.slice(2).map((a) => path.resolve(a));
const { child, url } = await startBpnnServe(bpnn, site);
let failed = false;
try {
  const index = await fetch(url);
  assert.equal(index.status, 200);
  assert.equal(await index.text(), fs.readFileSync(path.join(site, 'index.html'), 'utf8'));
  assert.equal(index.headers.get('cross-origin-opener-policy'), 'same-origin');
  assert.equal(index.headers.get('cross-origin-embedder-policy'), 'require-corp');
  const wasm = await fetch(`${url}engine.wasm`);
  assert.equal(wasm.status, 200);
  assert.equal(wasm.headers.get('content-type'), 'application/wasm');
  assert.ok(Buffer.from(await wasm.arrayBuffer()).equals(fs.readFileSync(path.join(site, 'engine.wasm'))));
  for (const missing of ['nothing-here.js', '..%2F..%2Fetc%2Fpasswd', '%2e%2e/%2e%2e/etc/passwd']) {
    const reply = await fetch(url + missing);
    assert.equal(reply.status, 404, missing);
    assert.match(await reply.text(), /no such file/);
  }
  // A folder without a site, and no site at all: refused with a message, exit status 1.
  const empty = fs.mkdtempSync(path.join(path.dirname(site), 'no-site-'));
  const refused = spawnSync(bpnn, ['serve', '--port', '0', '--site', empty], { encoding: 'utf8', timeout: 10000 });
  fs.rmSync(empty, { recursive: true });
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /holds no index\.html.*scripts\/site\.sh/);
  console.log('serve: all checks passed');
} catch (e) {
  failed = true;
  console.error(e);
} finally {
  child.kill();
}
process.exit(failed ? 1 : 0);
