// The digit recognizer page: drawing with pointer events, MNIST preprocessing
// (preprocess.js), prediction through the C++ engine (recognizer.js/.wasm), and status a
// user can read. window.texelApp exposes the same paths to the end-to-end tests.
import { greyOf, preprocess } from './preprocess.js';
import { cacheDelete, cacheGet, cachePut, loadModelBytes, rememberModel } from './model_cache.js';

const $ = (id) => document.getElementById(id);
const pad = $('pad');
const ink = pad.getContext('2d', { willReadFrequently: true });
const STROKE = 22;  // px on the 280 px pad: MNIST-like stroke width after scaling to 20 px

function showError(message) {
  $('error').hidden = false;
  $('error').textContent = message;
  $('state').textContent = 'error';
}

// The feature-map tiles and logit cells, made once per model (renderInside below).
let insideViews = null;  // { key, layers: [{ tiles: [{ canvas, view, image }] }], logits: [] }

function clearPad() {
  ink.fillStyle = '#000';
  ink.fillRect(0, 0, pad.width, pad.height);
  $('digit').textContent = '?';
  $('confidence').textContent = 'draw a digit';
  renderBars(null);
  $('input').getContext('2d').clearRect(0, 0, 28, 28);
  $('maps').hidden = true;
  $('logits').hidden = true;
}

// The unmasked renderer string (WebGL2 hides it behind an extension).
function rendererName() {
  const gl = document.createElement('canvas').getContext('webgl2');
  if (!gl) return null;
  const debug = gl.getExtension('WEBGL_debug_renderer_info');
  return debug ? gl.getParameter(debug.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER);
}

