// The sentiment engine, in a module worker: texel (WebGL2 on this worker's OffscreenCanvas,
// and the CPU), the word vector store (word_store.js, IndexedDB) and the model over word
// vectors (sentiment_cnn.texel). The page's main thread only draws.
// Requests: start {forceCpu} -> engine, store and model facts; predict {text} -> the
// probability, the tokens and per-width feature maps; lookupTimes -> vector lookup ms for
// 1/32/64/128 reviews; latencyTable -> predict ms per backend and batch; tfjsTable -> the
// same predicts on TF.js, when the site serves it; damage {word, how} (tests). Events out: progress {phase, done, total}.
import { init } from './texel/texel.mjs';
import { serve } from './rpc.js';
import { openStore } from './word_store.js';

const WIDTHS = [3, 4, 5];
const engines = {};  // {webgl?: {tx, model}, cpu: {tx, model}}
let active = null;   // the engine predictions use
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
  if (forceCpu) fallback = 'CPU backend requested';
  else {
    try {
      engines.webgl = { tx: await init({ backend: 'webgl' }) };
    } catch (e) {
      fallback = e.message;
    }
  }
  engines.cpu = { tx: await init({ backend: 'cpu' }) };
  store = await openStore({ onProgress: (p) => self.postMessage({ type: 'progress', ...p }) });
  const bytes = await modelBytes;
  for (const e of Object.values(engines)) e.model = await loadOn(e.tx, bytes);
  const [shape] = engines.cpu.model.inputShapes;
  if (shape[1] !== store.meta.length || shape[2] !== store.meta.dim)
    throw new Error(`the model takes [${shape}] but the word vectors are ${store.meta.length} x ${store.meta.dim}`);
  active = engines.webgl ?? engines.cpu;
  const warmup = active.model.warmup(1);
  examples = await examplesJson;
  // The table on the engine, built after start answers (predictions use lookups meanwhile).
  setTimeout(() => tableOn(active).catch((e) => console.warn(`no table on the engine: ${e.message}`)), 0);
  return {
    backend: engines.webgl ? 'webgl2' : 'cpu', fallback, firstVisit: store.firstVisit, storeMs: store.readyMs,
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

async function predict({ text }) {
  if (typeof text !== 'string') throw new Error(`predict: expected text, got ${typeof text}`);
  const { tx, model } = active;
  const began = performance.now();
  const tokens = tx.text.tokenize(text);
  const { length, dim } = store.meta;
  const shown = tokens.slice(0, length);
  const { x, unknown, via } = await inputOf(shown);
  const lookedUp = performance.now();
  const names = [...WIDTHS.map((w) => `conv${w}`), 'sentiment'];
  const outputs = model.activations(x, names);
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
    backend: active === engines.webgl ? 'webgl2' : 'cpu', via,
  };
}

// The model's input [reviews, length, dim] for tokenized reviews, and per review the
// positions of unknown words: from IndexedDB lookups, or gathered from the table on the
// engine (which must be built).
async function inputFromStore(engine, tokenLists) {
  const { length, dim } = store.meta;
  const { vectors, unknown } = await vectorsOf(tokenLists);
  return { x: engine.tx.tensor(vectors, [tokenLists.length, length, dim]), unknown };
}
async function inputFromTable(engine, tokenLists) {
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
  const { tx } = engine;
  const x = tx.tidy(() => tx.reshape(tx.gather(table, tx.tensor(ids, [ids.length], 'int32')),
                                     [tokenLists.length, length, dim]));
  return { x, unknown };
}

