// The trainer, in a module worker: a fresh copy of the shipped CNN learns from the
// digits in mnist_digits.bin through the texel package (WebGL2 on this worker's
// OffscreenCanvas, else the CPU), one batch per turn of the event loop so that a Stop
// message is seen between any two batches. Requests: start {epochs, batch, learningRate,
// examples, cpu} -> {model (.texel bytes), stopped}. Events out: ready, progress, epoch.
// Event in: stop.
import { init } from './texel/texel.mjs';
import { mnistLayers } from './mnist_model.js';
import { serve } from './rpc.js';

let tx = null;
let digits = null;  // {trainX, trainY, testX, testY, trainCount}
let run = null;     // the current run: {stop}

// "TXDIGITS", u32 train count, u32 test count, then records (label, 784 grey bytes).
function parseDigits(bytes) {
  const magic = String.fromCharCode(...bytes.subarray(0, 8));
  if (bytes.length < 16 || magic !== 'TXDIGITS') throw new Error('training data: not a TXDIGITS file');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const trainCount = view.getUint32(8, true), testCount = view.getUint32(12, true);
  if (!trainCount || !testCount || 16 + (trainCount + testCount) * 785 > bytes.length)
    throw new Error(`training data: truncated (${bytes.length} bytes for ${trainCount} + ${testCount} digits)`);
  const split = (first, count) => {
    const pixels = new Float32Array(count * 784), labels = new Int32Array(count);
    for (let i = 0; i < count; ++i) {
      const at = 16 + (first + i) * 785;
      labels[i] = bytes[at];
      for (let k = 0; k < 784; ++k) pixels[i * 784 + k] = bytes[at + 1 + k] / 255;
    }
    return [tx.tensor(pixels, [count, 28, 28, 1]), tx.tensor(labels, [count], 'int32')];
  };
  const [trainX, trainY] = split(0, trainCount);
  const [testX, testY] = split(trainCount, testCount);
  return { trainX, trainY, testX, testY, trainCount };
}

// The shipped architecture, freshly initialised.
function makeModel(learningRate) {
  const model = tx.sequential({ seed: 1, layers: mnistLayers(tx.layers) });
  model.compile({ optimizer: tx.train.adam(learningRate), loss: 'sparseCategoricalCrossentropy',
                  metrics: ['accuracy'] });
  return model;
}

// A seeded Fisher-Yates shuffle (xorshift32), so that runs are reproducible.
function shuffled(count, seed) {
  const order = Int32Array.from({ length: count }, (_, i) => i);
  let s = seed >>> 0 || 1;
  for (let i = count - 1; i > 0; --i) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    const j = s % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

const nextTurn = () => new Promise((resolve) => setTimeout(resolve, 0));

async function start({ epochs, batch, learningRate, examples, cpu }) {
  const current = (run = { stop: false, done: 0, doneAtStop: null });  // before any await: a Stop from now on counts
  if (!(epochs >= 1 && batch >= 1 && learningRate > 0 && examples >= 1))
    throw new Error('epochs, batch size and digits per epoch must be at least 1 and the learning rate above 0');
  // The SIMD CPU, not 'auto': the GPU is the recognizer's (one GPU process runs both
  // workers' passes in turn, docs/ARCHITECTURE.md), and timing a GL training step at start
  // cost the page a 90-180 ms main-thread task on SwiftShader, where auto measured GL 8-20x
  // slower per step anyway (22-38 against 240-700 ms at batch 32). Every core but one: the
  // other stays the page's main thread's.
  tx ??= await init({ backend: 'simd', threads: Math.max(1, (navigator.hardwareConcurrency || 2) - 1) });
  if (!digits) {
    const response = await fetch('mnist_digits.bin');
    if (!response.ok) throw new Error(`could not fetch the training digits: HTTP ${response.status}`);
    digits = parseDigits(new Uint8Array(await response.arrayBuffer()));
  }
  const perEpoch = Math.min(examples, digits.trainCount);
  batch = Math.min(batch, perEpoch);
  // Whole batches only: a last, smaller batch has a noisier loss (a spike on the curve).
  // Each epoch reshuffles, so the digits left out differ from epoch to epoch.
  const steps = Math.floor(perEpoch / batch);
  const model = makeModel(learningRate);
  try {
    const warmup = await model.warmupAsync(batch, true);
    const { threads } = tx.backendInfo;
    const backend = `cpu-simd (${threads} thread${threads === 1 ? '' : 's'}${cpu ? ', requested' : ''})`;
    self.postMessage({ type: 'ready', backend, warmupMs: warmup.milliseconds, steps, batch });
    const began = performance.now();
    let done = 0;
    for (let epoch = 0; epoch < epochs && !current.stop; ++epoch) {
      const order = shuffled(digits.trainCount, 1 + epoch);
      let lossSum = 0, accSum = 0, ran = 0;
      for (let step = 0; step < steps; ++step) {
        await nextTurn();  // lets a Stop message in
        if (current.stop) break;
        const ids = order.subarray(step * batch, (step + 1) * batch);
        const logs = tx.tidy(() => {
          const picked = tx.tensor(ids, [ids.length], 'int32');
          return model.trainOnBatch(tx.gather(digits.trainX, picked), tx.gather(digits.trainY, picked));
        });
        lossSum += logs.loss;
        accSum += logs.acc;
        ++ran;
        current.done = ++done;
        const elapsed = (performance.now() - began) / 1000;
        self.postMessage({ type: 'progress', epoch, step, steps, loss: logs.loss, acc: logs.acc, done,
                           total: epochs * steps, eta: (elapsed / done) * (epochs * steps - done) });
      }
      if (ran === steps) {
        const test = model.evaluate(digits.testX, digits.testY, { batchSize: 100 });
        self.postMessage({ type: 'epoch', epoch, loss: lossSum / ran, acc: accSum / ran,
                           testLoss: test.loss, testAcc: test.acc });
      }
    }
    const bytes = model.toBytes();
    // batchesAfterStop: how many batches began after the Stop arrived (at most one).
    const batchesAfterStop = current.stop ? done - current.doneAtStop : 0;
    return { result: { model: bytes.buffer, stopped: current.stop, batches: done, batchesAfterStop },
             transfer: [bytes.buffer] };
  } finally {
    model.dispose();
    if (run === current) run = null;
  }
}

serve({
  start,
  stop: () => {
    if (!run || run.stop) return;
    run.stop = true;
    run.doneAtStop = run.done;
  },
});