// The ten probability bars, made once and updated in place.
let barViews = null;
function renderBars(probabilities) {
  if (!barViews) {
    barViews = [];
    for (let d = 0; d < 10; ++d) {
      const label = document.createElement('span');
      label.textContent = d;
      const bar = document.createElement('div');
      const value = document.createElement('span');
      $('bars').append(label, bar, value);
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

// Paints 28x28 grey levels (0..1) onto a 28x28 canvas.
function paintGrey(canvas, pixels) {
  const view = canvas.getContext('2d');
  const image = view.createImageData(28, 28);
  for (let i = 0; i < 784; ++i) {
    const v = pixels[i] * 255;  // the clamped array rounds
    image.data[4 * i] = image.data[4 * i + 1] = image.data[4 * i + 2] = v;
    image.data[4 * i + 3] = 255;
  }
  view.putImageData(image, 0, 0);
}

const showInput = (pixels) => paintGrey($('input'), pixels);

// ---- the engine ----

let engine = null;  // { predict(pixels) -> { probabilities, logits, ms } }

function loadEngineScript() {
  return new Promise((resolve, reject) => {
    window.Module = {
      onRuntimeInitialized: () => resolve(window.Module),
      onAbort: (what) => reject(new Error(`the engine aborted: ${what}`)),
      print: (text) => console.log(text),
      printErr: (text) => console.warn(text),
    };
    const script = document.createElement('script');
    script.src = 'recognizer.js';
    script.onerror = () => reject(new Error('could not load recognizer.js'));
    document.head.append(script);
  });
}

async function startEngine(modelUrl, forceCpu) {
  const M = await loadEngineScript();
  const error = () => M.UTF8ToString(M._recognizer_error());
  if (M._recognizer_init(forceCpu ? 1 : 0)) throw new Error(error());
  $('state').textContent = 'loading model';
  const load = (bytes) => {
    const pointer = M._malloc(bytes.length);
    M.HEAPU8.set(bytes, pointer);
    const failed = M._recognizer_load(pointer, bytes.length);
    M._free(pointer);
    return failed ? error() : null;
  };
  const started = performance.now();
  let { bytes, source, note } = await loadModelBytes(modelUrl);
  let failure = load(bytes);
  if (failure && source === 'cache') {  // cached bytes the engine rejects: fetch afresh
    note = `the cached copy was rejected (${failure}) and fetched again`;
    ({ bytes, source } = await loadModelBytes(modelUrl + '?refetch'));
    failure = load(bytes);
  }
  if (failure) throw new Error(`the model ${modelUrl} could not be loaded: ${failure}`);
  if (source === 'network') await rememberModel(modelUrl, bytes);
  const info = JSON.parse(M.UTF8ToString(M._recognizer_info()));
  info.fetchMs = performance.now() - started;
  info.bytes = bytes.length;
  info.source = source;
  info.cacheNote = note;
  const input = M._malloc(784 * 4), output = M._malloc(20 * 4);
  return {
    info,
    // Switches to another model file's bytes; returns null or the reason it failed.
    load,
    predict(pixels, onCpu = false) {
      const t0 = performance.now();
      M.HEAPF32.set(pixels, input >> 2);
      if (M._recognizer_predict(input, output, output + 40, onCpu ? 1 : 0)) throw new Error(error());
      const probabilities = Array.from(M.HEAPF32.subarray(output >> 2, (output >> 2) + 10));
      const logits = Array.from(M.HEAPF32.subarray((output >> 2) + 10, (output >> 2) + 20));
      return { probabilities, logits, ms: performance.now() - t0 };
    },
    // The last prediction's conv feature maps: [{ name, height, width, channels, values }].
    featureMaps() {
      const maps = [];
      const dims = M._malloc(12);
      for (let i = 0; i < M._recognizer_map_count(); ++i) {
        const at = M._recognizer_map(i, dims) >> 2;
        const [height, width, channels] = M.HEAP32.subarray(dims >> 2, (dims >> 2) + 3);
        maps.push({ name: M.UTF8ToString(M._recognizer_map_name(i)), height, width, channels,
                    values: M.HEAPF32.slice(at, at + height * width * channels) });
      }
      M._free(dims);
      return maps;
    },
  };
}

// One tile per feature map, each scaled to its own maximum (ReLU outputs are >= 0). The
// tiles are made once per model and only repainted after that: rebuilding two dozen
// canvases per prediction cost a long main-thread task each time.
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
      const view = canvas.getContext('2d');
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
    const cell = document.createElement('span');
    $('logits').append(cell);
    logits.push(cell);
  }
  return { key: maps.map((m) => `${m.name}:${m.height}x${m.width}x${m.channels}`).join(), layers,
           logits };
}

function renderInside(maps, logits) {
  const key = maps.map((m) => `${m.name}:${m.height}x${m.width}x${m.channels}`).join();
  if (!insideViews || insideViews.key !== key) insideViews = buildInside(maps);
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
  logits.forEach((z, d) => { insideViews.logits[d].textContent = `${d}: ${z.toFixed(2)}`; });
}

// ---- recognition ----

let lastPrediction = null;

function recognize() {
  const result = preprocess(greyOf(ink.getImageData(0, 0, pad.width, pad.height)), pad.width, pad.height);
  if (!result || !engine) return null;
  showInput(result.pixels);
  // While the worker trains on the GPU, predict on the CPU copy of the model.
  const training = window.texelApp.training?.state === 'running';
  const { probabilities, logits, ms } = engine.predict(result.pixels, training);
  const digit = probabilities.indexOf(Math.max(...probabilities));
  $('digit').textContent = digit;
  $('confidence').textContent = `${(probabilities[digit] * 100).toFixed(1)}% sure`;
  renderBars(probabilities);
  $('inference').textContent = `${ms.toFixed(1)} ms per prediction` +
      (training ? ' (on the CPU while the GPU trains)' : '');
  renderInside(engine.featureMaps(), logits);
  lastPrediction = { digit, probabilities, logits, ms, input: Array.from(result.pixels) };
  return lastPrediction;
}

// At most one prediction per 80 ms while drawing, so strokes stay smooth.
let pending = null;
function scheduleRecognize() {
  if (pending) return;
  pending = setTimeout(() => {
    pending = null;
    try {
      recognize();
    } catch (e) {
      showError(e.message);
    }
  }, 80);
}

// ---- drawing ----

let last = null;
pad.addEventListener('pointerdown', (event) => {
  pad.setPointerCapture(event.pointerId);
  const r = pad.getBoundingClientRect();
  last = { x: event.clientX - r.left, y: event.clientY - r.top };
  ink.fillStyle = '#fff';
  ink.beginPath();
  ink.arc(last.x, last.y, STROKE / 2, 0, 2 * Math.PI);
  ink.fill();
  scheduleRecognize();
});
pad.addEventListener('pointermove', (event) => {
  if (!last) return;
  const r = pad.getBoundingClientRect();
  // Coalesced events keep fast strokes smooth.
  const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
  ink.strokeStyle = '#fff';
  ink.lineWidth = STROKE;
  ink.lineCap = 'round';
  ink.lineJoin = 'round';
  for (const e of events.length ? events : [event]) {
    const point = { x: e.clientX - r.left, y: e.clientY - r.top };
    ink.beginPath();
    ink.moveTo(last.x, last.y);
    ink.lineTo(point.x, point.y);
    ink.stroke();
    last = point;
  }
  scheduleRecognize();
});
const endStroke = () => {
  if (!last) return;
  last = null;
  scheduleRecognize();
};
pad.addEventListener('pointerup', endStroke);
pad.addEventListener('pointercancel', endStroke);
$('clear').addEventListener('click', clearPad);

// ---- models: shipped, trained here, saved in the browser, loaded from disk ----

const TRAINED_KEY = 'trained-model';
let trainedBytes = null;

// Runs the first of everything a prediction does (preprocessing, both models, the
// feature-map tiles) on a blank input while nothing else happens, so the first drawing
// (perhaps while the worker trains) does not pay for it in one long main-thread task.
function primeViews() {
  preprocess(greyOf(ink.getImageData(0, 0, pad.width, pad.height)), pad.width, pad.height);
  const blank = new Float32Array(784);
  engine.predict(blank, true);
  const { logits } = engine.predict(blank);
  renderInside(engine.featureMaps(), logits);
  $('maps').hidden = true;
  $('logits').hidden = true;
}

function useModel(bytes, label) {
  const failure = engine.load(bytes);
  if (failure) {
    showError(`${label} could not be loaded: ${failure}`);
    return false;
  }
  primeViews();
  $('error').hidden = true;
  $('inUse').textContent = label;
  window.texelApp.inUse = label;
  if (lastPrediction) recognize();
  return true;
}

async function showSavedModel() {
  try {
    const saved = await cacheGet(TRAINED_KEY);
    $('useSaved').hidden = !saved;
    if (saved) $('useSaved').textContent = `Use the model saved ${new Date(saved.saved).toLocaleString()}`;
  } catch {
    $('useSaved').hidden = true;
  }
}

$('useTrained').addEventListener('click', () => useModel(trainedBytes, 'trained here'));
$('saveTrained').addEventListener('click', async () => {
  await cachePut(TRAINED_KEY, { bytes: trainedBytes.buffer.slice(0), saved: Date.now() });
  $('trainStatus').textContent += ' · saved in this browser';
  await showSavedModel();
});
$('useSaved').addEventListener('click', async () => {
  const saved = await cacheGet(TRAINED_KEY);
  if (!saved || !useModel(new Uint8Array(saved.bytes), 'saved in this browser')) {
    await cacheDelete(TRAINED_KEY);
    await showSavedModel();
  }
});
$('useShipped').addEventListener('click', async () => {
  const { bytes } = await loadModelBytes(params.get('model') || 'mnist_cnn.texel');
  useModel(bytes, 'shipped');
});
$('modelFile').addEventListener('change', async (event) => {
  const file = event.target.files[0];
  if (file) useModel(new Uint8Array(await file.arrayBuffer()), `file ${file.name}`);
});

// ---- training in a worker ----

let worker = null;
const curve = { losses: [], epochs: [] };

function drawCurves() {
  const c = $('curves'), g = c.getContext('2d');
  g.clearRect(0, 0, c.width, c.height);
  const plot = (values, max, color, label, row) => {
    if (!values.length) return;
    g.strokeStyle = color;
    g.beginPath();
    values.forEach((v, i) => {
      const x = 30 + (i / Math.max(values.length - 1, 1)) * (c.width - 40);
      const y = c.height - 15 - (Math.min(v, max) / max) * (c.height - 30);
      if (i) g.lineTo(x, y); else g.moveTo(x, y);
    });
    g.stroke();
    g.fillStyle = color;
    g.fillText(`${label} ${values[values.length - 1].toFixed(3)}`, 35, 12 + 12 * row);
  };
  plot(curve.losses, Math.max(2.5, ...curve.losses.slice(0, 1)), '#d0664a', 'batch loss', 0);
  plot(curve.accuracies || [], 1, '#4a7bd0', 'batch accuracy', 1);
  plot(curve.epochs, 1, '#2a9d4a', 'test accuracy (per epoch)', 2);
}

function startTraining() {
  const number = (id) => Number($(id).value);
  curve.losses = [];
  curve.accuracies = [];
  curve.epochs = [];
  $('start').disabled = true;
  $('stop').disabled = false;
  $('trainStatus').textContent = 'starting the worker (compiling the training programs)';
  worker = worker || new Worker('trainer_worker.js');
  window.texelApp.training = { state: 'running', losses: curve.losses, epochs: curve.epochs };
  worker.onmessage = (event) => {
    const m = event.data;
    if (m.type === 'ready') {
      $('trainStatus').textContent = `training on ${m.backend}`;
      window.texelApp.training.backend = m.backend;
    } else if (m.type === 'progress') {
      curve.losses.push(m.loss);
      curve.accuracies.push(m.acc);
      $('progress').value = m.done / m.total;
      $('trainStatus').textContent = `epoch ${m.epoch + 1}, batch ${m.step + 1}/${m.steps} · ` +
          `ETA ${m.eta.toFixed(0)} s · loss ${m.loss.toFixed(3)} · accuracy ${m.acc.toFixed(3)}`;
      drawCurves();
    } else if (m.type === 'epoch') {
      curve.epochs.push(m.testAcc);
      drawCurves();
    } else if (m.type === 'done') {
      trainedBytes = new Uint8Array(m.model);
      $('start').disabled = false;
      $('stop').disabled = true;
      $('useTrained').disabled = false;
      $('saveTrained').disabled = false;
      const link = $('download');
      if (link.href) URL.revokeObjectURL(link.href);
      link.href = URL.createObjectURL(new Blob([trainedBytes], { type: 'application/octet-stream' }));
      link.hidden = false;
      $('trainStatus').textContent += m.stopped ? ' · stopped' : ' · done';
      window.texelApp.training.state = 'done';
      window.texelApp.training.bytes = trainedBytes.length;
    } else if (m.type === 'error') {
      showError(`training failed: ${m.message}`);
      $('start').disabled = false;
      $('stop').disabled = true;
      window.texelApp.training.state = 'error';
    }
  };
  worker.postMessage({ type: 'start', epochs: number('epochs'), batch: number('batch'),
                       learningRate: number('lr'), examples: number('examples'),
                       cpu: params.has('cpu') });
}
$('start').addEventListener('click', startTraining);
$('stop').addEventListener('click', () => worker && worker.postMessage({ type: 'stop' }));

// ---- start ----

const params = new URLSearchParams(location.search);
window.texelApp = {
  state: 'loading',
  info: null,
  inUse: 'shipped',
  clear: clearPad,
  recognize,
  lastPrediction: () => lastPrediction,
  // Puts a 28x28 grey image (0..1) onto the pad, scaled up: the test path for MNIST digits.
  drawDigit(pixels) {
    const small = document.createElement('canvas');
    small.width = small.height = 28;
    paintGrey(small, pixels);
    clearPad();
    ink.imageSmoothingEnabled = true;
    ink.drawImage(small, 0, 0, pad.width, pad.height);
  },
};

clearPad();
if ('serviceWorker' in navigator && !params.has('nosw'))
  navigator.serviceWorker.register('sw.js').catch((e) => console.warn(`no offline copy: ${e.message}`));
(async () => {
  try {
    const renderer = rendererName();
    engine = await startEngine(params.get('model') || 'mnist_cnn.texel', params.has('cpu'));
    const info = engine.info;
    if (info.backend === 'webgl2') {
      $('backend').textContent = `WebGL2 (${renderer || info.renderer})` +
          (info.precision === 'float32' ? '' : `, ${info.precision}: no float32 render targets`);
    } else {
      $('backend').textContent = `CPU (WebAssembly): ${info.fallback || 'WebGL2 unavailable'}`;
    }
    const from = info.source === 'cache' ? 'from the IndexedDB cache' : 'from the network';
    $('model').textContent = `${info.params.toLocaleString('en')} parameters, ` +
        `${(info.bytes / 1024).toFixed(0)} KB ${from} in ${info.fetchMs.toFixed(0)} ms` +
        (info.cacheNote ? ` (${info.cacheNote})` : '');
    $('warmup').textContent = `${info.warmupPrograms} programs compiled in ${info.warmupMs.toFixed(0)} ms`;
    primeViews();
    $('state').textContent = 'ready';
    await showSavedModel();
    window.texelApp.info = { ...info, renderer: renderer || info.renderer };
    window.texelApp.state = 'ready';
  } catch (e) {
    showError(e.message);
    window.texelApp.state = 'error';
    window.texelApp.error = e.message;
  }
})();
