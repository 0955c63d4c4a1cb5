// Emscripten 3.1.6's ES-module output still calls CommonJS's require and __dirname when it
// runs under node; texel.mjs hands them in (node:module's createRequire), so the same
// module loads in pages, workers and node. Unused (undefined) in browsers.
var require = Module['nodeRequire'];
var __dirname = Module['nodeDirname'];
