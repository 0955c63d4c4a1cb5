// End-to-end tests of the browser digit recognizer (apps/mnist_web) in headless Chromium:
// real pointer strokes, held-out MNIST digits through the page's own preprocessing, the
// backend shown, a broken model reported beside its control, the CPU fallback, images
// uploaded and dropped, no main-thread long task while drawing, predicting and training
// (fps reported against an idle baseline), Stop at once, the layout at 1280 and 420 px.
// Needs build-web/apps/mnist_web (texel_build_web mnist_web) and build/apps/mnist_train.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { serve } from '../../scripts/lib/static_server.mjs';
import { launchBrowser } from '../../scripts/lib/browser.mjs';
import { STROKES } from './strokes.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const APP = join(ROOT, 'build-web/apps/mnist_web');
const ARTIFACTS = join(ROOT, 'build-web/e2e-artifacts');
let server, url, browser, page, extra, heldOut, firstSource;

before(async () => {
  extra = mkdtempSync(join(tmpdir(), 'texel-e2e-'));
  // The held-out digits, exported by the trainer from the same fixed split.
  const digits = join(extra, 'held_out.bin');
  const exported = spawnSync(join(ROOT, 'build/apps/mnist_train'), ['--export-held-out', digits],
                             { cwd: ROOT, encoding: 'utf8', env: { ...process.env, DISPLAY: '' } });
  assert.equal(exported.status, 0, `mnist_train --export-held-out failed: ${exported.stderr}`);
  heldOut = readFileSync(digits);
  // A model file with one flipped byte in the middle (its CRC check must catch it).
  const model = readFileSync(join(APP, 'mnist_cnn.texel'));
  model[model.length >> 1] ^= 0x20;
  writeFileSync(join(extra, 'broken.texel'), model);
  ({ server, url } = await serve([APP, extra]));
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
  await page.goto(url);
  await waitReady(page, 180000);
  firstSource = await page.evaluate(() => window.texelApp.info?.source);
});

after(async () => {
  await browser?.close();
  server?.close();
  rmSync(extra, { recursive: true, force: true });
});

// Waits until the page finished starting (ready or error).
function waitReady(tab, timeout = 120000) {
  return tab.waitForFunction(() => window.texelApp && window.texelApp.state !== 'loading', null,
                             { timeout });
}

async function drawStrokes(strokes) {
  await page.locator('#pad').scrollIntoViewIfNeeded();  // a reload restores the scroll position
  const box = await page.locator('#pad').boundingBox();
  const scale = box.width / 280;  // the strokes are in the pad's pixels; it may be shown smaller
  await page.evaluate(() => window.texelApp.clear());
  for (const stroke of strokes) {
    await page.mouse.move(box.x + stroke[0][0] * scale, box.y + stroke[0][1] * scale);
    await page.mouse.down();
    for (const [x, y] of stroke.slice(1)) await page.mouse.move(box.x + x * scale, box.y + y * scale, { steps: 2 });
    await page.mouse.up();
  }
  // The page predicts on its own (throttled): wait for the digit to show.
  await page.waitForFunction(() => document.getElementById('digit').textContent !== '?');
  return page.evaluate(() => window.texelApp.recognize());
}

test('the page loads, reaches ready and shows where auto runs the model, why, and the warmup', async () => {
  assert.equal(await page.evaluate(() => window.texelApp.state), 'ready',
               await page.evaluate(() => window.texelApp.error));
  const backend = await page.textContent('#backend');
  assert.match(backend, new RegExp('^auto: (WebGL2 \\(.+\\)|CPU SIMD \\(WebAssembly, \\d+ threads?\\)) in a worker ' +
    '\\((gl|cpu-simd): [\\d.]+ ms per batch of 1 against [\\d.]+ ms on (gl|cpu-simd) \\(median of 5\\)' +
    '(; (gl|cpu-simd) timed once: over 4x slower)?\\)$'));
  const { choice } = await page.evaluate(() => window.texelApp.info);
  assert.equal(backend.startsWith('auto: WebGL2'), choice.backend === 'gl', 'the label names the chosen backend');
  assert.match(await page.textContent('#warmup'), /\d+ programs compiled in \d+ ms/);
  assert.match(await page.textContent('#model'), /56,714 parameters/);
  console.log(`backend: ${backend}; warmup: ${await page.textContent('#warmup')}`);
});

