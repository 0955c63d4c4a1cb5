// The word vectors in IndexedDB, as the study stored them: one entry per word (word ->
// f16 vector and a CRC-32 of both), so that a visit reads only the words a sentence
// needs. The first visit downloads sentiment_words.bin once (TXWORDS1, see
// apps/sentiment_train/imdb.h), checks its CRC, writes the entries, then the "meta" entry
// last: a store without meta (a visit closed mid-write) is written again. An entry whose
// checksum fails, or a word count that differs from meta's, means the store is damaged:
// the file is fetched again and every entry rewritten.
const DB_NAME = 'texel-sentiment';
const WORDS = 'words';
const META = 'meta';
const BATCH = 2000;  // entries per write transaction

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; ++n) {
    let c = n;
    for (let k = 0; k < 8; ++k) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();
// CRC-32 (IEEE, zlib's) of the byte arrays in turn.
export function crc32(...parts) {
  let c = 0xffffffff;
  for (const bytes of parts) for (let i = 0; i < bytes.length; ++i) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });
const entryCrc = (word, halves) => crc32(encoder.encode(word), new Uint8Array(halves.buffer, halves.byteOffset, halves.byteLength));

// Parses a TXWORDS1 file: {dim, length, words: string[], halves: Uint16Array, crc}.
export function parseWords(bytes) {
  const fail = (why) => { throw new Error(`sentiment_words.bin: ${why}`); };
  if (bytes.length < 24 || String.fromCharCode(...bytes.subarray(0, 8)) !== 'TXWORDS1') fail('not a TXWORDS1 file');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stored = view.getUint32(bytes.length - 4, true);
  if (crc32(bytes.subarray(0, bytes.length - 4)) !== stored) fail('checksum mismatch (damaged or truncated download)');
  const count = view.getUint32(8, true), dim = view.getUint32(12, true), length = view.getUint32(16, true);
  let at = 20;
  const words = [];
  for (let i = 0; i < count; ++i) {
    const n = view.getUint16(at, true);
    words.push(decoder.decode(bytes.subarray(at + 2, at + 2 + n)));
    at += 2 + n;
  }
  if (bytes.length - 4 - at !== count * dim * 2) fail('the vector table has the wrong size');
  const halves = new Uint16Array(count * dim);
  for (let i = 0; i < halves.length; ++i, at += 2) halves[i] = view.getUint16(at, true);
  return { dim, length, words, halves, crc: stored };
}

const request = (r) => new Promise((resolve, reject) => {
  r.onsuccess = () => resolve(r.result);
  r.onerror = () => reject(r.error);
});
const done = (tx) => new Promise((resolve, reject) => {
  tx.oncomplete = resolve;
  tx.onerror = () => reject(tx.error);
  tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
});

// Storage errors in words (quota above all).
function storageError(e) {
  if (e?.name === 'QuotaExceededError')
    return new Error('the browser refused to store the word vectors: storage quota exceeded ' +
                     '(free some site data or allow this site more storage)');
  return new Error(`storing the word vectors failed: ${e?.message ?? e}`);
}

