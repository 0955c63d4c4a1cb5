// End-to-end tests of the sentiment page (apps/sentiment_web) in headless Chromium: the
// word vectors stored in IndexedDB on the first visit and read from it afterwards, a
// damaged entry caught by its checksum and fetched again, typing that re-predicts, 50
// held-out reviews against the native model's probabilities, both visualisations, bad
// input (empty, unknown words, 1 MB, emoji, HTML that must stay text), the latency table
// with TF.js beside texel, a storage quota too small for the vectors, the offline visit.
// Needs build-web/apps/site (texel_build_web site: the page and TF.js at /tfjs/).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { serve } from '../../scripts/lib/static_server.mjs';
import { launchBrowser } from '../../scripts/lib/browser.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const APP = join(ROOT, 'build-web/apps/sentiment_web');
const SITE = join(ROOT, 'build-web/apps/site');  // for /tfjs/, as scripts/run.sh serves it
let server, url, browser, page, first;
const wordsFetched = [];

before(async () => {
  ({ server, url } = await serve([APP, SITE]));
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
  page.on('request', (r) => { if (r.url().endsWith('sentiment_words.bin')) wordsFetched.push(r.url()); });
  await page.goto(url);
  first = await waitReady();
});

after(async () => {
  await browser?.close();
  server?.close();
});

async function waitReady() {
  await page.waitForFunction(() => window.texelSentiment && window.texelSentiment.state !== 'loading', null,
                             { timeout: 180000 });
  return page.evaluate(() => ({ state: window.texelSentiment.state, error: window.texelSentiment.error,
                                info: window.texelSentiment.info }));
}
// Puts text into the box as an input event would, and waits for its prediction.
async function enter(text) {
  await page.fill('#text', text);
  return page.evaluate(() => window.texelSentiment.settled());
}

