// Everything the page shows, drawn from the state object: the prediction (digit, bars, the
// model's 28x28 input), the status line, errors beside the control that caused them, the
// model's summary table, the feature maps and logits, the training curves. Only text
// nodes carry values (nothing the user or a model file supplies is ever HTML).
import { state } from './state.js';

const $ = (id) => document.getElementById(id);

// An error in words, in the slot next to its control ('engine', 'model', 'upload', 'train');
// null hides it.
export function showError(slot, message) {
  const box = $(`${slot}Error`);
  box.hidden = !message;
  box.textContent = message || '';
}

export function renderStatus() {
  const parts = [state.status];
  if (state.training?.state === 'running') parts.push('training in the worker');
  $('state').textContent = parts.join(' · ');
  const engine = state.engine;
  if (engine) {
    // auto: where its timing at warmup sends a prediction of one digit, and the numbers.
    const choice = state.model?.choice;
    const cpu = `CPU SIMD (WebAssembly, ${engine.threads} thread${engine.threads === 1 ? '' : 's'})`;
    const where = choice?.backend === 'gl' ? `WebGL2 (${engine.renderer})` : cpu;
    $('backend').textContent = engine.backend === 'auto'
      ? (choice ? `auto: ${where} in a worker (${choice.reason})` : 'auto: timing WebGL2 and the CPU')
      : `${cpu}: ${engine.fallback || 'WebGL2 unavailable'}`;
  }
  const model = state.model;
  if (model) {
    const from = model.source === 'cache' ? 'from the IndexedDB cache'
      : model.source === 'network' ? 'from the network' : model.label;
    $('model').textContent = `${model.params.toLocaleString('en')} parameters, ` +
        `${(model.bytes / 1024).toFixed(0)} KB ${from} in ${model.fetchMs.toFixed(0)} ms` +
        (model.cacheNote ? ` (${model.cacheNote})` : '');
    $('warmup').textContent = `${model.warmupPrograms} programs compiled in ${model.warmupMs.toFixed(0)} ms`;
    $('inUse').textContent = model.label;
  }
}

// ---- the prediction ----

let barViews = null;
function renderBars(probabilities) {
  if (!barViews) {
    barViews = [];
    for (let d = 0; d < 10; ++d) {
      const label = document.createElement('span');
      label.textContent = d;
      const track = document.createElement('div');
      track.className = 'track';
      const bar = document.createElement('div');
      track.append(bar);
      const value = document.createElement('span');
      value.className = 'value';
      $('bars').append(label, track, value);
      barViews.push({ bar, value });
    }
  }
  const top = probabilities ? probabilities.indexOf(Math.max(...probabilities)) : -1;
  barViews.forEach(({ bar, value }, d) => {
    const p = probabilities ? probabilities[d] : 0;
    bar.className = d === top ? 'bar top' : 'bar';
    bar.style.width = `${(p * 100).toFixed(1)}%`;
    value.textContent = probabilities ? `${(p * 100).toFixed(1)}%` : '';
  });
}

// The small canvases painted with putImageData many times a second are CPU canvases
// (willReadFrequently): an accelerated one would route every update through the GPU
// process, where a worker's WebGL2 passes can hold it up (ARCHITECTURE.md, "Two workers,
// one GPU").
function paintGrey(canvas, pixels) {
  const view = canvas.getContext('2d', { willReadFrequently: true });
  const image = view.createImageData(28, 28);
  for (let i = 0; i < 784; ++i) {
    image.data[4 * i] = image.data[4 * i + 1] = image.data[4 * i + 2] = pixels[i] * 255;
    image.data[4 * i + 3] = 255;
  }
  view.putImageData(image, 0, 0);
}

export function renderPrediction(result) {
  if (!result) {
    $('digit').textContent = '?';
    $('confidence').textContent = 'draw a digit';
    renderBars(null);
    $('input').getContext('2d').clearRect(0, 0, 28, 28);
    $('maps').hidden = true;
    $('logits').hidden = true;
    return;
  }
  $('digit').textContent = result.digit;
  $('confidence').textContent = `${(result.probabilities[result.digit] * 100).toFixed(1)}% sure`;
  renderBars(result.probabilities);
  paintGrey($('input'), result.input);
  $('inference').textContent = `${result.ms.toFixed(1)} ms per prediction on ` +
      (result.engine === 'webgl2' ? 'WebGL2' : 'the CPU') +
      (state.training?.state === 'running' && result.engine === 'cpu' ? ' (the trainer has the GPU)' : '');
  renderInside(result.maps, result.logits);
}

// ---- inside the network: one tile per feature map, each scaled to its own maximum ----

let insideViews = null;  // {key, layers: [{tiles: [{canvas, view, image}]}], logits: [cells]}
const mapsKey = (maps) => maps.map((m) => `${m.name}:${m.height}x${m.width}x${m.channels}`).join();

