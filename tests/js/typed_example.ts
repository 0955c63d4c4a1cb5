// Compiled with tsc --strict by tests/js/api_node.test.mjs: uses the package as a typed
// program would, so a change to texel.mjs's API that texel.d.ts does not follow fails.
import * as texel from 'texel';

export async function example(pixels: Float32Array, modelUrl: string): Promise<number> {
  const tx: texel.Texel = await texel.init({ backend: 'auto' });
  const info: string = `${tx.backendInfo.backend} (${tx.backendInfo.reason})`;
  const model: texel.LayersModel = await tx.loadLayersModel(modelUrl);
  const probabilities = tx.tidy(() => {
    const x = tx.reshape(tx.tensor(pixels, [1, 784]), [1, 28, 28, 1]);
    return tx.softmax(model.predict(x), -1);
  });
  const values = await probabilities.data();
  const best: texel.Tensor = tx.argMax(probabilities, 1);
  const parts: texel.Tensor[] = tx.split(probabilities, [5, 5], 1);
  const { values: top, indices } = tx.topK(probabilities, 3);
  const fused = tx.fused.matMul({ a: probabilities, b: tx.ones([10, 2]), activation: 'relu' });
  tx.dispose([best, top, indices, fused, ...parts]);
  const memory: texel.MemoryInfo = tx.memory();
  const summary: string = model.summary(undefined, undefined, () => {});
  try {
    tx.matMul(probabilities, probabilities);
  } catch (e) {
    if (!(e instanceof texel.TexelError)) throw e;
  }
  probabilities.dispose();
  model.dispose();

  // Training from TypeScript.
  const input = tx.input({ shape: [784] });
  const hidden = tx.layers.dense({ units: 32, activation: 'relu' }).apply(input);
  const net = tx.model({ inputs: input, outputs: tx.layers.dense({ units: 10, activation: 'softmax' }).apply(hidden) });
  net.compile({ optimizer: tx.train.adam(0.001), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const history: texel.History = await net.fit(tx.zeros([8, 784]), tx.zeros([8], 'int32'), {
    epochs: 1,
    callbacks: { onEpochEnd: async (epoch: number, logs: texel.Logs) => { void epoch; void logs.loss; } },
  });
  const cnn = tx.sequential({ layers: [
    tx.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, activation: 'relu' }),
    tx.layers.maxPooling2d({ poolSize: 2 }),
    tx.layers.flatten(),
    tx.layers.dense({ units: 10 })] });
  const convs: string[] = cnn.layers.filter((l: texel.LayerInfo) => l.className === 'Conv2D').map((l) => l.name);
  const maps: Record<string, texel.Tensor> = cnn.activations(tx.zeros([1, 28, 28, 1]), convs, { logits: true });
  tx.dispose(maps);
  cnn.dispose();
  net.dispose();
  return values[0] + memory.numTensors + info.length + summary.length + history.epoch.length;
}
