// Draws a unionstate report: the document the library wrote (see
// src/report/report_data.h) into sections of charts (Vega-Lite, through
// vega-embed) and tables. Every chart gets its rows as a table beside it and
// a CSV download. Used by the self-contained report and by the dashboard.
(function () {
  'use strict';

  const numberFormat = new Intl.NumberFormat('en', { maximumSignificantDigits: 6 });
  const rowLimit = 250;

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'text') node.textContent = v; else node.setAttribute(k, v);
    }
    for (const c of children || []) if (c) node.appendChild(c);
    return node;
  }

  function cellText(v) {
    if (v === null || v === undefined) return '';
    if (typeof v === 'number') return numberFormat.format(v);
    return String(v);
  }

  function csvField(v) {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }

  function toCsv(columns, rows) {
    const lines = [columns.map(c => csvField(c[1])).join(',')];
    for (const r of rows) lines.push(columns.map(c => csvField(r[c[0]])).join(','));
    return lines.join('\r\n') + '\r\n';
  }

  function dataTable(id, columns, rows) {
    const head = el('tr', {}, columns.map(c => el('th', { scope: 'col', text: c[1] })));
    const body = el('tbody');
    const addRows = (from, to) => {
      const fragment = document.createDocumentFragment();
      for (const r of rows.slice(from, to)) {
        const tr = document.createElement('tr');
        for (const c of columns) {
          const v = r[c[0]];
          const td = el('td', { text: cellText(v) });
          if (typeof v === 'number') td.className = 'num';
          if (c[0] === 'why') td.className = 'why';
          tr.appendChild(td);
        }
        fragment.appendChild(tr);
      }
      body.appendChild(fragment);
    };
    // Long tables show their first rows and the rest on request (the CSV
    // always holds every row): thousands of rows would slow the page down.
    addRows(0, rowLimit);
    let more = null;
    if (rows.length > rowLimit) {
      more = el('button', { type: 'button', class: 'csv more', text: `Show all ${rows.length} rows` });
      more.addEventListener('click', () => { addRows(rowLimit, rows.length); more.remove(); });
    }
    const button = el('button', { type: 'button', class: 'csv', text: 'Download CSV' });
    button.addEventListener('click', () => {
      const blob = new Blob([toCsv(columns, rows)], { type: 'text/csv' });
      const a = el('a', { href: URL.createObjectURL(blob), download: id + '.csv' });
      document.body.appendChild(a);
      a.click();
      setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 0);
    });
    return el('div', { class: 'data' }, [
      el('div', { class: 'tools' }, [el('span', { text: rows.length + ' rows' }), button]),
      el('div', { class: 'scroll' }, [el('table', { 'data-table': id }, [el('thead', {}, [head]), body])]),
      more
    ]);
  }

  function block(b, pending) {
    const box = el('div', { class: 'block', id: 'block-' + b.id, 'data-kind': b.kind }, [
      el('h3', { text: b.title }),
      b.caption ? el('p', { class: 'caption', text: b.caption }) : null
    ]);
    if (b.kind === 'chart') {
      const rows = (b.spec.data && b.spec.data.values) || [];
      const chart = el('div', { class: 'chart', 'data-chart': b.id, role: 'img', 'aria-label': b.title });
      box.appendChild(el('div', { class: 'pair' }, [chart, dataTable(b.id, b.columns, rows)]));
      pending.push({ chart, spec: b.spec });
    } else {
      box.appendChild(dataTable(b.id, b.columns, b.rows));
    }
    return box;
  }

  // The Vega view behind each drawn chart element: the browser tests count
  // its marks from the scenegraph (a canvas has no mark elements to count),
  // and a re-render (the dashboard) finalizes the old views.
  const views = new WeakMap();

  // The marks a chart drew, as [type, count] per mark of role 'mark' (axes,
  // legends and titles excluded), counted as the SVG renderer would draw
  // them: one element per item, one path per line or area.
  function drawnMarks(chart) {
    const view = views.get(chart);
    const out = [];
    const visit = node => {
      if (!node) return;
      if (node.marktype) {
        const items = node.items || [];
        if (node.role === 'mark') {
          const single = node.marktype === 'line' || node.marktype === 'area' || node.marktype === 'trail';
          out.push([node.marktype, single ? (items.length ? 1 : 0) : items.length]);
        }
        for (const item of items) if (item.items) for (const child of item.items) visit(child);
      }
    };
    if (view) visit(view.scenegraph().root);
    return out;
  }

  // Draws `doc` into `root`; resolves when every chart is drawn.
  function render(doc, root, options) {
    options = options || {};
    for (const chart of root.querySelectorAll('[data-chart]')) {
      const view = views.get(chart);
      if (view) view.finalize();
    }
    root.textContent = '';
    const pending = [];
    if (!options.bare) {
      root.appendChild(el('header', { class: 'top' }, [
        el('h1', { text: doc.title }), el('p', { text: doc.subtitle || '' })]));
      root.appendChild(el('nav', { class: 'toc', 'aria-label': 'Sections' },
        doc.sections.map(s => el('a', { href: '#' + s.id, text: s.title }))));
    }
    const content = el('div', { class: 'content' });
    for (const s of doc.sections) {
      const part = el('section', { class: 'part', id: s.id }, [
        el('h2', { text: s.title }), s.intro ? el('p', { class: 'intro', text: s.intro }) : null]);
      for (const b of s.blocks) part.appendChild(block(b, pending));
      content.appendChild(part);
    }
    root.appendChild(content);
    if (!options.bare) {
      root.appendChild(el('footer', { text: 'Written by unionstate report. Charts: Vega-Lite; ' +
        'every chart\u2019s data is in the table beside it. This file makes no network requests.' }));
    }
    // One chart at a time, yielding to the browser between them: the page
    // is readable at once and the charts fill in. Those on screen go first,
    // then the rest from the top; a chart scrolled into view (or reached
    // through the contents) jumps the queue, so what the reader looks at
    // draws next. Every chart is drawn in the end.
    // A link to a section (report.html#time) opens there: the page is
    // built by this script, after the browser looked for the fragment.
    if (!options.bare && location.hash.length > 1) {
      const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
      if (target) target.scrollIntoView();
    }
    // The charts on screen come from the observer's first report, made in
    // the browser's own next rendering step: asking for positions here
    // (getBoundingClientRect) would force a layout of the whole page at once.
    const queue = pending.slice();
    let observed = null;
    const firstReport = new Promise(resolve => { observed = resolve; });
    const observer = 'IntersectionObserver' in window ? new IntersectionObserver(entries => {
      // Backwards, so that of several at once the topmost ends up first.
      for (const e of [...entries].reverse()) {
        if (!e.isIntersecting) continue;
        const at = queue.findIndex(p => p.chart === e.target);
        if (at > 0) queue.unshift(queue.splice(at, 1)[0]);
      }
      observed();
    }, { rootMargin: '100px 0px' }) : null;
    if (observer && pending.length) for (const p of pending) observer.observe(p.chart); else observed();
    return (async () => {
      try {
        await firstReport;
        while (queue.length) {
          const { chart, spec } = queue.shift();
          if (observer) observer.unobserve(chart);
          const started = performance.now();
          // Canvas, not SVG: one bitmap instead of an element per mark
          // (thousands in the small multiples) is several times cheaper to
          // draw and lay out. Vega scales it by devicePixelRatio, so text
          // stays crisp on high-density screens.
          const result = await window.vegaEmbed(chart, spec, { actions: false, renderer: 'canvas' });
          views.set(chart, result.view);
          chart.dataset.drawn = 'true';
          // Each chart's drawing time, for bench/report_open.mjs.
          performance.measure('chart:' + chart.dataset.chart, { start: started });
          await new Promise(resolve => setTimeout(resolve, 0));
        }
      } catch (error) {
        if (observer) observer.disconnect();
        root.prepend(el('p', { class: 'error', text: 'A chart failed to draw: ' + error }));
        throw error;
      }
      root.dataset.chartsDrawn = String(pending.length);
      performance.mark('unionstate-charts-drawn');
      return pending.length;
    })();
  }

  window.UnionstateReport = { render, toCsv, drawnMarks };

  const data = document.getElementById('report-data');
  if (data) {
    const doc = JSON.parse(data.textContent);
    window.reportDone = render(doc, document.getElementById('report'));
  }
})();
