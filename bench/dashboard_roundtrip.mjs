// Benchmark (not a test): the dashboard's round trip, end to end from a
// client -- HTTP request with the edited Union State scenario, TOML
// validation, model run, "why", report sections, JSON answer -- for the
// models the issue names. Run from the repository root after building:
//   node bench/dashboard_roundtrip.mjs [runs-per-model]
import { startServer, stopServer } from '../web/test/server-util.mjs';

const runs = Number(process.argv[2] || 20);
const server = await startServer([], process.cwd());
const scenario = (await (await fetch(server.url + '/api/scenario?source=builtin:2021-09.toml')).json()).scenario;
for (const model of ['compromise', 'nash', 'parity', 'bdm', 'smp', 'exchange']) {
  const times = [];
  let serverMs = 0;
  for (let k = 0; k <= runs; ++k) {
    const t0 = performance.now();
    const r = await fetch(server.url + '/api/run', { method: 'POST', body: JSON.stringify({ scenario, models: [model] }) });
    const body = await r.json();
    if (k > 0) { times.push(performance.now() - t0); serverMs += body.server_ms; }  // run 0 warms up
  }
  times.sort((a, b) => a - b);
  console.log(`${model.padEnd(10)} round trip median ${times[Math.floor(times.length / 2)].toFixed(1)} ms, ` +
    `p90 ${times[Math.floor(times.length * 0.9)].toFixed(1)} ms; inside the server ${(serverMs / runs).toFixed(1)} ms mean`);
}
await stopServer(server);