function buildInside(maps) {
  const root = $('maps');
  root.textContent = '';
  const layers = maps.map((m) => {
    const layer = document.createElement('div');
    layer.className = 'layer';
    const name = document.createElement('div');
    name.className = 'layer-name';
    name.textContent = `${m.name}: ${m.channels} maps of ${m.height}x${m.width}`;
    const row = document.createElement('div');
    row.className = 'tiles';
    const tiles = [];
    for (let c = 0; c < m.channels; ++c) {
      const canvas = document.createElement('canvas');
      canvas.className = 'tile';
      canvas.width = m.width;
      canvas.height = m.height;
      const view = canvas.getContext('2d', { willReadFrequently: true });
      tiles.push({ canvas, view, image: view.createImageData(m.width, m.height) });
      row.append(canvas);
    }
    layer.append(name, row);
    root.append(layer);
    return { tiles };
  });
  $('logits').textContent = '';
  const logits = [];
  for (let d = 0; d < 10; ++d) {
    const cell = document.createElement('div');
    cell.className = 'logit';
    const label = document.createElement('span');
    label.className = 'logit-digit';
    label.textContent = d;
    const value = document.createElement('span');
    value.className = 'logit-value';
    cell.append(label, value);
    $('logits').append(cell);
    logits.push(value);
  }
  return { key: mapsKey(maps), layers, logits };
}

// The tiles for a model's Conv2D layers, made when the model loads (not at its first
// prediction, where making four dozen canvases would be one long task).
export function prepareInside(layers) {
  const maps = layers.filter((l) => l.className === 'Conv2D').map((l) => {
    const [, height, width, channels] = l.outputShape;
    return { name: l.name, height, width, channels };
  });
  if (!insideViews || insideViews.key !== mapsKey(maps)) insideViews = buildInside(maps);
}

function renderInside(maps, logits) {
  if (!insideViews || insideViews.key !== mapsKey(maps)) insideViews = buildInside(maps);
  $('maps').hidden = false;
  $('logits').hidden = false;
  maps.forEach((m, l) => {
    const pixels = m.height * m.width;
    insideViews.layers[l].tiles.forEach(({ canvas, view, image }, c) => {
      let max = 0;
      for (let p = 0; p < pixels; ++p) max = Math.max(max, m.values[p * m.channels + c]);
      const data = image.data;
      for (let p = 0; p < pixels; ++p) {
        const v = max > 0 ? (255 * Math.max(0, m.values[p * m.channels + c])) / max : 0;
        data[4 * p] = v;
        data[4 * p + 1] = v * 0.8;
        data[4 * p + 2] = v * 0.3;
        data[4 * p + 3] = 255;
      }
      view.putImageData(image, 0, 0);
      canvas.title = `${m.name} map ${c} (max ${max.toFixed(2)})`;
    });
  });
  logits.forEach((z, d) => { insideViews.logits[d].textContent = z.toFixed(2); });
}

// ---- the model's summary, as Keras and TF.js print it ----

export function renderSummary(layers) {
  const body = $('summary').tBodies[0];
  body.textContent = '';
  let total = 0;
  for (const layer of layers) {
    const row = body.insertRow();
    const shape = `[${layer.outputShape.map((d) => (d < 0 ? 'null' : d)).join(', ')}]`;
    for (const text of [layer.name, layer.className, shape, layer.params.toLocaleString('en')])
      row.insertCell().textContent = text;
    total += layer.params;
  }
  $('summaryTotal').textContent = total.toLocaleString('en');
}

// ---- training curves (uPlot: axes, legends with values under the cursor, resizing) ----

const charts = {};

function chart(id, title, series, xLabel) {
  const root = $(id);
  const width = Math.max(240, root.clientWidth);
  return new window.uPlot({
    title, width, height: 190,
    scales: { x: { time: false }, y: { range: [0, null] }, acc: { range: [0, 1] } },
    axes: [{ label: xLabel }, { label: 'loss', scale: 'y' }, { label: 'accuracy', scale: 'acc', side: 1, grid: { show: false } }],
    series: [{ label: xLabel }, ...series],
  }, [[], ...series.map(() => [])], root);
}

// Made once (creating uPlot's DOM costs a long style and layout pass); a new run empties them.
export function resetCurves() {
  if (!window.uPlot) return;  // the chart library failed to load: the numbers still show
  if (!charts.batch) {
    charts.batch = chart('batchCurves', 'per batch', [
      { label: 'loss', stroke: '#d0664a', scale: 'y' },
      { label: 'accuracy', stroke: '#4a7bd0', scale: 'acc' },
    ], 'batch');
    charts.epoch = chart('epochCurves', 'per epoch', [
      { label: 'train loss', stroke: '#d0664a', scale: 'y', points: { show: true } },
      { label: 'held-out loss', stroke: '#d0664a', dash: [6, 4], scale: 'y', points: { show: true } },
      { label: 'train accuracy', stroke: '#4a7bd0', scale: 'acc', points: { show: true } },
      { label: 'held-out accuracy', stroke: '#4a7bd0', dash: [6, 4], scale: 'acc', points: { show: true } },
    ], 'epoch');
  }
  charts.batch.setData([[], [], []]);
  charts.epoch.setData([[], [], [], [], []]);
}

// Redrawn at most once per frame however fast progress messages arrive.
let curvesPending = false;
export function renderCurves() {
  if (curvesPending || !charts.batch) return;
  curvesPending = true;
  requestAnimationFrame(() => {
    curvesPending = false;
    const t = state.training;
    if (!t || !charts.batch) return;
    charts.batch.setData([t.losses.map((_, i) => i + 1), t.losses, t.accuracies]);
    charts.epoch.setData([t.epochs.map((_, i) => i + 1), t.epochs.map((e) => e.loss), t.epochs.map((e) => e.testLoss),
                          t.epochs.map((e) => e.acc), t.epochs.map((e) => e.testAcc)]);
  });
}

export function resizeCurves() {
  for (const [key, c] of Object.entries(charts)) {
    const width = Math.max(240, $(key === 'batch' ? 'batchCurves' : 'epochCurves').clientWidth);
    c.setSize({ width, height: 190 });
  }
}
