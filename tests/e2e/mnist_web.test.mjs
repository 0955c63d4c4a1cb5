// End-to-end tests of the browser digit recognizer (apps/mnist_web) in headless Chromium:
// real pointer strokes, held-out MNIST digits through the page's own preprocessing, the
// backend shown, a broken model reported on the page, the CPU fallback.
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
  await page.evaluate(() => window.texelApp.clear());
  for (const stroke of strokes) {
    await page.mouse.move(box.x + stroke[0][0], box.y + stroke[0][1]);
    await page.mouse.down();
    for (const [x, y] of stroke.slice(1)) await page.mouse.move(box.x + x, box.y + y, { steps: 2 });
    await page.mouse.up();
  }
  // The page predicts on its own (throttled): wait for the digit to show.
  await page.waitForFunction(() => document.getElementById('digit').textContent !== '?');
  return page.evaluate(() => window.texelApp.recognize());
}

test('the page loads, reaches ready and shows the WebGL2 renderer and warmup', async () => {
  assert.equal(await page.evaluate(() => window.texelApp.state), 'ready',
               await page.evaluate(() => window.texelApp.error));
  const backend = await page.textContent('#backend');
  assert.match(backend, /^WebGL2 \(.+\)$/);
  assert.match(await page.textContent('#warmup'), /\d+ programs compiled in \d+ ms/);
  assert.match(await page.textContent('#model'), /56,714 parameters/);
  console.log(`backend: ${backend}; warmup: ${await page.textContent('#warmup')}`);
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
  const logits = await page.$$eval('#logits span', (cells) => cells.map((c) => c.textContent));
  assert.equal(logits.length, 10);
  assert.equal(logits[4], `4: ${prediction.logits[4].toFixed(2)}`);
  // Some map of the first layer lights up for a drawing.
  const lit = await page.$$eval('#maps .layer:first-child canvas.tile', (tiles) =>
    tiles.some((t) => t.getContext('2d').getImageData(0, 0, t.width, t.height).data.some(
      (v, i) => i % 4 === 0 && v > 128)));
  assert.ok(lit);
});

test('a lost WebGL context: the CPU copy answers, then WebGL2 again once the browser restores it', async () => {
  const before = await drawStrokes(STROKES[7]);
  await page.evaluate(() => {
    const gl = document.getElementById('gl').getContext('webgl2');
    window.loseContextForTest = gl.getExtension('WEBGL_lose_context');
    window.loseContextForTest.loseContext();
  });
  const during = await drawStrokes(STROKES[7]);
  assert.equal(during.digit, 7, 'no prediction while the context was lost');
  // The browser may restore only after its webglcontextlost event has been dispatched.
  await page.evaluate(() => new Promise((done) => setTimeout(done, 100)));
  await page.evaluate(() => window.loseContextForTest.restoreContext());
  await page.waitForFunction(
    () => !document.getElementById('gl').getContext('webgl2').isContextLost());
  await page.evaluate(() => new Promise((done) => setTimeout(done, 100)));
  const after = await drawStrokes(STROKES[7]);
  // The weights came back from their host copies: the GL result is bit for bit the same.
  assert.deepEqual(after.probabilities, before.probabilities);
  assert.match(await page.textContent('#backend'), /^WebGL2/);
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
  assert.equal(await tab.isVisible('#error'), true);
  const message = await tab.textContent('#error');
  assert.match(message, /could not be loaded: .*CRC32/);
  await tab.close();
});

