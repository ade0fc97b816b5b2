// The playground's bad requests (bad_requests.mjs) through the native API (api_replay), which the
// sanitizer builds build with AddressSanitizer and UndefinedBehaviorSanitizer: each answered 4xx
// with {"error": "..."}, twice over, and a good request works after them.
// Usage: node bad_requests.test.mjs API_REPLAY
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { bad, setup } from './bad_requests.mjs';

const replay = process.argv[2];
const line = ([action, body, raw]) => JSON.stringify({ action, body: raw ? body : JSON.stringify(body) });
const requests = [...setup, ...bad, ...bad, ['data', { set: 'xnor' }], ['step', { unit: 'epoch', count: 10 }]];
const run = spawnSync(replay, { input: requests.map(line).join('\n') + '\n', encoding: 'utf8', maxBuffer: 1 << 28 });
assert.equal(run.status, 0, `api_replay exited with ${run.status}: ${run.stderr.slice(0, 2000)}`);
const replies = run.stdout.trim().split('\n').map((text) => JSON.parse(text));
assert.equal(replies.length, requests.length);
replies.forEach((r, k) => {
  const [action, body, raw] = requests[k];
  const shown = `${action} ${(raw ? body : JSON.stringify(body)).slice(0, 80)}`;
  if (k < setup.length || k >= setup.length + 2 * bad.length) {
    assert.equal(r.status, 200, `${shown}: ${r.body.slice(0, 200)}`);
    return;
  }
  assert.ok(r.status >= 400 && r.status < 500, `${shown} -> ${r.status} ${r.body.slice(0, 200)}`);
  const reply = JSON.parse(r.body);
  assert.deepEqual(Object.keys(reply), ['error'], shown);
  assert.ok(typeof reply.error === 'string' && reply.error.length > 0, `a message for ${shown}`);
});
assert.equal(JSON.parse(replies.at(-1).body).iteration, 10);
console.log(`ok   ${2 * bad.length} bad requests answered 4xx with a message by the native API; it goes on`);
