// Service worker: keeps the page's own files (not the model, which lives in IndexedDB)
// so the recognizer opens without the server (web_common/offline_cache.js).
// The threaded wasm core (texel/texel_core_threads.*, absent from builds without it) is
// not in the shell: it is cached when a cross-origin-isolated visit fetches it.
importScripts('offline_cache.js');
serveOffline({
  cache: 'texel-app-v5',
  prefix: 'texel-app-',
  shell: ['./', 'index.html', 'style.css', 'app.js', 'state.js', 'drawing.js', 'preprocess.js', 'recognition.js',
          'training.js', 'models.js', 'views.js', 'rpc.js', 'model_cache.js', 'inference_worker.js',
          'trainer_worker.js', 'mnist_model.js', 'offline_cache.js', 'texel/texel.mjs', 'texel/texel_core.mjs',
          'texel/texel_core.wasm', 'vendor/uPlot.iife.min.js', 'vendor/uPlot.min.css', 'mnist_digits.bin'],
  skip: (url) => url.pathname.endsWith('.texel'),
});
