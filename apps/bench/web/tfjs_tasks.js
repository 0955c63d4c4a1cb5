// The benchmark grid on TF.js: the same tasks, shapes, models and timing rules as texel's
// apps/bench/tasks.cpp (medians of up to 15 repetitions after a warm-up run, each
// repetition reading its result back with dataSync, chained figures per op).
import { mnistLayers } from '/apps/mnist_web/mnist_model.js';

const MAX_REPETITIONS = 15;
const BUDGET_MS = 8000;
const CHAIN = 10;

async function measure(name, run, options) {
  await run();
  const most = options.quick ? 2 : MAX_REPETITIONS;
  const times = [];
  const begin = performance.now();
  while (times.length < most) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
    if (performance.now() - begin > BUDGET_MS && times.length >= 3) break;
  }
  times.sort((a, b) => a - b);
  const n = times.length;
  const ms = n % 2 ? times[(n - 1) / 2] : 0.5 * (times[n / 2 - 1] + times[n / 2]);
  return { name, ms, repetitions: n };
}

async function once(name, run) {
  const start = performance.now();
  await run();
  return { name, ms: performance.now() - start, repetitions: 1 };
}

// Compiled WebGL programs so far (0 on other backends).
function programCount(tf) {
  const cache = tf.backend().binaryCache;
  return cache ? Object.keys(cache).length : 0;
}

const random = (tf, shape, seed, scale = 1) => tf.randomUniform(shape, -scale, scale, 'float32', seed);

function readBack(t) {
  t.dataSync();
  t.dispose();
}

async function matMulTask(tf, n, options) {
  const a = random(tf, [n, n], 1), w = random(tf, [n, n], 2, 1 / Math.sqrt(n));
  const single = await measure(`matMul ${n}`, () => readBack(tf.matMul(a, w)), options);
  const chained = await measure(`matMul ${n} chained (per op)`, () => {
    const x = tf.tidy(() => {
      let y = a;
      for (let i = 0; i < CHAIN; ++i) y = tf.matMul(y, w);
      return y;
    });
    readBack(x);
  }, options);
  chained.ms /= CHAIN;
  return { figures: [single, chained] };
}

async function conv2dTask(tf, size, inC, outC, same, options) {
  const x = random(tf, [1, size, size, inC], 1), f = random(tf, [3, 3, inC, outC], 2, 0.2);
  const name = `conv2d ${size}x${size}x${inC}->${outC} 3x3${same ? ' same' : ''}`;
  return { figures: [await measure(name, () => readBack(tf.conv2d(x, f, 1, same ? 'same' : 'valid')), options)] };
}

async function trivialPassTask(tf, options) {
  const x = random(tf, [32, 32], 1), y = random(tf, [32, 32], 2);
  const single = await measure('add 32x32', () => readBack(tf.add(x, y)), options);
  const LONG = 100;
  const chained = await measure('add 32x32 chained (per op)', () => {
    const z = tf.tidy(() => {
      let s = x;
      for (let i = 0; i < LONG; ++i) s = tf.add(s, y);
      return s;
    });
    readBack(z);
  }, options);
  chained.ms /= LONG;
  // The host's share: issuing LONG adds without waiting for them (read back untimed).
  const issue = [];
  for (let rep = 0; rep < (options.quick ? 3 : MAX_REPETITIONS); ++rep) {
    let ms = 0;
    const z = tf.tidy(() => {
      const start = performance.now();
      let s = x;
      for (let i = 0; i < LONG; ++i) s = tf.add(s, y);
      ms = (performance.now() - start) / LONG;
      return s;
    });
    issue.push(ms);
    readBack(z);
  }
  issue.sort((a, b) => a - b);
  const issuing = { name: 'add 32x32 chained, issuing only (per op)', ms: issue[issue.length >> 1], repetitions: issue.length };
  const values = {};
  if (self.benchGlCalls !== undefined) {
    // The GL calls of LONG chained adds (no readback), per add.
    const z = tf.tidy(() => {
      const before = self.benchGlCalls;
      let s = x;
      for (let i = 0; i < LONG; ++i) s = tf.add(s, y);
      values.glCallsPerPass = (self.benchGlCalls - before) / LONG;
      return s;
    });
    readBack(z);
  }
  return { figures: [single, chained, issuing], values };
}

