// Starts `bpnn serve --port 0` and resolves with its base URL once it prints it (shared by the tests).
import { spawn } from 'node:child_process';

export function startServer(bpnn) {
  return new Promise((resolve, reject) => {
    const child = spawn(bpnn, ['serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`bpnn serve printed no URL: ${out}`)), 10000);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/http:\/\/127\.0\.0\.1:(\d+)\//);
      if (m) { clearTimeout(timer); resolve({ child, url: m[0] }); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`bpnn serve exited with ${code}: ${out}`)); });
  });
}