test('training in the worker lowers the loss, the page has no long task and still predicts', async () => {
  await page.fill('#epochs', '1');
  await page.fill('#batch', '32');
  await page.fill('#examples', '640');
  // Frames (reported, not asserted: they depend on the machine's load) and long tasks
  // (main-thread tasks over 50 ms: asserted, they are the page's own doing) for the run.
  await page.evaluate(() => {
    window.frameLog = { frames: 0, start: performance.now(), running: true, longTasks: [] };
    const tick = () => {
      if (!window.frameLog.running) return;
      window.frameLog.frames++;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    window.frameLog.observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.frameLog.longTasks.push(entry.duration);
    });
    window.frameLog.observer.observe({ type: 'longtask' });
  });
  await page.click('#start');
  await page.waitForFunction(() => window.texelApp.training?.losses.length >= 3, null, { timeout: 120000 });
  // Drawing and prediction while the worker trains.
  const during = await drawStrokes(STROKES[0]);
  assert.equal(during.digit, 0);
  await page.waitForFunction(() => ['done', 'error'].includes(window.texelApp.training.state), null,
                             { timeout: 300000 });
  const { fps, longTasks, training } = await page.evaluate(() => {
    window.frameLog.running = false;
    window.frameLog.observer.disconnect();
    const seconds = (performance.now() - window.frameLog.start) / 1000;
    return { fps: window.frameLog.frames / seconds, longTasks: window.frameLog.longTasks,
             training: window.texelApp.training };
  });
  assert.equal(training.state, 'done', await page.textContent('#error'));
  const losses = training.losses;
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const longest = longTasks.length ? Math.max(...longTasks) : 0;
  console.log(`training on ${training.backend}: ${losses.length} batches, loss ` +
              `${mean(losses.slice(0, 3)).toFixed(3)} -> ${mean(losses.slice(-3)).toFixed(3)}, ` +
              `main thread ${fps.toFixed(1)} fps, ${longTasks.length} long tasks ` +
              `(longest ${longest.toFixed(0)} ms), test accuracy ${training.epochs[0].toFixed(3)}`);
  assert.equal(losses.length, 20);
  assert.ok(mean(losses.slice(-3)) < mean(losses.slice(0, 3)), 'the loss did not go down');
  assert.deepEqual(longTasks.map((d) => Math.round(d)), [],
                   'main-thread tasks over 50 ms while the worker trained');
  assert.match(training.backend, /webgl2/);
});

test('Stop ends a training run early and still yields a model', async () => {
  await page.fill('#examples', '2500');
  await page.click('#start');
  await page.waitForFunction(() => window.texelApp.training?.losses.length >= 2, null, { timeout: 120000 });
  await page.click('#stop');
  await page.waitForFunction(() => window.texelApp.training.state === 'done', null, { timeout: 60000 });
  const batches = await page.evaluate(() => window.texelApp.training.losses.length);
  assert.ok(batches < 79, `${batches} of 79 batches ran`);
  assert.match(await page.textContent('#trainStatus'), /stopped$/);
});

test('a trained model can be used, downloaded, saved, and picked again after a reload', async () => {
  await page.click('#useTrained');
  assert.equal(await page.evaluate(() => window.texelApp.inUse), 'trained here');
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
                `error "${await page.textContent('#error')}"`);
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
  await page.waitForSelector('#error:not([hidden])');
  assert.match(await page.textContent('#error'), /file broken.texel could not be loaded: .*CRC32/);
  await page.click('#useShipped');
  await page.waitForFunction(() => window.texelApp.inUse === 'shipped');
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
  assert.match(await tab.textContent('#backend'), /^CPU \(WebAssembly\)/);
  const digit = await tab.evaluate(() => {
    window.texelApp.drawDigit(new Array(784).fill(0).map((_, i) => {
      const x = i % 28, y = Math.floor(i / 28);
      return x >= 13 && x <= 15 && y >= 4 && y <= 23 ? 1 : 0;  // a vertical bar: a one
    }));
    return window.texelApp.recognize().digit;
  });
  assert.equal(digit, 1);
  await tab.close();
});

test('without WebGL2 the page runs on the CPU and says why', async () => {
  const tab = await browser.context.newPage();
  await tab.addInitScript(() => {
    const original = HTMLCanvasElement.prototype.getContext;
    HTMLCanvasElement.prototype.getContext = function (type, ...rest) {
      return type === 'webgl2' ? null : original.call(this, type, ...rest);
    };
  });
  await tab.goto(`${url}?nosw`);
  await waitReady(tab);
  assert.equal(await tab.evaluate(() => window.texelApp.state), 'ready');
  assert.match(await tab.textContent('#backend'), /^CPU \(WebAssembly\): WebGL2 is not available/);
  const digit = await tab.evaluate((pixels) => {
    window.texelApp.drawDigit(pixels);
    return window.texelApp.recognize().digit;
  }, Array.from(heldOut.subarray(1, 785), (v) => v / 255));
  assert.equal(digit, heldOut[0]);
  await tab.close();
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
