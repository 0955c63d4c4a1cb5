// Writes a .texel model in TF.js's layers format (model.json + shards), with the npm
// package itself, so that TF.js (or texel's loadLayersModel) can open it.
//   node scripts/export_tfjs.mjs MODEL.texel OUT_DIR
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const [input, out] = process.argv.slice(2);
if (!input || !out) {
  console.error('usage: node scripts/export_tfjs.mjs MODEL.texel OUT_DIR');
  process.exit(2);
}
const texel = await import(resolve(import.meta.dirname, '../build-web/package/texel.mjs'));
const tx = await texel.init({ backend: 'cpu' });
const model = await tx.loadModel(readFileSync(input));
const { modelJson, shards } = model.toTfjs();
mkdirSync(out, { recursive: true });
// Each file written beside and renamed; model.json last, so no reader sees it early.
const write = (name, data) => {
  const temp = join(out, `.${name}.tmp`);
  writeFileSync(temp, data);
  renameSync(temp, join(out, name));
};
for (const shard of shards) write(shard.path, shard.bytes);
write('model.json', modelJson);
console.log(`${input} -> ${out}/model.json + ${shards.length} shard(s)`);