test('the summary table lists every layer with its type, output shape and params', async () => {
  const rows = await page.$$eval('#summary tbody tr', (trs) => trs.map((tr) => Array.from(tr.cells, (c) => c.textContent)));
  assert.deepEqual(rows.map((r) => r[1]), ['InputLayer', 'Conv2D', 'MaxPooling2D', 'Conv2D', 'MaxPooling2D',
                                           'Flatten', 'Dense', 'Dense']);
  assert.deepEqual(rows[1].slice(2), ['[null, 26, 26, 16]', '160']);
  assert.deepEqual(rows[6].slice(2), ['[null, 64]', '51,264']);
  assert.equal(await page.textContent('#summaryTotal'), '56,714');
});

for (const digit of Object.keys(STROKES)) {
  test(`a ${digit} drawn with pointer events is recognized`, async () => {
    const prediction = await drawStrokes(STROKES[digit]);
    assert.equal(prediction.digit, Number(digit),
                 `probabilities ${prediction.probabilities.map((p) => p.toFixed(3)).join(' ')}`);
    assert.match(await page.textContent('#inference'), /ms per prediction/);
  });
}

test('the conv layers\' feature maps and the ten logits are shown for the drawing', async () => {
  const prediction = await drawStrokes(STROKES[4]);
  const layers = await page.$$eval('#maps .layer', (nodes) =>
    nodes.map((n) => ({ name: n.querySelector('.layer-name').textContent,
                        tiles: n.querySelectorAll('canvas.tile').length })));
  assert.deepEqual(layers.map((l) => l.tiles), [16, 32]);
  assert.match(layers[0].name, /26x26/);
  const logits = await page.$$eval('#logits .logit', (cells) => cells.map((c) => c.textContent));
  assert.equal(logits.length, 10);
  assert.equal(logits[4], `4${prediction.logits[4].toFixed(2)}`);
  // The cells do not run together: each is its own box, side by side or wrapped.
  const boxes = await page.$$eval('#logits .logit', (cells) => cells.map((c) => c.getBoundingClientRect().toJSON()));
  for (let i = 1; i < boxes.length; ++i)
    assert.ok(boxes[i].left >= boxes[i - 1].right || boxes[i].top >= boxes[i - 1].bottom, `logit cells ${i - 1} and ${i} overlap`);
  // Some map of the first layer lights up for a drawing.
  const lit = await page.$$eval('#maps .layer:first-child canvas.tile', (tiles) =>
    tiles.some((t) => t.getContext('2d').getImageData(0, 0, t.width, t.height).data.some(
      (v, i) => i % 4 === 0 && v > 128)));
  assert.ok(lit);
});

test('a lost WebGL context: the CPU copy answers, then WebGL2 again once the browser restores it', async () => {
  await page.evaluate(() => window.texelApp.prefer('gl'));  // whatever auto chose here
  const before = await drawStrokes(STROKES[7]);
  assert.equal(before.engine, 'webgl2');
  assert.equal(await page.evaluate(() => window.texelApp.loseContext()), true);
  const during = await drawStrokes(STROKES[7]);
  assert.equal(during.digit, 7, 'no prediction while the context was lost');
  assert.equal(during.engine, 'cpu');
  // The browser may restore only after its webglcontextlost event has been dispatched.
  await page.evaluate(() => new Promise((done) => setTimeout(done, 100)));
  assert.equal(await page.evaluate(() => window.texelApp.restoreContext()), true);
  let after;
  for (let i = 0; i < 50 && after?.engine !== 'webgl2'; ++i) {
    await page.evaluate(() => new Promise((done) => setTimeout(done, 100)));
    after = await page.evaluate(() => window.texelApp.recognize());
  }
  // The weights came back from their host copies: the GL result is bit for bit the same.
  assert.equal(after.engine, 'webgl2', 'still on the CPU 5 s after the context was restored');
  assert.deepEqual(after.probabilities, before.probabilities);
  assert.match(await page.textContent('#backend'), /^auto: /);
  await page.evaluate(() => window.texelApp.prefer(null));
});

