// The benchmark: texel (GL and CPU backends) against TF.js 4.22 (webgl, wasm, cpu) in the
// same headless Chromium, every task in a fresh page, the engines interleaved task by
// task so that all see the same machine; texel natively too (llvmpipe and CPU) and
// OpenBLAS's sgemm as the machine's limit. Writes bench/results/<date>.md and .json.
//   node scripts/bench.mjs [--quick] [--tasks a,b] [--engines texel-gl,tfjs-webgl,...]
//                          [--no-native] [--out DIR] [--baseline CHECKOUT]
// --baseline runs a second texel build too (CHECKOUT/build-web/apps/bench.js and
// CHECKOUT/build/apps/bench, e.g. a git worktree of the previous commit) as the engines
// base-gl and base-native-gl, interleaved with the rest: a kernel change's before and
// after in one run. --variants "name=flags;..." adds engines texel-gl~name running the
// same build with extra flags (e.g. "t1=--max-block-targets 1").
// scripts/bench.sh builds what it needs first. Timing rules: apps/bench/tasks.h.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { serve } from './lib/static_server.mjs';
import { launchBrowser } from './lib/browser.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : fallback;
};
const quick = flag('--quick');
const ENGINES = ['texel-gl', 'tfjs-webgl', 'texel-cpu', 'texel-simd', 'tfjs-wasm', 'tfjs-cpu'];
const baseline = option('--baseline') ? resolve(option('--baseline')) : null;
const engines = (option('--engines', ENGINES.join(','))).split(',');
if (baseline) engines.push('base-gl');
const variants = new Map((option('--variants', '')).split(';').filter(Boolean).map((v) => {
  const at = v.indexOf('=');
  return [v.slice(0, at), v.slice(at + 1)];
}));
for (const name of variants.keys()) engines.push(`texel-gl~${name}`);
const outDir = resolve(option('--out', join(ROOT, 'bench/results')));
const BENCH = join(ROOT, 'build/apps/bench');
const DATA = join(ROOT, 'build/bench');
const TIMEOUT_MS = 20 * 60 * 1000;

const listed = execFileSync(BENCH, ['--list', ...(quick ? ['--quick'] : [])], { encoding: 'utf8' })
  .split('\n').filter(Boolean);
const tasks = option('--tasks') ? option('--tasks').split(',') : listed;

function log(text) {
  process.stdout.write(text + '\n');
}

// One task on one engine in a fresh page.
async function runInPage(browser, urls, task, engine) {
  const [kind, rest] = engine.split('-');
  const [backend, variant] = rest.split('~');
  const url = kind === 'base' ? urls.base : urls.main;
  const page = await browser.context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  try {
    const file = kind === 'tfjs' ? 'tfjs.html' : 'texel.html';
    const extra = variant ? `&args=${encodeURIComponent(variants.get(variant))}` : '';
    const query = `?task=${encodeURIComponent(task)}&backend=${backend}${quick ? '&quick' : ''}${extra}`;
    await page.goto(url + file + query, { waitUntil: 'commit' });
    const handle = await page.waitForFunction(
      () => window.benchResult || (window.benchError && { error: window.benchError }), null,
      { timeout: TIMEOUT_MS, polling: 500 });
    const result = await handle.jsonValue();
    if (result.error) return { task, engine, error: result.error };
    return { ...result, engine, backend };
  } catch (e) {
    return { task, engine, error: `${e.message} ${errors.slice(-3).join(' | ')}` };
  } finally {
    await page.close();
  }
}

function runNative(task, backend, program = BENCH, engine = `native-${backend}`) {
  const run = spawnSync(program, ['--task', task, '--backend', backend, '--data',
                                join(DATA, 'bench_digits.bin'), ...(quick ? ['--quick'] : [])],
                        { encoding: 'utf8', env: { ...process.env, DISPLAY: '' }, timeout: TIMEOUT_MS });
  const line = (run.stdout || '').split('\n').find((l) => l.startsWith('{'));
  if (run.status !== 0 || !line) return { task, engine, error: run.stdout + run.stderr };
  return { ...JSON.parse(line), engine };
}

