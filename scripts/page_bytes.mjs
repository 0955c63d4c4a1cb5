// The digit recognizer's bytes over the wire (raw and gzip -9, as a server would send them)
// on a first visit, and the same app written with TF.js: its engine swapped for tf.min.js
// and its model for TF.js's layers format (model.json + weights), the app's own files
// counted as they are (its modules would be about the same size on TF.js's API).
//   node scripts/page_bytes.mjs [build-web/apps/mnist_web]
import { readFileSync, existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const app = resolve(process.argv[2] || join(ROOT, 'build-web/apps/mnist_web'));
const APP_FILES = ['index.html', 'style.css', 'vendor/uPlot.min.css', 'vendor/uPlot.iife.min.js', 'app.js',
                   'state.js', 'drawing.js', 'preprocess.js', 'recognition.js', 'training.js', 'models.js',
                   'views.js', 'rpc.js', 'model_cache.js', 'sw.js', 'offline_cache.js', 'inference_worker.js'];
const ENGINE = ['texel/texel.mjs', 'texel/texel_core.mjs', 'texel/texel_core.wasm'];
const TRAINING = ['trainer_worker.js', 'mnist_model.js', 'mnist_digits.bin'];

const size = (bytes) => ({ raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length });
const sum = (parts) => parts.reduce((a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip }), { raw: 0, gzip: 0 });
const files = (names, dir = app) => sum(names.map((n) => {
  const path = join(dir, n);
  if (!existsSync(path)) throw new Error(`page_bytes: ${path} is missing (build the app first)`);
  return size(readFileSync(path));
}));

const texel = await import(join(app, 'texel/texel.mjs'));
const tx = await texel.init({ backend: 'cpu' });
const model = await tx.loadModel(readFileSync(join(app, 'mnist_cnn.texel')));
const { modelJson, shards } = model.toTfjs();
const tfjsModel = sum([size(Buffer.from(modelJson)), ...shards.map((s) => size(Buffer.from(s.bytes)))]);

const rows = {
  'app files (shared)': files(APP_FILES),
  'texel engine (texel/)': files(ENGINE),
  'model, .texel': files(['mnist_cnn.texel']),
  'TF.js engine (tf.min.js)': files(['node_modules/@tensorflow/tfjs/dist/tf.min.js'], ROOT),
  'model, TF.js layers format': tfjsModel,
  'training (worker + digits)': files(TRAINING),
};
const texelPage = sum([rows['app files (shared)'], rows['texel engine (texel/)'], rows['model, .texel']]);
const tfjsPage = sum([rows['app files (shared)'], rows['TF.js engine (tf.min.js)'], rows['model, TF.js layers format']]);
const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
console.log('| part | raw | gzip |\n|---|---:|---:|');
for (const [name, s] of Object.entries(rows)) console.log(`| ${name} | ${kib(s.raw)} | ${kib(s.gzip)} |`);
console.log(`| **texel page, first visit** | ${kib(texelPage.raw)} | ${kib(texelPage.gzip)} |`);
console.log(`| **the same page on TF.js** | ${kib(tfjsPage.raw)} | ${kib(tfjsPage.gzip)} |`);
