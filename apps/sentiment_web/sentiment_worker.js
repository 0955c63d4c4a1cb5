// The sentiment engine, in a module worker: texel ('auto': the model held on the SIMD CPU
// and on WebGL2 on this worker's OffscreenCanvas, predictions where warmup timed it
// faster), the word vector store (word_store.js, IndexedDB) and the model over word
// vectors (sentiment_cnn.texel). The page's main thread only draws.
// Requests: start {forceCpu} -> engine, store and model facts; predict {text} -> the
// probability, the tokens and per-width feature maps; lookupTimes -> vector lookup ms for
// 1/32/64/128 reviews; latencyTable -> predict ms per backend and batch; tfjsTable -> the
// same predicts on TF.js, when the site serves it; damage {word, how} (tests). Events out: progress {phase, done, total}.
import { init } from './texel/texel.mjs';
import { serve } from './rpc.js';
import { openStore } from './word_store.js';

const WIDTHS = [3, 4, 5];
let tx = null;      // the engine ('auto', or 'simd' when asked: ?cpu)
let model = null;   // held on each of tx's backends
let store = null;
let examples = [];
let fallback = '';

async function loadOn(tx, bytes) {
  const model = await tx.loadModel(bytes);
  const names = model.layers.map((l) => l.name);
  for (const want of ['conv3', 'conv4', 'conv5', 'sentiment'])
    if (!names.includes(want)) throw new Error(`sentiment_cnn.texel has no layer '${want}' (a model from apps/sentiment_train is needed)`);
  return model;
}

async function start({ forceCpu }) {
  const began = performance.now();
  const modelBytes = fetch('sentiment_cnn.texel').then(async (r) => {
    if (!r.ok) throw new Error(`could not fetch the model: HTTP ${r.status}`);
    return new Uint8Array(await r.arrayBuffer());
  });
  const examplesJson = fetch('sentiment_examples.json').then((r) => (r.ok ? r.json() : []));
  // Every core but one, which stays the page's main thread's.
  tx = await init({ backend: forceCpu ? 'simd' : 'auto', threads: Math.max(1, (navigator.hardwareConcurrency || 2) - 1) });
  if (forceCpu) fallback = 'CPU backend requested';
  else if (!tx.backendInfo.backends.includes('gl')) fallback = tx.backendInfo.reason.replace(/^.* alone \((.*)\)$/, '$1');
  store = await openStore({ onProgress: (p) => self.postMessage({ type: 'progress', ...p }) });
  model = await loadOn(tx, await modelBytes);
  const [shape] = model.inputShapes;
  if (shape[1] !== store.meta.length || shape[2] !== store.meta.dim)
    throw new Error(`the model takes [${shape}] but the word vectors are ${store.meta.length} x ${store.meta.dim}`);
  // Compiles (GL) without blocking, then times a review on each backend.
  const warmup = await model.warmupAsync(1);
  examples = await examplesJson;
  // The table on the engine, built after start answers (predictions use lookups meanwhile).
  setTimeout(() => tableOn().catch((e) => console.warn(`no table on the engine: ${e.message}`)), 0);
  return {
    backend: shownName(chosen()), choice: warmup.choice && { backend: warmup.choice.backend, reason: warmup.choice.reason },
    fallback, threads: tx.backendInfo.threads, firstVisit: store.firstVisit, storeMs: store.readyMs,
    readyMs: performance.now() - began, warmupMs: warmup.milliseconds, length: store.meta.length, dim: store.meta.dim,
    words: store.meta.count, examples: examples.map(({ text, label }) => ({ text, label })),
  };
}

// [reviews, length, dim] vectors of tokenized texts: stored words, <unk> for the others,
// <pad> after the end.
async function vectorsOf(tokenLists) {
  const { length, dim } = store.meta;
  const needed = ['<pad>', '<unk>'];
  for (const tokens of tokenLists) for (const t of tokens.slice(0, length)) needed.push(t);
  const found = await store.lookup(needed);
  const out = new Float32Array(tokenLists.length * length * dim);
  const unknown = [];
  const pad = found.get('<pad>'), unk = found.get('<unk>');
  tokenLists.forEach((tokens, r) => {
    const missing = [];
    for (let i = 0; i < length; ++i) {
      let v = pad;
      if (i < tokens.length) {
        v = found.get(tokens[i]);  // a typed "<pad>" is three tokens: never a stored name
        if (!v) missing.push(i), v = unk;
      }
      for (let k = 0; k < dim; ++k) out[(r * length + i) * dim + k] = halfToFloat(v[k]);
    }
    unknown.push(missing);
  });
  return { vectors: out, unknown };
}