function mnistModel(tf) {
  return tf.sequential({ layers: mnistLayers(tf.layers) });
}

// The grid's batch sizes (quick runs keep the small ones).
const batches = (options) => (options.quick ? [1, 32] : [1, 32, 64, 128]);

async function predictFigures(tf, model, example, batches, options, figures) {
  for (const batch of batches) {
    const x = random(tf, [batch, ...example], 7);
    figures.push(await measure(`predict b${batch}`, () => readBack(model.predict(x, { batchSize: batch })), options));
    x.dispose();
  }
}

async function firstPredict(tf, model, example, result) {
  const x = random(tf, [1, ...example], 5);
  const before = programCount(tf);
  result.figures.push(await once('first predict', () => readBack(model.predict(x, { batchSize: 1 }))));
  result.values.programs = programCount(tf) - before;
  x.dispose();
}

const labels = (tf, batch, classes) =>
  tf.tensor1d(Array.from({ length: batch }, (_, i) => i % classes), 'float32');

// Runs `figure` unless the backend lacks a kernel it needs (TF.js's wasm backend has no
// Conv2DBackpropFilter: it cannot train a CNN); that is recorded, not a failed run.
async function unlessUnsupported(result, name, figure) {
  try {
    await figure();
  } catch (e) {
    if (!/not registered for backend/.test(e.message)) throw e;
    (result.unsupported ??= []).push(`${name}: ${e.message}`);
  }
}