test('50 held-out MNIST digits put on the canvas: at least 47 right', async () => {
  let right = 0;
  const wrong = [];
  for (let i = 0; i < 50; ++i) {
    const record = heldOut.subarray(i * 785, (i + 1) * 785);
    const pixels = Array.from(record.subarray(1), (v) => v / 255);
    const prediction = await page.evaluate((p) => {
      window.texelApp.drawDigit(p);
      return window.texelApp.recognize();
    }, pixels);
    if (prediction.digit === record[0]) ++right;
    else wrong.push(`#${i}: ${record[0]} read as ${prediction.digit}`);
  }
  console.log(`held-out digits: ${right}/50 right${wrong.length ? ` (${wrong.join(', ')})` : ''}`);
  assert.ok(right >= 47, `${right}/50 right: ${wrong.join(', ')}`);
  mkdirSync(ARTIFACTS, { recursive: true });
  await drawStrokes(STROKES[7]);
  await page.screenshot({ path: join(ARTIFACTS, 'mnist_web.png') });
  console.log(`screenshot: ${join(ARTIFACTS, 'mnist_web.png')}`);
});

test('a broken model file shows an error on the page in words', async () => {
  const tab = await browser.context.newPage();
  await tab.goto(`${url}?model=broken.texel`);
  await tab.waitForFunction(() => window.texelApp && window.texelApp.state === 'error', null,
                            { timeout: 120000 });
  assert.equal(await tab.isVisible('#engineError'), true);
  const message = await tab.textContent('#engineError');
  assert.match(message, /could not be loaded: .*CRC32/);
  assert.equal(await tab.textContent('#state'), 'error');
  // A good model file restores the page: the status says so and the error goes.
  await tab.setInputFiles('#modelFile', join(APP, 'mnist_cnn.texel'));
  await tab.waitForFunction(() => window.texelApp.inUse === 'file mnist_cnn.texel');
  assert.equal(await tab.textContent('#state'), 'ready');
  assert.equal(await tab.evaluate(() => window.texelApp.state), 'ready');
  assert.equal(await tab.isVisible('#engineError'), false);
  await tab.close();
});

// Frames and main-thread long tasks (over 50 ms, PerformanceObserver 'longtask') while
// work() runs: the long tasks are asserted (they are the page's own doing), the frame
// rate is reported against the idle baseline of the same run (it depends on the load).
async function measure(tab, work) {
  await tab.evaluate(() => {
    // Each measurement counts its own frames (a chain left from an earlier one stops).
    const log = (window.frameLog = { frames: 0, start: performance.now(), running: true, longTasks: [],
                                     longFrames: [] });
    const tick = () => {
      if (!log.running) return;
      log.frames++;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    window.frameLog.observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.frameLog.longTasks.push(entry.duration);
    });
    window.frameLog.observer.observe({ type: 'longtask' });
    // What a long frame spent its time on (scripts, style and layout), for the report.
    window.frameLog.frameObserver = new PerformanceObserver((list) => {
      for (const f of list.getEntries()) {
        if (f.duration <= 50) continue;
        const scripts = f.scripts.map((s) => `${s.invoker} ${s.duration.toFixed(0)} ms`);
        const layout = f.styleAndLayoutStart ? f.startTime + f.duration - f.styleAndLayoutStart : 0;
        log.longFrames.push(`${f.duration.toFixed(0)} ms frame: scripts [${scripts.join('; ')}], ` +
                            `style and layout ${layout.toFixed(0)} ms`);
      }
    });
    if (PerformanceObserver.supportedEntryTypes.includes('long-animation-frame'))
      window.frameLog.frameObserver.observe({ type: 'long-animation-frame' });
  });
  const result = await work();
  const log = await tab.evaluate(() => {
    window.frameLog.running = false;
    window.frameLog.observer.disconnect();
    window.frameLog.frameObserver.disconnect();
    const seconds = (performance.now() - window.frameLog.start) / 1000;
    return { fps: window.frameLog.frames / seconds, longTasks: window.frameLog.longTasks,
             longFrames: window.frameLog.longFrames, seconds };
  });
  return { ...log, longest: log.longTasks.length ? Math.max(...log.longTasks) : 0, result };
}

