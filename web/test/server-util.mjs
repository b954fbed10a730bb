// Starts `unionstate serve --port 0` in a folder and reads the port it
// prints.
import { spawn } from 'node:child_process';

export const binary = process.env.UNIONSTATE_BINARY || new URL('../../build/unionstate', import.meta.url).pathname;

export function startServer(args = [], cwd = process.cwd()) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ['serve', '--port', '0', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    const timer = setTimeout(() => reject(new Error('serve did not start: ' + err)), 20000);
    child.stdout.on('data', d => {
      out += d;
      const m = out.match(/http:\/\/[^:/]+:(\d+)\//);
      if (m) { clearTimeout(timer); resolve({ child, url: `http://127.0.0.1:${m[1]}`, stderr: () => err }); }
    });
    child.stderr.on('data', d => { err += d; });
    child.on('exit', code => { clearTimeout(timer); reject(new Error(`serve exited ${code}: ${err}`)); });
  });
}

export function stopServer(server) {
  return new Promise(resolve => {
    if (server.child.exitCode !== null) return resolve(server.child.exitCode);
    server.child.removeAllListeners('exit');
    server.child.on('exit', code => resolve(code));
    server.child.kill('SIGTERM');
  });
}