async function mnistCnnTask(tf, options) {
  const result = { figures: [], values: {} };
  let built;
  result.figures.push(await once('build', () => { built = mnistModel(tf); }));
  let artifacts;
  await built.save(tf.io.withSaveHandler(async (a) => { artifacts = a; return { modelArtifactsInfo: {} }; }));
  let model;
  result.figures.push(await once('load', async () => {
    model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  }));
  await firstPredict(tf, model, [28, 28, 1], result);
  await predictFigures(tf, model, [28, 28, 1], batches(options), options, result.figures);
  model.compile({ optimizer: tf.train.adam(0.001), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const x = random(tf, [64, 28, 28, 1], 3), y = labels(tf, 64, 10);
  await unlessUnsupported(result, 'train step b64 (adam)', async () => {
    result.figures.push(await measure('train step b64 (adam)', () => model.trainOnBatch(x, y), options));
  });
  const memory = tf.memory();
  result.values.peakBytes = memory.numBytesInGPUAllocated ?? memory.numBytes;
  return result;
}

// bench_digits.bin: "TXDIGITS", u32 train count, u32 test count, then records of a label
// byte and 784 grey bytes (mnist_train --export-bench).
async function readDigits() {
  const bytes = new Uint8Array(await (await fetch('bench_digits.bin')).arrayBuffer());
  const view = new DataView(bytes.buffer);
  const counts = [view.getUint32(8, true), view.getUint32(12, true)];
  let at = 16;
  return counts.map((count) => {
    const pixels = new Float32Array(count * 784), ids = new Float32Array(count);
    for (let i = 0; i < count; ++i, at += 785) {
      ids[i] = bytes[at];
      for (let p = 0; p < 784; ++p) pixels[i * 784 + p] = bytes[at + 1 + p] / 255;
    }
    return { pixels, ids, count };
  });
}

async function mnistFitTask(tf, options) {
  const [train, test] = await readDigits();
  const count = options.quick ? 640 : train.count, epochs = options.quick ? 1 : 2;
  const x = tf.tensor4d(train.pixels.subarray(0, count * 784), [count, 28, 28, 1]);
  const y = tf.tensor1d(train.ids.subarray(0, count), 'float32');
  const model = mnistModel(tf);
  model.compile({ optimizer: tf.train.adam(0.002), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const result = { figures: [], values: {} };
  await unlessUnsupported(result, 'fit', async () => {
    await model.trainOnBatch(x.slice(0, 64), y.slice(0, 64));  // warm-up, as texel's model.warmup
  });
  if (result.unsupported) return result;
  const epochMs = [];
  let start = performance.now();
  await model.fit(x, y, { epochs, batchSize: 64, shuffle: true, verbose: 0, callbacks: {
    onEpochEnd: async () => { epochMs.push(performance.now() - start); start = performance.now(); },
  } });
  const tx = tf.tensor4d(test.pixels, [test.count, 28, 28, 1]);
  const predicted = model.predict(tx, { batchSize: 256 }).argMax(1).dataSync();
  let right = 0;
  for (let i = 0; i < test.count; ++i) right += predicted[i] === test.ids[i];
  const mean = epochMs.reduce((a, b) => a + b, 0) / epochMs.length;
  return { figures: [{ name: `fit epoch (${count} digits, b64)`, ms: mean, repetitions: epochs }],
           values: { accuracy: right / test.count } };
}

async function mlpTask(tf, depth, width, options) {
  const result = { figures: [], values: {} };
  let model;
  result.figures.push(await once('load', () => {
    const layers = [];
    for (let i = 0; i < depth; ++i)
      layers.push(tf.layers.dense({ units: width, activation: 'relu', ...(i ? {} : { inputShape: [784] }) }));
    layers.push(tf.layers.dense({ units: 10, activation: 'softmax' }));
    model = tf.sequential({ layers });
  }));
  model.compile({ optimizer: tf.train.sgd(0.01), loss: 'sparseCategoricalCrossentropy' });
  const one = random(tf, [1, 784], 3);
  const x = random(tf, [64, 784], 4), y = labels(tf, 64, 10);
  const before = programCount(tf);
  result.figures.push(await once('warm-up', async () => {
    readBack(model.predict(one));
    await model.trainOnBatch(x, y);
  }));
  result.values.programs = programCount(tf) - before;
  result.figures.push(await measure('infer b1', () => readBack(model.predict(one)), options));
  result.figures.push(await measure('train b64 (sgd)', () => model.trainOnBatch(x, y), options));
  return result;
}

function kimCnn(tf) {
  const L = tf.layers;
  const words = tf.input({ shape: [50, 300] });
  const branches = [3, 4, 5].map((width) =>
    L.globalMaxPooling1d().apply(L.conv1d({ filters: 100, kernelSize: width, activation: 'relu' }).apply(words)));
  const features = L.concatenate().apply(branches);
  return tf.model({ inputs: words, outputs: L.dense({ units: 2, activation: 'softmax' }).apply(features) });
}

async function kimTask(tf, options) {
  const result = { figures: [], values: {} };
  const model = kimCnn(tf);
  await firstPredict(tf, model, [50, 300], result);
  await predictFigures(tf, model, [50, 300], batches(options), options, result.figures);
  return result;
}

// The sentiment page's model on word ids, one adam step on 50 reviews (as apps/bench/tasks.cpp).
async function kimTrainTask(tf, options) {
  const L = tf.layers;
  const ids = tf.input({ shape: [400] });
  const vectors = L.embedding({ inputDim: 20000, outputDim: 32 }).apply(ids);
  const branches = [3, 4, 5].map((width) =>
    L.globalMaxPooling1d().apply(L.conv1d({ filters: 64, kernelSize: width, activation: 'relu' }).apply(vectors)));
  const features = L.dropout({ rate: 0.5 }).apply(L.concatenate().apply(branches));
  const model = tf.model({ inputs: ids, outputs: L.dense({ units: 2, activation: 'softmax' }).apply(features) });
  model.compile({ optimizer: tf.train.adam(0.002), loss: 'sparseCategoricalCrossentropy' });
  const batch = 50;
  const words = Array.from({ length: batch * 400 }, (_, i) =>
    Number((BigInt(i) * 2654435761n) % 4294967296n % 997n) * (i % 7 === 0 ? 20 : 1) % 20000);
  const x = tf.tensor2d(words, [batch, 400], 'int32');
  const y = tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 2), 'float32');
  const result = { figures: [], values: {} };
  const before = programCount(tf);
  result.figures.push(await once('warm-up', () => model.trainOnBatch(x, y)));
  result.values.programs = programCount(tf) - before;
  result.figures.push(await measure('train b50 (adam)', () => model.trainOnBatch(x, y), options));
  return result;
}

// MobileNet v1, alpha 0.5, 224x224x3, random weights (as apps/bench/tasks.cpp).
function mobileNet(tf) {
  const L = tf.layers;
  const layers = [];
  const convBlock = (filters, kernel, stride, first) => {
    layers.push(L.conv2d({ filters, kernelSize: kernel, strides: stride, padding: 'same', useBias: false,
                           ...(first ? { inputShape: [224, 224, 3] } : {}) }));
    layers.push(L.batchNormalization());
    layers.push(L.activation({ activation: 'relu6' }));
  };
  convBlock(16, 3, 2, true);
  for (const [filters, stride] of [[32, 1], [64, 2], [64, 1], [128, 2], [128, 1], [256, 2], [256, 1],
                                   [256, 1], [256, 1], [256, 1], [256, 1], [512, 2], [512, 1]]) {
    layers.push(L.depthwiseConv2d({ kernelSize: 3, strides: stride, padding: 'same', useBias: false }));
    layers.push(L.batchNormalization());
    layers.push(L.activation({ activation: 'relu6' }));
    convBlock(filters, 1, 1, false);
  }
  layers.push(L.globalAveragePooling2d({}));  // TF.js reads config.dataFormat: {} is required
  layers.push(L.dense({ units: 1000, activation: 'softmax' }));
  return tf.sequential({ layers });
}

async function mobileNetTask(tf, options) {
  const result = { figures: [], values: {} };
  const model = mobileNet(tf);
  await firstPredict(tf, model, [224, 224, 3], result);
  await predictFigures(tf, model, [224, 224, 3], [1], options, result.figures);
  return result;
}

const TASKS = {
  'matMul-128': (tf, o) => matMulTask(tf, 128, o),
  'matMul-256': (tf, o) => matMulTask(tf, 256, o),
  'matMul-512': (tf, o) => matMulTask(tf, 512, o),
  'matMul-1024': (tf, o) => matMulTask(tf, 1024, o),
  'conv2d-28x28x1-8': (tf, o) => conv2dTask(tf, 28, 1, 8, false, o),
  'conv2d-13x13x8-16': (tf, o) => conv2dTask(tf, 13, 8, 16, false, o),
  'conv2d-56x56x64-64-same': (tf, o) => conv2dTask(tf, 56, 64, 64, true, o),
  'trivial-pass': trivialPassTask,
  'mnist-cnn': mnistCnnTask,
  'mnist-fit': mnistFitTask,
  'kim-cnn': kimTask,
  'kim-cnn-train': kimTrainTask,
  'mobilenet-v1-0.5': mobileNetTask,
};
for (const depth of [1, 2, 4, 8])
  for (const width of [64, 128, 256]) TASKS[`mlp-${depth}x${width}`] = (tf, o) => mlpTask(tf, depth, width, o);

export async function runTask(tf, name, options) {
  const task = TASKS[name];
  if (!task) throw new Error(`unknown task '${name}'`);
  const result = await task(tf, options);
  return { task: name, engine: 'tfjs', figures: result.figures, values: result.values || {},
           ...(result.unsupported ? { unsupported: result.unsupported } : {}) };
}
