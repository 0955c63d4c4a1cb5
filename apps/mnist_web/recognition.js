// Recognition through the inference worker: the pad's pixels go over (their buffer
// transferred, not copied), the worker preprocesses and predicts, the answer is drawn.
// At most one request is in flight; changes made meanwhile are sent once it returns, so
// a long stroke never queues up stale predictions.
import { connect } from './rpc.js';
import { state } from './state.js';
import { renderPrediction } from './views.js';

export function createRecognizer(pad, { onError }) {
  const worker = connect(new Worker('inference_worker.js', { type: 'module' }));
  let inFlight = null;
  let again = null;  // a change arrived while one was in flight: {now} of that change
  let failed = false;  // the last prediction failed (its message is shown)

  // Predicts the pad as it is now; resolves with the prediction drawn (null: nothing drawn).
  async function recognize() {
    const image = pad.pixels();
    const strokesBefore = state.drawing.strokes;
    const { endedAt } = state.drawing;
    const result = await worker.call('predict', {
      rgba: image.data.buffer, width: image.width, height: image.height,
      onCpu: state.training?.state === 'running',
    }, [image.data.buffer]);
    if (result.empty) {
      state.prediction = null;
      renderPrediction(null);
      return null;
    }
    // A model that gives NaN or infinities (one trained with too high a learning rate)
    // is reported, never drawn as a digit.
    if (!result.logits.every(Number.isFinite)) {
      throw new Error(`the model in use gives non-finite logits (${result.logits.map((z) => z.toFixed(2)).join(', ')}) ` +
                      'for this drawing; load another model');
    }
    result.digit = result.probabilities.indexOf(Math.max(...result.probabilities));
    state.prediction = result;
    renderPrediction(result);
    // Pointer-up to the prediction on screen: measured at the next frame after drawing it,
    // for the first prediction made from a finished stroke.
    if (endedAt !== null && state.drawing.endedAt === endedAt && state.drawing.strokes === strokesBefore) {
      state.drawing.endedAt = null;
      await new Promise((resolve) => requestAnimationFrame(resolve));
      state.latencies.push(performance.now() - endedAt);
    }
    return result;
  }

  // Called on every change of the pad: one prediction in flight, the latest drawing next,
  // and while a stroke goes on at most one every MIN_GAP_MS (each costs the worker a few ms
  // of CPU that the trainer and the page's own frames share on small machines).
  const MIN_GAP_MS = 80;
  let lastSent = -Infinity;
  let timer = null;
  function schedule({ now = false } = {}) {
    if (inFlight) {
      again = { now: now || Boolean(again?.now) };
      return;
    }
    const wait = now ? 0 : lastSent + MIN_GAP_MS - performance.now();
    if (wait > 0) {
      timer ??= setTimeout(() => {
        timer = null;
        schedule({ now: true });
      }, wait);
      return;
    }
    clearTimeout(timer);
    timer = null;
    again = null;
    lastSent = performance.now();
    inFlight = recognize().then(() => {
      if (failed) onError(null);  // the failure is over: its message goes
      failed = false;
    }, (e) => {
      failed = true;
      onError(e.message);
    }).finally(() => {
      inFlight = null;
      if (again) schedule(again);
    });
  }

  return {
    schedule,
    // Waits for what is in flight, then predicts afresh (the tests' path).
    async recognizeNow() {
      while (inFlight) await inFlight;
      return recognize();
    },
    start: (forceCpu) => worker.call('start', { forceCpu }),
    // Copies bytes (the caller keeps its own).
    load: (bytes) => worker.call('load', { bytes: bytes.slice() }),
    loseContext: () => worker.call('loseContext'),
    restoreContext: () => worker.call('restoreContext'),
    prefer: (backend) => worker.call('prefer', { backend }),
  };
}
