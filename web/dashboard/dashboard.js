// The dashboard page: opens a scenario through the server, lets the analyst
// edit capabilities, vetoes, positions and saliences, re-runs the chosen
// models on every edit and draws the same sections as the HTML report
// (report.js). The server does every computation (docs/report.md, routes).
(function () {
  'use strict';

  const $ = id => document.getElementById(id);
  const numberFormat = new Intl.NumberFormat('en', { maximumSignificantDigits: 6 });
  const state = { scenario: null, original: null, issue: null, runSeq: 0, sources: null };

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'text') node.textContent = v; else node.setAttribute(k, v);
    }
    for (const c of children || []) if (c) node.appendChild(c);
    return node;
  }

  async function api(path, body) {
    const response = await fetch(path, body === undefined ? {} : {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body)
    });
    const text = await response.text();
    let data = null;
    try { data = JSON.parse(text); } catch (e) { data = text; }
    if (!response.ok) throw new Error((data && data.error) || ('HTTP ' + response.status));
    return data;
  }

  function showError(message) {
    const box = $('edit-error');
    box.hidden = !message;
    box.textContent = message || '';
  }

  function selectedModels() {
    return [...document.querySelectorAll('#models input:checked')].map(i => i.value);
  }

  function numberInput(value, step, onChange, attrs) {
    const input = el('input', Object.assign({ type: 'number', step: String(step), value: String(value) }, attrs));
    input.addEventListener('change', () => {
      const v = Number(input.value);
      if (input.value === '' || !Number.isFinite(v)) { input.value = String(value); return; }
      onChange(v);
      input.parentElement.classList.add('changed');
      edited();
    });
    return input;
  }

  function drawActors() {
    const table = $('actors');
    table.textContent = '';
    table.appendChild(el('thead', {}, [el('tr', {}, ['actor', 'side', 'capability', 'veto'].map(h => el('th', { text: h })))]));
    const body = el('tbody');
    for (const actor of state.scenario.actors) {
      const veto = el('input', { type: 'checkbox', 'data-actor': actor.id, 'data-field': 'veto' });
      veto.checked = !!actor.veto;
      veto.addEventListener('change', () => { actor.veto = veto.checked; veto.parentElement.classList.add('changed'); edited(); });
      body.appendChild(el('tr', {}, [
        el('td', { text: actor.id, title: actor.name || '' }),
        el('td', { text: actor.side || '' }),
        el('td', {}, [numberInput(actor.capability, 0.05, v => { actor.capability = v; },
          { min: '0', 'data-actor': actor.id, 'data-field': 'capability' })]),
        el('td', {}, [veto])
      ]));
    }
    table.appendChild(body);
  }

  function drawPositions() {
    const issue = state.scenario.issues.find(i => i.id === state.issue);
    $('issue-info').textContent = issue ? `${issue.name || issue.id} · scale ${issue.min} – ${issue.max} ${issue.unit || ''}` +
      (issue.status_quo !== null && issue.status_quo !== undefined ? ` · status quo ${issue.status_quo}` : '') +
      ` · rule ${issue.rule}` : '';
    const table = $('positions');
    table.textContent = '';
    table.appendChild(el('thead', {}, [el('tr', {}, ['actor', 'position', 'salience'].map(h => el('th', { text: h })))]));
    const body = el('tbody');
    for (const p of state.scenario.positions.filter(p => p.issue === state.issue)) {
      body.appendChild(el('tr', {}, [
        el('td', { text: p.actor }),
        el('td', {}, [numberInput(p.position, (issue.max - issue.min) / 100, v => { p.position = v; },
          { min: String(issue.min), max: String(issue.max), 'data-actor': p.actor, 'data-field': 'position' })]),
        el('td', {}, [numberInput(p.salience, 0.05, v => { p.salience = v; },
          { min: '0', max: '1', 'data-actor': p.actor, 'data-field': 'salience' })])
      ]));
    }
    table.appendChild(body);
  }

  function drawForecastTable(forecasts) {
    const table = $('forecast-table');
    table.textContent = '';
    const models = forecasts.map(f => f.model.replace(/\(.*$/, ''));
    table.appendChild(el('thead', {}, [el('tr', {}, [el('th', { text: 'issue' }),
      ...models.map(m => el('th', { text: m }))])]));
    const body = el('tbody');
    state.scenario.issues.forEach((issue, i) => {
      const cells = forecasts.map((f, k) => {
        const r = f.issues[i];
        const td = el('td', { class: 'num', 'data-model': models[k], 'data-issue': issue.id,
          'data-outcome': String(r.outcome), title: r.why,
          text: numberFormat.format(r.outcome) + (r.agreement ? '' : ' (blocked' + (r.blocking.length ? ' by ' + r.blocking.join(', ') : '') + ')') });
        return td;
      });
      body.appendChild(el('tr', {}, [el('td', { text: issue.id }), ...cells]));
    });
    table.appendChild(body);
  }

  async function run() {
    if (!state.scenario) return;
    const models = selectedModels();
    if (!models.length) { $('timing').textContent = 'Choose at least one model.'; return; }
    const seq = ++state.runSeq;
    const t0 = performance.now();
    try {
      const result = await api('/api/run', { scenario: state.scenario, models });
      if (seq !== state.runSeq) return;  // a newer run answered or will
      const ms = performance.now() - t0;
      showError('');
      drawForecastTable(result.forecasts);
      $('timing').textContent = `Answered in ${Math.round(ms)} ms (server ${Math.round(result.server_ms)} ms).`;
      document.body.dataset.runs = String(seq);
      await window.UnionstateReport.render(result.report, $('report-view'), { bare: true });
      document.body.dataset.drawn = String(seq);
    } catch (error) {
      if (seq === state.runSeq) showError(String(error.message || error));
    }
  }

  function edited() { if ($('live').checked) run(); }

  async function open() {
    const source = $('source').value;
    try {
      const data = await api('/api/scenario?source=' + encodeURIComponent(source));
      state.scenario = data.scenario;
      state.issue = data.scenario.issues[0].id;
      $('scenario-name').textContent = data.scenario.name + ' · ' + source;
      const issueSelect = $('issue');
      issueSelect.textContent = '';
      for (const issue of data.scenario.issues) issueSelect.appendChild(el('option', { value: issue.id, text: issue.id }));
      drawActors();
      drawPositions();
      showError('');
      await run();
    } catch (error) { showError(String(error.message || error)); }
  }

  async function exportToml() {
    try {
      const response = await fetch('/api/export', { method: 'POST', body: JSON.stringify({ scenario: state.scenario }) });
      const text = await response.text();
      if (!response.ok) throw new Error(JSON.parse(text).error);
      const a = el('a', { href: URL.createObjectURL(new Blob([text], { type: 'application/toml' })), download: 'edited-scenario.toml' });
      document.body.appendChild(a); a.click(); setTimeout(() => a.remove(), 0);
    } catch (error) { showError(String(error.message || error)); }
  }

  async function startEnsemble() {
    const body = { scenario: state.scenario, model: $('ens-model').value,
      runs: Number($('ens-runs').value), perturb: $('ens-perturb').value };
    $('ens-start').disabled = true;
    try {
      const job = await api('/api/ensemble', body);
      const progress = $('ens-progress');
      progress.max = job.runs;
      for (;;) {
        const status = await api('/api/ensemble/' + job.id);
        progress.value = status.done;
        $('ens-status').textContent = `${status.done} of ${status.total} runs`;
        if (status.error) throw new Error(status.error);
        if (status.finished) {
          $('ens-status').textContent = `Done: ${status.done} runs` + (status.stored_id ? ` (stored as ensemble ${status.stored_id})` : '');
          drawEnsembleSummary(status.summary);
          if (status.stored_id) await browseStore();
          break;
        }
        await new Promise(r => setTimeout(r, 250));
      }
    } catch (error) { $('ens-status').textContent = String(error.message || error); }
    $('ens-start').disabled = false;
  }

  function drawEnsembleSummary(summary) {
    const view = $('ensemble-view');
    view.textContent = '';
    const rows = summary.issues.map(i => ({ issue: i.id, q05: i.quantiles['5'], median: i.quantiles['50'],
      q95: i.quantiles['95'], p_agreement: i.p_agreement,
      blocker: Object.keys(i.p_blocking || {})[0] || '' }));
    const doc = { title: '', sections: [{ id: 'ensemble-summary', title: `Ensemble: ${summary.model}`,
      intro: `${summary.runs} runs, perturbation ${summary.perturbation || 'none'}.`,
      blocks: [{ kind: 'table', id: 'ensemble-summary-table', title: 'Outcome quantiles and agreement', caption: '',
        columns: [['issue', 'issue'], ['q05', '5 %'], ['median', 'median'], ['q95', '95 %'],
          ['p_agreement', 'P(agreement)'], ['blocker', 'likeliest blocker']], rows }] }] };
    window.UnionstateReport.render(doc, view, { bare: true });
  }

  async function browseStore() {
    try {
      const data = await api('/api/store');
      await window.UnionstateReport.render({ title: '', sections: data.sections.length ? data.sections :
        [{ id: 'store-empty', title: 'Results database', intro: 'No ensemble stored yet.', blocks: [] }] },
      $('store-view'), { bare: true });
    } catch (error) { $('store-name').textContent = String(error.message || error); }
  }

  async function init() {
    const sources = await api('/api/sources');
    state.sources = sources;
    for (const s of [...sources.builtin, ...sources.files]) {
      const option = el('option', { value: s, text: s });
      if (s === sources.default) option.selected = true;
      $('source').appendChild(option);
    }
    for (const m of sources.models) {
      const box = el('input', { type: 'checkbox', value: m.name });
      box.checked = m.name === 'nash' || m.name === 'parity';
      box.addEventListener('change', edited);
      $('models').appendChild(el('label', { title: m.long_name }, [box, document.createTextNode(m.name)]));
      $('ens-model').appendChild(el('option', { value: m.name, text: m.name }));
    }
    $('store-name').textContent = sources.store ? sources.store : 'Start the server with --store FILE to keep ensembles.';
    $('store-refresh').disabled = !sources.store;
    $('open').addEventListener('click', open);
    $('run').addEventListener('click', run);
    $('export').addEventListener('click', exportToml);
    $('ens-start').addEventListener('click', startEnsemble);
    $('store-refresh').addEventListener('click', browseStore);
    $('issue').addEventListener('change', () => { state.issue = $('issue').value; drawPositions(); });
    await open();
    document.body.dataset.ready = 'true';
  }

  init().catch(error => showError(String(error.message || error)));
})();
