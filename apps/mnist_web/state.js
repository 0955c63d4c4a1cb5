// The page's one state object: every module reads and writes it here, and nowhere else
// keeps a copy. window.texelApp (app.js) is a read-only view of it for the tests.
export const state = {
  status: 'loading',       // loading | ready | error (the engine could not start)
  error: null,             // why the engine could not start
  engine: null,            // {backend, renderer, fallback}
  model: null,             // the model in use: {label, params, layers, bytes, source, ...}
  drawing: { strokes: 0, endedAt: null },
  prediction: null,        // the last one on screen: {digit, probabilities, logits, ms, engine, input}
  latencies: [],           // ms from pointer-up to the prediction on screen, one per stroke
  training: null,          // {state, backend, losses, accuracies, epochs, batches, bytes, stopped}
  trainedBytes: null,      // the .texel file of the last training run
  savedAt: null,           // when a trained model was saved in this browser
};

// A deep, frozen copy: what the tests see cannot change the page.
export function snapshot(value) {
  if (value === null || typeof value !== 'object') return value;
  if (ArrayBuffer.isView(value)) return Object.freeze(Array.from(value));
  const copy = Array.isArray(value) ? value.map(snapshot)
    : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, snapshot(v)]));
  return Object.freeze(copy);
}
