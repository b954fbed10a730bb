// The report in a real browser (Debian's chromium through playwright-core):
// it opens with no console error and no request leaving the page, and every
// chart draws a canvas with the marks it should have. Screenshots go to
// $UNIONSTATE_SCREENSHOTS (build/screenshots under ctest).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, statSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, watch } from './browser.mjs';
import { binary } from './server-util.mjs';

const shots = process.env.UNIONSTATE_SCREENSHOTS || new URL('../../build/screenshots', import.meta.url).pathname;
mkdirSync(shots, { recursive: true });
const dir = mkdtempSync(join(tmpdir(), 'unionstate-report-test-'));
let browser;

// The marks each chart must contain (Vega's mark types).
const expectedMarks = {
  strip: ['symbol', 'rect'], winsets: ['rect', 'symbol'],
  'trajectory-bdm': ['line'], 'trajectory-smp': ['line'], 'trajectory-exchange': ['line'],
  'convergence-bdm': ['rect'], 'convergence-smp': ['rect'], 'convergence-exchange': ['rect'],
  trades: ['rect', 'text'], 'distribution-1': ['rect'], 'agreement-1': ['rect', 'text'],
  'blockers-1': ['rect', 'text'], 'tornado-1': ['rect'],
  errors: ['rect'], 'forecast-vs-observed': ['symbol'],
  'agreement-time': ['line', 'symbol', 'rule'], 'agreement-time-1': ['area', 'line', 'symbol', 'rule'],
};

before(async () => { browser = await launch(); });
after(async () => { await browser.close(); rmSync(dir, { recursive: true, force: true }); });

async function openReport(file, name) {
  const page = await browser.newPage();
  const seen = watch(page);
  const started = Date.now();
  await page.goto('file://' + file);
  await page.waitForFunction(() => document.getElementById('report').dataset.chartsDrawn, null, { timeout: 60000 });
  const drawnMs = Date.now() - started;
  await page.screenshot({ path: join(shots, name + '.png') });
  // The charts draw on a canvas: the marks are counted from each Vega
  // view's scenegraph (what the canvas was painted from), and the canvas
  // itself must hold painted pixels.
  const charts = await page.evaluate(() => [...document.querySelectorAll('[data-chart]')].map(c => {
    const canvas = c.querySelector('canvas');
    let painted = 0;
    if (canvas && canvas.width > 0 && canvas.height > 0) {
      const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      // Ink: neither transparent nor the white background.
      for (let k = 0; k < pixels.length; k += 4) {
        if (pixels[k + 3] !== 0 && (pixels[k] < 250 || pixels[k + 1] < 250 || pixels[k + 2] < 250)) ++painted;
      }
    }
    return {
      id: c.dataset.chart, drawn: c.dataset.drawn === 'true', painted,
      counts: window.UnionstateReport.drawnMarks(c),
      tableRows: c.parentElement.querySelectorAll('table tbody tr').length,
    };
  }));
  return { page, seen, charts, drawnMs };
}

function checkCharts(charts) {
  assert.ok(charts.length > 0);
  for (const c of charts) {
    assert.ok(c.drawn, `${c.id} drawn`);
    assert.ok(c.painted > 0, `${c.id}: its canvas is blank`);
    const counts = {};
    for (const [type, n] of c.counts) counts[type] = (counts[type] || 0) + n;
    for (const type of expectedMarks[c.id] || []) {
      assert.ok((counts[type] || 0) > 0, `${c.id}: no ${type} marks (has ${JSON.stringify(counts)})`);
    }
    assert.ok(c.tableRows > 0, `${c.id}: its data table is empty`);
  }
}