// One review's input for predict: the table once it is built (the default: faster per
// prediction, see latencyTable), IndexedDB lookups until then.
async function inputOf(tokens) {
  const viaTable = gpuTable?.engine === active;
  const { x, unknown } = await (viaTable ? inputFromTable : inputFromStore)(active, [tokens]);
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
    const lists = batchTexts(n).map((t) => active.tx.text.tokenize(t));
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

// The alternative to IndexedDB lookups: the whole table in one tensor on the engine
// (a texture on WebGL2), the review's word ids gathered there. Built on first use.
let gpuTable = null;    // {engine, index: Map word -> row, table, buildMs} once built
let building = null;    // the build in progress
function tableOn(engine) {
  if (gpuTable?.engine === engine) return Promise.resolve(gpuTable);
  building ??= (async () => {
    const began = performance.now();
    const { words, halves } = await store.all();
    const floats = Float32Array.from(halves, halfToFloat);
    const table = engine.tx.tensor(floats, [words.length, store.meta.dim]);
    if (gpuTable) gpuTable.engine.tx.dispose(gpuTable.table);
    gpuTable = { engine, index: new Map(words.map((w, i) => [w, i])), table, buildMs: performance.now() - began };
    building = null;
    return gpuTable;
  })();
  return building;
}
// Text to probabilities on `engine`, the input made by `inputFrom` (the latency table's
// two whole paths).
async function predictVia(inputFrom, engine, texts) {
  if (inputFrom === inputFromTable) await tableOn(engine);
  const { x } = await inputFrom(engine, texts.map((t) => engine.tx.text.tokenize(t)));
  const y = engine.model.predict(x, texts.length);
  const values = await y.data();
  engine.tx.dispose([x, y]);
  return values;
}

// Per batch: predict ms on each backend with the vectors already on the host, and the
// whole path (tokens to probabilities) on the active engine through IndexedDB lookups
// against through the table on the engine; medians of 3 after one warm run.
async function latencyTable() {
  const { length, dim } = store.meta;
  const rows = [];
  for (const n of [1, 32, 64, 128]) {
    const { vectors } = await vectorsOf(batchTexts(n).map((t) => active.tx.text.tokenize(t)));
    const row = { batch: n };
    for (const [name, { tx, model }] of Object.entries(engines)) {
      const times = [];
      for (let rep = 0; rep < 4; ++rep) {
        const began = performance.now();
        const x = tx.tensor(vectors, [n, length, dim]);
        const y = model.predict(x, n);
        await y.data();
        tx.dispose([x, y]);
        if (rep) times.push(performance.now() - began);
      }
      row[name] = median(times);
    }
    const texts = batchTexts(n);
    for (const [key, inputFrom] of [['viaStore', inputFromStore], ['viaTable', inputFromTable]]) {
      const times = [];
      for (let rep = 0; rep < 4; ++rep) {
        const began = performance.now();
        await predictVia(inputFrom, active, texts);
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
  const { modelJson, shards } = engines.cpu.model.toTfjs();
  const { modelTopology, weightsManifest } = JSON.parse(modelJson);
  const byPath = new Map(shards.map((s) => [s.path, s.bytes]));
  const parts = weightsManifest.flatMap((group) => group.paths.map((path) => byPath.get(path)));
  const weightData = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (weightData.set(p, at), at + p.length), 0);
  const model = await tf.loadLayersModel(tf.io.fromMemory({
    modelTopology, weightSpecs: weightsManifest.flatMap((group) => group.weights), weightData: weightData.buffer,
  }));
  return (tfjs = { tf, model, backend: tf.getBackend(), version: tf.version.tfjs });
}

// Per batch: TF.js's predict ms (medians of 3 after one warm run, reading back with data()
// as texel's columns do) and its largest difference from texel's CPU probabilities.
async function tfjsTable() {
  const t = await tfjsModel();
  if (t.error) return { error: t.error };
  const { length, dim } = store.meta;
  const rows = [];
  for (const n of [1, 32, 64, 128]) {
    const { vectors } = await vectorsOf(batchTexts(n).map((text) => active.tx.text.tokenize(text)));
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
    const x = engines.cpu.tx.tensor(vectors, [n, length, dim]);
    const y = engines.cpu.model.predict(x, n);
    const ours = await y.data();
    engines.cpu.tx.dispose([x, y]);
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