test('first visit: the word vectors are downloaded once and stored in IndexedDB', async () => {
  assert.equal(first.state, 'ready', first.error);
  assert.equal(first.info.firstVisit, true);
  assert.equal(first.info.words, 20000);
  assert.equal(wordsFetched.length, 1);
  console.log(`# first visit: ready in ${first.info.readyMs.toFixed(0)} ms (store ${first.info.storeMs.toFixed(0)} ms), ${first.info.backend}`);
  // auto timed a review on both backends; the status names the one predictions use.
  assert.match(first.info.choice.reason, /^(gl|cpu-simd): [\d.]+ ms per batch of 1 against [\d.]+ ms on (gl|cpu-simd)/);
  assert.equal(first.info.backend, first.info.choice.backend === 'gl' ? 'webgl2' : 'cpu-simd');
  assert.match(await page.textContent('#status'), /^Status: ready · auto: (webgl2|cpu-simd) \((gl|cpu-simd): /);
  // The worker takes every core but one (the main thread's).
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  assert.equal(first.info.threads, Math.max(1, cores - 1));
  assert.match(await page.textContent('#status'), new RegExp(` · CPU SIMD on ${first.info.threads} threads? · `));
  console.log(`# auto: ${first.info.choice.reason}`);
});

test('typing re-predicts, and the page shows the latency', async () => {
  await page.click('#text');
  await page.fill('#text', '');
  await page.evaluate(() => {
    window.longTasks = [];
    new PerformanceObserver((list) => window.longTasks.push(...list.getEntries().map((e) => e.duration)))
      .observe({ type: 'longtask' });
  });
  await page.keyboard.type('a wonderful, moving film', { delay: 15 });
  const good = await page.evaluate(() => window.texelSentiment.settled());
  assert.deepEqual(good.tokens, ['a', 'wonderful', ',', 'moving', 'film']);
  assert.ok(good.positive > 0.5, `"a wonderful, moving film": positive ${good.positive}`);
  assert.match(await page.textContent('#verdict'), /^positive \d+\.\d%$/);
  assert.match(await page.textContent('#latency'), /ms \(vectors .* via (table|IndexedDB)/);
  await page.keyboard.type('. worst, boring, awful, a waste of time', { delay: 5 });
  const bad = await page.evaluate(() => window.texelSentiment.settled());
  // Each keystroke predicted in the worker: typing never waits for a main-thread task.
  assert.deepEqual(await page.evaluate(() => window.longTasks), [], 'main-thread tasks over 50 ms while typing');
  assert.ok(bad.positive < good.positive, `more negative words lower the probability (${bad.positive} vs ${good.positive})`);
});

test('50 held-out reviews: the same argmax and probability (1e-4) as the native model', async () => {
  const examples = JSON.parse(readFileSync(join(APP, 'sentiment_examples.json'), 'utf8'));
  assert.equal(examples.length, 50);
  let worst = 0, right = 0;
  for (const [i, ex] of examples.entries()) {
    const p = await enter(ex.text);
    worst = Math.max(worst, Math.abs(p.positive - ex.positive));
    assert.equal(p.positive > 0.5, ex.positive > 0.5, `review ${i}: page ${p.positive}, native ${ex.positive}`);
    assert.ok(Math.abs(p.positive - ex.positive) <= 1e-4, `review ${i}: page ${p.positive}, native ${ex.positive}`);
    right += (p.positive > 0.5) === (ex.label === 1);
  }
  console.log(`# 50 held-out reviews: largest probability difference from native ${worst.toExponential(2)}; ${right}/50 right`);
});

test('visualisations: n-gram heatmaps per width with hover, and one filter\'s top n-grams', async () => {
  const p = await enter('The plot was dull but the acting was brilliant.');
  const canvases = await page.$$eval('#heatmaps canvas', (cs) => cs.map((c) => [c.dataset.width, c.width, c.height]));
  const n = p.tokens.length;
  assert.deepEqual(canvases.map((c) => c.slice(0, 2)), [['3', n - 2], ['4', n - 3], ['5', n - 4]]);
  assert.ok(canvases.every((c) => c[2] === p.maps[3].filters));
  assert.deepEqual(await page.$$eval('#tokens span', (s) => s.map((x) => x.textContent)), p.tokens);
  assert.ok(await page.$$eval('#tokens span.pos, #tokens span.neg', (s) => s.length) > 0, 'deciding words stand out');
  await page.hover('#tokens span:nth-child(4)');
  assert.match(await page.textContent('#heatmaps figcaption'), /"dull" highlighted/);
  const options = await page.$$eval('#filter option', (o) => o.length);
  assert.equal(options, 3 * p.maps[3].filters);
  await page.selectOption('#filter', '4:2');
  const rows = await page.$$eval('#ngrams tbody tr', (rs) => rs.map((r) => r.children[1].textContent.split(' ').length));
  assert.deepEqual(rows, [4, 4, 4, 4, 4]);
});

test('bad input: empty, unknown words, emoji, 1 MB of text, HTML stays text', async () => {
  const empty = await enter('');
  assert.equal(empty.tokens.length, 0);
  assert.equal(await page.textContent('#verdict'), 'nothing to read');
  const unknown = await enter('qzxv wplk brrrmf');
  assert.equal(unknown.unknown.length, 3);
  assert.match(await page.textContent('#notice'), /None of these words is in the vocabulary/);
  const emoji = await enter('😀 great 电影 😡 café');
  assert.deepEqual(emoji.tokens, ['😀', 'great', '电影', '😡', 'café']);
  assert.ok(Number.isFinite(emoji.positive));
  const long = 'this film is good . '.repeat(52429);  // 1 MB
  const truncated = await enter(long);
  assert.equal(truncated.truncated, true);
  assert.equal(truncated.tokens.length, first.info.length);
  assert.match(await page.textContent('#notice'), /Only the first 400 of 262,145 tokens are read/);
  const html = '<img src=x onerror="window.injected=1"><script>window.injected=2</script><b>bold</b> movie';
  const injected = await enter(html);
  assert.ok(injected.tokens.includes('onerror'));
  await page.waitForTimeout(100);
  assert.equal(await page.evaluate(() => window.injected), undefined);
  assert.equal(await page.$$eval('#tokens img, #tokens script, #tokens b, #examples img', (e) => e.length), 0);
  assert.ok((await page.textContent('#tokens')).includes('onerror'));
});

test('second visit reads IndexedDB; a damaged or deleted entry is caught and fetched again', async () => {
  await page.reload();
  const again = await waitReady();
  assert.equal(again.state, 'ready', again.error);
  assert.equal(again.info.firstVisit, false);
  assert.equal(wordsFetched.length, 1, 'no second download');
  console.log(`# second visit: ready in ${again.info.readyMs.toFixed(0)} ms (store ${again.info.storeMs.toFixed(0)} ms)`);
  const before = await enter('a great film');
  await page.evaluate(() => window.texelSentiment.damage('great', 'corrupt'));
  await page.reload();  // the table on the engine is read from IndexedDB at each visit
  await waitReady();
  const after = await page.evaluate(async () => {
    while (window.texelSentiment.lastPrediction()?.via !== 'table') {
      await window.texelSentiment.predictAndShow('a great film');
      await new Promise((r) => setTimeout(r, 50));
    }
    return window.texelSentiment.lastPrediction();
  });
  assert.equal(wordsFetched.length, 2, 'the checksum failure fetched the vectors again');
  assert.ok(Math.abs(after.positive - before.positive) < 1e-6, `${after.positive} vs ${before.positive}`);
  await page.evaluate(() => window.texelSentiment.damage('film', 'delete'));
  await page.reload();
  const repaired = await waitReady();
  assert.equal(repaired.info.firstVisit, true, 'a missing entry (count mismatch) rewrites the store');
  assert.equal(wordsFetched.length, 3);
});

test('the latency table measures batches 1, 32, 64, 128 on both backends', async () => {
  await page.click('#measure');
  await page.waitForFunction(() => window.texelSentiment.latencies.length === 4, null, { timeout: 240000 });
  const rows = await page.evaluate(() => window.texelSentiment.latencies);
  assert.deepEqual(rows.map((r) => r.batch), [1, 32, 64, 128]);
  for (const r of rows) assert.ok(r.lookup > 0 && r.cpu > 0 && (r.webgl === undefined || r.webgl > 0));
  for (const r of rows) assert.ok(r.viaStore > 0 && r.viaTable > 0);
  await page.waitForFunction(() => window.texelSentiment.tfjs !== null, null, { timeout: 240000 });
  const tfjs = await page.evaluate(() => window.texelSentiment.tfjs);
  assert.equal(tfjs.error, undefined, `TF.js column: ${tfjs.error}`);
  assert.deepEqual(tfjs.rows.map((r) => r.batch), [1, 32, 64, 128]);
  for (const r of tfjs.rows) {
    assert.ok(r.ms > 0);
    // The same model on TF.js (texel's export): the same probabilities.
    assert.ok(r.difference < 1e-4, `TF.js differs from texel by ${r.difference} at batch ${r.batch}`);
  }
  const shown = await page.evaluate(() => window.texelSentiment.latencies);
  assert.deepEqual(shown.map((r) => r.tfjs), tfjs.rows.map((r) => r.ms));
  assert.match(await page.textContent('#latencyTable tbody tr:first-child td:nth-child(5)'), / ms$/);
  assert.match(await page.textContent('#latencyNote'), new RegExp(`TF.js ${tfjs.version} on its ${tfjs.backend} backend`));
  console.log(`# latency (ms): ${rows.map((r, i) => `b${r.batch} lookup ${r.lookup.toFixed(1)} gl ${r.webgl?.toFixed(1)} cpu ${r.cpu.toFixed(1)} tfjs-${tfjs.backend} ${tfjs.rows[i].ms.toFixed(1)} text-to-probability via IndexedDB ${r.viaStore.toFixed(1)} via table ${r.viaTable.toFixed(1)}`).join('; ')}; table build ${rows[0].tableBuildMs.toFixed(0)} ms; TF.js ${tfjs.version}, largest difference ${Math.max(...tfjs.rows.map((r) => r.difference)).toExponential(1)}`);
});

test('a storage quota too small for the vectors is an error in words, not a hang', async () => {
  // A fresh profile whose origin may store 100 kB (Chromium's DevTools protocol sets the
  // quota), against 1.4 MB of vectors.
  const own = await serve([APP, SITE]);
  const small = await launchBrowser();
  try {
    const p = await small.context.newPage();
    const cdp = await small.context.newCDPSession(p);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(own.url).origin, quotaSize: 100000 });
    await p.goto(`${own.url}?nosw`);
    await p.waitForFunction(() => window.texelSentiment && window.texelSentiment.state !== 'loading', null,
                            { timeout: 180000 });
    const { state, error } = await p.evaluate(() => ({ state: window.texelSentiment.state, error: window.texelSentiment.error }));
    assert.equal(state, 'error');
    assert.match(error, /storage quota exceeded/);
    assert.match(await p.textContent('#engineError'), /refused to store the word vectors: storage quota exceeded/);
    assert.equal(await p.isVisible('#engineError'), true);
  } finally {
    await small.close();
    own.server.close();
  }
});

test('with the server stopped, the page opens from the service worker and IndexedDB', async () => {
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  await waitReady();
  assert.ok(await page.evaluate(() => Boolean(navigator.serviceWorker.controller)));
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  server = null;
  await page.reload();
  const offline = await waitReady();
  assert.equal(offline.state, 'ready', offline.error);
  assert.equal(offline.info.firstVisit, false);
  const p = await enter('an excellent movie');
  assert.ok(p.positive > 0.5);
});
