#!/usr/bin/env bash
# The benchmark against TensorFlow.js (docs/PERFORMANCE.md): installs what it needs
# (as the set-up commands do, plus OpenBLAS for the native sgemm figure and XNNPACK for
# the SIMD kernels' candidates, apps/bench/kernel_candidates.cpp), builds texel's
# bench natively and for the browser, exports the MNIST digits, then runs every task on
# texel GL / CPU / SIMD CPU and TF.js webgl / wasm / cpu in headless Chromium (scripts/bench.mjs).
# Writes bench/results/<date>.md and .json. Arguments go to bench.mjs:
#   scripts/bench.sh [--quick] [--tasks matMul-512,mnist-cnn] [--engines texel-gl,tfjs-webgl]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/setup.sh"
cd "$TEXEL_ROOT"
TEXEL_PACKAGES+=(libopenblas-dev libxnnpack-dev libpthreadpool-dev)
texel_install_packages
texel_install_node_modules
echo "== building the native bench, mnist_train, sgemm_openblas and kernel_candidates"
texel_build_native bench mnist_train >/dev/null
cmake --build build --target sgemm_openblas kernel_candidates -- --no-print-directory >/dev/null 2>&1 || true
echo "== building the browser bench (Emscripten)"
texel_build_web bench mnist_web >/dev/null
mkdir -p build/bench
[[ -f build/bench/bench_digits.bin ]] || build/apps/mnist_train --export-bench build/bench/bench_digits.bin
echo "== running (every task in a fresh page; a full run takes about an hour)"
exec node scripts/bench.mjs "$@"
