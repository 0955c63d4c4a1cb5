// Service worker: keeps the page's own files (not the model, which lives in IndexedDB)
// so the recognizer opens without the server (web_common/offline_cache.js).
importScripts('offline_cache.js');
serveOffline({
  cache: 'texel-app-v5',
  prefix: 'texel-app-',
  shell: ['./', 'index.html', 'style.css', 'app.js', 'state.js', 'drawing.js', 'preprocess.js', 'recognition.js',
          'training.js', 'models.js', 'views.js', 'rpc.js', 'model_cache.js', 'inference_worker.js',
          'trainer_worker.js', 'mnist_model.js', 'offline_cache.js', 'texel/texel.mjs', 'texel/texel_core.mjs',
          'texel/texel_core.wasm', 'texel/texel_core_threads.mjs', 'texel/texel_core_threads.wasm',
          'texel/texel_core_threads.worker.js', 'vendor/uPlot.iife.min.js', 'vendor/uPlot.min.css', 'mnist_digits.bin'],
  skip: (url) => url.pathname.endsWith('.texel'),
});