const describe = (name, m) =>
  `${name}: ${m.fps.toFixed(1)} fps, ${m.longTasks.length} long tasks (longest ${m.longest.toFixed(0)} ms)`;
const percentile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

test('no main-thread task over 50 ms while drawing, predicting and training; fps against idle', async () => {
  const idle = await measure(page, () => page.waitForTimeout(2000));
  const drawing = await measure(page, async () => {
    const read = [];
    for (const digit of Object.keys(STROKES)) read.push(`${digit} as ${(await drawStrokes(STROKES[digit])).digit}`);
    return read;
  });
  console.log(`drawn digits read: ${drawing.result.join(', ')}`);
  const predicting = await measure(page, async () => {
    for (let i = 0; i < 20; ++i) {
      const pixels = Array.from(heldOut.subarray(i * 785 + 1, (i + 1) * 785), (v) => v / 255);
      await page.evaluate((p) => { window.texelApp.drawDigit(p); return window.texelApp.recognize(); }, pixels);
    }
  });
  await page.fill('#epochs', '1');
  await page.fill('#batch', '32');
  await page.fill('#examples', '640');
  const strokesBefore = (await page.evaluate(() => window.texelApp.latencies)).length;
  const training = await measure(page, async () => {
    await page.click('#start');
    const predictions = [];
    // Drawing and prediction while the worker trains.
    while (await page.evaluate(() => window.texelApp.training.state === 'running'))
      predictions.push(await drawStrokes(STROKES[0]));
    return predictions;
  });
  const t = await page.evaluate(() => window.texelApp.training);
  assert.equal(t.state, 'done', await page.textContent('#trainError'));
  const latencies = await page.evaluate(() => window.texelApp.latencies);
  console.log(['idle', 'drawing', 'predicting', 'drawing while training']
    .map((name, i) => describe(name, [idle, drawing, predicting, training][i])).join('; '));
  const quiet = latencies.slice(0, strokesBefore), busy = latencies.slice(strokesBefore);
  for (const [name, xs] of [['no training', quiet], ['while training', busy]]) {
    console.log(`pointer-up to prediction on screen, ${name}: median ${percentile(xs, 0.5).toFixed(1)} ms, ` +
                `p90 ${percentile(xs, 0.9).toFixed(1)} ms over ${xs.length} strokes`);
  }
  for (const [name, m] of [['idle', idle], ['drawing', drawing], ['predicting', predicting], ['training', training]])
    assert.deepEqual(m.longTasks.map((d) => Math.round(d)), [],
                     `main-thread tasks over 50 ms while ${name}: ${m.longFrames.join(' | ') || 'no frame attribution'}`);
  assert.deepEqual(drawing.result, Object.keys(STROKES).map((d) => `${d} as ${d}`));
  assert.ok(training.result.length >= 1 && training.result.every((p) => p.digit === 0),
            `predictions while training: ${training.result.map((p) => `${p.digit} on ${p.engine}` +
              (p.digit === 0 ? '' : ` (logits ${p.logits})`))}`);
  assert.ok(training.result.some((p) => p.engine === 'cpu'), 'predictions while training ran on the GPU');
  assert.ok(latencies.length >= Object.keys(STROKES).length && latencies.every((ms) => ms > 0));
});

