// The JavaScript API in node (CPU backend), from the packed package: every op binding
// against TF.js's own result (npm @tensorflow/tfjs, cpu backend) on seeded inputs, tidy and
// dispose leak checks, async readback, errors for bad input, TF.js model import, save and
// load round trips, and the .d.ts compiled with tsc --strict.
// Needs build-web/package (scripts/build_package.sh).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';

import * as texel from '../../build-web/package/texel.mjs';
import { writeAllModels } from '../tfjs_import/make_models.mjs';
import { mulberry32 } from './seeded.mjs';
import { OP_CASES, compareOutputs, runCase } from './op_cases.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
let tx;
let dir;

before(async () => {
  await tf.setBackend('cpu');
  tx = await texel.init({ backend: 'cpu' });
  dir = mkdtempSync(join(tmpdir(), 'texel-js-'));
  await writeAllModels(join(dir, 'models'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('init: the backend and why; webgl without a canvas is a clear error in node', async () => {
  assert.equal(tx.backendInfo.backend, 'cpu');
  assert.equal(tx.backendInfo.reason, 'requested');
  const auto = await texel.init({ backend: 'auto' });
  assert.equal(auto.backendInfo.backend, 'auto');
  assert.deepEqual(auto.backendInfo.backends, ['cpu-simd']);
  assert.match(auto.backendInfo.reason, /^auto: tensors and eager ops on cpu-simd; models timed at warmup on cpu-simd alone \(no canvas/);
  await assert.rejects(texel.init({ backend: 'webgl' }), (e) => e instanceof texel.TexelError && /node: use the cpu or simd backend/.test(e.message));
  await assert.rejects(texel.init({ backend: 'simd', threads: 0 }), /init: threads must be true, false or a positive integer, got 0/);
  assert.equal((await texel.init({ backend: 'simd', threads: 3 })).backendInfo.threads, 1, 'node runs the single-threaded core');
  await assert.rejects(texel.init({ backend: 'vulkan' }), /backend must be 'webgl', 'simd', 'cpu' or 'auto', got 'vulkan'/);
});

// Every op case on `engine` against TF.js: the cases whose outputs differ, or that threw.
function opMismatches(engine) {
  const failures = [];
  OP_CASES.forEach((c, index) => {
    try {
      const message = compareOutputs(c, runCase(engine, c, index, false, mulberry32), runCase(tf, c, index, true, mulberry32));
      if (message) failures.push(`${c.name}: ${message}`);
    } catch (e) {
      failures.push(`${c.name}: ${e.message.split('\n')[0]}`);
    }
  });
  return failures;
}

test('every op binding matches TF.js on seeded inputs (awkward shapes included)', () => {
  assert.deepEqual(opMismatches(tx), [], 'every case matches');
  const covered = new Set(OP_CASES.map((c) => c.op));
  assert.deepEqual(tx.opNames().filter((n) => !covered.has(n)), [], 'every bound op has a case');
  // The fused forms, against TF.js's.
  const a = [[0.5, -1, 2], [1, 0.25, -0.5]];
  const b = [[1, 2], [-1, 0.5], [0.25, -2]];
  const ours = tx.fused.matMul({ a: tx.tensor(a), b: tx.tensor(b), bias: tx.tensor([0.1, -0.2]), activation: 'relu' });
  const theirs = tf.fused.matMul({ a: tf.tensor(a), b: tf.tensor(b), bias: tf.tensor([0.1, -0.2]), activation: 'relu' });
  assert.deepEqual(Array.from(ours.dataSync()).map((v) => v.toFixed(5)), Array.from(theirs.dataSync()).map((v) => v.toFixed(5)));
  const x = tx.tensor(new Float32Array(50).map((_, i) => Math.cos(i)), [1, 5, 5, 2]);
  const f = tx.tensor(new Float32Array(36).map((_, i) => Math.sin(i)), [3, 3, 2, 2]);
  const conv = tx.fused.conv2d({ x, filter: f, pad: 'same', bias: tx.tensor([0.5, -0.5]), activation: 'elu' });
  const tfConv = tf.fused.conv2d({ x: tf.tensor(x.dataSync(), x.shape), filter: tf.tensor(f.dataSync(), f.shape),
    strides: 1, pad: 'same', bias: tf.tensor([0.5, -0.5]), activation: 'elu' });
  Array.from(conv.dataSync()).forEach((v, i) => assert.ok(Math.abs(v - tfConv.dataSync()[i]) < 1e-4));
  tx.dispose([ours, x, f, conv]);
});

test('the simd backend: every op binding matches TF.js too', async () => {
  const simd = await texel.init({ backend: 'simd' });
  assert.equal(simd.backendInfo.backend, 'cpu-simd');
  assert.deepEqual(opMismatches(simd), [], 'every case matches');
});

test('tidy and dispose: memory returns to its baseline after 1,000 tidied predicts', async () => {
  const model = await tx.loadLayersModel(join(dir, 'models/mlp/model.json'));
  const baseline = tx.memory();
  for (let i = 0; i < 1000; ++i) {
    tx.tidy(() => {
      const x = tx.tensor(new Float32Array(20).fill(i / 1000), [1, 20]);
      const y = model.predict(x);
      tx.softmax(tx.mul(y, 2));
    });
  }
  const kept = tx.tidy(() => {
    const inner = tx.keep(tx.scalar(1));
    tx.scalar(2);
    return [tx.add(inner, 1), { nested: tx.scalar(3) }];
  });
  assert.equal(tx.memory().numTensors, baseline.numTensors + 3, 'returned and kept tensors survive, the rest is freed');
  tx.dispose([kept[0], kept[1].nested]);
  const after = tx.memory();
  assert.equal(after.numTensors, baseline.numTensors + 1);  // the keep()-ed scalar
  assert.equal(after.numHandles, baseline.numHandles + 1);
  assert.ok(after.numBytes <= baseline.numBytes + 4, `bytes ${after.numBytes} vs ${baseline.numBytes}`);
  assert.throws(() => tx.tidy(async () => {}), /must not be async/);
  model.dispose();
});

test('data() resolves asynchronously; array() nests; disposed tensors are errors', async () => {
  const t = tx.tensor([[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(t.shape, [2, 3]);
  const pending = t.data();
  assert.ok(pending instanceof Promise);
  assert.deepEqual(Array.from(await pending), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(await t.array(), [[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(tx.tensor([1, 0, 3], [3], 'int32').dataSync(), new Int32Array([1, 0, 3]));
  assert.equal(tx.tensor(new Uint8Array([1, 2])).dtype, 'int32', 'as TF.js infers it');
  assert.equal(tx.add(tx.tensor([1, 2], [2], 'int32'), 2).dtype, 'int32');
  const picked = tx.where(tx.greater(tx.tensor([1, -1]), 0), 1, 0);
  assert.equal(picked.dtype, 'float32');
  assert.deepEqual(Array.from(picked.dataSync()), [1, 0]);
  t.dispose();
  assert.ok(t.isDisposed);
  assert.throws(() => t.dataSync(), (e) => e instanceof texel.TexelError && /disposed/.test(e.message));
  assert.throws(() => tx.add(t, 1), /add: input 0: the tensor \[2,3\] was disposed/);
});

test('bad shapes, dtypes and arguments are TexelErrors naming the op, never wasm traps', () => {
  const a = tx.tensor(new Float32Array(6), [2, 3]);
  const cases = [
    [() => tx.matMul(a, a), /matMul: .*\[2,3\].*\[2,3\]/],
    [() => tx.add(a, tx.zeros([4])), /add: .*\[2,3\].*\[4\]/],
    [() => tx.reshape(a, [4, 2]), /reshape/],
    [() => tx.tensor([1, 2, 3], [2, 2]), /3 values do not fill shape \[2,2\]/],
    [() => tx.tensor([1.5], [1], 'int32'), /int32 values must be integers/],
    [() => tx.tensor([[1, 2], [3]]), /ragged nested array/],
    [() => tx.tensor([1], [1], 'complex64'), /dtype must be 'float32', 'int32' or 'bool'/],
    [() => tx.add(a, 'x'), /add: input 1 must be a Tensor, a number or an array, got string/],
    [() => tx.relu(a, a), /relu: takes 1 tensor\(s\), got 2/],
    [() => tx.conv2d(a, a, 1, 'valid', 'NCHW'), /dataFormat 'NCHW' is not supported/],
    [() => tx.softmax(a, 'last'), /softmax: attribute 'axis' .*string|softmax: .*axis/],
    [() => tx.transpose(a, [0, 0]), /transpose/],
  ];
  for (const [fn, message] of cases) {
    assert.throws(fn, (e) => e instanceof texel.TexelError && message.test(e.message), String(message));
  }
});

test('TF.js models: from a path, from {json, weights} in one buffer; predictions match TF.js', async () => {
  for (const name of ['mnist-cnn', 'sentence-cnn', 'two-inputs-add', 'mlp-uint8', 'mnist-cnn-float16']) {
    const modelDir = join(dir, 'models', name);
    const expected = JSON.parse(readFileSync(join(modelDir, 'expected.json'), 'utf8'));
    const inputs = JSON.parse(readFileSync(join(modelDir, 'inputs.json'), 'utf8'));
    const json = JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8'));
    const shards = json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(modelDir, p))));
    const joined = Buffer.concat(shards);
    for (const model of [await tx.loadLayersModel(join(modelDir, 'model.json')),
      await tx.loadLayersModel({ json, weights: joined })]) {
      const y = tx.tidy(() => model.predict(inputs.map((x) => tx.tensor(x.values, x.shape, x.dtype))));
      assert.deepEqual(y.shape, expected.shape);
      Array.from(y.dataSync()).forEach((v, i) => assert.ok(Math.abs(v - expected.values[i]) < 1e-5, `${name}[${i}]`));
      y.dispose();
      model.dispose();
    }
  }
  await assert.rejects(tx.loadLayersModel({ json: '{"modelTopology": {"class_name": "GRUModel", "config": {}}}' }),
    /model class 'GRUModel' is not supported/);
  await assert.rejects(tx.loadLayersModel(join(dir, 'nothing/model.json')), /ENOENT|no such file/);
});

test('save and load round trips: .texel bytes and TF.js artifacts predict the same', async () => {
  const model = await tx.loadLayersModel(join(dir, 'models/bn-depthwise-separable/model.json'));
  const x = tx.tensor(new Float32Array(2 * 16 * 16 * 3).map((_, i) => Math.sin(i)), [2, 16, 16, 3]);
  const want = Array.from(model.predict(x).dataSync());
  const fromBytes = await tx.loadModel(model.toBytes());
  assert.deepEqual(Array.from(fromBytes.predict(x).dataSync()), want);
  const half = await tx.loadModel(model.toBytes({ float16: true }).buffer);
  Array.from(half.predict(x).dataSync()).forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-2));
  const artifacts = model.toTfjs();
  const fromTfjs = await tx.loadLayersModel({ json: artifacts.modelJson, weights: artifacts.shards.map((s) => s.bytes) });
  assert.deepEqual(Array.from(fromTfjs.predict(x).dataSync()), want);
  assert.match(model.summary(0, [], () => {}), /DepthwiseConv2D/);
  assert.equal(model.countParams(), fromTfjs.countParams());
  await assert.rejects(tx.loadModel(new Uint8Array([1, 2, 3])), /not a texel model file/);
  assert.throws(() => model.predict(tx.zeros([2, 8, 8, 3])), /predict|input/);
});

test('model.layers describes every node; activations returns the named layers\' outputs', async () => {
  const model = await tx.loadModel(readFileSync(join(ROOT, 'assets/mnist_cnn.texel')));
  const layers = model.layers;
  assert.deepEqual(layers.map((l) => l.className),
                   ['InputLayer', 'Conv2D', 'MaxPooling2D', 'Conv2D', 'MaxPooling2D', 'Flatten', 'Dense', 'Dense']);
  assert.deepEqual(layers[1], { name: 'conv2d_1', className: 'Conv2D', outputShape: [-1, 26, 26, 16], params: 160,
                                inbound: ['input'] });
  assert.equal(layers.reduce((n, l) => n + l.params, 0), model.countParams());
  assert.ok(Object.isFrozen(layers[0]));
  const x = tx.tensor(new Float32Array(2 * 784).map((_, i) => (Math.sin(i) + 1) / 2), [2, 28, 28, 1]);
  const before = tx.memory().numTensors;
  const out = model.activations(x, ['conv2d_2', 'dense_2']);
  assert.deepEqual(Object.keys(out), ['conv2d_2', 'dense_2']);
  assert.deepEqual(out.conv2d_2.shape, [2, 11, 11, 32]);
  // The last layer's output is predict's; with logits its softmax is predict's too.
  const predicted = model.predict(x);
  assert.deepEqual(Array.from(out.dense_2.dataSync()), Array.from(predicted.dataSync()));
  const { dense_2: logits } = model.activations(x, ['dense_2'], { logits: true });
  const probabilities = tx.softmax(logits);
  Array.from(probabilities.dataSync()).forEach((p, i) => assert.ok(Math.abs(p - out.dense_2.dataSync()[i]) < 1e-6));
  assert.ok(Array.from(out.conv2d_2.dataSync()).every((v) => v >= 0), 'relu outputs are >= 0');
  tx.dispose([out.conv2d_2, out.dense_2, predicted, logits, probabilities]);
  tx.dispose(tx.tidy(() => model.activations(x, ['conv2d_1'])));
  assert.equal(tx.memory().numTensors, before, 'every output disposed, nothing else left');
  assert.throws(() => model.activations(x, ['conv9']), (e) => e instanceof texel.TexelError &&
    /activations: the model has no layer named 'conv9'/.test(e.message));
  assert.throws(() => model.activations(x, 'conv2d_1'), /layerNames must be an array of layer names/);
  model.dispose();
  x.dispose();
});

test('the .d.ts compiles a typed example with tsc --strict', () => {
  const run = spawnSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', join(ROOT, 'tests/js/tsconfig.json')],
    { encoding: 'utf8' });
  assert.equal(run.status, 0, `tsc: ${run.stdout}${run.stderr}`);
});

test('layers and models from JS: sequential and functional, compile, fit with awaited callbacks, evaluate', async () => {
  const n = 120;
  const xs = new Float32Array(n * 4);
  const ys = new Int32Array(n);
  for (let i = 0; i < n; ++i) {
    ys[i] = i % 3;
    for (let k = 0; k < 4; ++k) xs[i * 4 + k] = (k === ys[i] ? 1 : 0) + 0.3 * Math.sin(i * 7 + k);
  }
  const x = tx.tensor(xs, [n, 4]);
  const y = tx.tensor(ys, [n], 'int32');
  const model = tx.sequential({ layers: [
    tx.layers.dense({ inputShape: [4], units: 8, activation: 'relu' }),
    tx.layers.dropout({ rate: 0.1 }),
    tx.layers.dense({ units: 3, activation: 'softmax' })] });
  assert.deepEqual(model.outputShape, [-1, 3]);
  assert.match(model.summary(0, [], () => {}), /Total params: 67/);
  model.compile({ optimizer: tx.train.adam(0.05), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const before = tx.memory().numTensors;
  let batches = 0;
  let ticks = 0;
  const timer = setInterval(() => ++ticks, 0);
  const epochsSeen = [];
  const history = await model.fit(x, y, {
    epochs: 6, batchSize: 16, validationSplit: 0.2, seed: 3,
    callbacks: {
      onBatchEnd: async (batch, logs) => { ++batches; assert.ok(Number.isFinite(logs.loss)); },
      onEpochEnd: async (epoch, logs) => { epochsSeen.push(epoch); assert.ok('val_loss' in logs); },
    },
  });
  clearInterval(timer);
  assert.deepEqual(epochsSeen, [0, 1, 2, 3, 4, 5]);
  assert.equal(batches, 6 * Math.ceil(96 / 16));
  assert.ok(ticks > 0, 'fit returned control to the event loop');
  const losses = history.history.loss;
  assert.ok(losses.at(-1) < losses[0] / 3, `loss falls: ${losses.map((v) => v.toFixed(3))}`);
  // Adam's two moments per variable stay (4 variables); nothing else does.
  assert.equal(tx.memory().numTensors, before + 8, 'fit leaves only the optimizer state behind');
  const logs = model.evaluate(x, y);
  assert.ok(logs.acc > 0.9 || logs.accuracy > 0.9, JSON.stringify(logs));
  // stopTraining from a callback ends fit after that batch.
  let calls = 0;
  await model.fit(x, y, { epochs: 5, batchSize: 8, callbacks: { onBatchEnd: () => { if (++calls === 2) model.stopTraining(); } } });
  assert.equal(calls, 2);
  assert.equal(tx.memory().numTensors, before + 8, 'a second fit adds nothing');

  // Functional: two inputs, concatenated.
  const a = tx.input({ shape: [4], name: 'a' });
  const b = tx.input({ shape: [2], name: 'b' });
  const joined = tx.layers.concatenate({}).apply([tx.layers.dense({ units: 3 }).apply(a), b]);
  const out = tx.layers.dense({ units: 2, activation: 'softmax' }).apply(joined);
  assert.deepEqual(out.shape, [null, 2]);
  const graph = tx.model({ inputs: [a, b], outputs: out });
  const p = tx.tidy(() => graph.predict([tx.zeros([5, 4]), tx.ones([5, 2])]));
  assert.deepEqual(p.shape, [5, 2]);
  p.dispose();

  assert.throws(() => tx.layers.dense({ units: 3, kernelRegularizer: 'l2' }), /unknown configuration key 'kernelRegularizer'/);
  assert.throws(() => tx.sequential({ layers: [tx.layers.dense({ units: 3 })] }), /needs inputShape/);
  assert.throws(() => tx.sequential({ layers: [tx.layers.dense({ inputShape: [2], units: 3 }), 'relu'] }), /list of tx.layers/);
  assert.throws(() => tx.model({ inputs: [null], outputs: out }), /inputs must be symbolic tensors/);
  assert.throws(() => model.compile({ optimizer: 'lbfgs' }), /optimizer 'lbfgs' is not one of/);
  await assert.rejects(model.fit(x, y, { batchSize: 0 }), /batchSize must be a positive integer/);
  tx.dispose([x, y]);
  model.dispose();
  graph.dispose();
});

test('the packed tarball installs into a fresh project and works there', () => {
  const project = join(dir, 'consumer');
  const tarball = join(ROOT, 'build-web/texel-0.1.0.tgz');
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  const install = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--offline', tarball], { cwd: project, encoding: 'utf8' });
  assert.equal(install.status, 0, `npm install: ${install.stderr}`);
  writeFileSync(join(project, 'use.mjs'), `import * as texel from 'texel';
const tx = await texel.init({ backend: 'auto' });
const y = tx.matMul(tx.tensor([[1, 2], [3, 4]]), tx.tensor([[1], [1]]));
console.log(JSON.stringify({ backend: tx.backendInfo.backend, values: Array.from(y.dataSync()) }));`);
  const run = spawnSync(process.execPath, ['use.mjs'], { cwd: project, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), { backend: 'auto', values: [3, 7] });
});

test('text.tokenize gives the native trainer\'s tokens for 1,000 held-out reviews; non-strings are errors', () => {
  const file = join(dir, 'tokens.json');
  const exported = spawnSync(join(ROOT, 'build/apps/sentiment_train'), ['--export-tokens', file, '--count', '1000'],
                             { cwd: ROOT, encoding: 'utf8', env: { ...process.env, DISPLAY: '' } });
  assert.equal(exported.status, 0, `sentiment_train --export-tokens failed: ${exported.stderr}`);
  const reviews = JSON.parse(readFileSync(file, 'utf8'));
  assert.equal(reviews.length, 1000);
  for (const [i, r] of reviews.entries()) assert.deepEqual(tx.text.tokenize(r.text), r.tokens, `review ${i}`);
  assert.deepEqual(tx.text.tokenize('Ça <br />VA? 😀&amp;'), ['Ça', 'va', '?', '😀']);
  assert.throws(() => tx.text.tokenize(42), /text\.tokenize: expected a string, got number/);
});

test('auto in node: models are held on cpu-simd alone; warmup still reports its choice', async () => {
  const auto = await texel.init({ backend: 'auto' });
  const model = await auto.loadModel(readFileSync(join(ROOT, 'assets/mnist_cnn.texel')));
  assert.deepEqual(model.backends, ['cpu-simd']);
  const report = model.warmup(4);
  assert.equal(report.choice.backend, 'cpu-simd');
  assert.equal(report.choice.batchSize, 4);
  assert.match(report.choice.reason, /^cpu-simd: [\d.]+ ms per batch of 4 \(the only backend\) \(median of 5\)$/);
  assert.equal(report.choice.timings[0].runsMs.length, 5);
  assert.deepEqual(model.backendChoices, [report.choice]);
  const x = auto.tensor(new Float32Array(4 * 784).fill(0.5), [4, 28, 28, 1]);
  const reference = await tx.loadModel(readFileSync(join(ROOT, 'assets/mnist_cnn.texel')));
  const want = reference.predict(tx.tensor(new Float32Array(4 * 784).fill(0.5), [4, 28, 28, 1])).dataSync();
  const y = model.predict(x, { backend: 'simd' });
  assert.deepEqual(y.shape, [4, 10]);
  Array.from(y.dataSync()).forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-5, `${v} vs ${want[i]}`));
  assert.throws(() => model.predict(x, { backend: 'webgl' }), (e) => e instanceof texel.TexelError &&
    /predict: backend 'webgl' does not hold this model \(it is on 'cpu-simd'\)/.test(e.message));
  assert.throws(() => model.chooseBackend(0), /chooseBackend: batchSize must be a positive integer, got 0/);
  auto.dispose([x, y]);
});
