// The package's example: a TF.js model predicting a drawn digit, through the public API.
import * as texel from './texel/texel.mjs';

const status = document.getElementById('status');
const pad = document.getElementById('pad');
const context = pad.getContext('2d');
const state = { ready: false, predictions: 0, last: null };
window.exampleState = state;

const tx = await texel.init({ backend: 'auto' });
const model = await tx.loadLayersModel('model/model.json');
// 'auto' times the model on each backend it holds for a batch of one; the choice says why.
const { choice } = await model.warmupAsync(1);
status.textContent = `Backend: ${choice.backend} (${choice.reason}). Draw a digit.`;
state.ready = true;

// The drawing as the model's input: 28x28 averages of the 280x280 canvas, in [0, 1].
function pixels() {
  const image = context.getImageData(0, 0, 280, 280).data;
  const out = new Float32Array(784);
  for (let y = 0; y < 280; ++y)
    for (let x = 0; x < 280; ++x) out[Math.floor(y / 10) * 28 + Math.floor(x / 10)] += image[(y * 280 + x) * 4] / 255 / 100;
  return out;
}

async function predict() {
  const probabilities = tx.tidy(() => model.predict(tx.tensor(pixels(), [1, 28, 28, 1])));
  const values = await probabilities.data();  // non-blocking readback
  probabilities.dispose();
  const best = values.indexOf(Math.max(...values));
  document.getElementById('prediction').textContent = `Prediction: ${best}`;
  document.getElementById('probabilities').textContent =
    Array.from(values, (p, digit) => `${digit}: ${(100 * p).toFixed(1).padStart(5)}%`).join('\n');
  state.predictions++;
  state.last = best;
}

context.lineWidth = 22;
context.lineCap = 'round';
context.strokeStyle = '#fff';
let drawing = false;
pad.addEventListener('pointerdown', (e) => {
  drawing = true;
  context.beginPath();
  context.moveTo(e.offsetX, e.offsetY);
});
pad.addEventListener('pointermove', (e) => {
  if (!drawing) return;
  context.lineTo(e.offsetX, e.offsetY);
  context.stroke();
});
pad.addEventListener('pointerup', () => {
  drawing = false;
  predict();
});
document.getElementById('clear').addEventListener('click', () => {
  context.clearRect(0, 0, 280, 280);
  document.getElementById('prediction').textContent = '';
  document.getElementById('probabilities').textContent = '';
});
