// The sentiment page's main thread: the text box, the examples, the two visualisations and
// the latency table. Everything heavy (tokenizing, IndexedDB, the model) runs in
// sentiment_worker.js; user text only ever reaches the page as textContent.
import { connect } from './rpc.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const state = { status: 'loading', error: null, info: null, prediction: null, filters: null, latencies: [], tfjs: null };

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}
function showError(slot, message) {
  const node = $(`${slot}Error`);
  node.hidden = !message;
  node.textContent = message ?? '';
}
function renderStatus() {
  const i = state.info;
  $('status').textContent = state.status === 'ready'
    ? `Status: ready · ${i.choice ? `auto: ${i.backend} (${i.choice.reason})` : i.backend}` +
      `${i.fallback ? ` (${i.fallback})` : ''} · CPU SIMD on ${i.threads} thread${i.threads === 1 ? '' : 's'} · ` +
      `${i.words.toLocaleString()} word vectors ` +
      `(${i.dim} values) ${i.firstVisit ? 'downloaded and stored in IndexedDB' : 'read from IndexedDB'} · ` +
      `ready in ${i.readyMs.toFixed(0)} ms (store ${i.storeMs.toFixed(0)} ms)`
    : `Status: ${state.status}`;
}

const worker = connect(new Worker('sentiment_worker.js', { type: 'module' }), (m) => {
  if (m.type !== 'progress') return;
  const p = $('progress');
  p.hidden = false;
  p.value = m.total ? m.done / m.total : 0;
  $('status').textContent = m.phase === 'download'
    ? `Status: downloading the word vectors once: ${(m.done / 1024).toFixed(0)}${m.total ? ` of ${(m.total / 1024).toFixed(0)}` : ''} KiB`
    : `Status: storing the word vectors in IndexedDB: ${m.done} of ${m.total}`;
});

// ---- prediction while typing: one request in flight, the newest text next ----
let inFlight = false, pending = null, seq = 0;
const waiters = [];
function requestPrediction(text) {
  pending = text;
  if (!inFlight) pump();
}
async function pump() {
  while (pending !== null) {
    const text = pending;
    pending = null;
    inFlight = true;
    const asked = ++seq;
    try {
      const p = await worker.call('predict', { text });
      state.prediction = { ...p, text };
      showError('predict', null);
      renderPrediction();
    } catch (e) {
      state.prediction = null;
      showError('predict', `prediction failed: ${e.message}`);
    }
    inFlight = false;
    if (pending === null) for (const w of waiters.splice(0)) w(asked);
  }
}
const settled = () => (inFlight || pending !== null ? new Promise((r) => waiters.push(r)) : Promise.resolve());

// ---- views ----
function contributions(p) {
  // Per token, the sum over filters whose max-pooled n-gram covers it of
  // activation x the filter's weight towards positive.
  const score = new Float32Array(p.tokens.length);
  if (!state.filters) return score;
  for (const { width, filters } of state.filters.widths) {
    const { positions, values } = p.maps[width];
    if (p.maps[width].filters !== filters.length) continue;  // a filters file of another model
    filters.forEach((f, k) => {
      let best = -1, at = -1;
      for (let i = 0; i < positions; ++i) if (values[i * filters.length + k] > best) best = values[i * filters.length + k], at = i;
      if (at < 0 || best <= 0) return;
      for (let t = at; t < at + width; ++t) score[t] += best * f.positive;
    });
  }
  return score;
}

function renderPrediction() {
  const p = state.prediction;
  if (!p) return;
  $('verdict').textContent = p.tokens.length === 0 ? 'nothing to read'
    : `${p.positive >= 0.5 ? 'positive' : 'negative'} ${(100 * Math.max(p.positive, p.negative)).toFixed(1)}%`;
  $('meter').value = p.positive;
  $('latency').textContent = `${p.totalMs.toFixed(1)} ms (vectors ${p.lookupMs.toFixed(1)} via ${p.via}, model ${p.predictMs.toFixed(1)} on ${p.backend})`;
  const notes = [];
  if (p.truncated) notes.push(`Only the first ${p.tokens.length} of ${p.tokenCount.toLocaleString()} tokens are read (as in training).`);
  if (p.tokens.length && p.unknown.length === p.tokens.length) notes.push('None of these words is in the vocabulary: the prediction is a guess.');
  else if (p.unknown.length) notes.push(`${p.unknown.length} unknown word(s), shown in italics.`);
  $('notice').textContent = notes.join(' ');
  renderTokens(p);
  renderHeatmaps(p);
}