test('training in the worker lowers the loss and draws per-batch and per-epoch curves', async () => {
  const t = await page.evaluate(() => window.texelApp.training);
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(`training on ${t.backend}: ${t.losses.length} batches, loss ` +
              `${mean(t.losses.slice(0, 3)).toFixed(3)} -> ${mean(t.losses.slice(-3)).toFixed(3)}, ` +
              `held-out accuracy ${t.epochs[0].testAcc.toFixed(3)}`);
  assert.equal(t.losses.length, 20);  // 640 digits in whole batches of 32
  assert.equal(t.epochs.length, 1);
  assert.ok(mean(t.losses.slice(-3)) < mean(t.losses.slice(0, 3)), 'the loss did not go down');
  assert.ok(t.epochs[0].testAcc > 0.3, `held-out accuracy ${t.epochs[0].testAcc}`);
  assert.match(t.backend, /^cpu-simd \(\d+ threads?\)$/);
  // uPlot drew both charts, with their legends naming the series.
  assert.equal(await page.locator('#batchCurves canvas').count(), 1);
  assert.equal(await page.locator('#epochCurves canvas').count(), 1);
  assert.match(await page.textContent('#batchCurves .u-legend'), /loss.*accuracy/);
  assert.match(await page.textContent('#epochCurves .u-legend'), /held-out accuracy/);
  assert.match(await page.textContent('#trainStatus'), /20 batches · held-out accuracy 0\.\d+ · done$/);
});

// The first Start after a page load, stopped after `delay` ms: no more than one batch
// may begin once the Stop arrived (a Stop during the startup used to be lost).
for (const delay of [0, 100, 300]) {
  test(`Stop ${delay} ms after the first Start ends training within one batch`, async () => {
    const tab = await browser.context.newPage();
    await tab.goto(`${url}?nosw`);
    await waitReady(tab);
    await tab.fill('#examples', '2500');
    await tab.click('#start');
    if (delay) await tab.waitForTimeout(delay);
    await tab.click('#stop');
    await tab.waitForFunction(() => ['done', 'error'].includes(window.texelApp.training.state), null, { timeout: 120000 });
    const t = await tab.evaluate(() => window.texelApp.training);
    assert.equal(t.state, 'done', await tab.textContent('#trainError'));
    console.log(`Stop at ${delay} ms: ${t.batches} of 78 batches ran, ${t.batchesAfterStop} after the Stop`);
    assert.equal(t.stopped, true);
    assert.ok(t.batchesAfterStop <= 1, `${t.batchesAfterStop} batches after the Stop`);
    assert.ok(t.batches < 78);
    assert.match(await tab.textContent('#trainStatus'), /stopped$/);
    assert.equal(await tab.isEnabled('#useTrained'), true);  // a model all the same
    await tab.close();
  });
}

test('Stop in the middle of a run ends it early and still yields a model', async () => {
  await page.fill('#examples', '2500');
  await page.click('#start');
  await page.waitForFunction(() => window.texelApp.training?.losses.length >= 2, null, { timeout: 120000 });
  await page.click('#stop');
  await page.waitForFunction(() => window.texelApp.training.state === 'done', null, { timeout: 60000 });
  const t = await page.evaluate(() => window.texelApp.training);
  assert.ok(t.batches < 78 && t.batchesAfterStop <= 1, `${t.batches} of 78 batches ran`);
  assert.match(await page.textContent('#trainStatus'), /stopped$/);
});

