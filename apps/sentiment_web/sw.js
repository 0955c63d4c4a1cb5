// Service worker: keeps the page's files, the model and the examples so the page opens
// offline; the word vectors are not cached here (they live in IndexedDB, one entry per
// word). Network first, so a rebuilt page is picked up at once.
const CACHE = 'texel-sentiment-v1';
const SHELL = ['./', 'index.html', 'style.css', 'app.js', 'rpc.js', 'word_store.js', 'sentiment_worker.js',
               'texel/texel.mjs', 'texel/texel_core.mjs', 'texel/texel_core.wasm', 'sentiment_cnn.texel',
               'sentiment_examples.json', 'sentiment_filters.json'];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});
self.addEventListener('activate', (event) => event.waitUntil(
    caches.keys()
        .then((names) => Promise.all(names.filter((n) => n.startsWith('texel-sentiment-') && n !== CACHE)
                                         .map((n) => caches.delete(n))))
        .then(() => self.clients.claim())));
self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== location.origin || url.pathname.endsWith('sentiment_words.bin'))
    return;
  event.respondWith(fetch(event.request).then((response) => {
    if (response.ok) {
      const copy = response.clone();
      caches.open(CACHE).then((cache) => cache.put(event.request, copy));
    }
    return response;
  }).catch(() => caches.match(event.request, { ignoreSearch: true })));
});
