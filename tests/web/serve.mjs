// Starts a server on 127.0.0.1 at a free port and resolves with its child process and base URL
// once it prints the URL (shared by the tests): startStaticServer(SITE) is a plain static file
// server (Python's http.server, as any static host), startBpnnServe(BPNN, SITE) is `bpnn serve`.
import { spawn } from 'node:child_process';

function started(command, args, pattern) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => { child.kill(); reject(new Error(`${command} printed no URL: ${out}`)); }, 10000);
    const read = (chunk) => {
      out += chunk;
      const m = out.match(pattern);
      if (m) { clearTimeout(timer); resolve({ child, url: `http://127.0.0.1:${m[1]}/` }); }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`${command} exited with ${code}: ${out}`)); });
  });
}

export function startStaticServer(site) {
  return started('/usr/bin/python3', ['-u', '-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', site],
    /port (\d+)/);
}

export function startBpnnServe(bpnn, site) {
  return started(bpnn, ['serve', '--port', '0', '--site', site], /http:\/\/127\.0\.0\.1:(\d+)\//);
}
