// texel for JavaScript: TF.js-shaped tensors, ops and models over the wasm core
// (platform/web/js/bindings.cpp, built as texel_core.mjs + texel_core.wasm). Works in a
// page, a Web Worker (WebGL on an OffscreenCanvas) and node (CPU backend).
//   const tx = await texel.init({ backend: 'auto' });
import createTexelCore from './texel_core.mjs';

const isNode = typeof process === 'object' && typeof process.versions?.node === 'string' &&
  typeof window === 'undefined' && typeof importScripts === 'undefined';

/** Every error texel throws: the message names the op, the shapes and what was expected. */
export class TexelError extends Error {
  constructor(message) {
    super(message);
    this.name = 'TexelError';
  }
}
/** The WebGL context was lost; tensors on it are gone until it is restored. */
export class ContextLostError extends TexelError {
  constructor(message) {
    super(message);
    this.name = 'ContextLostError';
  }
}
/** A texture allocation would exceed the memory budget, or the driver ran out. */
export class OutOfMemoryError extends TexelError {
  constructor(message) {
    super(message);
    this.name = 'OutOfMemoryError';
  }
}
const ERROR_KINDS = { TexelError, ContextLostError, OutOfMemoryError };

// Runs a call into the core, turning embind's own errors (a deleted handle, a wrong
// argument type) into TexelErrors naming `what`.
function call(what, body) {
  try {
    return body();
  } catch (e) {
    if (e instanceof TexelError) throw e;
    throw new TexelError(`${what}: ${e?.message ?? e}`);
  }
}

const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

// Polls a core job (a readback, a warmup) between tasks until it is ready, then takes its
// result; the job's handle is freed either way.
async function settle(job, take) {
  try {
    while (!job.ready()) await nextTask();
    return take(job);
  } finally {
    job.delete();
  }
}

let canvasCounter = 0;

/**
 * Starts an engine. backend 'webgl' needs a WebGL2 context (a canvas is created when none is
 * given: an OffscreenCanvas in workers); 'simd' the SIMD CPU backend (WebAssembly SIMD128
 * kernels where an op has one, the reference otherwise); 'cpu' the C++ reference backend;
 * 'auto' (the default) keeps tensors and eager ops on the SIMD CPU and each model on WebGL2
 * too (when a context can be made): model.warmup() times both and predictions run on the
 * faster for their batch size (model.backendChoices says which and why; tx.backendInfo
 * what the engine holds). options.threads: the SIMD backend's threads where the page is
 * cross-origin isolated: true (the default) every core, at most 8; a number at most that
 * many (a background job leaving a core to the page); false one.
 */
export async function init(options = {}) {
  const requested = options.backend ?? 'auto';
  if (!['webgl', 'simd', 'cpu', 'auto'].includes(requested))
    throw new TexelError(`init: backend must be 'webgl', 'simd', 'cpu' or 'auto', got '${requested}'`);
  const moduleOptions = {};
  if (isNode) {
    const { createRequire } = await import('node:module');
    const { fileURLToPath } = await import('node:url');
    const { readFileSync } = await import('node:fs');
    const here = fileURLToPath(new URL('.', import.meta.url));
    moduleOptions.nodeRequire = createRequire(import.meta.url);
    moduleOptions.nodeDirname = here;
    moduleOptions.wasmBinary = readFileSync(new URL('./texel_core.wasm', import.meta.url));
  }
  // The SIMD backend's threads: the threaded core needs shared memory, which a browser
  // gives only to a cross-origin-isolated page (COOP: same-origin, COEP: require-corp).
  const { threads = true } = options;
  if (threads !== true && threads !== false && !(Number.isInteger(threads) && threads >= 1))
    throw new TexelError(`init: threads must be true, false or a positive integer, got ${threads}`);
  const threadCount = threads === true ? 0 : threads === false ? 1 : threads;
  let createCore = createTexelCore;
  let threadsNote;
  if (threads === false || threads === 1) threadsNote = `one thread (threads: ${threads})`;
  else if (isNode) threadsNote = 'one thread (node: the threaded core is for pages and workers)';
  else if (globalThis.crossOriginIsolated !== true)
    threadsNote = 'one thread (the page is not cross-origin isolated: serve it with ' +
      "'Cross-Origin-Opener-Policy: same-origin' and 'Cross-Origin-Embedder-Policy: require-corp')";
  else {
    try {
      createCore = (await import('./texel_core_threads.mjs')).default;
      threadsNote = 'threads (cross-origin isolated)';
    } catch (e) {
      threadsNote = `one thread (the threaded core did not load: ${e.message})`;
    }
  }
  const core = await createCore(moduleOptions);
  core.texelMakeError = (kind, message) => new (ERROR_KINDS[kind] ?? TexelError)(message);

  let engine = null;
  let reason = '';
  const canvasTarget = (required) => {
    let canvas = options.canvas;
    if (!canvas) {
      if (typeof OffscreenCanvas === 'function') canvas = new OffscreenCanvas(1, 1);
      else if (typeof document === 'object') canvas = document.createElement('canvas');
      else if (required) throw new TexelError('init: WebGL needs a canvas, and this environment has none (node: use the cpu or simd backend)');
      else return '';
    }
    const target = `!texel-canvas-${++canvasCounter}`;
    core.specialHTMLTargets[target] = canvas;
    return target;
  };
  if (requested === 'cpu' || requested === 'simd') {
    engine = new core.JsEngine(requested, '', threadCount);
    reason = 'requested';
  } else if (requested === 'webgl') {
    engine = new core.JsEngine('webgl', canvasTarget(true), 1);
    reason = 'requested';
  } else {
    engine = new core.JsEngine('auto', canvasTarget(false), threadCount);
    reason = engine.autoNote();
  }
  return new Texel(core, engine, reason, threadsNote);
}