function renderTokens(p) {
  const score = contributions(p);
  const top = Math.max(1e-6, ...Array.from(score, Math.abs));
  const unknown = new Set(p.unknown);
  const spans = p.tokens.map((t, i) => {
    const span = el('span', t, unknown.has(i) ? 'unknown' : '');
    const s = score[i] / top;
    if (Math.abs(s) > 0.15) {
      span.classList.add(s > 0 ? 'pos' : 'neg');
      span.style.opacity = String(0.5 + 0.5 * Math.abs(s));
    }
    span.dataset.index = i;
    span.title = `contribution ${score[i].toFixed(3)}`;
    return span;
  });
  $('tokens').replaceChildren(...spans);
}

let highlighted = -1;
function renderHeatmaps(p) {
  const figures = [3, 4, 5].map((w) => {
    const { filters, positions, values } = p.maps[w];
    const canvas = el('canvas');
    canvas.width = Math.max(1, positions);
    canvas.height = filters;
    canvas.style.width = `${Math.max(1, positions) * 6}px`;
    canvas.dataset.width = w;
    const ctx = canvas.getContext('2d');
    const image = ctx.createImageData(canvas.width, canvas.height);
    let top = 1e-6;
    for (const v of values) top = Math.max(top, v);
    for (let i = 0; i < positions; ++i) {
      const covers = highlighted >= i && highlighted < i + w;
      for (let f = 0; f < filters; ++f) {
        const a = Math.max(0, values[i * filters + f]) / top;
        const at = 4 * (f * canvas.width + i);
        // Blue scale; the hovered word's n-grams in a yellow-to-dark scale.
        image.data[at] = 255 * (1 - a);
        image.data[at + 1] = covers ? 200 * (1 - a) + 40 : 255 * (1 - a * 0.6);
        image.data[at + 2] = covers ? 40 : 255 * (1 - a * 0.2);
        image.data[at + 3] = 255;
      }
    }
    ctx.putImageData(image, 0, 0);
    const figure = el('figure');
    figure.append(canvas, el('figcaption', `width ${w}: ${filters} filters x ${positions} n-grams` +
      (highlighted >= 0 ? ` · n-grams with "${p.tokens[highlighted]}" highlighted` : '')));
    return figure;
  });
  $('heatmaps').replaceChildren(...figures);
}

$('tokens').addEventListener('mouseover', (e) => {
  const i = Number(e.target.dataset?.index);
  if (!Number.isInteger(i) || i === highlighted || !state.prediction) return;
  highlighted = i;
  for (const s of $('tokens').children) s.classList.toggle('hover', Number(s.dataset.index) === i);
  renderHeatmaps(state.prediction);
});

function renderFilterChoice() {
  const options = [];
  for (const { width, filters } of state.filters.widths)
    filters.forEach((f, k) => options.push(new Option(`width ${width}, #${k + 1} (${f.positive >= 0 ? '+' : ''}${f.positive.toFixed(2)} towards positive)`, `${width}:${k}`)));
  $('filter').replaceChildren(...options);
  renderNgrams();
}
function renderNgrams() {
  const [width, k] = $('filter').value.split(':').map(Number);
  const filter = state.filters.widths.find((w) => w.width === width)?.filters[k];
  if (!filter) return;
  $('ngrams').tBodies[0].replaceChildren(...filter.top.map((g) => {
    const row = el('tr');
    row.append(el('td', g.before.join(' ')), el('td', g.tokens.join(' ')), el('td', g.after.join(' ')), el('td', g.activation.toFixed(2)));
    return row;
  }));
}
$('filter').addEventListener('change', renderNgrams);

