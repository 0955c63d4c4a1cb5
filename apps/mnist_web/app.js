// The digit recognizer page, wired from its parts: the pad (drawing.js), recognition in a
// worker (recognition.js, inference_worker.js), training in another (training.js,
// trainer_worker.js), the models (models.js) and what is shown (views.js), all sharing the
// one state object (state.js). window.texelApp is a read-only view of it for the tests.
import { createPad } from './drawing.js';
import { createModels } from './models.js';
import { createRecognizer } from './recognition.js';
import { snapshot, state } from './state.js';
import { createTrainer } from './training.js';
import { renderPrediction, renderStatus, resetCurves, resizeCurves, showError } from './views.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

const pad = createPad($('pad'), { onChange: () => recognizer.schedule(),
                                 onStrokeEnd: () => recognizer.schedule({ now: true }) });
const recognizer = createRecognizer(pad, { onError: (message) => showError('engine', message) });
const models = createModels(recognizer, {
  onModelChanged: () => { if (state.prediction) recognizer.schedule(); },
});
const trainer = createTrainer({ onTrained: (bytes) => models.trained(bytes) });

function clear() {
  pad.clear();
  state.prediction = null;
  renderPrediction(null);
}
$('clear').addEventListener('click', clear);

// ---- an image of a digit: picked or dropped onto the pad ----

async function useImage(file) {
  showError('upload', null);
  if (!file) return;
  try {
    await pad.drawImageFile(file);
    recognizer.schedule({ now: true });
  } catch (e) {
    showError('upload', e.message);
  }
}
$('imageFile').addEventListener('change', (event) => {
  useImage(event.target.files[0]);
  event.target.value = '';
});
const drop = $('padArea');
drop.addEventListener('dragover', (event) => {
  event.preventDefault();
  drop.classList.add('dropping');
});
drop.addEventListener('dragleave', () => drop.classList.remove('dropping'));
drop.addEventListener('drop', (event) => {
  event.preventDefault();
  drop.classList.remove('dropping');
  useImage(event.dataTransfer.files[0]);
});

// ---- the read-only view for the tests ----

// A prediction without the feature maps' values (shapes only): small to hand over.
const predictionView = (p) => p && snapshot({ ...p, maps: p.maps.map(({ values, ...shape }) => shape) });

window.texelApp = Object.freeze({
  get state() { return state.status; },
  get error() { return state.error; },
  get info() { return snapshot(state.engine && state.model ? { ...state.engine, ...state.model } : null); },
  get inUse() { return state.model?.label ?? null; },
  get training() { return snapshot(state.training); },
  get latencies() { return snapshot(state.latencies); },
  lastPrediction: () => predictionView(state.prediction),
  clear,
  // Predicts the pad now (after anything in flight); resolves with the prediction.
  recognize: () => recognizer.recognizeNow().then(predictionView),
  drawDigit: (grey) => pad.drawDigit(grey),
  loseContext: () => recognizer.loseContext(),
  restoreContext: () => recognizer.restoreContext(),
  // Every prediction on this backend ('gl', 'cpu-simd'; null: auto's choice again).
  prefer: (backend) => recognizer.prefer(backend),
});

// ---- start ----

renderPrediction(null);
resetCurves();
window.addEventListener('resize', resizeCurves);
if ('serviceWorker' in navigator && !params.has('nosw'))
  navigator.serviceWorker.register('sw.js').catch((e) => console.warn(`no offline copy: ${e.message}`));
(async () => {
  try {
    state.engine = await recognizer.start(params.has('cpu'));
    renderStatus();
    const failure = await models.useShipped(params.get('model') || 'mnist_cnn.texel');
    if (failure) throw new Error(failure);
    state.status = 'ready';
    renderStatus();
    await models.showSaved();
    (window.requestIdleCallback ?? setTimeout)(() => trainer.prepare());
  } catch (e) {
    state.status = 'error';
    state.error = e.message;
    showError('model', null);
    showError('engine', e.message);
    renderStatus();
  }
})();
