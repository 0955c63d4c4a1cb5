// Runs in a page or a module worker: every op case on texel's WebGL backend (and a few
// engine properties), so api_browser.test.mjs can compare with TF.js in node.
import * as texel from './texel.mjs';
import { OP_CASES, runCase } from './op_cases.mjs';
import { mulberry32 } from './seeded.mjs';

export async function runAll(backend) {
  const tx = await texel.init({ backend });
  const outputs = OP_CASES.map((c, index) => {
    try {
      return { ok: true, value: runCase(tx, c, index, false, mulberry32) };
    } catch (e) {
      return { ok: false, error: `${e.name}: ${e.message}` };
    }
  });
  // Async readback: resolves with the values, and the thread keeps running meanwhile.
  const t = tx.tensor([[1, 2], [3, 4]]);
  const y = tx.matMul(t, t);
  let ticks = 0;
  const timer = setInterval(() => ++ticks, 0);
  const values = Array.from(await y.data());
  clearInterval(timer);
  tx.dispose([t, y]);
  let errorName = '';
  try {
    tx.matMul(tx.zeros([2, 3]), tx.zeros([2, 3]));
  } catch (e) {
    errorName = `${e instanceof texel.TexelError ? 'TexelError' : 'other'}: ${e.message}`;
  }
  return { info: tx.backendInfo, outputs, asyncValues: values, errorName, memory: tx.memory() };
}

if (typeof WorkerGlobalScope !== 'undefined' && self instanceof WorkerGlobalScope) {
  self.onmessage = async (event) => {
    try {
      self.postMessage({ ok: true, result: await runAll(event.data.backend) });
    } catch (e) {
      self.postMessage({ ok: false, error: `${e.name}: ${e.message}` });
    }
  };
}