// TF.js-order wrappers for the registry ops that take attributes: (inputs..., args...) ->
// [inputs, attrs]. Ops without attributes are bound generically from the registry.
const axes = (axis) => (axis === undefined || axis === null ? undefined : Array.isArray(axis) ? axis : [axis]);
const pair = (v) => (v === undefined ? undefined : Array.isArray(v) ? v : [v, v]);
const nhwc = (op, dataFormat) => {
  if (dataFormat !== undefined && dataFormat !== 'NHWC' && dataFormat !== 'NWC')
    throw new TexelError(`${op}: dataFormat '${dataFormat}' is not supported (texel is channels-last)`);
};
const reduce = (x, axis, keepDims) => [[x], { axes: axes(axis), keepDims }];
const SIGNATURES = {
  all: reduce, any: reduce, max: reduce, mean: reduce, min: reduce, prod: reduce, sum: reduce,
  logSumExp: reduce,
  argMax: (x, axis = 0) => [[x], { axis }],
  argMin: (x, axis = 0) => [[x], { axis }],
  avgPool: (x, filterSize, strides, pad) => [[x], { filterSize: pair(filterSize), strides: pair(strides), padding: pad }],
  maxPool: (x, filterSize, strides, pad) => [[x], { filterSize: pair(filterSize), strides: pair(strides), padding: pad }],
  batchNorm: (x, mean, variance, offset, scale, varianceEpsilon) => {
    const inputs = [x, mean, variance];
    if (offset != null) inputs.push(offset);
    if (scale != null) inputs.push(scale);
    return [inputs, { hasOffset: offset != null, hasScale: scale != null, varianceEpsilon }];
  },
  broadcastTo: (x, shape) => [[x], { shape }],
  cast: (x, dtype) => [[x], { dtype }],
  clipByValue: (x, clipValueMin, clipValueMax) => [[x], { clipValueMin, clipValueMax }],
  concat: (tensors, axis = 0) => [tensors, { axis }],
  stack: (tensors, axis = 0) => [tensors, { axis }],
  conv1d: (x, filter, stride = 1, pad = 'valid', dataFormat, dilation) => {
    nhwc('conv1d', dataFormat);
    return [[x, filter], { stride, padding: pad, dilation }];
  },
  conv2d: (x, filter, strides = 1, pad = 'valid', dataFormat, dilations) => {
    nhwc('conv2d', dataFormat);
    return [[x, filter], { strides: pair(strides), padding: pad, dilations: pair(dilations) }];
  },
  conv2dTranspose: (x, filter, outputShape, strides = 1, pad = 'valid') =>
    [[x, filter], { outputShape, strides: pair(strides), padding: pad }],
  depthwiseConv2d: (x, filter, strides = 1, pad = 'valid', dataFormat, dilations) => {
    nhwc('depthwiseConv2d', dataFormat);
    return [[x, filter], { strides: pair(strides), padding: pad, dilations: pair(dilations) }];
  },
  separableConv2d: (x, depthwiseFilter, pointwiseFilter, strides = 1, pad = 'valid', dilation, dataFormat) => {
    nhwc('separableConv2d', dataFormat);
    return [[x, depthwiseFilter, pointwiseFilter], { strides: pair(strides), padding: pad, dilations: pair(dilation) }];
  },
  cropAndResize: (image, boxes, boxInd, cropSize, method, extrapolationValue) =>
    [[image, boxes, boxInd], { cropSize, method, extrapolationValue }],
  cumsum: (x, axis = 0, exclusive, reverse) => [[x], { axis, exclusive, reverse }],
  expandDims: (x, axis = 0) => [[x], { axis }],
  gather: (x, indices, axis = 0) => [[x, indices], { axis }],
  leakyRelu: (x, alpha = 0.2) => [[x], { alpha }],
  logSoftmax: (x, axis = -1) => [[x], { axis }],
  softmax: (x, dim = -1) => [[x], { axis: dim }],
  matMul: (a, b, transposeA = false, transposeB = false) => [[a, b], { transposeA, transposeB }],
  oneHot: (indices, depth, onValue, offValue, dtype) => [[indices], { depth, onValue, offValue, dtype }],
  pad: (x, paddings, constantValue) => [[x], { paddings: paddings.flat(), constantValue }],
  reshape: (x, shape) => [[x], { shape }],
  resizeBilinear: (x, size, alignCorners, halfPixelCenters) => [[x], { size, alignCorners, halfPixelCenters }],
  resizeNearestNeighbor: (x, size, alignCorners, halfPixelCenters) => [[x], { size, alignCorners, halfPixelCenters }],
  reverse: (x, axis) => [[x], { axes: axes(axis) }],
  slice: (x, begin, size) => [[x], { begin: Array.isArray(begin) ? begin : [begin], size: size === undefined ? undefined : Array.isArray(size) ? size : [size] }],
  split: (x, numOrSizeSplits, axis = 0) =>
    [[x], Array.isArray(numOrSizeSplits) ? { sizes: numOrSizeSplits, axis } : { numSplits: numOrSizeSplits, axis }],
  squeeze: (x, axis) => [[x], { axes: axes(axis) }],
  stridedSlice: (x, begin, end, strides, beginMask, endMask, ellipsisMask, newAxisMask, shrinkAxisMask) =>
    [[x], { begin, end, strides, beginMask, endMask, ellipsisMask, newAxisMask, shrinkAxisMask }],
  tile: (x, reps) => [[x], { reps }],
  topK: (x, k = 1) => [[x], { k }],
  transpose: (x, perm) => [[x], { perm }],
  unstack: (x, axis = 0) => [[x], { axis }],
};
// Several outputs: how they are returned (TF.js's shapes).
const MULTI_OUTPUT = {
  split: (outs) => outs,
  unstack: (outs) => outs,
  topK: ([values, indices]) => ({ values, indices }),
};
// Registry ops that are gradient or optimizer helpers, not part of the user API.
const INTERNAL = new Set(['applyOptimizer', 'avgPoolGrad', 'conv2dFilterGrad', 'gatherGrad',
  'maxPoolGrad', 'reluGrad', 'softmaxCrossEntropyGrad']);

