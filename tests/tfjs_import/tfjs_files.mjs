// Shared by the TF.js import tests: reading a layers-format directory with TF.js's own
// loader (its dequantization included), and the seeded generator both sides use.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

// model.json + its shards (paths relative to the json, every group in manifest order),
// loaded as tf.loadLayersModel would from a URL.
export async function loadFromDir(dir) {
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  const specs = json.weightsManifest.flatMap((group) => group.weights);
  const shards = json.weightsManifest.flatMap((group) =>
    group.paths.map((p) => readFileSync(join(dir, p))));
  const bytes = new Uint8Array(shards.reduce((n, s) => n + s.length, 0));
  shards.reduce((offset, s) => (bytes.set(s, offset), offset + s.length), 0);
  const handler = {
    load: async () => ({ modelTopology: json.modelTopology, weightSpecs: specs, weightData: bytes.buffer }),
  };
  return tf.loadLayersModel(handler);
}

// The seeded generator both sides use.
export { mulberry32 } from '../js/seeded.mjs';