test('a trained model can be used, downloaded, saved, and picked again after a reload', async () => {
  await page.click('#useTrained');
  await page.waitForFunction(() => window.texelApp.inUse === 'trained here');
  const href = await page.getAttribute('#download', 'href');
  const size = await page.evaluate((url) => fetch(url).then((r) => r.arrayBuffer()).then((b) => b.byteLength), href);
  assert.equal(size, await page.evaluate(() => window.texelApp.training.bytes));
  await page.click('#saveTrained');
  await page.waitForSelector('#useSaved:not([hidden])');
  const after = await reloadAndWait(page);
  assert.equal(after.state, 'ready', after.error);
  await page.waitForSelector('#useSaved:not([hidden])');
  await page.click('#useSaved');
  await page.waitForFunction(() => window.texelApp.inUse === 'saved in this browser', null,
                             { timeout: 20000 }).catch(async () => {
    assert.fail(`saved model not in use: inUse ${await page.evaluate(() => window.texelApp.inUse)}, ` +
                `error "${await page.textContent('#modelError')}"`);
  });
  const prediction = await drawStrokes(STROKES[1]);
  assert.ok(prediction.digit >= 0 && prediction.digit <= 9);
  await page.click('#useShipped');
  await page.waitForFunction(() => window.texelApp.inUse === 'shipped');
});

test('a model file loaded from disk is used; a broken one is reported on the page', async () => {
  await page.setInputFiles('#modelFile', join(APP, 'mnist_cnn.texel'));
  await page.waitForFunction(() => window.texelApp.inUse === 'file mnist_cnn.texel');
  await page.setInputFiles('#modelFile', join(extra, 'broken.texel'));
  await page.waitForSelector('#modelError:not([hidden])');
  assert.match(await page.textContent('#modelError'), /file broken.texel could not be loaded: .*CRC32/);
  // The model in use stays, and so does the status; the error sits beside its control.
  assert.equal(await page.evaluate(() => window.texelApp.inUse), 'file mnist_cnn.texel');
  assert.equal(await page.textContent('#state'), 'ready');
  assert.equal(await page.isVisible('#engineError'), false);
  const [control, error] = await Promise.all(['#modelFile', '#modelError'].map((s) => page.locator(s).boundingBox()));
  assert.ok(Math.abs(error.y - control.y) < 150, `the error is ${error.y - control.y} px from the control`);
  assert.equal(await page.$eval('#modelError', (e) => e.closest('section').id), 'models');
  await page.click('#useShipped');
  await page.waitForFunction(() => window.texelApp.inUse === 'shipped');
  assert.equal(await page.isVisible('#modelError'), false);  // gone once a model loads
});

async function reloadAndWait(tab) {
  await tab.reload();
  await waitReady(tab);
  return tab.evaluate(() => ({ state: window.texelApp.state, info: window.texelApp.info,
                               error: window.texelApp.error }));
}

test('the model comes from the network once, then from IndexedDB', async () => {
  assert.equal(firstSource, 'network');
  const again = await reloadAndWait(page);
  assert.equal(again.state, 'ready', again.error);
  assert.equal(again.info.source, 'cache');
  assert.match(await page.textContent('#model'), /from the IndexedDB cache/);
});

test('a corrupted cache entry is detected by its checksum, dropped and fetched again', async () => {
  await page.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('texel', 1);
    open.onsuccess = () => {
      const store = open.result.transaction('models', 'readwrite').objectStore('models');
      const get = store.get('mnist_cnn.texel');
      get.onsuccess = () => {
        const entry = get.result;
        const bytes = new Uint8Array(entry.bytes);
        bytes[1000] ^= 0xff;  // the stored checksum no longer matches
        entry.bytes = bytes.buffer;
        store.put(entry, 'mnist_cnn.texel').onsuccess = () => resolve();
      };
    };
    open.onerror = () => reject(open.error);
  }));
  const after = await reloadAndWait(page);
  assert.equal(after.state, 'ready', after.error);
  assert.equal(after.info.source, 'network');
  assert.match(await page.textContent('#model'), /failed its checksum and was dropped/);
  assert.equal((await reloadAndWait(page)).info.source, 'cache');  // and cached again
});