function flatten(values, shape = [], depth = 0, out = []) {
  if (Array.isArray(values)) {
    if (shape.length <= depth) shape.push(values.length);
    else if (shape[depth] !== values.length)
      throw new TexelError(`tensor: ragged nested array (length ${values.length} at depth ${depth}, expected ${shape[depth]})`);
    for (const v of values) flatten(v, shape, depth + 1, out);
  } else {
    if (typeof values !== 'number' && typeof values !== 'boolean')
      throw new TexelError(`tensor: values must be numbers, booleans, typed arrays or nested arrays, got ${typeof values}`);
    out.push(Number(values));
  }
  return { shape, out };
}

/** An n-dimensional array on one engine's backend (GPU textures for 'webgl'). */
export class Tensor {
  #tx;
  #handle;
  constructor(tx, handle) {
    this.#tx = tx;
    this.#handle = handle;
    const info = handle.info();  // [dtype, ...shape]
    this.dtype = info[0];
    this.shape = info.slice(1);
    this.size = this.shape.reduce((a, b) => a * b, 1);
    this.rank = this.shape.length;
    tx._track(this, handle);
  }
  /** @internal the core handle (throws for a disposed tensor) */
  _handle(what) {
    if (!this.#handle) throw new TexelError(`${what}: the tensor [${this.shape}] was disposed`);
    return this.#handle;
  }
  get isDisposed() {
    return this.#handle === null;
  }
  /** The values, read without blocking the thread (a fence is polled on WebGL). */
  async data() {
    const read = call('data', () => this.#tx._engine.read(this._handle('data')));
    return settle(read, (r) => r.take());
  }
  /** The values, read synchronously (on WebGL this waits for the GPU). */
  dataSync() {
    return this._handle('dataSync').dataSync();
  }
  async array() {
    return nest(Array.from(await this.data()), this.shape);
  }
  arraySync() {
    return nest(Array.from(this.dataSync()), this.shape);
  }
  dispose() {
    if (!this.#handle) return;
    this.#tx._untrack(this);
    this.#handle.delete();
    this.#handle = null;
  }
  toString() {
    return `Tensor [${this.shape}] ${this.dtype}${this.isDisposed ? ' (disposed)' : ''}`;
  }
}

function nest(values, shape) {
  if (shape.length === 0) return values[0];
  const [first, ...rest] = shape;
  const step = rest.reduce((a, b) => a * b, 1);
  return Array.from({ length: first }, (_, i) => nest(values.slice(i * step, (i + 1) * step), rest));
}

/** A model: loaded from a .texel file or imported from TF.js's layers format. */
export class LayersModel {
  #tx;
  #model;
  constructor(tx, model) {
    this.#tx = tx;
    this.#model = model;
    this.inputShapes = model.inputShapes();
    this.outputShape = model.outputShape();
  }
  #get(what) {
    if (!this.#model) throw new TexelError(`${what}: the model was disposed`);
    return this.#model;
  }
  /**
   * The output for a batch (one tensor, or an array for several inputs). On an 'auto'
   * engine it runs on the backend warmup chose for the nearest batch size, or on
   * config.backend ('simd' / 'cpu-simd', 'webgl' / 'gl') when given.
   */
  predict(x, config = {}) {
    const batchSize = config.batchSize ?? 32;
    if (!Number.isInteger(batchSize) || batchSize <= 0)
      throw new TexelError(`predict: batchSize must be a positive integer, got ${batchSize}`);
    const backend = this.#backendName('predict', config.backend);
    return this.#withInputs('predict', x, undefined, (handles) =>
      new Tensor(this.#tx, call('predict', () => this.#get('predict').predict(handles, batchSize, backend))));
  }
  // A backend's core name from the names users know; '' for the chosen one.
  #backendName(what, name) {
    if (name === undefined || name === null) return '';
    const core = { simd: 'cpu-simd', webgl: 'gl' }[name] ?? name;
    const held = this.backends;
    if (!held.includes(core))
      throw new TexelError(`${what}: backend '${name}' does not hold this model (it is on ${held.map((b) => `'${b}'`).join(', ')})`);
    return core;
  }
  /** The backends this model is held on (core names: 'cpu', 'cpu-simd', 'gl'). */
  get backends() {
    return call('backends', () => this.#get('backends').backends());
  }
  /**
   * What warmup (or chooseBackend) timed, one entry per batch size:
   * {batchSize, backend, reason, timings: [{backend, medianMs, runsMs}]}.
   */
  get backendChoices() {
    return call('backendChoices', () => this.#get('backendChoices').choices());
  }
  /** Times predict on every backend the model is held on for this batch size and keeps the fastest. */
  chooseBackend(batchSize = 1, { runs = 5 } = {}) {
    if (!Number.isInteger(batchSize) || batchSize <= 0)
      throw new TexelError(`chooseBackend: batchSize must be a positive integer, got ${batchSize}`);
    if (!Number.isInteger(runs) || runs <= 0)
      throw new TexelError(`chooseBackend: runs must be a positive integer, got ${runs}`);
    return call('chooseBackend', () => this.#get('chooseBackend').choose(batchSize, runs));
  }
  // Runs fn with the core handles of the inputs x (one or an array) and the labels y;
  // numbers and arrays among them become tensors for the call only.
  #withInputs(what, x, y, fn) {
    return this.#tx.tidy(() => {
      const handles = (Array.isArray(x) ? x : [x]).map((t, i) => this.#tx._input(what, t, i)._handle(`${what}: input ${i}`));
      const labels = y === undefined ? undefined : this.#tx._input(what, y, handles.length)._handle(`${what}: labels`);
      return fn(handles, labels);
    });
  }
  /** Keras's table (layer, output shape, params); printed unless printFn is given. */
  summary(lineLength, positions, printFn = console.log) {
    const text = this.#get('summary').summary();
    printFn(text);
    return text;
  }
  countParams() {
    return this.#get('countParams').countParams();
  }
  /**
   * Every node, inputs first: {name, className, outputShape, params, inbound} (the rows of
   * summary(), as data for a page to lay out).
   */
  get layers() {
    return call('layers', () => this.#get('layers').layers()).map((row) => Object.freeze(row));
  }
  /**
   * The outputs of the named layers for a batch, as {name: Tensor} (the caller disposes
   * them, or calls this in tidy). logits: the final softmax left out.
   */
  activations(x, layerNames, { logits = false, backend } = {}) {
    if (!Array.isArray(layerNames) || !layerNames.every((n) => typeof n === 'string'))
      throw new TexelError('activations: layerNames must be an array of layer names (strings)');
    const core = this.#backendName('activations', backend);
    return this.#withInputs('activations', x, undefined, (handles) => {
      const outputs = call('activations', () => this.#get('activations').activations(handles, layerNames, logits, core));
      try {
        return Object.fromEntries(layerNames.map((name, i) => [name, new Tensor(this.#tx, outputs.get(i))]));
      } finally {
        outputs.delete();
      }
    });
  }
  /**
   * Compiles every program predict (and, with training, a training step) needs, now. On an
   * 'auto' engine the model is then timed on each backend it is held on for this batch size
   * (chooseBackend): the report's `choice` says where predictions of that size will run,
   * or, with training, where training runs from now on (trainingChoice).
   */
  warmup(batchSize = 1, training = false) {
    const job = call('warmup', () => this.#get('warmup').startWarmup(batchSize, training));
    try {
      return this.#choose(call('warmup', () => job.finish()), batchSize, training);
    } finally {
      job.delete();
    }
  }
  /**
   * The same without blocking: compiles run while the page polls between tasks, and an
   * 'auto' engine's timing runs one step (one backend's run) per task.
   */
  async warmupAsync(batchSize = 1, training = false) {
    const job = call('warmup', () => this.#get('warmup').startWarmup(batchSize, training));
    const report = await settle(job, (j) => j.finish());
    if (this.#tx.backendInfo.backend !== 'auto') return report;
    const timer = call('chooseBackend', () => this.#get('chooseBackend').startChoice(batchSize, training ? 3 : 5, training));
    try {
      while (!timer.done()) {
        call('chooseBackend', () => timer.step());
        await nextTask();
      }
      report.choice = call('chooseBackend', () => timer.keep());
    } finally {
      timer.delete();
    }
    return report;
  }
  // Timed on an auto engine even with one backend, so a page can always show the choice.
  #choose(report, batchSize, training) {
    if (this.#tx.backendInfo.backend !== 'auto') return report;
    report.choice = training
      ? call('chooseBackend', () => this.#get('chooseBackend').chooseTraining(batchSize, 3))
      : this.chooseBackend(batchSize);
    return report;
  }
  /** Where training runs after warmup(batchSize, true) on an 'auto' engine (null before). */
  get trainingChoice() {
    return call('backendChoices', () => this.#get('backendChoices').trainingChoice());
  }
  /** The model as a .texel file (float16 halves it). */
  toBytes({ float16 = false } = {}) {
    return this.#get('save').serialize(float16);
  }
  /** The model in TF.js's layers format: {modelJson, shards: [{path, bytes}]}. */
  toTfjs() {
    return this.#get('save').exportTfjs();
  }
  /**
   * 'downloads://name' saves name.texel (or, with {format: 'tfjs'}, name.json and its shards)
   * through the browser's download; returns what was written.
   */
  async save(url, { format = 'texel', float16 = false } = {}) {
    const stored = /^indexeddb:\/\/(.+)$/.exec(String(url));
    if (stored) {
      const bytes = this.toBytes({ float16 });
      // One put in one transaction: the entry is replaced whole or not at all.
      await idbRequest('readwrite', (store) => store.put({ bytes, savedAt: new Date().toISOString() }, stored[1]));
      return { files: [url], bytes: bytes.length };
    }
    const match = /^downloads:\/\/(.+)$/.exec(String(url));
    if (!match) throw new TexelError(`save: expected 'indexeddb://name' or 'downloads://name', got '${url}'`);
    if (typeof document !== 'object') throw new TexelError('save: downloads need a page (document)');
    const files = format === 'tfjs'
      ? (() => {
        const a = this.toTfjs();
        return [[`${match[1]}.json`, a.modelJson], ...a.shards.map((s) => [s.path, s.bytes])];
      })()
      : [[`${match[1]}.texel`, this.toBytes({ float16 })]];
    for (const [name, content] of files) {
      const link = document.createElement('a');
      link.href = URL.createObjectURL(new Blob([content]));
      link.download = name;
      link.click();
      URL.revokeObjectURL(link.href);
    }
    return { files: files.map(([name]) => name) };
  }
  /**
   * optimizer: 'sgd' | 'momentum' | 'adagrad' | 'adadelta' | 'adam' | 'adamax' | 'rmsprop'
   * or tx.train.<name>(learningRate); loss: categoricalCrossentropy,
   * sparseCategoricalCrossentropy, binaryCrossentropy, meanSquaredError, meanAbsoluteError.
   */
  compile({ optimizer = 'adam', loss = 'categoricalCrossentropy', metrics = [] } = {}) {
    const { name, learningRate } = typeof optimizer === 'string' ? { name: optimizer } : optimizer ?? {};
    const list = (Array.isArray(metrics) ? metrics : [metrics]).map(String);
    call('compile', () => this.#get('compile').compile(String(name), learningRate ?? -1, String(loss), list));
    this.compiled = true;
  }
  /** One optimizer step on a batch; returns {loss, acc...}. */
  trainOnBatch(x, y) {
    return this.#withInputs('trainOnBatch', x, y, (xs, labels) => this.#get('trainOnBatch').trainOnBatch(xs, labels));
  }
  evaluate(x, y, { batchSize = 32 } = {}) {
    return this.#withInputs('evaluate', x, y, (xs, labels) => this.#get('evaluate').evaluate(xs, labels, batchSize));
  }
  /** Asks a running fit() to stop after the current batch (from a callback). */
  stopTraining() {
    this.#stop = true;
  }
  #stop = false;
  /**
   * Trains like TF.js's fit: seeded shuffles, validationSplit (the last examples, before
   * shuffling), callbacks onEpochBegin/onBatchEnd/onEpochEnd (awaited). Control returns to
   * the event loop after every `yieldEvery` batches (default 1), so a page stays responsive.
   */
  async fit(x, y, { epochs = 1, initialEpoch = 0, batchSize = 32, shuffle = true, seed = 0,
    validationSplit = 0, callbacks = {}, yieldEvery = 1 } = {}) {
    const tx = this.#tx;
    const xs = Array.isArray(x) ? x : [x];
    const total = xs[0].shape[0];
    if (!Number.isInteger(batchSize) || batchSize <= 0) throw new TexelError(`fit: batchSize must be a positive integer, got ${batchSize}`);
    if (!(validationSplit >= 0 && validationSplit < 1)) throw new TexelError(`fit: validationSplit must be in [0, 1), got ${validationSplit}`);
    for (const t of [...xs, y])
      if (!(t instanceof Tensor) || t.shape[0] !== total)
        throw new TexelError(`fit: every input and the labels must be tensors of ${total} examples`);
    const validation = Math.floor(total * validationSplit);
    const train = total - validation;
    if (train <= 0) throw new TexelError('fit: no training examples left after validationSplit');
    const rows = (t, indices) => tx.gather(t, tx.tensor(Int32Array.from(indices), [indices.length], 'int32'), 0);
    const history = { epoch: [], history: {} };
    this.#stop = false;
    let batchesSinceYield = 0;
    for (let epoch = initialEpoch; epoch < epochs && !this.#stop; ++epoch) {
      await callbacks.onEpochBegin?.(epoch);
      const order = Array.from({ length: train }, (_, i) => i);
      if (shuffle) {
        const random = seededRandom(seed * 7919 + epoch);
        for (let i = order.length - 1; i > 0; --i) {
          const j = Math.floor(random() * (i + 1));
          [order[i], order[j]] = [order[j], order[i]];
        }
      }
      const sums = {};
      for (let start = 0, batch = 0; start < train && !this.#stop; start += batchSize, ++batch) {
        const indices = order.slice(start, start + batchSize);
        const logs = tx.tidy(() => this.trainOnBatch(xs.map((t) => rows(t, indices)), rows(y, indices)));
        for (const [k, v] of Object.entries(logs)) sums[k] = (sums[k] ?? 0) + v * indices.length;
        await callbacks.onBatchEnd?.(batch, { ...logs, batch, size: indices.length });
        if (++batchesSinceYield >= yieldEvery) {
          batchesSinceYield = 0;
          await nextTask();
        }
      }
      const logs = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / train]));
      if (validation > 0) {
        const held = Array.from({ length: validation }, (_, i) => train + i);
        const val = tx.tidy(() => this.evaluate(xs.map((t) => rows(t, held)), rows(y, held), { batchSize }));
        for (const [k, v] of Object.entries(val)) logs[`val_${k}`] = v;
      }
      history.epoch.push(epoch);
      for (const [k, v] of Object.entries(logs)) (history.history[k] ??= []).push(v);
      await callbacks.onEpochEnd?.(epoch, logs);
    }
    return history;
  }
  dispose() {
    if (this.#model) this.#model.delete();
    this.#model = null;
  }
}

// The shuffle's generator (mulberry32), so fit's order follows from its seed.
function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A layer (tx.layers.*): apply() it to symbolic tensors for tx.model, or list it in tx.sequential. */
export class Layer {
  constructor(handle, inputShape) {
    this._handle = handle;
    this.name = handle.name();
    this.className = handle.className();
    this.inputShape = inputShape;
  }
  getClassName() {
    return this.className;
  }
  /** A symbolic tensor (or several) -> the layer's symbolic output. */
  apply(inputs) {
    const list = (Array.isArray(inputs) ? inputs : [inputs]).map((s) => {
      if (!(s instanceof SymbolicTensor)) throw new TexelError(`${this.name}.apply: inputs must come from tx.input() or another layer's apply()`);
      return s._handle;
    });
    return new SymbolicTensor(call(this.name, () => this._handle.apply(list)));
  }
}

/** A value of a functional graph: shape with null for the batch. */
export class SymbolicTensor {
  constructor(handle) {
    this._handle = handle;
    this.shape = handle.shape().map((d) => (d < 0 ? null : d));
  }
}

// TF.js layer configs -> texel's (the same camelCase names; pairs spelled out).
const toPair = (v) => (v === undefined ? undefined : Array.isArray(v) ? v : [v, v]);
const LAYERS = {
  dense: ['Dense', (c) => c],
  conv2d: ['Conv2D', (c) => ({ ...c, kernelSize: toPair(c.kernelSize), strides: toPair(c.strides), dilationRate: toPair(c.dilationRate) })],
  conv2dTranspose: ['Conv2DTranspose', (c) => ({ ...c, kernelSize: toPair(c.kernelSize), strides: toPair(c.strides) })],
  conv1d: ['Conv1D', (c) => c],
  depthwiseConv2d: ['DepthwiseConv2D', (c) => ({ ...c, kernelSize: toPair(c.kernelSize), strides: toPair(c.strides) })],
  separableConv2d: ['SeparableConv2D', (c) => ({ ...c, kernelSize: toPair(c.kernelSize), strides: toPair(c.strides) })],
  maxPooling2d: ['MaxPooling2D', (c) => ({ ...c, poolSize: toPair(c.poolSize ?? 2), strides: toPair(c.strides ?? c.poolSize ?? 2) })],
  averagePooling2d: ['AveragePooling2D', (c) => ({ ...c, poolSize: toPair(c.poolSize ?? 2), strides: toPair(c.strides ?? c.poolSize ?? 2) })],
  maxPooling1d: ['MaxPooling1D', (c) => ({ ...c, poolSize: [1, c.poolSize ?? 2], strides: [1, c.strides ?? c.poolSize ?? 2] })],
  averagePooling1d: ['AveragePooling1D', (c) => ({ ...c, poolSize: [1, c.poolSize ?? 2], strides: [1, c.strides ?? c.poolSize ?? 2] })],
  globalMaxPooling1d: ['GlobalMaxPooling1D', (c) => c],
  globalAveragePooling1d: ['GlobalAveragePooling1D', (c) => c],
  globalMaxPooling2d: ['GlobalMaxPooling2D', (c) => c],
  globalAveragePooling2d: ['GlobalAveragePooling2D', (c) => c],
  flatten: ['Flatten', (c) => c],
  reshape: ['Reshape', (c) => c],
  activation: ['Activation', (c) => c],
  dropout: ['Dropout', (c) => c],
  batchNormalization: ['BatchNormalization', (c) => {
    if (c.axis !== undefined && c.axis !== -1) throw new TexelError(`batchNormalization: axis ${c.axis} is not supported (texel normalises the last axis, -1)`);
    const { axis, ...rest } = c;
    return rest;
  }],
  embedding: ['Embedding', (c) => c],
  concatenate: ['Concatenate', (c) => c],
  add: ['Add', (c) => c],
};

// Saved models live in IndexedDB database "texel-models", object store "models", keyed by name.
function idbRequest(mode, operation) {
  if (typeof indexedDB === 'undefined') return Promise.reject(new TexelError('indexeddb:// needs IndexedDB (a page or a worker)'));
  return new Promise((resolvePromise, reject) => {
    const open = indexedDB.open('texel-models', 1);
    open.onupgradeneeded = () => open.result.createObjectStore('models');
    open.onerror = () => reject(new TexelError(`indexeddb: cannot open the database: ${open.error?.message}`));
    open.onsuccess = () => {
      const db = open.result;
      const transaction = db.transaction('models', mode);
      const request = operation(transaction.objectStore('models'));
      transaction.oncomplete = () => {
        db.close();
        resolvePromise(request.result);
      };
      transaction.onerror = transaction.onabort = () => {
        db.close();
        reject(new TexelError(`indexeddb: ${transaction.error?.message ?? 'the transaction failed'}`));
      };
    };
  });
}

async function fetchBytes(url, what) {
  const stored = /^indexeddb:\/\/(.+)$/.exec(url);
  if (stored) {
    const entry = await idbRequest('readonly', (store) => store.get(stored[1]));
    if (!entry) throw new TexelError(`${what}: no model is saved as '${url}'`);
    return entry.bytes;
  }
  if (isNode && !/^(https?|data|blob):/.test(url)) {
    const { readFile } = await import('node:fs/promises');
    return new Uint8Array(await readFile(url.startsWith('file:') ? new URL(url) : url));
  }
  const response = await fetch(url);
  if (!response.ok) throw new TexelError(`${what}: fetching '${url}' failed (HTTP ${response.status})`);
  return new Uint8Array(await response.arrayBuffer());
}

const asBytes = (b, what) => {
  if (b instanceof Uint8Array) return b;
  if (b instanceof ArrayBuffer) return new Uint8Array(b);
  if (ArrayBuffer.isView(b)) return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  throw new TexelError(`${what}: weights must be ArrayBuffers or Uint8Arrays`);
};

// Bytes per stored value of a manifest entry (its quantization, else its dtype).
const storedBytes = (spec) => {
  const dtype = spec.quantization?.dtype ?? spec.dtype ?? 'float32';
  return { uint8: 1, uint16: 2, float16: 2 }[dtype] ?? 4;
};

/** The engine returned by init(). */
export class Texel {
  #core;
  #scopes = [];
  #liveHandles = 0;  // a count, not a set: a set would keep every tensor from being collected
  #registry;
  #leaked = 0;
  constructor(core, engine, reason, threadsNote) {
    this.#core = core;
    this._engine = engine;
    this.backendInfo = { backend: engine.backendName(), backends: engine.backends(), renderer: engine.renderer(), reason,
                         threads: engine.cpuThreads(), threadsNote };
    // A safety net for tensors that were neither disposed nor tidied: their core handles
    // are freed when the JS objects are collected, and counted in memory().leakedHandles.
    this.#registry = new FinalizationRegistry((handle) => {
      this.#leaked++;
      this.#liveHandles--;
      handle.delete();
    });
    this.fused = {
      matMul: ({ a, b, transposeA = false, transposeB = false, bias, activation = 'linear', leakyreluAlpha }) =>
        this.#run('fusedMatMul', bias ? [a, b, bias] : [a, b], { transposeA, transposeB, activation, leakyreluAlpha }),
      conv2d: ({ x, filter, strides = 1, pad = 'valid', dataFormat, dilations, bias, activation = 'linear', leakyreluAlpha }) => {
        nhwc('fused.conv2d', dataFormat);
        return this.#run('fusedConv2d', bias ? [x, filter, bias] : [x, filter],
          { strides: pair(strides), padding: pad, dilations: pair(dilations), activation, leakyreluAlpha });
      },
    };
    // For testing a page's handling of a lost WebGL context (WEBGL_lose_context).
    this.debug = { loseContext: () => engine.loseContext(), restoreContext: () => engine.restoreContext() };
    this.layers = {};
    for (const [name, [className, convert]] of Object.entries(LAYERS)) {
      this.layers[name] = (config = {}) => {
        const { inputShape, batchInputShape, ...rest } = config;
        const shape = inputShape ?? batchInputShape?.slice(1);
        const attrs = Object.fromEntries(Object.entries(convert(rest)).filter(([, v]) => v !== undefined));
        return new Layer(call(className, () => engine.makeLayer(className, attrs)), shape);
      };
    }
    // The tokenizer the native trainers use (engine/text/text.h), compiled in: a page's
    // tokens are the training tokens.
    this.text = {
      tokenize: (text) => {
        if (typeof text !== 'string') throw new TexelError(`text.tokenize: expected a string, got ${text === null ? "null" : typeof text}`);
        return core.tokenize(text);
      },
    };
    this.train = Object.fromEntries(['sgd', 'momentum', 'adagrad', 'adadelta', 'adam', 'adamax', 'rmsprop']
      .map((name) => [name, (learningRate) => ({ name, learningRate })]));
    for (const op of engine.ops()) {
      if (INTERNAL.has(op.name) || op.name.startsWith('fused')) continue;
      const signature = SIGNATURES[op.name];
      if (!signature && op.attributes.length > 0) continue;  // every such op has a signature
      this[op.name] = (...args) => {
        const [inputs, attrs] = signature ? signature(...args) : [args.slice(0, op.maxInputs), {}];
        if (!signature && args.length !== op.minInputs)
          throw new TexelError(`${op.name}: takes ${op.minInputs} tensor(s), got ${args.length} argument(s)`);
        return this.#run(op.name, inputs, attrs);
      };
    }
  }

  /** @internal */
  _track(tensor, handle) {
    this.#liveHandles++;
    this.#registry.register(tensor, handle, tensor);
    if (this.#scopes.length) this.#scopes[this.#scopes.length - 1].add(tensor);
  }
  /** @internal */
  _untrack(tensor) {
    this.#liveHandles--;
    this.#registry.unregister(tensor);
    for (const scope of this.#scopes) scope.delete(tensor);
  }
  /** @internal a tensor argument: a Tensor of this engine, or numbers/arrays to upload. */
  _input(op, value, index, dtype) {
    if (value instanceof Tensor) return value;
    if (typeof value === 'number' || Array.isArray(value) || ArrayBuffer.isView(value))
      return this.tensor(value, undefined, dtype);
    throw new TexelError(`${op}: input ${index} must be a Tensor, a number or an array, got ${value === null ? 'null' : typeof value}`);
  }

  #run(op, inputs, attrs) {
    if (!Array.isArray(inputs)) throw new TexelError(`${op}: expected an array of tensors`);
    // Numbers and arrays among the inputs take the dtype of the first numeric tensor
    // (tx.add(intTensor, 2) stays int32; where(condition, 1, 0) gives float32, not bool).
    const firstDtype = inputs.find((t) => t instanceof Tensor && t.dtype !== 'bool')?.dtype ?? 'float32';
    const created = [];
    const tensors = inputs.map((t, i) => {
      const tensor = this._input(op, t, i, firstDtype);
      if (tensor !== t) created.push(tensor);
      return tensor;
    });
    try {
      let clean;
      for (const key in attrs) if (attrs[key] !== undefined) (clean ??= {})[key] = attrs[key];
      const handles = tensors.map((t, i) => t._handle(`${op}: input ${i}`));
      if (!MULTI_OUTPUT[op]) return new Tensor(this, call(op, () => this._engine.runOp1(op, handles, clean)));
      const outputs = call(op, () => this._engine.runOp(op, handles, clean));
      try {
        const results = Array.from({ length: outputs.size() }, (_, i) => new Tensor(this, outputs.get(i)));
        return MULTI_OUTPUT[op](results);
      } finally {
        outputs.delete();
      }
    } finally {
      for (const t of created) t.dispose();
    }
  }

  /** A tensor from a typed array, a flat array (with shape) or nested arrays. */
  tensor(values, shape, dtype) {
    let flat;
    if (ArrayBuffer.isView(values)) {
      flat = values;
      // As TF.js infers it: integer arrays are int32, everything else float32.
      dtype ??= values instanceof Int32Array || values instanceof Uint8Array || values instanceof Uint8ClampedArray ||
        values instanceof Int16Array || values instanceof Uint16Array || values instanceof Int8Array ? 'int32' : 'float32';
      shape ??= [values.length];
    } else if (typeof values === 'number' || typeof values === 'boolean') {
      flat = [Number(values)];
      shape ??= [];
    } else {
      const { shape: inferred, out } = flatten(values);
      flat = out;
      shape ??= inferred;
    }
    dtype ??= 'float32';
    return new Tensor(this, call('tensor', () => this._engine.tensor(flat, shape, dtype)));
  }
  scalar(value, dtype) {
    return this.tensor(value, [], dtype);
  }
  zeros(shape, dtype = 'float32') {
    return this.tensor(new (dtype === 'int32' ? Int32Array : Float32Array)(shape.reduce((a, b) => a * b, 1)), shape, dtype);
  }
  ones(shape, dtype = 'float32') {
    return this.tensor(new (dtype === 'int32' ? Int32Array : Float32Array)(shape.reduce((a, b) => a * b, 1)).fill(1), shape, dtype);
  }

  /**
   * Runs fn and disposes every tensor it created except what it returns (a tensor, or
   * tensors in an array or object) and what it passed to keep().
   */
  tidy(nameOrFn, maybeFn) {
    const fn = typeof nameOrFn === 'function' ? nameOrFn : maybeFn;
    if (typeof fn !== 'function') throw new TexelError('tidy: expected a function');
    const scope = new Set();
    this.#scopes.push(scope);
    let result;
    try {
      result = fn();
      if (result instanceof Promise) throw new TexelError('tidy: the function must not be async (it returned a Promise)');
    } finally {
      this.#scopes.pop();
      const kept = new Set();
      const collect = (v) => {
        if (v instanceof Tensor) kept.add(v);
        else if (Array.isArray(v)) v.forEach(collect);
        else if (v && typeof v === 'object' && !(v instanceof Promise)) Object.values(v).forEach(collect);
      };
      collect(result);
      for (const t of scope) {
        if (kept.has(t) || t._kept) continue;
        t.dispose();
      }
      // What survives belongs to the enclosing scope.
      const parent = this.#scopes[this.#scopes.length - 1];
      if (parent) for (const t of kept) if (!t.isDisposed) parent.add(t);
    }
    return result;
  }
  /** Exempts a tensor from the enclosing tidy(). */
  keep(tensor) {
    if (!(tensor instanceof Tensor)) throw new TexelError('keep: expected a Tensor');
    tensor._kept = true;
    for (const scope of this.#scopes) scope.delete(tensor);
    return tensor;
  }
  dispose(tensors) {
    const all = tensors instanceof Tensor ? [tensors] : Array.isArray(tensors) ? tensors : Object.values(tensors ?? {});
    for (const t of all) if (t instanceof Tensor) t.dispose();
  }

  /**
   * Compiles every GL program `fn` needs without waiting for the compiler: fn runs once
   * compile-only (nothing drawn; readbacks give zeros), the page keeps running while the
   * programs compile, then fn runs for real. Later calls of the same ops compile nothing.
   */
  async warmup(fn) {
    if (typeof fn !== 'function') throw new TexelError('warmup: expected a function that runs the ops to compile');
    let failure = null;
    const work = () => {
      try {
        this.tidy(() => {
          const result = fn();
          if (result instanceof Promise) throw new TexelError('warmup: the function must not be async');
        });
      } catch (e) {
        failure ??= e;
      }
      return 0;
    };
    const job = call('warmup', () => this._engine.startWarmup(work));
    if (failure) {
      job.delete();
      throw failure;
    }
    const report = await settle(job, (j) => j.finish());
    if (failure) throw failure;
    return report;
  }

  /** The backend's exact counts: tensors, bytes, textures, pool, compiles, passes. */
  memory() {
    return { ...this._engine.memory(), numHandles: this.#liveHandles, leakedHandles: this.#leaked };
  }
  /** Names every registered op the engine exposes. */
  opNames() {
    return this._engine.ops().map((o) => o.name).filter((n) => typeof this[n] === 'function');
  }

  /** A functional model's input: shape per example (no batch dimension). */
  input({ shape, name = 'input' } = {}) {
    if (!Array.isArray(shape)) throw new TexelError('input: shape must be an array (per example, no batch dimension)');
    return new SymbolicTensor(call('input', () => this._engine.input(shape, name)));
  }
  /** A chain of layers; the first gives inputShape. Weights are seeded (seed). */
  sequential({ layers = [], seed = 0 } = {}) {
    if (!layers.length || !layers.every((l) => l instanceof Layer))
      throw new TexelError('sequential: needs a list of tx.layers.* layers');
    if (!layers[0].inputShape) throw new TexelError(`sequential: the first layer (${layers[0].name}) needs inputShape`);
    return new LayersModel(this, call('sequential', () => this._engine.sequential(layers[0].inputShape, layers.map((l) => l._handle), seed)));
  }
  /** A functional model from tx.input()s to one output. */
  model({ inputs, outputs, seed = 0 } = {}) {
    const given = Array.isArray(inputs) ? inputs : [inputs];
    if (!given.length || !given.every((s) => s instanceof SymbolicTensor))
      throw new TexelError('model: inputs must be symbolic tensors from tx.input()');
    const list = given.map((s) => s._handle);
    const output = Array.isArray(outputs) ? (outputs.length === 1 ? outputs[0] : null) : outputs;
    if (!(output instanceof SymbolicTensor)) throw new TexelError('model: needs exactly one output (a symbolic tensor)');
    return new LayersModel(this, call('model', () => this._engine.model(list, output._handle, seed)));
  }

  /** A .texel model from a URL (or a path in node), 'indexeddb://name', an ArrayBuffer/Uint8Array, or a File/Blob. */
  async loadModel(source) {
    let bytes;
    if (typeof source === 'string') bytes = await fetchBytes(source, 'loadModel');
    else if (typeof Blob === 'function' && source instanceof Blob) bytes = new Uint8Array(await source.arrayBuffer());
    else bytes = asBytes(source, 'loadModel');
    return new LayersModel(this, call('loadModel', () => this._engine.loadModel(bytes)));
  }

  /**
   * A TF.js layers model: the URL (or node path) of its model.json (shards fetched relative
   * to it), {json, weights} (model.json as text or object; weights one buffer or one per
   * shard in manifest order), or the File[] of model.json and its shards.
   */
  async loadLayersModel(source) {
    let text;
    let shards;
    if (typeof source === 'string') {
      text = new TextDecoder().decode(await fetchBytes(source, 'loadLayersModel'));
      const base = isNode && !/^(https?|file):/.test(source)
        ? (p) => source.replace(/[^/]*$/, '') + p
        : (p) => new URL(p, new URL(source, globalThis.location?.href)).href;
      const paths = call('loadLayersModel', () => this._engine.weightPaths(text));
      shards = await Promise.all(paths.map((p) => fetchBytes(base(p), 'loadLayersModel')));
    } else if (Array.isArray(source) && source.every((f) => typeof Blob === 'function' && f instanceof Blob)) {
      const json = source.find((f) => f.name?.endsWith('.json'));
      if (!json) throw new TexelError('loadLayersModel: none of the files is a .json');
      text = await json.text();
      const paths = call('loadLayersModel', () => this._engine.weightPaths(text));
      shards = await Promise.all(paths.map(async (p) => {
        const file = source.find((f) => f.name === p.split('/').pop());
        if (!file) throw new TexelError(`loadLayersModel: shard '${p}' is not among the files`);
        return new Uint8Array(await file.arrayBuffer());
      }));
    } else if (source && typeof source === 'object' && 'json' in source) {
      text = typeof source.json === 'string' ? source.json : JSON.stringify(source.json);
      const weights = source.weights === undefined ? [] : Array.isArray(source.weights) ? source.weights : [source.weights];
      shards = weights.map((w) => asBytes(w, 'loadLayersModel'));
      const manifest = JSON.parse(text).weightsManifest ?? [];
      const pathCount = manifest.reduce((n, g) => n + g.paths.length, 0);
      if (shards.length === 1 && pathCount > 1) {
        // One buffer for everything: cut it into the groups, each group's bytes in its first shard.
        const all = shards[0];
        shards = [];
        let offset = 0;
        for (const group of manifest) {
          const size = group.weights.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1) * storedBytes(w), 0);
          shards.push(all.subarray(offset, offset + size), ...group.paths.slice(1).map(() => new Uint8Array(0)));
          offset += size;
        }
      }
    } else {
      throw new TexelError('loadLayersModel: expected a URL, {json, weights} or an array of Files');
    }
    return new LayersModel(this, call('loadLayersModel', () => this._engine.importTfjs(text, shards)));
  }
}

export default { init, Tensor, LayersModel, Layer, SymbolicTensor, Texel, TexelError, ContextLostError, OutOfMemoryError };
