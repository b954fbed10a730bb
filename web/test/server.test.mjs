// `unionstate serve` refuses what it must, with a 4xx and a message, and
// keeps serving: path traversal, files outside its folder, oversized and
// malformed bodies, wrong fields, unknown models and routes. It writes
// nothing but the store.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { startServer, stopServer, binary } from './server-util.mjs';

const dir = mkdtempSync(join(tmpdir(), 'unionstate-serve-test-'));
const outside = mkdtempSync(join(tmpdir(), 'unionstate-outside-'));
let server, scenario;

before(async () => {
  mkdirSync(join(dir, 'sub'));
  const builtin = spawnSync(binary, ['run', '--model', 'nash'], { encoding: 'utf8' });
  assert.equal(builtin.status, 0);
  writeFileSync(join(dir, 'sub', 'hand.toml'),
    '[scenario]\nname = "hand"\n[[actors]]\nid = "a"\ncapability = 1\n[[actors]]\nid = "b"\ncapability = 1\n' +
    '[[issues]]\nid = "x"\nmin = 0\nmax = 100\nstatus_quo = 50\n' +
    '[[positions]]\nactor = "a"\nissue = "x"\nposition = 20\nsalience = 1\n' +
    '[[positions]]\nactor = "b"\nissue = "x"\nposition = 80\nsalience = 1\n');
  writeFileSync(join(outside, 'secret.toml'), '[scenario]\nname = "secret"\n');
  symlinkSync(join(outside, 'secret.toml'), join(dir, 'link.toml'));
  server = await startServer([], dir);
  scenario = (await (await fetch(server.url + '/api/scenario?source=builtin:2021-09.toml')).json()).scenario;
});
after(async () => {
  await stopServer(server);
  rmSync(dir, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

async function call(path, body, raw) {
  const init = body === undefined ? {} : { method: 'POST', body: raw ? body : JSON.stringify(body) };
  const r = await fetch(server.url + path, init);
  const text = await r.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: r.status, json, text };
}

test('opens files under its folder, and nothing else', async () => {
  const ok = await call('/api/scenario?source=file:sub/hand.toml');
  assert.equal(ok.status, 200);
  assert.equal(ok.json.scenario.name, 'hand');
  for (const bad of ['file:../' + outside.split('/').pop() + '/secret.toml', 'file:' + join(outside, 'secret.toml'),
    'file:/etc/passwd', 'file:sub/../../etc/passwd', 'file:link.toml']) {
    const r = await call('/api/scenario?source=' + encodeURIComponent(bad));
    assert.equal(r.status, 403, bad);
    assert.match(r.json.error, /outside the folder/);
  }
  const encoded = await call('/api/scenario?source=file:%2e%2e%2f%2e%2e%2fetc%2fpasswd');
  assert.equal(encoded.status, 403);
  const builtinMissing = await call('/api/scenario?source=builtin:../../etc/passwd');
  assert.equal(builtinMissing.status, 404);
  assert.match(builtinMissing.json.error, /no built-in scenario/);
  const noScheme = await call('/api/scenario?source=/etc/passwd');
  assert.equal(noScheme.status, 400);
});

test('oversized, malformed and wrong bodies get a 4xx with a message', async () => {
  const big = await call('/api/run', 'x'.repeat(2 * 1024 * 1024), true);
  assert.equal(big.status, 413);
  assert.match(big.json.error, /larger than the limit of 1048576 bytes/);
  const malformed = await call('/api/run', '{"scenario": ', true);
  assert.equal(malformed.status, 400);
  assert.match(malformed.json.error, /malformed JSON/);
  const notObject = await call('/api/run', '[1, 2]', true);
  assert.equal(notObject.status, 400);
  const noScenario = await call('/api/run', { models: ['nash'] });
  assert.equal(noScenario.status, 400);
  const wrongType = await call('/api/run', { scenario: { ...scenario, actors: 'many' }, models: ['nash'] });
  assert.equal(wrongType.status, 422);
  assert.match(wrongType.json.error, /"actors" is string; expected an array/);
  const badSalience = structuredClone(scenario);
  badSalience.positions[0].salience = 7;
  const invalid = await call('/api/run', { scenario: badSalience, models: ['nash'] });
  assert.equal(invalid.status, 422);
  assert.match(invalid.json.error, /edited-scenario\.toml:\d+:\d+: .*salience/);
  const injected = await call('/api/run', { scenario: { ...scenario, as_of: '2021-09-10\n[[actors]]' }, models: ['nash'] });
  assert.equal(injected.status, 422);
  assert.match(injected.json.error, /expected a date/);
  const unknownModel = await call('/api/run', { scenario, models: ['nosuch'] });
  assert.equal(unknownModel.status, 400);
  assert.match(unknownModel.json.error, /nosuch/);
  const runs = await call('/api/ensemble', { scenario, model: 'nash', runs: -5 });
  assert.equal(runs.status, 400);
  const route = await call('/api/nothing');
  assert.equal(route.status, 404);
  assert.match(route.json.error, /no such page or route/);
  const job = await call('/api/ensemble/999');
  assert.equal(job.status, 404);
  // Still serving.
  const alive = await call('/api/sources');
  assert.equal(alive.status, 200);
  assert.equal(server.child.exitCode, null);
});

test('the export is TOML that validate accepts, and the server wrote nothing', async () => {
  const r = await call('/api/export', { scenario });
  assert.equal(r.status, 200);
  const file = join(outside, 'exported.toml');
  writeFileSync(file, r.text);
  const v = spawnSync(binary, ['validate', file], { encoding: 'utf8' });
  assert.equal(v.status, 0, v.stderr);
  // The export holds what the built-in scenario holds: the same counts as
  // validating the built-in file itself.
  const original = spawnSync(binary, ['validate', 'scenarios/union-state/2021-09.toml'],
                             { encoding: 'utf8', cwd: join(import.meta.dirname, '..', '..') });
  assert.equal(original.status, 0, original.stderr);
  const counts = original.stdout.match(/\d+ actors, \d+ issues, \d+ positions/)[0];
  assert.match(v.stdout, new RegExp('^ok: .*' + counts));
  assert.deepEqual(readdirSync(dir).sort(), ['link.toml', 'sub']);
  assert.deepEqual(readdirSync(join(dir, 'sub')), ['hand.toml']);
});

test('listening on another address warns', async () => {
  const other = await startServer(['--host', '0.0.0.0'], dir);
  await new Promise(r => setTimeout(r, 200));
  assert.match(other.stderr(), /warning: listening on 0\.0\.0\.0, not 127\.0\.0\.1/);
  await stopServer(other);
});