function renderLatencies() {
  $('latencyTable').tBodies[0].replaceChildren(...state.latencies.map((r) => {
    const row = el('tr');
    const ms = (v) => (v === undefined ? '-' : `${v.toFixed(1)} ms`);
    row.append(el('td', String(r.batch)), el('td', ms(r.lookup)), el('td', ms(r.webgl)), el('td', ms(r.cpu)),
               el('td', ms(r.tfjs)), el('td', ms(r.viaStore)), el('td', ms(r.viaTable)));
    return row;
  }));
  const build = state.latencies[0]?.tableBuildMs;
  const t = state.tfjs;
  const tfjsNote = !t ? ''
    : t.error ? ` No TF.js column: ${t.error}.`
      : ` TF.js ${t.version} on its ${t.backend} backend runs the same model (texel's TF.js export) on the same vectors; ` +
        `its probabilities differ from texel's by at most ${Math.max(...t.rows.map((r) => r.difference)).toExponential(1)}.`;
  $('latencyNote').textContent = build === undefined ? ''
    : `Predict columns: the vectors already looked up. The last two: from the text to the probabilities on ${state.info.backend}; ` +
      `putting the whole table on the engine first took ${build.toFixed(0)} ms (read every entry from IndexedDB, copy into the engine).` + tfjsNote;
}
$('measure').addEventListener('click', async () => {
  $('measure').disabled = true;
  $('measure').textContent = 'Measuring...';
  try {
    const [lookups, predicts] = [await worker.call('lookupTimes'), await worker.call('latencyTable')];
    state.latencies = predicts.map((r, i) => ({ ...r, lookup: lookups[i].ms }));
    renderLatencies();
    state.tfjs = await worker.call('tfjsTable').catch((e) => ({ error: e.message }));
    state.latencies = state.latencies.map((r, i) => ({ ...r, tfjs: state.tfjs.rows?.[i].ms }));
    renderLatencies();
  } catch (e) {
    showError('predict', `measuring failed: ${e.message}`);
  } finally {
    $('measure').disabled = false;
    $('measure').textContent = 'Measure again';
  }
});

$('text').addEventListener('input', () => requestPrediction($('text').value));

// Read-only view for tests.
const copy = (v) => (v == null ? v : structuredClone(v));
window.texelSentiment = Object.freeze({
  get state() { return state.status; },
  get error() { return state.error; },
  get info() { return copy(state.info); },
  get latencies() { return copy(state.latencies); },
  get tfjs() { return copy(state.tfjs); },
  lastPrediction: () => copy(state.prediction),
  settled: () => settled().then(() => copy(state.prediction)),
  predict: (text) => worker.call('predict', { text }),
  // As if typed: the prediction shown on the page.
  predictAndShow: (text) => {
    requestPrediction(text);
    return settled().then(() => copy(state.prediction));
  },
  damage: (word, how) => worker.call('damage', { word, how }),
});

(async () => {
  try {
    const filters = fetch('sentiment_filters.json').then((r) => (r.ok ? r.json() : null)).catch(() => null);
    state.info = await worker.call('start', { forceCpu: params.has('cpu') });
    state.filters = await filters;
    $('progress').hidden = true;
    $('examples').replaceChildren(...state.info.examples.map((ex) => {
      const li = el('li');
      const button = el('button', `${ex.label ? '+' : '−'} ${ex.text.slice(0, 90)}…`);
      button.addEventListener('click', () => {
        $('text').value = ex.text;
        requestPrediction(ex.text);
      });
      li.append(button);
      return li;
    }));
    if (state.filters) renderFilterChoice();
    state.status = 'ready';
    $('text').disabled = false;
    $('measure').disabled = false;
    renderStatus();
    if ($('text').value) requestPrediction($('text').value);
  } catch (e) {
    state.status = 'error';
    state.error = e.message;
    $('status').textContent = 'Status: error';
    showError('engine', e.message);
  }
})();

if ('serviceWorker' in navigator && !params.has('nosw'))
  navigator.serviceWorker.register('sw.js').catch((e) => console.warn(`no offline copy: ${e.message}`));