test('the CPU backend works and the page says it is in use', async () => {
  const tab = await browser.context.newPage();
  await tab.goto(`${url}?cpu`);
  await waitReady(tab);
  assert.match(await tab.textContent('#backend'), /^CPU SIMD \(WebAssembly, \d+ threads?\): CPU backend requested/);
  const digit = await tab.evaluate(() => {
    window.texelApp.drawDigit(new Array(784).fill(0).map((_, i) => {
      const x = i % 28, y = Math.floor(i / 28);
      return x >= 13 && x <= 15 && y >= 4 && y <= 23 ? 1 : 0;  // a vertical bar: a one
    }));
    return window.texelApp.recognize().then((p) => p.digit);
  });
  assert.equal(digit, 1);
  await tab.close();
});

test('without WebGL2 the page runs on the CPU and says why', async () => {
  // A browser whose workers get no WebGL2 context (Chromium's switches leave workers' WebGL
  // on, and init scripts do not reach workers): the worker's module comes with a prelude.
  // A profile of its own, so that no service worker answers before the route does.
  const plain = await launchBrowser();
  try {
    const tab = await plain.context.newPage();
    await tab.route('**/inference_worker.js', async (route) => {
      const original = await route.fetch();
      const prelude = 'const realGetContext = OffscreenCanvas.prototype.getContext;\n' +
        'OffscreenCanvas.prototype.getContext = function (type, ...rest) {\n' +
        '  return type === "webgl2" ? null : realGetContext.call(this, type, ...rest);\n};\n';
      await route.fulfill({ response: original, body: prelude + (await original.text()) });
    });
    await tab.goto(`${url}?nosw`);
    await waitReady(tab);
    assert.equal(await tab.evaluate(() => window.texelApp.state), 'ready', await tab.evaluate(() => window.texelApp.error));
    const backend = await tab.textContent('#backend');
    console.log(`without WebGL2: ${backend}`);
    assert.match(backend, /^CPU SIMD \(WebAssembly, \d+ threads?\): .*WebGL2/);
    const digit = await tab.evaluate((pixels) => {
      window.texelApp.drawDigit(pixels);
      return window.texelApp.recognize().then((p) => p.digit);
    }, Array.from(heldOut.subarray(1, 785), (v) => v / 255));
    assert.equal(digit, heldOut[0]);
  } finally {
    await plain.close();
  }
});

// A photo-like image of a held-out digit: dark ink on grey-white, noisy paper, larger than
// the pad and not square, made by the page's canvas as a PNG.
function digitPhoto(tab, index) {
  const pixels = Array.from(heldOut.subarray(index * 785 + 1, (index + 1) * 785));
  return tab.evaluate(async (grey) => {
    const small = new OffscreenCanvas(28, 28);
    const image = new ImageData(28, 28);
    grey.forEach((v, i) => {
      image.data[4 * i] = image.data[4 * i + 1] = image.data[4 * i + 2] = 40 + (1 - v / 255) * 190;
      image.data[4 * i + 3] = 255;
    });
    small.getContext('2d').putImageData(image, 0, 0);
    const photo = new OffscreenCanvas(360, 420);
    const g = photo.getContext('2d');
    g.fillStyle = 'rgb(230, 226, 216)';
    g.fillRect(0, 0, 360, 420);
    g.imageSmoothingEnabled = true;
    g.drawImage(small, 30, 60, 300, 300);
    const noisy = g.getImageData(0, 0, 360, 420);
    let seed = 7;
    for (let i = 0; i < noisy.data.length; i += 4) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const n = ((seed >>> 16) % 21) - 10;
      for (let c = 0; c < 3; ++c) noisy.data[i + c] = Math.max(0, Math.min(255, noisy.data[i + c] + n));
    }
    g.putImageData(noisy, 0, 0);
    const blob = await photo.convertToBlob({ type: 'image/png' });
    return Array.from(new Uint8Array(await blob.arrayBuffer()));
  }, pixels).then((bytes) => Buffer.from(bytes));
}

