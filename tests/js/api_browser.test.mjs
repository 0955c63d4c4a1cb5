// The JavaScript API in headless Chromium (WebGL2 on SwiftShader): every op case on the GL
// backend in a page and in a module worker (OffscreenCanvas), compared with TF.js (cpu, in
// node) on the same seeded inputs; a TF.js model imported from URLs predicts what TF.js
// predicts; 1,000 tidied predicts leave textures and tensors at their baseline; and the
// per-call overhead of a 1-element add against TF.js's webgl backend (reported, not asserted).
// Needs build-web/package (scripts/build_package.sh).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';

import { serve } from '../../scripts/lib/static_server.mjs';
import { launchBrowser } from '../../scripts/lib/browser.mjs';
import { writeAllModels } from '../tfjs_import/make_models.mjs';
import { OP_CASES, compareOutputs, runCase } from './op_cases.mjs';
import { mulberry32 } from './seeded.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
let server, url, browser, page, dir, reference;

before(async () => {
  await tf.setBackend('cpu');
  dir = mkdtempSync(join(tmpdir(), 'texel-jsb-'));
  await writeAllModels(join(dir, 'models'));
  reference = OP_CASES.map((c, index) => runCase(tf, c, index, true, mulberry32));
  ({ server, url } = await serve([join(ROOT, 'build-web/package'), join(ROOT, 'tests/js'), dir,
    join(ROOT, 'node_modules/@tensorflow/tfjs/dist')]));
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
  await page.goto(`${url}harness.html`);
});
after(async () => {
  await browser?.close();
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

function checkRun(result, where) {
  const failures = [];
  result.outputs.forEach((out, i) => {
    const c = OP_CASES[i];
    if (!out.ok) failures.push(`${c.name}: ${out.error}`);
    else {
      // GL's float32 shaders: a few ulps more than the CPU.
      const message = compareOutputs({ ...c, tolerance: 10 * (c.tolerance ?? 1e-5) }, out.value, reference[i]);
      if (message) failures.push(`${c.name}: ${message}`);
    }
  });
  assert.deepEqual(failures, [], `${where}: every op case matches TF.js`);
  assert.deepEqual(result.asyncValues, [7, 10, 15, 22], `${where}: data()`);
  assert.match(result.errorName, /^TexelError: matMul: /, `${where}: errors are TexelErrors`);
}

test('page: every op on WebGL matches TF.js; async readback; errors', async () => {
  const result = await page.evaluate(async () => (await import('/browser_cases.mjs')).runAll('webgl'));
  assert.equal(result.info.backend, 'gl');
  assert.equal(typeof result.info.renderer, 'string');  // pages see 'WebKit WebGL' (masked)
  checkRun(result, 'page');
});

test('page: the CPU backend gives the same results', async () => {
  const result = await page.evaluate(async () => (await import('/browser_cases.mjs')).runAll('cpu'));
  assert.equal(result.info.backend, 'cpu');
  checkRun(result, 'page cpu');
});

test('page: the SIMD backend on the threaded core (cross-origin isolated): two threads, the same results', async () => {
  const result = await page.evaluate(async () => (await import('/browser_cases.mjs')).runAll('simd'));
  assert.equal(result.info.backend, 'cpu-simd');
  assert.equal(result.info.threads, 2, result.info.threadsNote);  // this machine's two cores
  assert.equal(result.info.threadsNote, 'threads (cross-origin isolated)');
  checkRun(result, 'page simd');
});

test('without cross-origin isolation the single-threaded core runs, and says why', async () => {
  const plain = await serve([join(ROOT, 'build-web/package'), join(ROOT, 'tests/js')], { isolated: false });
  const tab = await browser.context.newPage();
  try {
    await tab.goto(`${plain.url}harness.html`);
    const info = await tab.evaluate(async () => {
      const texel = await import('/texel.mjs');
      const tx = await texel.init({ backend: 'simd' });
      const y = tx.matMul(tx.tensor([[1, 2], [3, 4]]), tx.tensor([[1], [1]]));
      return { isolated: crossOriginIsolated, ...tx.backendInfo, values: Array.from(y.dataSync()) };
    });
    assert.equal(info.isolated, false);
    assert.equal(info.threads, 1);
    assert.match(info.threadsNote, /^one thread \(the page is not cross-origin isolated: serve it with 'Cross-Origin-Opener-Policy: same-origin'/);
    assert.deepEqual(info.values, [3, 7]);
    const forced = await page.evaluate(async () => {
      const texel = await import('/texel.mjs');
      return (await texel.init({ backend: 'simd', threads: false })).backendInfo;
    });
    assert.equal(forced.threads, 1);
    assert.equal(forced.threadsNote, 'one thread (threads: false)');
  } finally {
    await tab.close();
    plain.server.close();
  }
});

for (const backend of ['webgl', 'cpu', 'simd']) {
  test(`worker: ${{ webgl: 'WebGL on an OffscreenCanvas', cpu: 'the CPU backend', simd: 'the SIMD backend, two threads' }[backend]}, same results`, async () => {
    const result = await page.evaluate((requested) => new Promise((resolvePromise) => {
      const worker = new Worker('/browser_cases.mjs', { type: 'module' });
      worker.onmessage = (event) => {
        resolvePromise(event.data);
        worker.terminate();
      };
      worker.onerror = (event) => resolvePromise({ ok: false, error: event.message });
      worker.postMessage({ backend: requested });
    }), backend);
    assert.ok(result.ok, `worker: ${result.error}`);
    assert.equal(result.result.info.backend, { webgl: 'gl', cpu: 'cpu', simd: 'cpu-simd' }[backend]);
    if (backend === 'simd') assert.equal(result.result.info.threads, 2);
    checkRun(result.result, `worker ${backend}`);
  });
}

test('page: a TF.js model from URLs predicts as TF.js; 1,000 tidied predicts leak nothing; IndexedDB save/load', async () => {
  const modelDir = join(dir, 'models/mnist-cnn');
  const expected = JSON.parse(readFileSync(join(modelDir, 'expected.json'), 'utf8'));
  const result = await page.evaluate(async () => {
    const texel = await import('/texel.mjs');
    const tx = await texel.init({ backend: 'webgl' });
    const model = await tx.loadLayersModel('/models/mnist-cnn/model.json');
    const inputs = await (await fetch('/models/mnist-cnn/inputs.json')).json();
    const y = tx.tidy(() => model.predict(tx.tensor(inputs[0].values, inputs[0].shape)));
    const values = Array.from(await y.data());
    y.dispose();
    const one = new Float32Array(784);
    model.predict(tx.zeros([1, 28, 28, 1])).dispose();  // the pool holds what predict needs
    const baseline = tx.memory();
    for (let i = 0; i < 1000; ++i) {
      one.fill(i / 1000);
      tx.tidy(() => model.predict(tx.tensor(one, [1, 28, 28, 1])).dataSync());
    }
    const after = tx.memory();
    // IndexedDB round trip, and a name that was never saved.
    const saved = await model.save('indexeddb://mnist-test');
    const again = await tx.loadModel('indexeddb://mnist-test');
    const y2 = tx.tidy(() => again.predict(tx.tensor(inputs[0].values, inputs[0].shape)));
    const valuesAgain = Array.from(await y2.data());
    y2.dispose();
    again.dispose();
    let missing = '';
    try {
      await tx.loadModel('indexeddb://never-saved');
    } catch (e) {
      missing = `${e.name}: ${e.message}`;
    }
    // The same model from File objects (what an <input type=file multiple> gives).
    const json = await (await fetch('/models/mnist-cnn/model.json')).text();
    const files = [new File([json], 'model.json')];
    for (const group of JSON.parse(json).weightsManifest)
      for (const path of group.paths)
        files.push(new File([await (await fetch(`/models/mnist-cnn/${path}`)).arrayBuffer()], path));
    const fromFiles = await tx.loadLayersModel(files);
    const y3 = tx.tidy(() => fromFiles.predict(tx.tensor(inputs[0].values, inputs[0].shape)));
    const valuesFiles = Array.from(await y3.data());
    y3.dispose();
    fromFiles.dispose();
    model.dispose();
    return { values, baseline, after, saved, valuesAgain, missing, valuesFiles };
  });
  result.values.forEach((v, i) => assert.ok(Math.abs(v - expected.values[i]) < 1e-4, `mnist-cnn[${i}] ${v} vs ${expected.values[i]}`));
  assert.deepEqual(result.valuesAgain, result.values, 'the model saved in IndexedDB predicts the same');
  assert.ok(result.saved.bytes > 10000);
  assert.deepEqual(result.valuesFiles, result.values, 'File[] import predicts the same');
  assert.equal(result.missing, "TexelError: loadModel: no model is saved as 'indexeddb://never-saved'");
  assert.equal(result.after.numTensors, result.baseline.numTensors);
  assert.equal(result.after.numTextures, result.baseline.numTextures);
  assert.equal(result.after.numHandles, result.baseline.numHandles);
  assert.ok(result.after.pooledTextures <= result.baseline.pooledTextures + 2, 'the pool does not grow');
});

test('page: tx.warmup and model.warmupAsync compile everything first; later calls compile nothing', async () => {
  const result = await page.evaluate(async () => {
    const texel = await import('/texel.mjs');
    const tx = await texel.init({ backend: 'webgl' });
    const a = tx.tensor(new Float32Array(12).fill(1), [3, 4]);
    const b = tx.tensor(new Float32Array(20).fill(2), [4, 5]);
    const report = await tx.warmup(() => tx.softmax(tx.matMul(a, tx.relu(b)), -1));
    const before = tx.memory().compileCount;
    const y = tx.softmax(tx.matMul(a, tx.relu(b)), -1);
    const values = Array.from(await y.data());
    const compiledAfter = tx.memory().compileCount - before;
    let error = '';
    try {
      await tx.warmup(() => tx.matMul(a, a));
    } catch (e) {
      error = e.message;
    }
    const model = await tx.loadLayersModel('/models/mnist-cnn/model.json');
    const modelReport = await model.warmupAsync(2);
    const beforePredict = tx.memory().compileCount;
    model.predict(tx.zeros([2, 28, 28, 1])).dataSync();
    return { report, compiledAfter, values, error, modelReport, predictCompiles: tx.memory().compileCount - beforePredict };
  });
  assert.ok(result.report.programsBuilt >= 3, JSON.stringify(result.report));
  assert.equal(result.compiledAfter, 0);
  result.values.forEach((v) => assert.ok(Math.abs(v - 0.2) < 1e-6));
  assert.match(result.error, /matMul: /);
  assert.ok(result.modelReport.programsBuilt > 0);
  assert.equal(result.predictCompiles, 0);
});

test('page: auto holds a model on cpu-simd and WebGL2, times both, predicts on the faster', async () => {
  const result = await page.evaluate(async () => {
    const texel = await import('/texel.mjs');
    const tx = await texel.init({ backend: 'auto' });
    const model = await tx.loadLayersModel('/models/mnist-cnn/model.json');
    const report = await model.warmupAsync(1);
    const many = model.warmup(16);
    const x = tx.tensor(new Float32Array(3 * 784).map((_, i) => (Math.sin(i) + 1) / 2), [3, 28, 28, 1]);
    const onGl = model.predict(x, { backend: 'webgl' });
    const onSimd = model.predict(x, { backend: 'simd' });
    const chosen = model.predict(x);
    // An output on GL used in an eager op (which runs on cpu-simd) is read back first.
    const sum = tx.sum(onGl);
    const out = {
      info: tx.backendInfo, backends: model.backends, one: report.choice, many: many.choice,
      choices: model.backendChoices.length, gl: Array.from(await onGl.data()), simd: Array.from(onSimd.dataSync()),
      chosen: Array.from(await chosen.data()), sum: sum.dataSync()[0],
    };
    tx.dispose([x, onGl, onSimd, chosen, sum]);
    model.dispose();
    out.after = tx.memory().numTensors;
    return out;
  });
  assert.equal(result.info.backend, 'auto');
  assert.deepEqual(result.info.backends, ['cpu-simd', 'gl']);
  assert.match(result.info.reason, /models timed at warmup on cpu-simd and gl, each run on the faster/);
  assert.deepEqual(result.backends, ['cpu-simd', 'gl']);
  for (const [choice, batch] of [[result.one, 1], [result.many, 16]]) {
    assert.equal(choice.batchSize, batch);
    assert.deepEqual(choice.timings.map((t) => t.backend), ['cpu-simd', 'gl']);
    const lowest = Math.min(...choice.timings.map((t) => t.medianMs));
    assert.equal(choice.timings.find((t) => t.backend === choice.backend).medianMs, lowest);
    assert.match(choice.reason, new RegExp(`^${choice.backend}: [\\d.]+ ms per batch of ${batch} against`));
  }
  assert.equal(result.choices, 2);
  result.gl.forEach((v, i) => assert.ok(Math.abs(v - result.simd[i]) < 1e-4, `${v} vs ${result.simd[i]}`));
  result.chosen.forEach((v, i) => assert.ok(Math.abs(v - result.simd[i]) < 1e-4));
  assert.ok(Math.abs(result.sum - 3) < 1e-4, 'three softmax rows sum to 3');
  assert.equal(result.after, 0, 'every tensor and both copies of the model freed');
});

test('page: a lost WebGL context makes ops throw ContextLostError', async () => {
  const result = await page.evaluate(async () => {
    const texel = await import('/texel.mjs');
    const tx = await texel.init({ backend: 'webgl' });
    const a = tx.tensor([1, 2, 3]);
    if (!tx.debug.loseContext()) return { skipped: 'WEBGL_lose_context unavailable' };
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 50));
    try {
      tx.add(a, a);
      return { error: 'no error' };
    } catch (e) {
      return { name: e.name, isClass: e instanceof texel.ContextLostError, isTexel: e instanceof texel.TexelError, message: e.message };
    }
  });
  assert.ok(!result.skipped, result.skipped);
  assert.equal(result.name, 'ContextLostError');
  assert.ok(result.isClass && result.isTexel);
  assert.match(result.message, /add: the GL context is lost/);
});

test('binding overhead: a 1-element add, ms per call, texel vs TF.js webgl (reported)', async (t) => {
  const result = await page.evaluate(async () => {
    const texel = await import('/texel.mjs');
    const tx = await texel.init({ backend: 'webgl' });
    const txCpu = await texel.init({ backend: 'cpu' });
    await new Promise((resolvePromise) => {
      const script = document.createElement('script');
      script.src = '/tf.min.js';
      script.onload = resolvePromise;
      document.head.appendChild(script);
    });
    await tf.setBackend('webgl');
    const time = (lib, n) => {
      let x = lib.tensor([1], [1]);
      const one = lib.tensor([1], [1]);
      lib.add(x, one).dispose();  // compile
      const start = performance.now();
      for (let i = 0; i < n; ++i) {
        const next = lib.add(x, one);
        x.dispose();
        x = next;
      }
      x.dataSync();
      const ms = (performance.now() - start) / n;
      x.dispose();
      one.dispose();
      return ms;
    };
    const result = { texel: time(tx, 500), tfjs: time(tf, 500), texelCpu: time(txCpu, 2000) };
    await tf.setBackend('cpu');
    result.tfjsCpu = time(tf, 2000);
    return result;
  });
  // TF.js's webgl backend forwards ops under 128 elements to its CPU backend, so its webgl
  // figure is a CPU op too; the cpu pair isolates the binding's cost.
  t.diagnostic(`1-element add, ms per call: texel webgl ${result.texel.toFixed(4)}, TF.js webgl ` +
    `${result.tfjs.toFixed(4)}; texel cpu ${result.texelCpu.toFixed(4)}, TF.js cpu ${result.tfjsCpu.toFixed(4)}`);
  assert.ok(result.texel > 0 && result.tfjs > 0);
});

test('the example page (apps/js_example): loads the TF.js model and predicts a drawn stroke', async () => {
  const example = await serve([join(ROOT, 'build-web/apps/js_example')]);
  const tab = await browser.context.newPage();
  const errors = [];
  tab.on('pageerror', (e) => errors.push(e.message));
  try {
    await tab.goto(example.url);
    await tab.waitForFunction(() => window.exampleState?.ready, null, { timeout: 120000 });
    assert.match(await tab.textContent('#status'), /^Backend: (gl|cpu-simd) \(\1: [\d.]+ ms per batch of 1 against [\d.]+ ms on (gl|cpu-simd) \(median of 5\)(; (gl|cpu-simd) timed once: over 4x slower)?\)\. Draw a digit\.$/);
    const box = await tab.locator('#pad').boundingBox();
    await tab.mouse.move(box.x + 140, box.y + 40);
    await tab.mouse.down();
    for (let y = 40; y <= 240; y += 10) await tab.mouse.move(box.x + 140, box.y + y);
    await tab.mouse.up();
    await tab.waitForFunction(() => window.exampleState.predictions > 0, null, { timeout: 60000 });
    assert.match(await tab.textContent('#prediction'), /^Prediction: \d$/);
    assert.equal((await tab.textContent('#probabilities')).split('\n').length, 10);
    assert.deepEqual(errors, []);
  } finally {
    await tab.close();
    example.server.close();
  }
});
