// Training through the trainer worker: Start/Stop, progress into the state object, the
// curves and the buttons that use, save and download the result.
import { connect } from './rpc.js';
import { state } from './state.js';
import { renderCurves, renderStatus, resetCurves, showError } from './views.js';

const $ = (id) => document.getElementById(id);

export function createTrainer({ onTrained }) {
  let worker = null;
  // The curves are redrawn at most once a frame: on the SIMD backend a batch takes ~30 ms,
  // and a redraw per batch kept the main thread busy enough to drop frames.
  let curvesQueued = false;
  const queueCurves = () => {
    if (curvesQueued) return;
    curvesQueued = true;
    requestAnimationFrame(() => {
      curvesQueued = false;
      renderCurves();
    });
  };

  function onEvent(m) {
    const t = state.training;
    if (!t) return;
    if (m.type === 'ready') {
      t.backend = m.backend;
      t.steps = m.steps;
      $('trainStatus').textContent = `training on ${m.backend} (${m.steps} batches of ${m.batch} per epoch)`;
    } else if (m.type === 'progress') {
      t.losses.push(m.loss);
      t.accuracies.push(m.acc);
      t.batches = m.done;
      $('progress').value = m.done / m.total;
      $('trainStatus').textContent = `epoch ${m.epoch + 1}, batch ${m.step + 1}/${m.steps} · ` +
          `ETA ${m.eta.toFixed(0)} s · loss ${m.loss.toFixed(3)} · accuracy ${m.acc.toFixed(3)}`;
      queueCurves();
    } else if (m.type === 'epoch') {
      t.epochs.push({ loss: m.loss, acc: m.acc, testLoss: m.testLoss, testAcc: m.testAcc });
      queueCurves();
    } else if (m.type === 'error') {
      finish(null, m.message);
    }
  }

  function finish(result, failure) {
    const t = state.training;
    $('start').disabled = false;
    $('stop').disabled = true;
    if (failure) {
      t.state = 'error';
      showError('train', `training failed: ${failure}`);
      $('trainStatus').textContent = 'failed';
    } else {
      t.state = 'done';
      t.stopped = result.stopped;
      t.batches = result.batches;
      t.batchesAfterStop = result.batchesAfterStop;
      state.trainedBytes = new Uint8Array(result.model);
      t.bytes = state.trainedBytes.length;
      const held = t.epochs.length ? ` · held-out accuracy ${t.epochs[t.epochs.length - 1].testAcc.toFixed(3)}` : '';
      $('trainStatus').textContent = `${t.batches} batches${held} · ${result.stopped ? 'stopped' : 'done'}`;
      onTrained(state.trainedBytes);
    }
    renderStatus();
  }

  function start() {
    const number = (id) => Number($(id).value);
    const options = { epochs: number('epochs'), batch: number('batch'), learningRate: number('lr'),
                      examples: number('examples'), cpu: new URLSearchParams(location.search).has('cpu') };
    if (!(options.epochs >= 1 && options.batch >= 1 && options.examples >= 1 && options.learningRate > 0)) {
      showError('train', 'epochs, batch and digits per epoch must be at least 1, the learning rate above 0');
      return;
    }
    showError('train', null);
    state.training = { state: 'running', backend: null, losses: [], accuracies: [], epochs: [], batches: 0,
                       startedAt: performance.now() };
    $('start').disabled = true;
    $('stop').disabled = false;
    $('progress').value = 0;
    $('trainStatus').textContent = 'starting the worker (compiling the training programs)';
    resetCurves();
    renderStatus();
    prepare();
    worker.call('start', options).then((result) => finish(result), (e) => finish(null, e.message));
  }

  // The worker and its module graph, made before the first Start (app.js calls this at
  // idle once the recognizer is ready): made on the click, its start-up competed with
  // the page for the 2 cores of a small machine and stretched that task past 50 ms.
  function prepare() {
    worker ??= connect(new Worker('trainer_worker.js', { type: 'module' }), onEvent);
  }

  $('start').addEventListener('click', start);
  $('stop').addEventListener('click', () => {
    if (state.training?.state !== 'running') return;
    worker.send('stop');
  });
  return { prepare };
}
