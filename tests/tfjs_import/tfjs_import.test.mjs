// TF.js model import and export, end to end: TF.js itself (npm @tensorflow/tfjs, cpu
// backend) builds and saves the test models (make_models.mjs); texel imports each natively
// on its CPU and GL backends (build/tests/tfjs_import_check) and must predict what TF.js
// predicts; the model texel exports must load back in TF.js and predict the same.
// Needs build/tests/tfjs_import_check (texel_build_native tfjs_import_check).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';

import { writeAllModels } from './make_models.mjs';
import { loadFromDir } from './tfjs_files.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const CHECK = join(ROOT, 'build/tests/tfjs_import_check');
// Float32 arithmetic in another order (and GL's float32 shaders): a few ulps of a softmax.
const TOLERANCE = 1e-5;
let dir, models;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'texel-tfjs-'));
  models = await writeAllModels(join(dir, 'models'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function runCheck(args) {
  const run = spawnSync(CHECK, args, { encoding: 'utf8', env: { ...process.env, DISPLAY: '' } });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function predictWithTexel(modelDir, backend, exportDir) {
  const run = runCheck([modelDir, '--backend', backend, ...(exportDir ? ['--export', exportDir] : [])]);
  assert.equal(run.status, 0, `tfjs_import_check ${backend} ${modelDir}: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

function compare(actual, expected) {
  assert.deepEqual(actual.shape, expected.shape);
  const classes = expected.shape.at(-1);
  let maxAbs = 0;
  let argmaxAgree = 0;
  for (let r = 0; r < expected.values.length / classes; ++r) {
    const row = (v) => v.slice(r * classes, (r + 1) * classes);
    const a = row(actual.values);
    const e = row(expected.values);
    a.forEach((x, i) => (maxAbs = Math.max(maxAbs, Math.abs(x - e[i]))));
    argmaxAgree += a.indexOf(Math.max(...a)) === e.indexOf(Math.max(...e)) ? 1 : 0;
  }
  return { maxAbs, argmaxAgree, rows: expected.values.length / classes };
}

async function predictWithTfjs(modelDir, inputsDir) {
  const inputs = JSON.parse(readFileSync(join(inputsDir, 'inputs.json'), 'utf8'));
  const model = await loadFromDir(modelDir);
  const xs = inputs.map((x) => tf.tensor(x.values, x.shape, x.dtype));
  const y = model.predict(xs.length === 1 ? xs[0] : xs);
  return { model, result: { shape: y.shape, values: Array.from(y.dataSync()) } };
}

test('every TF.js test model predicts the same in texel (CPU and GL), and its export loads back in TF.js', async (t) => {
  assert.ok(models.length >= 9, 'the generator wrote the test models');
  for (const { name, groups, shards } of models) {
    const modelDir = join(dir, 'models', name);
    const expected = JSON.parse(readFileSync(join(modelDir, 'expected.json'), 'utf8'));
    for (const backend of ['cpu', 'gl']) {
      const exportDir = join(dir, 'export', backend, name);
      const texel = predictWithTexel(modelDir, backend, exportDir);
      const imported = compare(texel, expected);
      // The export, loaded by TF.js, against texel's own prediction.
      const { model, result } = await predictWithTfjs(exportDir, modelDir);
      const exported = compare(result, texel);
      t.diagnostic(`${name} (${groups} group(s), ${shards} shard(s)) ${backend}: import max abs error ` +
        `${imported.maxAbs.toExponential(2)}, argmax ${imported.argmaxAgree}/${imported.rows}; ` +
        `export in TF.js max abs error ${exported.maxAbs.toExponential(2)}`);
      assert.ok(imported.maxAbs <= TOLERANCE, `${name} ${backend}: max abs error ${imported.maxAbs}`);
      assert.equal(imported.argmaxAgree, imported.rows, `${name} ${backend}: argmax differs`);
      assert.ok(exported.maxAbs <= TOLERANCE, `${name} ${backend} export: max abs error ${exported.maxAbs}`);
      if (name === 'two-inputs-add') {
        // trainable: false survives the round trip.
        const frozen = model.layers.filter((l) => l.getClassName() === 'Dense' && !l.trainable);
        assert.equal(frozen.length, 1, 'one frozen Dense layer after export');
      }
    }
  }
});

// A copy of a test model with its model.json changed by `edit` (and optionally a shard).
function brokenModel(name, from, edit, shardEdit) {
  const target = join(dir, 'broken', name);
  cpSync(join(dir, 'models', from), target, { recursive: true });
  const json = JSON.parse(readFileSync(join(target, 'model.json'), 'utf8'));
  edit(json);
  writeFileSync(join(target, 'model.json'), JSON.stringify(json));
  if (shardEdit) shardEdit(target);
  return target;
}

const firstLayer = (json) => json.modelTopology.config.layers[0];

const BROKEN = [
  ['unsupported-class', 'mlp', (j) => { firstLayer(j).class_name = 'GRU'; }, /GRU 'dense_Dense\d+': layer class is not supported/],
  ['regularizer', 'mlp', (j) => { firstLayer(j).config.kernel_regularizer = { class_name: 'L1L2', config: { l1: 0.01 } }; },
    /'kernel_regularizer' is .*L1L2.*no regularizers/],
  ['unknown-key', 'mlp', (j) => { firstLayer(j).config.unit_forget_bias = true; }, /config key 'unit_forget_bias' .* is not supported/],
  ['activation', 'mlp', (j) => { firstLayer(j).config.activation = 'hardSigmoid'; }, /activation 'hardSigmoid' is not supported/],
  ['padding', 'mnist-cnn', (j) => { firstLayer(j).config.padding = 'causal'; }, /padding 'causal' is not supported/],
  ['data-format', 'mnist-cnn', (j) => { firstLayer(j).config.data_format = 'channels_first'; }, /'data_format' is "channels_first", texel supports only "channels_last"/],
  ['weight-dtype', 'mlp', (j) => { j.weightsManifest[0].weights[0].dtype = 'int32'; }, /weight 'dense_Dense\d+\/kernel': dtype 'int32' is not supported/],
  ['quantization', 'mlp-uint8', (j) => { j.weightsManifest[0].weights[0].quantization.dtype = 'int8'; }, /quantization .*int8.* is not supported/],
  ['missing-weight', 'mlp', (j) => { j.weightsManifest[1].weights.pop(); }, /its shards hold \d+ bytes, its weights use \d+|is missing from the given weights/],
  ['shard-too-short', 'mnist-cnn', () => {}, /needs \d+ bytes as float32, the shards hold \d+ more/,
    (target) => writeFileSync(join(target, 'group1-shard1of1.bin'), new Uint8Array(100))],
  ['shared-layer', 'two-inputs-add', (j) => {
    const dense = j.modelTopology.config.layers.find((l) => l.class_name === 'Dense');
    dense.inbound_nodes.push(dense.inbound_nodes[0]);
  }, /inbound_nodes must list exactly one call \(2 found\)/],
  ['two-outputs', 'two-inputs-add', (j) => {
    j.modelTopology.config.output_layers.push(j.modelTopology.config.output_layers[0]);
  }, /has 2 outputs; texel's models have exactly one/],
  ['duplicate-names', 'mlp', (j) => {
    const layers = j.modelTopology.config.layers;
    layers[2].config.name = layers[0].config.name;
  }, /two layers are named 'dense_Dense\d+'/],
  ['graph-model', 'mlp', (j) => { delete j.modelTopology; j.format = 'graph-model'; }, /no 'modelTopology'/],
];

test('an unsupported class, config value, dtype or layout is an error naming it', () => {
  for (const [name, from, edit, message, shardEdit] of BROKEN) {
    const target = brokenModel(name, from, edit, shardEdit);
    const run = runCheck([target]);
    assert.equal(run.status, 1, `${name}: exit status ${run.status}, stderr ${run.stderr}`);
    assert.match(run.stderr, message, name);
  }
  const run = runCheck([join(dir, 'no-such-model')]);
  assert.equal(run.status, 1);
  assert.match(run.stderr, /cannot open '.*no-such-model\/model.json'/);
});
