// The apps' service-worker logic, shared (importScripts): keeps `shell` in the cache named
// `cache` so the page opens without the server. Network first, so a rebuilt app is
// picked up at once; the cache answers only when the network does not. Requests for
// which `skip(url)` is true are left alone (data the page keeps in IndexedDB itself).
// Activation deletes older caches of this app (names starting with `prefix`), not other
// apps' on the same origin.
function serveOffline({ cache, prefix, shell, skip = () => false }) {
  self.addEventListener('install', (event) => {
    event.waitUntil(caches.open(cache).then((c) => c.addAll(shell)).then(() => self.skipWaiting()));
  });
  self.addEventListener('activate', (event) => event.waitUntil(
      caches.keys()
          .then((names) => Promise.all(names.filter((n) => n.startsWith(prefix) && n !== cache).map((n) => caches.delete(n))))
          .then(() => self.clients.claim())));
  self.addEventListener('fetch', (event) => {
    const url = new URL(event.request.url);
    if (event.request.method !== 'GET' || url.origin !== location.origin || skip(url)) return;
    event.respondWith(fetch(event.request).then((response) => {
      if (response.ok) {
        const copy = response.clone();
        caches.open(cache).then((c) => c.put(event.request, copy));
      }
      return response;
    }).catch(() => caches.match(event.request, { ignoreSearch: true })));
  });
}
