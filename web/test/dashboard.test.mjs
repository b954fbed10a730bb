// The dashboard in a real browser: change a salience, and the forecast the
// page shows is the one the command line computes for the same edited
// scenario, written independently here from the built-in TOML file. Then an
// ensemble runs to the end and lands in the store, and the store is browsed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { launch, watch } from './browser.mjs';
import { startServer, stopServer, binary } from './server-util.mjs';

const shots = process.env.UNIONSTATE_SCREENSHOTS || new URL('../../build/screenshots', import.meta.url).pathname;
mkdirSync(shots, { recursive: true });
const dir = mkdtempSync(join(tmpdir(), 'unionstate-dashboard-test-'));
const store = join(dir, 'results.db');
let server, browser, page, seen;

before(async () => {
  server = await startServer(['--store', store], dir);
  browser = await launch();
  page = await browser.newPage();
  seen = watch(page, server.url);
  await page.goto(server.url + '/');
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60000 });
});
after(async () => {
  await browser.close();
  await stopServer(server);
  rmSync(dir, { recursive: true, force: true });
});

// The built-in scenario with one salience replaced, edited as text.
function editedToml(actor, issue, salience) {
  const text = readFileSync(new URL('../../scenarios/union-state/2021-09.toml', import.meta.url), 'utf8');
  const block = new RegExp(`(\\[\\[positions\\]\\]\\nactor = "${actor}"\\nissue = "${issue}"\\n(?:.*\\n)*?)salience = [^\\n]*\\n`);
  assert.match(text, block);
  return text.replace(block, `$1salience = ${salience}\n`);
}

function cliOutcome(file, model, issue) {
  const r = spawnSync(binary, ['run', file, '--model', model], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout).issues.find(i => i.id === issue).outcome;
}

async function shown(model, issue) {
  return Number(await page.locator(`#forecast-table td[data-model="${model}"][data-issue="${issue}"]`).getAttribute('data-outcome'));
}

test('changing a salience shows the forecast the CLI computes for the edited scenario', async () => {
  const before = await shown('parity', 'gas_price');
  await page.selectOption('#issue', 'gas_price');
  const runs = Number(await page.getAttribute('body', 'data-runs'));
  const input = page.locator('#positions input[data-actor="by_president"][data-field="salience"]');
  await input.fill('0.2');
  await input.press('Enter');
  await input.blur();
  await page.waitForFunction(n => Number(document.body.dataset.drawn) > n, runs, { timeout: 60000 });
  const file = join(dir, '..', 'unionstate-edited-' + process.pid + '.toml');
  writeFileSync(file, editedToml('by_president', 'gas_price', 0.2));
  for (const model of ['parity', 'nash']) {
    const expected = cliOutcome(file, model, 'gas_price');
    assert.equal(await shown(model, 'gas_price'), expected, model);
  }
  assert.notEqual(await shown('parity', 'gas_price'), before, 'the edit changed the parity forecast');
  rmSync(file);
  await page.screenshot({ path: join(shots, 'dashboard.png') });
  assert.deepEqual(seen.errors, []);
  assert.deepEqual(seen.requests, []);
});

test('an ensemble runs with progress, lands in the store, and the store is browsed', async () => {
  await page.fill('#ens-runs', '200');
  await page.selectOption('#ens-model', 'nash');
  await page.click('#ens-start');
  await page.waitForFunction(() => /^Done: 200 runs/.test(document.getElementById('ens-status').textContent), null, { timeout: 120000 });
  assert.equal(await page.locator('#ens-progress').evaluate(p => p.value), 200);
  await page.waitForSelector('#store-view [data-chart="distribution-1"][data-drawn="true"]', { timeout: 60000 });
  const rows = await page.locator('#ensemble-view tbody tr').count();
  // One row per issue of the built-in scenario, as `unionstate show` lists them.
  const issues = (await (await fetch(server.url + '/api/scenario?source=builtin:2021-09.toml')).json()).scenario.issues.length;
  assert.equal(rows, issues);
  // The server wrote the store and nothing else.
  assert.deepEqual(readdirSync(dir).filter(f => !f.startsWith('results.db')), []);
  const shown = spawnSync(binary, ['show', store], { encoding: 'utf8' });
  assert.equal(shown.status, 0);
  assert.match(shown.stdout, /200 stored of 200 requested/);
  assert.deepEqual(seen.errors, []);
  await page.screenshot({ path: join(shots, 'dashboard-ensemble.png'), fullPage: false });
});
