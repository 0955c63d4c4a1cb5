#!/usr/bin/env bash
# Builds the npm package from the Emscripten builds: the wasm cores (target texel_js, single-
# threaded and threaded) plus
# platform/web/package/*, into build-web/package/, then `npm pack`s it into
# build-web/texel-<version>.tgz. Install it elsewhere with: npm install /path/to/texel-<version>.tgz
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/setup.sh"
cd "$TEXEL_ROOT"
echo "== building the wasm core (texel_js)"
texel_build_web texel_js >/dev/null
out=build-web/package
rm -rf "$out"
mkdir -p "$out"
cp platform/web/package/package.json platform/web/package/README.md platform/web/package/texel.mjs \
   platform/web/package/texel.d.ts build-web/texel_core.mjs build-web/texel_core.wasm "$out/"
texel_place_threads_core  # texel_core_threads.{mjs,wasm,worker.js}: cross-origin-isolated pages
echo "== npm pack"
(cd build-web && npm pack --silent ./package >/dev/null)
echo "== the example page (build-web/apps/js_example): the shipped MNIST model as a TF.js model"
example=build-web/apps/js_example
mkdir -p "$example/texel"
cp apps/js_example/index.html apps/js_example/main.mjs "$example/"
cp "$out"/texel.mjs "$out"/texel_core*.mjs "$out"/texel_core*.wasm "$out"/texel_core_threads.worker.js "$example/texel/"
node scripts/export_tfjs.mjs assets/mnist_cnn.texel "$example/model" >/dev/null
ls -l build-web/texel-*.tgz | awk '{print "package:", $NF, $5, "bytes"}'
