// The recognizer's engine, in a module worker: the page posts the pad's pixels, this
// worker preprocesses them (preprocess.js), runs the model through the texel package and
// answers with the probabilities, the logits and the conv layers' feature maps. The page's
// main thread only draws. One 'auto' engine: the model is held on the SIMD CPU and on
// WebGL2 (this worker's OffscreenCanvas), timed on both at warmup, and predictions run on
// the faster; the CPU copy also answers while the trainer worker has the GPU (see
// docs/ARCHITECTURE.md, "Two workers, one GPU") and while the GL context is lost. ?cpu
// (or no WebGL2) leaves the CPU alone.
import { init, ContextLostError } from './texel/texel.mjs';
import { greyOf, preprocess } from './preprocess.js';
import { serve } from './rpc.js';

let tx = null;     // the engine: 'auto' (cpu-simd and WebGL2), or 'simd' when asked (?cpu)
let model = null;  // held on each of the engine's backends
let fallback = '';
let preferred;     // a backend every prediction uses (test hook), else auto's choice
let mapLayers = [];  // the Conv2D layers' names, shown as feature maps
let outputLayer = '';

// The unmasked renderer string (WebGL2 hides it behind an extension).
function rendererName() {
  const context = new OffscreenCanvas(1, 1).getContext('webgl2');
  if (!context) return null;
  const debug = context.getExtension('WEBGL_debug_renderer_info');
  return debug ? context.getParameter(debug.UNMASKED_RENDERER_WEBGL) : context.getParameter(context.RENDERER);
}

const hasGl = () => tx.backendInfo.backends.includes('gl');

async function start({ forceCpu }) {
  // Every core but one, which stays the page's main thread's (drawing, the charts).
  tx = await init({ backend: forceCpu ? 'simd' : 'auto', threads: Math.max(1, (navigator.hardwareConcurrency || 2) - 1) });
  if (forceCpu) fallback = 'CPU backend requested';
  else if (!hasGl()) fallback = tx.backendInfo.reason.replace(/^.* alone \((.*)\)$/, '$1');
  return { backend: hasGl() ? 'auto' : 'cpu', renderer: hasGl() ? rendererName() || tx.backendInfo.renderer : 'CPU',
           fallback, threads: tx.backendInfo.threads, threadsNote: tx.backendInfo.threadsNote };
}

// Loads a .texel file (replacing the model in use only when it loads and fits), warms it
// up for batch 1 without blocking this worker, and lets auto time it on each backend.
async function load({ bytes }) {
  if (!tx) throw new Error('load: the engine has not started');
  const began = performance.now();
  const fresh = await tx.loadModel(bytes);
  const loadMs = performance.now() - began;
  let warmup;
  try {
    const [input] = fresh.inputShapes;
    if (fresh.inputShapes.length !== 1 || input.join() !== '-1,28,28,1' || fresh.outputShape.join() !== '-1,10')
      throw new Error(`this model takes [${input}] and gives [${fresh.outputShape}]; ` +
                      'the recognizer needs [-1,28,28,1] -> [-1,10]');
    warmup = await fresh.warmupAsync(1);
  } catch (e) {
    fresh.dispose();
    throw e;
  }
  model?.dispose();
  model = fresh;
  const layers = model.layers;
  mapLayers = layers.filter((l) => l.className === 'Conv2D').map((l) => l.name);
  outputLayer = layers[layers.length - 1].name;
  // One prediction on each backend, so the first drawing pays for nothing.
  const blank = new Float32Array(784);
  for (const backend of model.backends) await run(blank, backend);
  const choice = warmup.choice ?? null;
  return { params: model.countParams(), layers: layers.map((l) => ({ ...l })), loadMs,
           warmupPrograms: warmup.programsBuilt, warmupMs: warmup.milliseconds,
           choice: choice && { backend: choice.backend, reason: choice.reason } };
}

// probabilities, logits and feature maps for 784 grey levels on `backend` (a core name;
// undefined: auto's choice for a batch of one).
async function run(pixels, backend) {
  const outputs = tx.tidy(() => model.activations(tx.tensor(pixels, [1, 28, 28, 1]),
                                                  [...mapLayers, outputLayer], { logits: true, backend }));
  try {
    const values = await Promise.all(Object.values(outputs).map((t) => t.data()));
    const logits = Array.from(values.pop());
    const top = Math.max(...logits);
    const exps = logits.map((z) => Math.exp(z - top));
    const sum = exps.reduce((a, b) => a + b, 0);
    const maps = mapLayers.map((name, i) => {
      const [, height, width, channels] = outputs[name].shape;
      return { name, height, width, channels, values: values[i] };
    });
    return { probabilities: exps.map((e) => e / sum), logits, maps };
  } finally {
    tx.dispose(outputs);
  }
}

// The backend a prediction of one runs on: the page's pick, else auto's timing.
function chosenBackend() {
  return preferred ?? model.backendChoices.find((c) => c.batchSize === 1)?.backend ?? model.backends[0];
}

async function predict({ rgba, width, height, onCpu }) {
  const t0 = performance.now();
  const prepared = preprocess(greyOf({ data: new Uint8ClampedArray(rgba), width, height }), width, height);
  if (!prepared) return { empty: true };
  if (!model) throw new Error('predict: no model loaded');
  // While the trainer worker has the GPU, predictions stay off it (ARCHITECTURE.md).
  let backend = onCpu ? 'cpu-simd' : chosenBackend();
  let result;
  try {
    result = await run(prepared.pixels, backend);
  } catch (e) {
    if (!(e instanceof ContextLostError) || backend !== 'gl') throw e;
    backend = 'cpu-simd';  // until the browser restores the context (the engine re-uploads then)
    result = await run(prepared.pixels, backend);
  }
  result.input = prepared.pixels;
  result.engine = backend === 'gl' ? 'webgl2' : 'cpu';
  result.ms = performance.now() - t0;
  const transfer = [result.input.buffer, ...result.maps.map((m) => m.values.buffer)];
  return { result, transfer };
}

serve({
  start,
  load,
  predict,
  // Test hooks: WEBGL_lose_context on this worker's context; a backend for every prediction.
  loseContext: () => (hasGl() ? tx.debug.loseContext() : false),
  restoreContext: () => (hasGl() ? tx.debug.restoreContext() : false),
  prefer: ({ backend }) => {
    if (backend && !model?.backends.includes(backend)) throw new Error(`prefer: the model is not held on '${backend}'`);
    preferred = backend ?? undefined;
    return true;
  },
});