function halfToFloat(h) {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

// Where a single review runs: auto's choice for a batch of one.
const chosen = () => model.backendChoices.find((c) => c.batchSize === 1)?.backend ?? model.backends[0];
const shownName = (backend) => ({ gl: 'webgl2', 'cpu-simd': 'cpu-simd' })[backend] ?? backend;
// Latency table columns by backend (the page's names).
const COLUMNS = { gl: 'webgl', 'cpu-simd': 'cpu' };

async function predict({ text }) {
  if (typeof text !== 'string') throw new Error(`predict: expected text, got ${typeof text}`);
  const began = performance.now();
  const tokens = tx.text.tokenize(text);
  const { length, dim } = store.meta;
  const shown = tokens.slice(0, length);
  const { x, unknown, via } = await inputOf(shown);
  const lookedUp = performance.now();
  const names = [...WIDTHS.map((w) => `conv${w}`), 'sentiment'];
  const backend = chosen();
  const outputs = model.activations(x, names, { backend });
  const values = await Promise.all(names.map((n) => outputs[n].data()));
  tx.dispose([x, ...Object.values(outputs)]);
  const done = performance.now();
  const maps = {};
  WIDTHS.forEach((w, i) => {
    const filters = outputs[names[i]].shape[2];
    const positions = Math.max(0, shown.length - w + 1);  // n-grams inside the text
    maps[w] = { filters, positions, values: values[i].slice(0, positions * filters) };
  });
  const [negative, positive] = values[3];
  return {
    positive, negative, tokens: shown, tokenCount: tokens.length, truncated: tokens.length > length,
    unknown, maps, lookupMs: lookedUp - began, predictMs: done - lookedUp, totalMs: done - began,
    backend: shownName(backend), via,
  };
}

// The model's input [reviews, length, dim] for tokenized reviews, and per review the
// positions of unknown words: from IndexedDB lookups, or gathered from the table on the
// engine (which must be built).
async function inputFromStore(tokenLists) {
  const { length, dim } = store.meta;
  const { vectors, unknown } = await vectorsOf(tokenLists);
  return { x: tx.tensor(vectors, [tokenLists.length, length, dim]), unknown };
}
async function inputFromTable(tokenLists) {
  const { length, dim } = store.meta;
  const { index, table } = gpuTable;
  const ids = new Int32Array(tokenLists.length * length).fill(index.get('<pad>'));
  const unknown = tokenLists.map((tokens, r) => {
    const missing = [];
    tokens.slice(0, length).forEach((w, i) => {
      const id = index.get(w);
      if (id === undefined) missing.push(i);
      ids[r * length + i] = id ?? index.get('<unk>');
    });
    return missing;
  });
  const x = tx.tidy(() => tx.reshape(tx.gather(table, tx.tensor(ids, [ids.length], 'int32')),
                                     [tokenLists.length, length, dim]));
  return { x, unknown };
}

// One review's input for predict: the table once it is built (the default: faster per
// prediction, see latencyTable), IndexedDB lookups until then.
async function inputOf(tokens) {
  const viaTable = gpuTable !== null;
  const { x, unknown } = await (viaTable ? inputFromTable : inputFromStore)([tokens]);
  return { x, unknown: unknown[0], via: viaTable ? 'table' : 'IndexedDB' };
}

// The examples (held-out reviews) repeated to `count` reviews.
function batchTexts(count) {
  const texts = [];
  for (let i = 0; i < count; ++i) texts.push(examples[i % examples.length].text);
  return texts;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

async function lookupTimes() {
  const rows = [];
  for (const n of [1, 32, 64, 128]) {
    const lists = batchTexts(n).map((t) => tx.text.tokenize(t));
    const times = [];
    for (let rep = 0; rep < 3; ++rep) {
      const began = performance.now();
      await vectorsOf(lists);
      times.push(performance.now() - began);
    }
    rows.push({ batch: n, ms: median(times) });
  }
  return rows;
}

// The alternative to IndexedDB lookups: the whole table in one tensor on the engine (in
// wasm memory: the auto engine's tensors live on the CPU), the review's word ids gathered
// there. Built on first use.
let gpuTable = null;    // {index: Map word -> row, table, buildMs} once built
let building = null;    // the build in progress
function tableOn() {
  if (gpuTable) return Promise.resolve(gpuTable);
  building ??= (async () => {
    const began = performance.now();
    const { words, halves } = await store.all();
    const floats = Float32Array.from(halves, halfToFloat);
    const table = tx.tensor(floats, [words.length, store.meta.dim]);
    gpuTable = { index: new Map(words.map((w, i) => [w, i])), table, buildMs: performance.now() - began };
    building = null;
    return gpuTable;
  })();
  return building;
}
// Text to probabilities on the chosen backend, the input made by `inputFrom` (the latency
// table's two whole paths).
async function predictVia(inputFrom, texts) {
  if (inputFrom === inputFromTable) await tableOn();
  const { x } = await inputFrom(texts.map((t) => tx.text.tokenize(t)));
  const y = model.predict(x, { batchSize: texts.length, backend: chosen() });
  const values = await y.data();
  tx.dispose([x, y]);
  return values;
}

// Per batch: predict ms on each backend with the vectors already on the host, and the
// whole path (tokens to probabilities) on the chosen backend through IndexedDB lookups
// against through the table on the engine; medians of 3 after one warm run.
async function latencyTable() {
  const { length, dim } = store.meta;
  const rows = [];
  for (const n of [1, 32, 64, 128]) {
    const { vectors } = await vectorsOf(batchTexts(n).map((t) => tx.text.tokenize(t)));
    const row = { batch: n };
    for (const backend of model.backends) {
      const times = [];
      for (let rep = 0; rep < 4; ++rep) {
        const began = performance.now();
        const x = tx.tensor(vectors, [n, length, dim]);
        const y = model.predict(x, { batchSize: n, backend });
        await y.data();
        tx.dispose([x, y]);
        if (rep) times.push(performance.now() - began);
      }
      row[COLUMNS[backend]] = median(times);
    }
    const texts = batchTexts(n);
    for (const [key, inputFrom] of [['viaStore', inputFromStore], ['viaTable', inputFromTable]]) {
      const times = [];
      for (let rep = 0; rep < 4; ++rep) {
        const began = performance.now();
        await predictVia(inputFrom, texts);
        if (rep) times.push(performance.now() - began);
      }
      row[key] = median(times);
    }
    row.tableBuildMs = gpuTable.buildMs;
    rows.push(row);
  }
  return rows;
}

// TF.js beside texel, for the latency table: the same model (texel's TF.js export) with
// the same inputs, on TF.js's WebGL backend in this worker. Only when the site serves TF.js
// (scripts/run.sh links ../tfjs to the npm package's ES module build, as the benchmark
// page uses it); otherwise the answer says why there is no column.
const TFJS_URL = new URL('../tfjs/tf.fesm.min.js', self.location.href).href;
let tfjs = null;
async function tfjsModel() {
  if (tfjs) return tfjs;
  let tf;
  try {
    tf = await import(TFJS_URL);
  } catch (e) {
    return (tfjs = { error: `TF.js is not served at ${TFJS_URL}` });
  }
  if (!(await tf.setBackend('webgl'))) await tf.setBackend('cpu');
  await tf.ready();
  const { modelJson, shards } = model.toTfjs();
  const { modelTopology, weightsManifest } = JSON.parse(modelJson);
  const byPath = new Map(shards.map((s) => [s.path, s.bytes]));
  const parts = weightsManifest.flatMap((group) => group.paths.map((path) => byPath.get(path)));
  const weightData = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (weightData.set(p, at), at + p.length), 0);
  const tfModel = await tf.loadLayersModel(tf.io.fromMemory({
    modelTopology, weightSpecs: weightsManifest.flatMap((group) => group.weights), weightData: weightData.buffer,
  }));
  return (tfjs = { tf, model: tfModel, backend: tf.getBackend(), version: tf.version.tfjs });
}

// Per batch: TF.js's predict ms (medians of 3 after one warm run, reading back with data()
// as texel's columns do) and its largest difference from texel's CPU SIMD probabilities.
async function tfjsTable() {
  const t = await tfjsModel();
  if (t.error) return { error: t.error };
  const { length, dim } = store.meta;
  const rows = [];
  for (const n of [1, 32, 64, 128]) {
    const { vectors } = await vectorsOf(batchTexts(n).map((text) => tx.text.tokenize(text)));
    const times = [];
    let probabilities;
    for (let rep = 0; rep < 4; ++rep) {
      const began = performance.now();
      const x = t.tf.tensor3d(vectors, [n, length, dim]);
      const y = t.model.predict(x, { batchSize: n });
      probabilities = await y.data();
      t.tf.dispose([x, y]);
      if (rep) times.push(performance.now() - began);
    }
    const x = tx.tensor(vectors, [n, length, dim]);
    const y = model.predict(x, { batchSize: n, backend: 'cpu-simd' });
    const ours = await y.data();
    tx.dispose([x, y]);
    const difference = ours.reduce((worst, v, i) => Math.max(worst, Math.abs(v - probabilities[i])), 0);
    rows.push({ batch: n, ms: median(times), difference });
  }
  return { backend: t.backend, version: t.version, rows };
}

serve({
  start,
  predict,
  lookupTimes,
  latencyTable,
  tfjsTable,
  damage: ({ word, how }) => store.damage(word, how),
});
