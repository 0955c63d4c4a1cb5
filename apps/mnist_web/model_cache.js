// The model file cached in IndexedDB ("texel" database, "models" store, keyed by URL)
// with its SHA-256: a later visit loads it without the network, and an entry whose bytes
// no longer match their checksum is dropped and fetched again.

function openDb() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open('texel', 1);
    request.onupgradeneeded = () => request.result.createObjectStore('models');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function transact(mode, work) {
  return openDb().then((db) => new Promise((resolve, reject) => {
    const tx = db.transaction('models', mode);
    const result = work(tx.objectStore('models'));
    tx.oncomplete = () => { db.close(); resolve(result.result); };
    tx.onerror = () => { db.close(); reject(tx.error); };
  }));
}

export async function sha256(bytes) {
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

export const cacheGet = (key) => transact('readonly', (store) => store.get(key));
export const cachePut = (key, value) => transact('readwrite', (store) => store.put(value, key));
export const cacheDelete = (key) => transact('readwrite', (store) => store.delete(key));
export const cacheKeys = () => transact('readonly', (store) => store.getAllKeys());

// { bytes, source: 'cache' | 'network', note } for `url`: the cached copy when its
// checksum holds, else the network (and the cache is refreshed).
export async function loadModelBytes(url) {
  let note = '';
  try {
    const entry = await cacheGet(url);
    if (entry && entry.bytes) {
      const bytes = new Uint8Array(entry.bytes);
      if ((await sha256(bytes)) === entry.sha256) return { bytes, source: 'cache', note };
      await cacheDelete(url);
      note = 'the cached copy failed its checksum and was dropped';
    }
  } catch (e) {
    note = `IndexedDB unavailable (${e.message || e})`;
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not fetch the model ${url}: HTTP ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  return { bytes, source: 'network', note };
}

// Stores bytes that loaded fine (so a broken download is never cached).
export async function rememberModel(url, bytes) {
  try {
    await cachePut(url, { bytes: bytes.buffer.slice(0), sha256: await sha256(bytes), saved: Date.now() });
  } catch {
    // Private browsing and quota errors: the app still works, only without the cache.
  }
}
