// The recognizer's engine, in a module worker: the page posts the pad's pixels, this
// worker preprocesses them (preprocess.js), runs the model through the texel package and
// answers with the probabilities, the logits and the conv layers' feature maps. The page's
// main thread only draws. Two engines: WebGL2 on this worker's OffscreenCanvas (the
// default) and the CPU, which answers while the trainer worker has the GPU (see
// docs/ARCHITECTURE.md, "Two workers, one GPU"), while the GL context is lost, or when the
// page asks for it (?cpu) or WebGL2 is unavailable.
import { init, ContextLostError } from './texel/texel.mjs';
import { greyOf, preprocess } from './preprocess.js';
import { serve } from './rpc.js';

let gl = null;   // {tx, model} on WebGL2, or null
let cpu = null;  // {tx, model} on the CPU
let fallback = '';
let mapLayers = [];  // the Conv2D layers' names, shown as feature maps
let outputLayer = '';

// The unmasked renderer string (WebGL2 hides it behind an extension).
function rendererName() {
  const context = new OffscreenCanvas(1, 1).getContext('webgl2');
  if (!context) return null;
  const debug = context.getExtension('WEBGL_debug_renderer_info');
  return debug ? context.getParameter(debug.UNMASKED_RENDERER_WEBGL) : context.getParameter(context.RENDERER);
}

async function start({ forceCpu }) {
  if (forceCpu) {
    fallback = 'CPU backend requested';
  } else if (typeof OffscreenCanvas !== 'function') {
    fallback = 'this browser has no OffscreenCanvas for WebGL2 in a worker';
  } else {
    try {
      gl = { tx: await init({ backend: 'webgl' }), model: null };
    } catch (e) {
      fallback = e.message;
    }
  }
  cpu = { tx: await init({ backend: 'cpu' }), model: null };
  return { backend: gl ? 'webgl2' : 'cpu', renderer: gl ? rendererName() || gl.tx.backendInfo.renderer : 'CPU',
           fallback };
}

// Loads a .texel file on both engines (replacing the models in use only when both load)
// and warms the GL one up for batch 1 without blocking this worker.
async function load({ bytes }) {
  if (!cpu) throw new Error('load: the engine has not started');
  const began = performance.now();
  const fresh = { cpu: await cpu.tx.loadModel(bytes) };
  try {
    const [input] = fresh.cpu.inputShapes;
    if (fresh.cpu.inputShapes.length !== 1 || input.join() !== '-1,28,28,1' || fresh.cpu.outputShape.join() !== '-1,10')
      throw new Error(`this model takes [${input}] and gives [${fresh.cpu.outputShape}]; ` +
                      'the recognizer needs [-1,28,28,1] -> [-1,10]');
    if (gl) fresh.gl = await gl.tx.loadModel(bytes);
  } catch (e) {
    fresh.cpu.dispose();
    throw e;
  }
  const loadMs = performance.now() - began;
  const warmup = fresh.gl ? await fresh.gl.warmupAsync(1) : fresh.cpu.warmup(1);
  cpu.model?.dispose();
  cpu.model = fresh.cpu;
  if (gl) {
    gl.model?.dispose();
    gl.model = fresh.gl;
  }
  const layers = cpu.model.layers;
  mapLayers = layers.filter((l) => l.className === 'Conv2D').map((l) => l.name);
  outputLayer = layers[layers.length - 1].name;
  // One prediction on each engine, so the first drawing pays for nothing.
  const blank = new Float32Array(784);
  await run(cpu, blank);
  if (gl) await run(gl, blank);
  return { params: cpu.model.countParams(), layers: layers.map((l) => ({ ...l })), loadMs,
           warmupPrograms: warmup.programsBuilt, warmupMs: warmup.milliseconds };
}

// probabilities, logits and feature maps for 784 grey levels on one engine.
async function run(engine, pixels) {
  const { tx, model } = engine;
  const outputs = tx.tidy(() => model.activations(tx.tensor(pixels, [1, 28, 28, 1]),
                                                  [...mapLayers, outputLayer], { logits: true }));
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

async function predict({ rgba, width, height, onCpu }) {
  const t0 = performance.now();
  const prepared = preprocess(greyOf({ data: new Uint8ClampedArray(rgba), width, height }), width, height);
  if (!prepared) return { empty: true };
  if (!cpu?.model) throw new Error('predict: no model loaded');
  let engine = gl && !onCpu ? gl : cpu;
  let result;
  try {
    result = await run(engine, prepared.pixels);
  } catch (e) {
    if (!(e instanceof ContextLostError) || engine === cpu) throw e;
    engine = cpu;  // until the browser restores the context (the engine re-uploads then)
    result = await run(engine, prepared.pixels);
  }
  result.input = prepared.pixels;
  result.engine = engine === gl ? 'webgl2' : 'cpu';
  result.ms = performance.now() - t0;
  const transfer = [result.input.buffer, ...result.maps.map((m) => m.values.buffer)];
  return { result, transfer };
}

serve({
  start,
  load,
  predict,
  // Test hooks: WEBGL_lose_context on this worker's context.
  loseContext: () => gl?.tx.debug.loseContext() ?? false,
  restoreContext: () => gl?.tx.debug.restoreContext() ?? false,
});
