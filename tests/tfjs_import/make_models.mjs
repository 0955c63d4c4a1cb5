// Builds the TF.js import test models with TF.js itself (cpu backend, seeded weights) and
// writes each as TF.js's layers format: model.json + binary weight shards, some weights
// quantized (uint8, uint16) or float16 as tfjs-converter writes them, some models in
// several shards. Beside each model: inputs.json, the seeded inputs, and expected.json,
// what TF.js predicts for them after loading the files back through its own loader (so
// the reference includes TF.js's dequantization).
//   node tests/tfjs_import/make_models.mjs OUT_DIR
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';

import { loadFromDir, mulberry32 } from './tfjs_files.mjs';

// Every model: how to build it, its input shapes (batch first) and dtypes, and how its
// weights are stored.
const MODELS = {
  'mnist-cnn': {
    build() {
      return tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, activation: 'relu' }),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu' }),
          tf.layers.maxPooling2d({ poolSize: [2, 2], strides: [2, 2] }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 10, activation: 'softmax' }),
        ],
      });
    },
    inputs: [{ shape: [3, 28, 28, 1] }],
  },
  mlp: {
    build() {
      return tf.sequential({
        layers: [
          tf.layers.dense({ inputShape: [20], units: 64, activation: 'relu' }),
          tf.layers.dropout({ rate: 0.2 }),
          tf.layers.dense({ units: 32, activation: 'tanh', useBias: false }),
          tf.layers.dense({ units: 5, activation: 'softmax' }),
        ],
      });
    },
    inputs: [{ shape: [4, 20] }],
    shardBytes: 2048, // several shards; weights span shard boundaries
    groups: 2,
  },
  'sentence-cnn': {
    build() {
      const words = tf.input({ shape: [12], name: 'words' });
      const embedded = tf.layers.embedding({ inputDim: 50, outputDim: 16 }).apply(words);
      const branches = [3, 4, 5].map((width) => {
        const conv = tf.layers.conv1d({ filters: 6, kernelSize: width, activation: 'relu' });
        return tf.layers.globalMaxPooling1d({}).apply(conv.apply(embedded));
      });
      const joined = tf.layers.concatenate().apply(branches);
      const dropped = tf.layers.dropout({ rate: 0.5 }).apply(joined);
      const out = tf.layers.dense({ units: 2, activation: 'softmax' }).apply(dropped);
      return tf.model({ inputs: words, outputs: out });
    },
    inputs: [{ shape: [3, 12], dtype: 'int32', max: 50 }],
  },
  'two-inputs-add': {
    build() {
      const a = tf.input({ shape: [8], name: 'left' });
      const b = tf.input({ shape: [8], name: 'right' });
      const da = tf.layers.dense({ units: 6, activation: 'relu', trainable: false }).apply(a);
      const db = tf.layers.dense({ units: 6, activation: 'sigmoid' }).apply(b);
      const sum = tf.layers.add().apply([da, db]);
      const out = tf.layers.dense({ units: 3 }).apply(sum);
      return tf.model({ inputs: [a, b], outputs: out });
    },
    inputs: [{ shape: [2, 8] }, { shape: [2, 8] }],
  },
  'bn-depthwise-separable': {
    build() {
      return tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [16, 16, 3], filters: 8, kernelSize: 3, padding: 'same' }),
          tf.layers.batchNormalization(),
          tf.layers.activation({ activation: 'relu' }),
          tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, strides: 2 }),
          tf.layers.separableConv2d({ filters: 12, kernelSize: 3, padding: 'same', activation: 'relu6' }),
          tf.layers.averagePooling2d({ poolSize: 2 }),
          tf.layers.globalAveragePooling2d({}),
          tf.layers.dense({ units: 4, activation: 'softmax' }),
        ],
      });
    },
    inputs: [{ shape: [2, 16, 16, 3] }],
  },
  // The layer classes the models above do not use, and the layer forms of activations.
  'remaining-layers': {
    build() {
      const series = tf.input({ shape: [16, 3], name: 'series' });
      let s = tf.layers.conv1d({ filters: 4, kernelSize: 2, padding: 'same', activation: 'elu' }).apply(series);
      s = tf.layers.maxPooling1d({ poolSize: 2 }).apply(s);
      s = tf.layers.averagePooling1d({ poolSize: 2, strides: 1 }).apply(s);
      s = tf.layers.leakyReLU({}).apply(s);
      s = tf.layers.globalAveragePooling1d({}).apply(s);
      const image = tf.input({ shape: [5, 5, 2], name: 'image' });
      let m = tf.layers.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: 'same' }).apply(image);
      m = tf.layers.reLU({}).apply(m);
      const pooled = tf.layers.globalMaxPooling2d({}).apply(m);
      const flat = tf.layers.reshape({ targetShape: [10, 30] }).apply(m);
      const squeezed = tf.layers.globalMaxPooling1d({}).apply(flat);
      const joined = tf.layers.concatenate().apply([s, pooled, squeezed]);
      const hidden = tf.layers.dense({ units: 6, activation: 'selu', kernelInitializer: 'heNormal' }).apply(joined);
      const out = tf.layers.softmax({}).apply(tf.layers.dense({ units: 3, activation: 'sigmoid' }).apply(hidden));
      return tf.model({ inputs: [series, image], outputs: out });
    },
    inputs: [{ shape: [2, 16, 3] }, { shape: [2, 5, 5, 2] }],
  },
  'mlp-uint8': { like: 'mlp', quantize: 'uint8' },
  'mlp-uint16': { like: 'mlp', quantize: 'uint16', shardBytes: 1500 },
  'mnist-cnn-float16': { like: 'mnist-cnn', quantize: 'float16', shardBytes: 4096 },
};

