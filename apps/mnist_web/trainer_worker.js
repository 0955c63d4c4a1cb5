// Web Worker: trains the CNN with trainer.wasm one batch per turn of the event loop and
// posts progress; the page's main thread only draws. Messages in: {type: 'start', epochs,
// batch, learningRate, examples}, {type: 'stop'}. Out: ready, progress, epoch, done, error.
let M = null;
let stopRequested = false;
let data = null;

const ready = new Promise((resolve, reject) => {
  self.Module = {
    onRuntimeInitialized: () => resolve(self.Module),
    onAbort: (what) => reject(new Error(`the trainer aborted: ${what}`)),
    print: (text) => console.log(text),
    printErr: (text) => console.warn(text),
  };
  importScripts('trainer.js');
});

function fail(message) {
  self.postMessage({ type: 'error', message });
}

async function start({ epochs, batch, learningRate, examples, cpu }) {
  M = await ready;
  const error = () => M.UTF8ToString(M._trainer_error());
  if (!data) {
    if (!cpu && typeof OffscreenCanvas !== 'undefined')
      M.specialHTMLTargets['!canvas'] = new OffscreenCanvas(1, 1);
    if (M._trainer_init(cpu || typeof OffscreenCanvas === 'undefined' ? 1 : 0)) return fail(error());
    const response = await fetch('mnist_digits.bin');
    if (!response.ok) return fail(`could not fetch the training digits: HTTP ${response.status}`);
    data = new Uint8Array(await response.arrayBuffer());
    const pointer = M._malloc(data.length);
    M.HEAPU8.set(data, pointer);
    const failed = M._trainer_set_data(pointer, data.length);
    M._free(pointer);
    if (failed) return fail(error());
  }
  const t0 = performance.now();
  if (M._trainer_start(epochs, batch, learningRate, examples)) return fail(error());
  self.postMessage({ type: 'ready', backend: M.UTF8ToString(M._trainer_info()),
                     warmupMs: performance.now() - t0 });
  stopRequested = false;
  const out = M._malloc(9 * 4);
  const began = performance.now();
  const loop = () => {
    if (stopRequested) return finish(out, true);
    if (M._trainer_step(out)) return fail(error());
    const [epoch, step, steps, loss, acc, epochDone, testAcc, testLoss, allDone] =
        M.HEAPF32.subarray(out >> 2, (out >> 2) + 9);
    const done = epoch * steps + step + 1, total = epochs * steps;
    const elapsed = (performance.now() - began) / 1000;
    self.postMessage({ type: 'progress', epoch, step, steps, loss, acc, done, total,
                       eta: (elapsed / done) * (total - done) });
    if (epochDone) self.postMessage({ type: 'epoch', epoch, testAcc, testLoss });
    if (allDone) return finish(out, false);
    setTimeout(loop, 0);
  };
  setTimeout(loop, 0);
}

function finish(out, stopped) {
  M._free(out);
  if (M._trainer_save()) return fail(M.UTF8ToString(M._trainer_error()));
  const bytes = M.HEAPU8.slice(M._trainer_saved_bytes(), M._trainer_saved_bytes() + M._trainer_saved_size());
  self.postMessage({ type: 'done', stopped, model: bytes.buffer }, [bytes.buffer]);
}

self.onmessage = (event) => {
  const message = event.data;
  if (message.type === 'start') start(message).catch((e) => fail(e.message));
  else if (message.type === 'stop') stopRequested = true;
};
