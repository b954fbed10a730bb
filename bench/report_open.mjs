// Benchmark (not a test): how fast the Union State report opens in a real
// browser, and how much it weighs (issue 16: "opens in under 2 s and weighs
// under 3 MB"). Run from the repository root after building and `npm ci` in
// web/:
//   node bench/report_open.mjs [loads]        (default 7)
//
// It writes `unionstate report --model parity,nash,bdm,smp,exchange` on the
// built-in scenario (timing that command too), then opens the file `loads`
// times, each in a freshly started headless Chromium (Debian's
// /usr/bin/chromium through playwright-core, as the browser tests; a cold
// open, like double-clicking the file), and reports min / median / max of:
//   * drawn: the time from navigation start (performance.timeOrigin) to the
//     moment the last chart has drawn (on its canvas) -- the 'unionstate-charts-drawn'
//     performance mark web/report/report.js sets after the last vegaEmbed()
//     has resolved;
//   * first screen: from navigation start to the moment every chart in the
//     first screenful (the browser's 1400 x 1000 window at the top of the
//     page) has drawn -- report.js draws the charts on screen first --, or
//     first paint when that screen holds no chart;
//   * first paint: the browser's first-contentful-paint;
//   * main-thread CPU: Chrome's ThreadTime (CPU time of the renderer's main
//     thread) and TaskDuration (time in its tasks), from the DevTools
//     protocol's Performance.getMetrics when the last chart has drawn; CPU
//     time is less sensitive than wall time to other processes on a loaded
//     machine;
// and, from the median load, the charts that took longest (report.js
// measures each vegaEmbed() as 'chart:ID').
import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync, rmSync } from 'node:fs';
import { loadavg, tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { launch } from '../web/test/browser.mjs';

const loads = Number(process.argv[2] || 7);
const binary = process.env.UNIONSTATE_BINARY || 'build/unionstate';
const dir = mkdtempSync(join(tmpdir(), 'unionstate-report-bench-'));
const file = join(dir, 'us.html');

const t0 = performance.now();
execFileSync(binary, ['report', '--model', 'parity,nash,bdm,smp,exchange', '-o', file]);
const commandMs = performance.now() - t0;
const bytes = statSync(file).size;

const results = [];
for (let k = 0; k < loads; ++k) {
  const browser = await launch();
  const page = await browser.newPage();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
  const errors = [];
  page.on('pageerror', e => errors.push(String(e)));
  await page.goto('file://' + file);
  await page.waitForFunction(() => performance.getEntriesByName('unionstate-charts-drawn').length > 0,
    null, { timeout: 120000, polling: 50 });
  const { metrics } = await cdp.send('Performance.getMetrics');
  const m = Object.fromEntries(metrics.map(x => [x.name, x.value]));
  const timing = await page.evaluate(() => ({
    drawn: performance.getEntriesByName('unionstate-charts-drawn')[0].startTime,
    paint: (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime,
    charts: performance.getEntriesByType('measure').filter(e => e.name.startsWith('chart:'))
      .map(e => [e.name.slice(6), e.duration, e.startTime + e.duration]),
    onScreen: [...document.querySelectorAll('[data-chart]')].filter(c => {
      const r = c.getBoundingClientRect();
      return r.top < window.innerHeight && r.bottom > 0;
    }).map(c => c.dataset.chart),
    count: document.querySelectorAll('[data-chart][data-drawn="true"]').length,
    total: document.querySelectorAll('[data-chart]').length,
  }));
  if (errors.length || timing.count !== timing.total) {
    throw new Error(`load ${k}: ${timing.count} of ${timing.total} charts drawn; errors: ${errors}`);
  }
  const ends = timing.charts.filter(([id]) => timing.onScreen.includes(id)).map(([, , end]) => end);
  timing.firstScreen = ends.length ? Math.max(...ends) : timing.paint;
  results.push({ ...timing, threadMs: m.ThreadTime * 1000, taskMs: m.TaskDuration * 1000,
    scriptMs: m.ScriptDuration * 1000, layoutMs: (m.LayoutDuration + m.RecalcStyleDuration) * 1000 });
  await browser.close();
}
rmSync(dir, { recursive: true, force: true });

const stat = key => {
  const v = results.map(r => r[key]).sort((a, b) => a - b);
  return `${v[0].toFixed(0)} / ${v[Math.floor(v.length / 2)].toFixed(0)} / ${v[v.length - 1].toFixed(0)} ms`;
};
console.log(`report: ${(bytes / 1e6).toFixed(2)} MB (${bytes} bytes), ${results[0].total} charts; ` +
  `\`unionstate report\` took ${commandMs.toFixed(0)} ms`);
console.log(`machine: ${cpus().length} cores, load average ${loadavg().map(x => x.toFixed(1)).join(' ')}`);
console.log(`over ${loads} cold loads, min / median / max:`);
console.log(`  navigation start -> last chart drawn  ${stat('drawn')}`);
console.log(`  navigation start -> first screen drawn ${stat('firstScreen')} ` +
  `(charts on it: ${results[0].onScreen.join(', ') || 'none'})`);
console.log(`  first contentful paint                ${stat('paint')}`);
console.log(`  main-thread CPU (ThreadTime)          ${stat('threadMs')}`);
console.log(`  main-thread task time (TaskDuration)  ${stat('taskMs')}`);
console.log(`    of which script                     ${stat('scriptMs')}`);
console.log(`    of which style and layout           ${stat('layoutMs')}`);
const median = [...results].sort((a, b) => a.drawn - b.drawn)[Math.floor(results.length / 2)];
console.log('slowest charts of the median load: ' + median.charts.sort((a, b) => b[1] - a[1]).slice(0, 6)
  .map(([id, ms]) => `${id} ${ms.toFixed(0)} ms`).join(', '));
