// Service worker: keeps the page's files, the model and the examples so the page opens
// offline (web_common/offline_cache.js); the word vectors are not cached here (they live
// in IndexedDB, one entry per word).
importScripts('offline_cache.js');
serveOffline({
  cache: 'texel-sentiment-v2',
  prefix: 'texel-sentiment-',
  shell: ['./', 'index.html', 'style.css', 'app.js', 'rpc.js', 'word_store.js', 'sentiment_worker.js',
          'offline_cache.js', 'texel/texel.mjs', 'texel/texel_core.mjs', 'texel/texel_core.wasm',
          'texel/texel_core_threads.mjs', 'texel/texel_core_threads.wasm', 'texel/texel_core_threads.worker.js',
          'sentiment_cnn.texel', 'sentiment_examples.json', 'sentiment_filters.json'],
  skip: (url) => url.pathname.endsWith('sentiment_words.bin'),
});
