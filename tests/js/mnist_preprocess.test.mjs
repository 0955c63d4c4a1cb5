// The digit recognizer's preprocessing (apps/mnist_web/preprocess.js, pure functions):
// every output pixel is a finite grey level in [0, 1] wherever the ink lies, and the
// digit is scaled to 20 px and centred by its mass as MNIST's were.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { preprocess } from '../../apps/mnist_web/preprocess.js';

const SIZE = 280;

function block(x0, y0, w, h) {
  const grey = new Float32Array(SIZE * SIZE);
  for (let y = y0; y < y0 + h; ++y) for (let x = x0; x < x0 + w; ++x) grey[y * SIZE + x] = 1;
  return grey;
}

test('ink touching the bottom and right edges gives finite pixels in [0, 1]', () => {
  // Boxes whose scaled size rounds so that the last cell ends a hair past the box once
  // read a row or column past the image (NaN pixels, then NaN logits on WebGL).
  const failures = [];
  for (let h = 1; h <= SIZE; ++h)
    for (const w of [1, 3, 5, 57, 180, 279, 280]) {
      const { pixels } = preprocess(block(SIZE - w, SIZE - h, w, h), SIZE, SIZE);
      const bad = pixels.findIndex((v) => !(v >= 0 && v <= 1));
      if (bad >= 0) failures.push(`${w}x${h}: pixel ${bad} is ${pixels[bad]}`);
    }
  assert.deepEqual(failures.slice(0, 5), []);
});

test('a blank drawing is nothing; a square is scaled to 20 px and centred', () => {
  assert.equal(preprocess(new Float32Array(SIZE * SIZE), SIZE, SIZE), null);
  const { pixels, box } = preprocess(block(10, 200, 40, 40), SIZE, SIZE);
  assert.deepEqual(box, { x: 10, y: 200, w: 40, h: 40 });
  const lit = [];
  pixels.forEach((v, i) => { if (v > 0.5) lit.push(i); });
  assert.equal(lit.length, 400);
  const rows = lit.map((i) => Math.floor(i / 28)), cols = lit.map((i) => i % 28);
  assert.deepEqual([Math.min(...rows), Math.max(...rows), Math.min(...cols), Math.max(...cols)], [4, 23, 4, 23]);
});
