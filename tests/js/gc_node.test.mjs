// The FinalizationRegistry safety net: tensors nobody disposed are freed when collected,
// and counted. In a process of its own, because the forced collections also free what
// other tests left undisposed on purpose (kept tensors), which would move the counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

import * as texel from '../../build-web/package/texel.mjs';

test('a tensor nobody disposed is freed by the FinalizationRegistry and counted', async () => {
  const tx = await texel.init({ backend: 'cpu' });
  v8.setFlagsFromString('--expose_gc');
  const gc = runInNewContext('gc');
  const baseline = tx.memory();
  (() => {
    for (let i = 0; i < 10; ++i) tx.tensor(new Float32Array(100), [10, 10]);
  })();
  assert.equal(tx.memory().numTensors, baseline.numTensors + 10);
  for (let round = 0; round < 50 && tx.memory().numTensors > baseline.numTensors; ++round) {
    gc();
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 10));
  }
  const after = tx.memory();
  assert.equal(after.numTensors, baseline.numTensors, 'collected tensors release their storage');
  assert.equal(after.leakedHandles, baseline.leakedHandles + 10);
  assert.equal(after.numHandles, baseline.numHandles);
});