export async function openStore({ url = 'sentiment_words.bin', onProgress = () => {} } = {}) {
  const db = await new Promise((resolve, reject) => {
    const open = indexedDB.open(DB_NAME, 1);
    open.onupgradeneeded = () => {
      open.result.createObjectStore(WORDS);
      open.result.createObjectStore(META);
    };
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(storageError(open.error));
  });

  async function download() {
    const response = await fetch(url, { cache: 'no-cache' });
    if (!response.ok) throw new Error(`could not download the word vectors: HTTP ${response.status}`);
    const total = Number(response.headers.get('Content-Length')) || 0;
    const chunks = [];
    let received = 0;
    for (const reader = response.body.getReader(); ;) {
      const { done: end, value } = await reader.read();
      if (end) break;
      chunks.push(value);
      received += value.length;
      onProgress({ phase: 'download', done: received, total });
    }
    const bytes = new Uint8Array(received);
    let at = 0;
    for (const c of chunks) bytes.set(c, at), at += c.length;
    return parseWords(bytes);
  }

  async function write(file) {
    try {
      const clear = db.transaction([WORDS, META], 'readwrite');
      clear.objectStore(META).clear();
      clear.objectStore(WORDS).clear();
      await done(clear);
      const { dim, words, halves } = file;
      for (let first = 0; first < words.length; first += BATCH) {
        const tx = db.transaction(WORDS, 'readwrite');
        const store = tx.objectStore(WORDS);
        for (let i = first; i < Math.min(words.length, first + BATCH); ++i) {
          const v = halves.slice(i * dim, (i + 1) * dim);
          store.put({ v, c: entryCrc(words[i], v) }, words[i]);
        }
        await done(tx);
        onProgress({ phase: 'store', done: Math.min(words.length, first + BATCH), total: words.length });
      }
      const tx = db.transaction(META, 'readwrite');
      tx.objectStore(META).put({ dim: file.dim, length: file.length, count: words.length, crc: file.crc }, 'vectors');
      await done(tx);
    } catch (e) {
      throw storageError(e);
    }
  }

  async function readMeta() {
    const tx = db.transaction([WORDS, META], 'readonly');
    const [meta, count] = await Promise.all([request(tx.objectStore(META).get('vectors')),
                                             request(tx.objectStore(WORDS).count())]);
    return meta && meta.count === count ? meta : null;
  }

  const began = performance.now();
  let meta = await readMeta();
  const firstVisit = !meta;
  let refetches = 0;
  // One download at a time: a lookup and the table build that both find damage share it.
  let refetching = null;
  function refetch() {
    refetching ??= (async () => {
      try {
        await write(await download());
        meta = await readMeta();
        if (!meta) throw new Error('the word vectors did not store completely');
        ++refetches;
      } finally {
        refetching = null;
      }
    })();
    return refetching;
  }
  if (!meta) {
    await refetch();
    refetches = 0;
  }
  const readyMs = performance.now() - began;

  // Vectors of `words` (unique lookups, one transaction), as a Map word -> Float32Array.
  // Words not stored are unknown (mapped by the caller to <unk>).
  async function lookupOnce(words) {
    const unique = [...new Set(words)];
    const tx = db.transaction(WORDS, 'readonly');
    const store = tx.objectStore(WORDS);
    const entries = await Promise.all(unique.map((w) => request(store.get(w))));
    const vectors = new Map();
    for (let i = 0; i < unique.length; ++i) {
      const e = entries[i];
      if (e === undefined) continue;
      if (!(e?.v instanceof Uint16Array) || e.v.length !== meta.dim || entryCrc(unique[i], e.v) !== e.c)
        return { damaged: unique[i] };
      vectors.set(unique[i], e.v);
    }
    return { vectors };
  }
  async function lookup(words) {
    let answer = await lookupOnce(words);
    if (answer.damaged !== undefined) {
      console.warn(`word vector store: the entry for '${answer.damaged}' failed its checksum; fetching again`);
      await refetch();
      answer = await lookupOnce(words);
      if (answer.damaged !== undefined) throw new Error(`the word vector for '${answer.damaged}' is damaged even after a fresh download`);
    }
    return answer.vectors;
  }

  return {
    get meta() { return meta; },
    get refetches() { return refetches; },
    firstVisit,
    readyMs,
    lookup,
    // For the e2e test: damages one entry (or deletes it) as a broken disk or a cleared
    // entry would.
    async damage(word, how) {
      const tx = db.transaction(WORDS, 'readwrite');
      const store = tx.objectStore(WORDS);
      if (how === 'delete') store.delete(word);
      else store.put({ v: new Uint16Array(meta.dim).fill(0x3c00), c: 1 }, word);
      await done(tx);
    },
    // Every entry, checked: {words, halves} (for the table on the engine). A damaged entry
    // is fetched again, as in lookup.
    async all() {
      for (let attempt = 0; ; ++attempt) {
        const tx = db.transaction(WORDS, 'readonly');
        const store = tx.objectStore(WORDS);
        const [words, entries] = await Promise.all([request(store.getAllKeys()), request(store.getAll())]);
        const halves = new Uint16Array(words.length * meta.dim);
        const damaged = entries.findIndex((e, i) =>
          !(e?.v instanceof Uint16Array) || e.v.length !== meta.dim || entryCrc(words[i], e.v) !== e.c);
        if (damaged < 0) {
          entries.forEach((e, i) => halves.set(e.v, i * meta.dim));
          return { words, halves };
        }
        if (attempt) throw new Error(`the word vector for '${words[damaged]}' is damaged even after a fresh download`);
        console.warn(`word vector store: the entry for '${words[damaged]}' failed its checksum; fetching again`);
        await refetch();
      }
    },
    close: () => db.close(),
  };
}
