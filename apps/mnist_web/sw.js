// Service worker: keeps the page's own files (not the model, which lives in IndexedDB)
// so the recognizer opens without the server. Network first, so a rebuilt app is picked
// up at once; the cache answers only when the network does not.
const CACHE = 'texel-app-v3';
const SHELL = ['./', 'index.html', 'style.css', 'app.js', 'state.js', 'drawing.js', 'preprocess.js',
               'recognition.js', 'training.js', 'models.js', 'views.js', 'rpc.js', 'model_cache.js',
               'inference_worker.js', 'trainer_worker.js', 'mnist_model.js', 'texel/texel.mjs',
               'texel/texel_core.mjs', 'texel/texel_core.wasm', 'vendor/uPlot.iife.min.js',
               'vendor/uPlot.min.css', 'mnist_digits.bin'];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});
// Older versions' caches go (not other apps' on this origin); this one takes over open pages at once.
self.addEventListener('activate', (event) => event.waitUntil(
    caches.keys()
        .then((names) => Promise.all(names.filter((n) => n.startsWith('texel-app-') && n !== CACHE).map((n) => caches.delete(n))))
        .then(() => self.clients.claim())));
self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== location.origin || url.pathname.endsWith('.texel'))
    return;
  event.respondWith(fetch(event.request).then((response) => {
    if (response.ok) {
      const copy = response.clone();
      caches.open(CACHE).then((cache) => cache.put(event.request, copy));
    }
    return response;
  }).catch(() => caches.match(event.request, { ignoreSearch: true })));
});