function sizeOf(files) {
  const raw = files.reduce((n, f) => n + readFileSync(f).length, 0);
  const gzip = files.reduce((n, f) => n + gzipSync(readFileSync(f), { level: 9 }).length, 0);
  return { raw, gzip, files: files.map((f) => f.replace(ROOT + '/', '')) };
}

async function main() {
  mkdirSync(outDir, { recursive: true });
  const started = new Date();
  const meta = {
    date: started.toISOString(),
    loadAverage: loadavg(),
    cores: cpus().length,
    quick,
  };
  // Not cross-origin isolated: both sides single-threaded, as every result so far (TF.js's
  // wasm backend would take its threaded build there; texel's bench page is not yet built
  // on the threaded core).
  const { server, url } = await serve([join(ROOT, 'apps/bench/web'), join(ROOT, 'build-web/apps'), DATA, ROOT],
                                      { isolated: false });
  const urls = { main: url };
  let baseServer = null;
  if (baseline) {
    for (const f of ['build-web/apps/bench.js', 'build/apps/bench'])
      if (!existsSync(join(baseline, f))) throw new Error(`--baseline: ${join(baseline, f)} is missing`);
    ({ server: baseServer, url: urls.base } =
      await serve([join(ROOT, 'apps/bench/web'), join(baseline, 'build-web/apps'), DATA, ROOT], { isolated: false }));
    meta.baseline = execFileSync('git', ['-C', baseline, 'log', '-1', '--format=%h %s'], { encoding: 'utf8' }).trim();
  }
  meta.variants = [...variants.keys()];
  // Asks the GPU process not to cache programs: it could otherwise hand a page the
  // programs an earlier page (the same engine on another task, or a variant) compiled,
  // and first-predict figures would depend on the task order.
  const browser = await launchBrowser({
    extraArgs: ['--disable-gpu-program-cache', '--disable-gpu-shader-disk-cache'],
  });
  meta.chromium = browser.context.browser()?.version() ?? 'unknown';
  {
    const page = await browser.context.newPage();
    await page.goto(url + 'texel.html?task=none');
    meta.renderer = await page.evaluate(() => {
      const gl = document.createElement('canvas').getContext('webgl2');
      if (!gl) return 'no WebGL2';
      const info = gl.getExtension('WEBGL_debug_renderer_info');
      return info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER);
    });
    await page.close();
  }
  log(`bench: ${tasks.length} tasks x ${engines.length} engines in Chromium ${meta.chromium} ` +
      `(${meta.renderer}); load average ${meta.loadAverage.map((l) => l.toFixed(2)).join(' ')}`);
  // One untimed page per engine first: the first page of a browser pays for compiling
  // the engine's wasm and JS (later pages get V8's code cache), which would otherwise
  // land in whichever engine's first predict runs first.
  for (const engine of engines) await runInPage(browser, urls, 'trivial-pass', engine);
  const results = [];
  for (let t = 0; t < tasks.length; ++t) {
    // Rotate the order per task: no engine always runs first (or after the heaviest).
    const order = engines.map((_, i) => engines[(i + t) % engines.length]);
    for (const engine of order) {
      const r = await runInPage(browser, urls, tasks[t], engine);
      results.push(r);
      log(`  ${tasks[t]} on ${engine}: ` + (r.error ? `ERROR ${r.error.split('\n')[0]}` :
          r.figures.map((f) => `${f.name} ${f.ms.toFixed(2)} ms`).join(', ')));
    }
    if (!flag('--no-native'))
    {
      for (const backend of ['gl', 'cpu', 'simd']) results.push(runNative(tasks[t], backend));
      if (baseline) results.push(runNative(tasks[t], 'gl', join(baseline, 'build/apps/bench'), 'base-native-gl'));
    }
  }
  await browser.close();
  server.close();
  baseServer?.close();

  if (!flag('--no-native') && existsSync(join(ROOT, 'build/apps/sgemm_openblas'))) {
    const run = spawnSync(join(ROOT, 'build/apps/sgemm_openblas'), quick ? ['--quick'] : [], { encoding: 'utf8' });
    for (const line of run.stdout.split('\n').filter((l) => l.startsWith('{'))) results.push(JSON.parse(line));
  }
  meta.shipped = {
    texelDigitRecognizer: sizeOf(['texel.mjs', 'texel_core.mjs', 'texel_core.wasm'].map((f) => join(ROOT, 'build-web/apps/mnist_web/texel', f))),
    tfjsBundle: sizeOf([join(ROOT, 'node_modules/@tensorflow/tfjs/dist/tf.min.js')]),
    tfjsWasmBackend: sizeOf(['tf-backend-wasm.min.js', 'tfjs-backend-wasm-simd.wasm']
      .map((f) => join(ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm/dist', f))),
  };
  meta.finished = new Date().toISOString();
  const stamp = started.toISOString().slice(0, 16).replace(':', '');
  const base = join(outDir, quick ? `${stamp}-quick` : stamp);
  writeFileSync(`${base}.json`, JSON.stringify({ meta, results }, null, 1) + '\n');
  writeFileSync(`${base}.md`, report(meta, results));
  log(`bench: wrote ${base}.md and .json`);
  const failed = results.filter((r) => r.error);
  if (failed.length) {
    log(`bench: ${failed.length} runs failed (see the report)`);
    process.exitCode = 1;  // CI's quick run: a task that no longer runs fails the suite
  }
}

// ---- the report ----

const MAIN_COLUMNS = ['texel-gl', 'tfjs-webgl', 'texel-cpu', 'texel-simd', 'tfjs-wasm', 'tfjs-cpu', 'native-gl', 'native-cpu', 'native-simd'];
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
};
const fmt = (ms) => (ms === undefined || Number.isNaN(ms) ? '-' : ms >= 100 ? ms.toFixed(0) : ms.toFixed(2));

export function rows(results) {
  const byKey = new Map();
  for (const r of results) {
    if (r.error || !r.figures) continue;
    for (const f of r.figures) {
      const key = `${r.task}|${f.name}`;
      if (!byKey.has(key)) byKey.set(key, { task: r.task, figure: f.name, ms: {} });
      byKey.get(key).ms[r.engine] = f.ms;
    }
  }
  return [...byKey.values()];
}

function report(meta, results) {
  const table = rows(results);
  const COLUMNS = [...MAIN_COLUMNS, ...(meta.baseline ? ['base-gl', 'base-native-gl'] : []),
                   ...(meta.variants ?? []).map((v) => `texel-gl~${v}`)];
  const lines = [];
  lines.push(`# Benchmark ${meta.date.slice(0, 10)}${meta.quick ? ' (quick)' : ''}`, '');
  lines.push(`Chromium ${meta.chromium}, WebGL2 renderer: ${meta.renderer}; ${meta.cores} cores; ` +
             `load average at start ${meta.loadAverage.map((l) => l.toFixed(2)).join(' ')}; ` +
             `${meta.date} to ${meta.finished}.`);
  lines.push('', 'Milliseconds, medians of up to 15 repetitions after a warm-up, each reading its ' +
             'result back (scripts/bench.mjs, apps/bench/tasks.h). gl/webgl: texel GL over TF.js ' +
             'webgl (below 1: texel faster); best: best texel browser column over best TF.js column.', '');
  if (meta.baseline)
    lines.push(`Baseline (base-*): ${meta.baseline}; gl/base: texel-gl over base-gl, native/base: ` +
               'native-gl over base-native-gl.', '');
  const extra = meta.baseline ? ' gl/base | native/base |' : '';
  lines.push(`| task | figure | ${COLUMNS.join(' | ')} | gl/webgl | best |${extra}`);
  lines.push(`|---|---|${COLUMNS.map(() => '---:').join('|')}|---:|---:|${meta.baseline ? '---:|---:|' : ''}`);
  const ratios = [], bestRatios = [];
  for (const row of table) {
    const m = row.ms;
    const glRatio = m['texel-gl'] / m['tfjs-webgl'];
    const bestTexel = Math.min(...['texel-gl', 'texel-cpu', 'texel-simd'].map((e) => m[e] ?? Infinity));
    const bestTf = Math.min(...['tfjs-webgl', 'tfjs-wasm', 'tfjs-cpu'].map((e) => m[e] ?? Infinity));
    const best = bestTexel / bestTf;
    if (Number.isFinite(glRatio)) ratios.push(glRatio);
    if (Number.isFinite(best)) bestRatios.push(best);
    const ratio = (a, b) => (Number.isFinite(a / b) ? (a / b).toFixed(2) : '-');
    const versusBase = meta.baseline
      ? ` ${ratio(m['texel-gl'], m['base-gl'])} | ${ratio(m['native-gl'], m['base-native-gl'])} |` : '';
    lines.push(`| ${row.task} | ${row.figure} | ${COLUMNS.map((c) => fmt(m[c])).join(' | ')} | ` +
               `${ratio(m['texel-gl'], m['tfjs-webgl'])} | ${ratio(bestTexel, bestTf)} |${versusBase}`);
  }
  lines.push('');
  lines.push(`texel GL / TF.js webgl over ${ratios.length} figures: median ${median(ratios).toFixed(2)}, ` +
             `${ratios.filter((r) => r > 1).length} above 1. Best texel / best TF.js: median ` +
             `${median(bestRatios).toFixed(2)}, ${bestRatios.filter((r) => r > 1).length} above 1.`);
  const values = results.filter((r) => !r.error && r.values && Object.keys(r.values).length);
  if (values.length) {
    lines.push('', '| task | engine | programs compiled (first run) | peak GPU bytes | accuracy | WebGL calls per pass |',
               '|---|---|---:|---:|---:|---:|');
    for (const r of values)
      lines.push(`| ${r.task} | ${r.engine} | ${r.values.programs ?? '-'} | ${r.values.peakBytes ?? '-'} | ` +
                 `${r.values.accuracy !== undefined ? r.values.accuracy.toFixed(4) : '-'} | ` +
                 `${r.values.glCallsPerPass !== undefined ? r.values.glCallsPerPass.toFixed(1) : '-'} |`);
  }
  const sgemm = results.filter((r) => r.engine === 'openblas');
  if (sgemm.length) {
    lines.push('', 'Native sgemm (Debian OpenBLAS, the machine\'s limit): ' +
               sgemm.map((r) => `${r.n}: ${fmt(r.ms)} ms (${r.gflops.toFixed(1)} GFLOP/s)`).join(', ') + '.');
  }
  const s = meta.shipped;
  const kb = (x) => `${(x / 1024).toFixed(0)} KiB`;
  lines.push('', 'Bytes an app ships: texel as the digit recognizer ships it (texel/: the npm package) ' +
             `${kb(s.texelDigitRecognizer.raw)} raw, ${kb(s.texelDigitRecognizer.gzip)} gzip; TF.js bundle ` +
             `(tf.min.js) ${kb(s.tfjsBundle.raw)} raw, ${kb(s.tfjsBundle.gzip)} gzip; TF.js wasm backend ` +
             `${kb(s.tfjsWasmBackend.raw)} raw, ${kb(s.tfjsWasmBackend.gzip)} gzip.`);
  const unsupported = results.filter((r) => r.unsupported);
  if (unsupported.length) {
    lines.push('', 'Not supported by the engine (no figure):', '');
    for (const r of unsupported)
      for (const u of r.unsupported) lines.push(`- ${r.task} on ${r.engine}: ${u.slice(0, 200)}`);
  }
  const failed = results.filter((r) => r.error);
  if (failed.length) {
    lines.push('', 'Failed runs:', '');
    for (const r of failed) lines.push(`- ${r.task} on ${r.engine}: ${r.error.split('\n')[0].slice(0, 300)}`);
  }
  return lines.join('\n') + '\n';
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) await main();