test('an uploaded or dropped photo of a digit is recognized; a file that is no image is reported', async () => {
  await page.evaluate(() => window.texelApp.clear());
  for (const [index, how] of [[0, 'upload'], [1, 'upload'], [2, 'drop']]) {
    const png = await digitPhoto(page, index);
    if (how === 'upload') {
      await page.setInputFiles('#imageFile', { name: `digit${index}.png`, mimeType: 'image/png', buffer: png });
    } else {
      await page.evaluate((bytes) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([new Uint8Array(bytes)], 'dropped.png', { type: 'image/png' }));
        document.getElementById('padArea').dispatchEvent(
          new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
      }, Array.from(png));
    }
    await page.waitForFunction(() => document.getElementById('digit').textContent !== '?');
    const prediction = await page.evaluate(() => window.texelApp.recognize());
    assert.equal(prediction.digit, heldOut[index * 785], `${how} of digit #${index}: read as ${prediction.digit}`);
    await page.evaluate(() => window.texelApp.clear());
  }
  await page.setInputFiles('#imageFile', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not an image') });
  await page.waitForSelector('#uploadError:not([hidden])');
  assert.match(await page.textContent('#uploadError'), /notes\.txt is not an image/);
  assert.equal(await page.$eval('#uploadError', (e) => e.closest('section').id), 'draw');
});

test('two columns at 1280 px, one at 420 px, and no sideways scrolling at either', async () => {
  const layout = async (width) => {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(200);
    return page.evaluate(() => {
      const box = (id) => document.getElementById(id).getBoundingClientRect();
      return { scrollWidth: document.documentElement.scrollWidth, innerWidth,
               draw: box('draw').toJSON(), result: box('result').toJSON(), status: box('status').toJSON() };
    });
  };
  const wide = await layout(1280);
  assert.ok(wide.scrollWidth <= wide.innerWidth, `1280 px: scrolls to ${wide.scrollWidth} px`);
  assert.equal(Math.round(wide.result.top), Math.round(wide.draw.top), 'the prediction is not beside the pad');
  assert.ok(wide.result.left > wide.draw.right);
  assert.ok(wide.status.bottom < 900, 'the status is below the fold');
  const narrow = await layout(420);
  assert.ok(narrow.scrollWidth <= narrow.innerWidth, `420 px: scrolls sideways to ${narrow.scrollWidth} px`);
  assert.ok(narrow.result.top >= narrow.draw.bottom, 'one column at 420 px');
  // The pad still draws where the pointer is when it is shown smaller than its pixels.
  await page.setViewportSize({ width: 260, height: 900 });
  const small = (await page.locator('#pad').boundingBox()).width;
  assert.ok(small < 280, `the pad is ${small} px wide in a 260 px window`);
  const digit = (await drawStrokes(STROKES[1])).digit;
  await page.setViewportSize({ width: 1280, height: 900 });
  assert.equal(digit, 1);
});

test('with the server stopped, the page opens from the service worker and IndexedDB', async () => {
  await page.evaluate(() => navigator.serviceWorker.ready);
  await reloadAndWait(page);  // now controlled by the service worker, shell cached
  assert.ok(await page.evaluate(() => Boolean(navigator.serviceWorker.controller)));
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  server = null;
  const offline = await reloadAndWait(page);
  assert.equal(offline.state, 'ready', offline.error);
  assert.equal(offline.info.source, 'cache');
  const prediction = await drawStrokes(STROKES[1]);
  assert.equal(prediction.digit, 1);
});
