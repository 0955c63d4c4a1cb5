// The model in use and where it comes from: the shipped file (cached in IndexedDB with its
// checksum, model_cache.js), the one trained here, one saved in this browser, a file from
// disk. A model that fails to load leaves the one in use in place; the failure shows next
// to the control that asked for it and goes once a model loads.
import { cacheDelete, cacheGet, cachePut, loadModelBytes, rememberModel } from './model_cache.js';
import { state } from './state.js';
import { prepareInside, renderStatus, renderSummary, showError } from './views.js';

const $ = (id) => document.getElementById(id);
const TRAINED_KEY = 'trained-model';

export function createModels(recognizer, { onModelChanged }) {
  // Loads bytes into the worker; returns null once they are in use, else why not (also
  // shown beside the model controls).
  async function use(bytes, label, { what, ...extra } = {}) {
    const started = performance.now();
    try {
      const info = await recognizer.load(bytes);
      state.model = { ...info, label, bytes: bytes.length, source: 'local', fetchMs: performance.now() - started,
                      ...extra };
    } catch (e) {
      const failure = `${what ?? label} could not be loaded: ${e.message}`;
      showError('model', failure);
      return failure;
    }
    showError('model', null);
    if (state.engine && state.status !== 'loading') {  // a model in use again: ready, whatever failed before
      state.status = 'ready';
      state.error = null;
      showError('engine', null);
    }
    renderSummary(state.model.layers);
    prepareInside(state.model.layers);
    renderStatus();
    onModelChanged();
    return null;
  }

  // The shipped model (or ?model=url): from the cache when its checksum holds, else
  // fetched. Returns null or why it could not be used.
  async function useShipped(url) {
    const started = performance.now();
    let { bytes, source, note } = await loadModelBytes(url);
    const fetchMs = () => performance.now() - started;
    let failure = await use(bytes, 'shipped', { what: `the model ${url}`, source, cacheNote: note, fetchMs: fetchMs() });
    if (failure && source === 'cache') {  // cached bytes the engine rejects: fetch afresh
      note = 'the cached copy was rejected and fetched again';
      ({ bytes, source } = await loadModelBytes(`${url}?refetch`));
      failure = await use(bytes, 'shipped', { what: `the model ${url}`, source, cacheNote: note, fetchMs: fetchMs() });
    }
    if (!failure && source === 'network') await rememberModel(url, bytes);
    return failure;
  }

  async function showSaved() {
    try {
      const saved = await cacheGet(TRAINED_KEY);
      state.savedAt = saved ? saved.saved : null;
    } catch {
      state.savedAt = null;
    }
    $('useSaved').hidden = !state.savedAt;
    if (state.savedAt) $('useSaved').textContent = `Use the model saved ${new Date(state.savedAt).toLocaleString()}`;
  }

  $('useTrained').addEventListener('click', () => use(state.trainedBytes, 'trained here'));
  $('saveTrained').addEventListener('click', async () => {
    try {
      await cachePut(TRAINED_KEY, { bytes: state.trainedBytes.buffer.slice(0), saved: Date.now() });
      $('trainStatus').textContent += ' · saved in this browser';
    } catch (e) {
      showError('model', `the model could not be saved in this browser: ${e.message || e}`);
    }
    await showSaved();
  });
  $('useSaved').addEventListener('click', async () => {
    const saved = await cacheGet(TRAINED_KEY).catch(() => null);
    if (!saved || (await use(new Uint8Array(saved.bytes), 'saved in this browser'))) {
      await cacheDelete(TRAINED_KEY).catch(() => {});
      await showSaved();
    }
  });
  $('useShipped').addEventListener('click', () =>
    useShipped(new URLSearchParams(location.search).get('model') || 'mnist_cnn.texel')
      .catch((e) => showError('model', e.message)));
  $('modelFile').addEventListener('change', async (event) => {
    const file = event.target.files[0];
    event.target.value = '';  // the same file picked again is a new change
    if (file) await use(new Uint8Array(await file.arrayBuffer()), `file ${file.name}`);
  });

  // A finished training run: its buttons and download link.
  function trained(bytes) {
    $('useTrained').disabled = false;
    $('saveTrained').disabled = false;
    const link = $('download');
    if (link.href) URL.revokeObjectURL(link.href);
    link.href = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
    link.hidden = false;
  }

  return { useShipped, showSaved, trained };
}