test('scenario report with five models and an evaluation', async () => {
  const file = join(dir, 'us.html');
  execFileSync(binary, ['report', '--model', 'parity,nash,bdm,smp,exchange', '--observed',
    new URL('../../scenarios/union-state/observed-2021-11.toml', import.meta.url).pathname,
    '-o', file]);
  assert.ok(statSync(file).size < 3e6, 'under 3 MB');
  const { page, seen, charts, drawnMs } = await openReport(file, 'report-union-state');
  assert.deepEqual(seen.errors, []);
  assert.deepEqual(seen.requests, []);
  assert.deepEqual(charts.map(c => c.id), ['strip', 'agreement-time', 'winsets', 'trajectory-bdm', 'convergence-bdm',
    'trajectory-smp', 'convergence-smp', 'trajectory-exchange', 'convergence-exchange', 'trades',
    'errors', 'forecast-vs-observed']);
  checkCharts(charts);
  // The strip plot draws one circle per position and one tick per forecast.
  const strip = charts.find(c => c.id === 'strip');
  const symbols = strip.counts.filter(([t]) => t === 'symbol').reduce((s, [, n]) => s + n, 0);
  const positions = await page.evaluate(() => JSON.parse(document.getElementById('report-data').textContent)
    .sections[1].blocks[0].spec.data.values.filter(r => r.kind === 'position').length);
  assert.equal(symbols, positions);
  console.log(`# report drawn ${drawnMs} ms after opening (all charts)`);
  await page.locator('#block-strip').screenshot({ path: join(shots, 'report-strip.png') });
  await page.locator('#block-winsets').screenshot({ path: join(shots, 'report-winsets.png') });
  // One line per model and issue in the chart of agreement over time, and a
  // deadline rule per model and dated issue.
  const time = charts.find(c => c.id === 'agreement-time');
  const timeRows = await page.evaluate(() => JSON.parse(document.getElementById('report-data').textContent)
    .sections.find(s => s.id === 'time').blocks[0].spec.data.values);
  const lines = time.counts.filter(([t]) => t === 'line').reduce((s, [, n]) => s + n, 0);
  assert.equal(lines, new Set(timeRows.filter(r => r.kind === 'curve').map(r => r.issue + '/' + r.model)).size);
  const rules = time.counts.filter(([t]) => t === 'rule').reduce((s, [, n]) => s + n, 0);
  assert.equal(rules, timeRows.filter(r => r.kind === 'deadline').length);
  await page.locator('#block-agreement-time').screenshot({ path: join(shots, 'report-agreement-time.png') });
  await page.close();
});

test('results-database report', async () => {
  const db = join(dir, 'results.db');
  // More runs than uncertain inputs (151 positions), so sensitivities exist.
  execFileSync(binary, ['ensemble', '--model', 'nash', '--runs', '400', '--perturb',
    'positions=10', '--horizon', '2026-09-10', '--store', db, '-q']);
  const file = join(dir, 'ens.html');
  execFileSync(binary, ['report', db, '-o', file]);
  const { page, seen, charts } = await openReport(file, 'report-ensemble');
  assert.deepEqual(seen.errors, []);
  assert.deepEqual(seen.requests, []);
  assert.deepEqual(charts.map(c => c.id), ['distribution-1', 'agreement-1', 'agreement-time-1', 'blockers-1', 'tornado-1']);
  checkCharts(charts);
  await page.locator('#block-distribution-1').screenshot({ path: join(shots, 'report-distribution.png') });
  await page.locator('#block-agreement-time-1').screenshot({ path: join(shots, 'report-agreement-time-ensemble.png') });
  await page.close();
});

test('a table downloads as CSV with its rows', async () => {
  const file = join(dir, 'small.html');
  execFileSync(binary, ['report', '--model', 'nash', '-o', file]);
  const { page } = await openReport(file, 'report-small');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('#block-why button.csv').click(),
  ]);
  const path = join(dir, 'why.csv');
  await download.saveAs(path);
  const { readFileSync } = await import('node:fs');
  const lines = readFileSync(path, 'utf8').trim().split('\r\n');
  assert.equal(lines[0], 'issue,model,status quo,forecast,unit,agreement,blocked by,convergence,why');
  const rows = await page.locator('#block-why tbody tr').count();
  assert.equal(lines.length - 1, rows);
  assert.match(lines[1], /^gas_price,nash,128\.5,128\.5,USD per 1000 m3,no,ru_president,one-shot,/);
  await page.close();
});

test('the charts on screen draw first', async () => {
  // Opened at its "Agreement over time" section (far below the top), the
  // report draws that section's chart before any other.
  const file = join(dir, 'jump.html');
  execFileSync(binary, ['report', '--model', 'nash,bdm', '-o', file]);
  const page = await browser.newPage();
  const seen = watch(page);
  await page.goto('file://' + file + '#time');
  await page.waitForFunction(() => document.getElementById('report').dataset.chartsDrawn, null, { timeout: 60000 });
  const order = await page.evaluate(() => performance.getEntriesByType('measure')
    .filter(e => e.name.startsWith('chart:')).sort((a, b) => a.startTime - b.startTime).map(e => e.name.slice(6)));
  assert.deepEqual(seen.errors, []);
  assert.equal(order.length, 4);
  assert.equal(order[0], 'agreement-time');
  // Opened at the top, whose screen holds no chart: top to bottom.
  await page.goto('file://' + file);
  await page.waitForFunction(() => document.getElementById('report').dataset.chartsDrawn, null, { timeout: 60000 });
  const top = await page.evaluate(() => performance.getEntriesByType('measure')
    .filter(e => e.name.startsWith('chart:')).sort((a, b) => a.startTime - b.startTime).map(e => e.name.slice(6)));
  const documentOrder = await page.evaluate(() => [...document.querySelectorAll('[data-chart]')].map(c => c.dataset.chart));
  assert.deepEqual(top, documentOrder);
  assert.equal(top[0], 'strip');
  await page.close();
});
