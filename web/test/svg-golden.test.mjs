// The report's Vega-Lite specifications rendered to SVG in Node (no
// browser), compared with tests/golden/svg/*.svg. A change of chart or data
// shows up as a reviewable diff; scripts/regen-golden.sh rewrites them
// (UNIONSTATE_UPDATE_GOLDEN=1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import { binary } from './server-util.mjs';

const goldenDir = new URL('../../tests/golden/svg/', import.meta.url).pathname;
const update = process.env.UNIONSTATE_UPDATE_GOLDEN === '1';

function reportDocument(args) {
  const html = execFileSync(binary, ['report', ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const open = '<script type="application/json" id="report-data">';
  const start = html.indexOf(open) + open.length;
  return JSON.parse(html.slice(start, html.indexOf('</script>', start)));
}

async function toSvg(spec) {
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  return view.toSVG();
}

const cases = {
  // Small, hand-checkable scenarios from the corpus, each chart kind once.
  'linked-package-parity': ['scenarios/examples/linked-package.toml', '--model', 'parity,nash'],
  'exchange-sample': ['SHARED/oracles/exchange_model/sample_data.txt', '--model', 'exchange,bdm'],
  // Dated, with a reference class: the chart of agreement over time.
  'time-two-states': ['tests/data/time/two_states.toml', '--model', 'parity,nash', '--horizon', '2026-12-31'],
};

test('every chart of the corpus reports renders to its golden SVG', async () => {
  const shared = process.env.UNIONSTATE_SHARED_DIR || new URL('../../../shared', import.meta.url).pathname;
  mkdirSync(goldenDir, { recursive: true });
  let compared = 0;
  for (const [name, rawArgs] of Object.entries(cases)) {
    const args = rawArgs.map(a => a.replace('SHARED', shared)).map(a =>
      /^(scenarios|tests)\//.test(a) ? new URL('../../' + a, import.meta.url).pathname : a);
    const doc = reportDocument(args);
    for (const section of doc.sections) {
      for (const block of section.blocks) {
        if (block.kind !== 'chart') continue;
        const svg = await toSvg(block.spec);
        assert.match(svg, /<svg[^>]*>.*role-mark/s, `${name}/${block.id} draws marks`);
        const file = goldenDir + `${name}-${block.id}.svg`;
        if (update || !existsSync(file)) {
          assert.ok(update, `missing golden ${file}: run scripts/regen-golden.sh`);
          writeFileSync(file, svg);
        } else {
          assert.equal(svg, readFileSync(file, 'utf8'), `${file} differs: review, then scripts/regen-golden.sh`);
        }
        ++compared;
      }
    }
  }
  assert.ok(compared >= 6, `compared ${compared} charts`);
});