// Weight values from a seeded generator: small, and positive where they must be
// (BatchNormalization's moving variance).
function seededWeights(model, seed) {
  const random = mulberry32(seed);
  return model.weights.map((w) => {
    const n = w.shape.reduce((a, b) => a * b, 1);
    const positive = /moving_variance/.test(w.originalName);
    const values = Float32Array.from({ length: n }, () =>
      positive ? 0.5 + random() : (random() * 2 - 1) * 0.5);
    return tf.tensor(values, w.shape);
  });
}

// The weights as tfjs-converter stores them: float32, or quantized per tensor.
function encodeWeight(values, quantize) {
  if (!quantize) return { bytes: new Uint8Array(Float32Array.from(values).buffer), quantization: null };
  if (quantize === 'float16') {
    const halves = Uint16Array.from(values, toHalf);
    return { bytes: new Uint8Array(halves.buffer), quantization: { dtype: 'float16' } };
  }
  const levels = quantize === 'uint8' ? 255 : 65535;
  let min = Math.min(...values);
  const max = Math.max(...values);
  const scale = max > min ? (max - min) / levels : 1;
  const q = (quantize === 'uint8' ? Uint8Array : Uint16Array).from(values, (v) =>
    Math.round((v - min) / scale));
  return { bytes: new Uint8Array(q.buffer), quantization: { dtype: quantize, scale, min } };
}

// IEEE binary16, round to nearest even (weights here are finite and small).
function toHalf(value) {
  const f32 = new Float32Array([value]);
  const bits = new Uint32Array(f32.buffer)[0];
  const sign = (bits >>> 16) & 0x8000;
  const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
  let mantissa = bits & 0x7fffff;
  if (exponent <= 0) {
    if (exponent < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - exponent;
    let half = mantissa >> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && (half & 1))) half += 1;
    return sign | half;
  }
  let half = (exponent << 10) | (mantissa >> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (half & 1))) half += 1;
  return sign | half;
}

async function writeModel(dir, name, spec, seed) {
  const base = spec.like ? { ...MODELS[spec.like], ...spec } : spec;
  const model = base.build();
  model.setWeights(seededWeights(model, seed));
  let topology = null;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    topology = artifacts.modelTopology;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  // Weights in manifest groups (two for some models), each group in its own shards.
  const groupCount = base.groups || 1;
  const perGroup = Math.ceil(model.weights.length / groupCount);
  const manifest = [];
  mkdirSync(join(dir, name), { recursive: true });
  let shardTotal = 0;
  let byteTotal = 0;
  for (let g = 0; g < groupCount; ++g) {
    const specs = [];
    const chunks = [];
    for (const w of model.weights.slice(g * perGroup, (g + 1) * perGroup)) {
      const values = Array.from(w.read().dataSync());
      const { bytes, quantization } = encodeWeight(values, base.quantize);
      specs.push({ name: w.originalName, shape: w.shape, dtype: 'float32', ...(quantization ? { quantization } : {}) });
      chunks.push(bytes);
    }
    const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    chunks.reduce((offset, c) => (all.set(c, offset), offset + c.length), 0);
    const shardBytes = base.shardBytes || all.length;
    const count = Math.max(1, Math.ceil(all.length / shardBytes));
    const paths = [];
    for (let i = 0; i < count; ++i) {
      const file = `group${g + 1}-shard${i + 1}of${count}.bin`;
      paths.push(file);
      writeFileSync(join(dir, name, file), all.subarray(i * shardBytes, (i + 1) * shardBytes));
    }
    manifest.push({ paths, weights: specs });
    shardTotal += count;
    byteTotal += all.length;
  }
  const json = {
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
    convertedBy: null,
    modelTopology: topology,
    weightsManifest: manifest,
  };
  writeFileSync(join(dir, name, 'model.json'), JSON.stringify(json));

  // Inputs, and what TF.js predicts for them from the files just written.
  const random = mulberry32(seed + 1);
  const inputs = base.inputs.map((input) => {
    const n = input.shape.reduce((a, b) => a * b, 1);
    const values = Array.from({ length: n }, () =>
      input.dtype === 'int32' ? Math.floor(random() * input.max) : random() * 2 - 1);
    return { shape: input.shape, dtype: input.dtype || 'float32', values };
  });
  writeFileSync(join(dir, name, 'inputs.json'), JSON.stringify(inputs));
  const loaded = await loadFromDir(join(dir, name));
  const xs = inputs.map((x) => tf.tensor(x.values, x.shape, x.dtype));
  const y = loaded.predict(xs.length === 1 ? xs[0] : xs);
  writeFileSync(join(dir, name, 'expected.json'),
    JSON.stringify({ shape: y.shape, values: Array.from(y.dataSync()) }));
  return { name, weights: model.weights.length, groups: groupCount, shards: shardTotal, bytes: byteTotal };
}

// Writes every model into its own directory under `out`; returns what was written.
export async function writeAllModels(out) {
  await tf.setBackend('cpu');
  const written = [];
  let seed = 100;
  for (const [name, spec] of Object.entries(MODELS)) written.push(await writeModel(out, name, spec, (seed += 10)));
  return written;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const out = process.argv[2];
  if (!out) {
    console.error('usage: node tests/tfjs_import/make_models.mjs OUT_DIR');
    process.exit(2);
  }
  for (const info of await writeAllModels(out))
    console.log(`${info.name}: ${info.weights} weights, ${info.groups} group(s), ${info.shards} shard(s), ${info.bytes} bytes`);
}
