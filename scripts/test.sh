#!/usr/bin/env bash
# The whole test suite from a fresh Debian machine: installs dependencies, builds native
# and web, then runs every suite. Idempotent; safe to run again.
#   native doctest   build/tests/texel_tests on Mesa llvmpipe through headless EGL
#   gl_harness       every registered op against the CPU reference (conformance table)
#   op table         docs/OPS.md is what build/tests/op_table makes of the registry
#   README example   apps/hello_matmul
#   MNIST            the shipped model's held-out accuracy; one short training run on GL
#   browser doctest  the same doctest sources compiled with Emscripten, in headless Chromium
#                    (it holds the conformance cases on WebGL2, default, folded and f16: the
#                    browser gl_harness page repeats them and is not built or run here)
#   TF.js import     models written by TF.js itself, imported natively (CPU, GL), exported back
#   JS API           the npm package (build-web/package) in node and in Chromium (page, worker)
#   memstress        the eight texture-memory scenarios, quick sizes, natively and in Chromium
#   browser e2e      the digit recognizer page driven by playwright (tests/e2e)
#   benchmark        scripts/bench.mjs --quick: every quick task on texel and TF.js runs
#   ASan+UBSan       the native doctest suite built with clang's sanitizers, leaks checked
#   fuzz             20 s of libFuzzer each on the model loader, tensor creation and the
#                    TF.js importer
# A failure in any run fails the script; the last line is the summary of all runs.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/setup.sh"
cd "$TEXEL_ROOT"

set -e
texel_install_packages
texel_install_node_modules
build_start=$SECONDS
# Each build step prints its time: CI's 30 minutes are mostly compiling on 2 cores.
build() {
  local name="$1" start=$SECONDS
  shift
  echo "== building $name"
  "$@" >/dev/null
  echo "-- build $name: $((SECONDS - start)) s"
}
build "native" texel_build_native
build "web (Emscripten)" texel_build_web texel_tests site memstress bench
build "the npm package" scripts/build_package.sh
build "the sanitizer and fuzz build (clang)" scripts/sanitize.sh build
echo "-- builds: $((SECONDS - build_start)) s"
set +e

passed=() failed=()
run() {
  local name="$1" start=$SECONDS
  shift
  echo
  echo "== $name"
  if "$@"; then passed+=("$name"); else failed+=("$name"); fi
  echo "-- $name: $((SECONDS - start)) s"
}
run "native doctest" build/tests/texel_tests --no-colors
run "gl_harness" build/apps/gl_harness
run "op table (docs/OPS.md)" build/tests/op_table --check docs/OPS.md
# Bad flags are errors (exit 2), not silent zeros.
run "mnist_train rejects --epochs abc" bash -c \
  'build/apps/mnist_train --epochs abc 2>&1; test $? -eq 2 && echo "mnist_train: --epochs abc refused"'
run "README example" build/apps/hello_matmul
# The shipped model must keep its accuracy on the 2,000 held-out digits (f32 and f16),
# and a short training run on GL must learn.
run "shipped MNIST model" build/apps/mnist_train --evaluate assets/mnist_cnn.texel --min-accuracy 0.98
run "shipped MNIST model f16" build/apps/mnist_train --evaluate assets/mnist_cnn_f16.texel --min-accuracy 0.98
run "MNIST quick training" build/apps/mnist_train --epochs 2 --train-limit 2048 --arch small --min-accuracy 0.8
# The shipped sentiment CNN on the first 1,000 held-out reviews, through the page's path
# (tokens -> f16 vectors -> model, on the SIMD CPU backend as the page runs it), and a small training run on GL (the trainer's
# default, through the embedding's sorted scatter-add) that must learn.
run "shipped sentiment model" build/apps/sentiment_train --backend simd --evaluate assets --count 1000 --min-accuracy 0.88
run "sentiment quick training (GL)" build/apps/sentiment_train --backend gl --train-limit 4000 --epochs 2 \
  --length 128 --vocabulary 5000 --lr 0.005 --min-accuracy 0.7
run "browser doctest" node scripts/run_web_page.mjs build-web/tests texel_tests.html -- --no-colors
run "TF.js import and export" node --test tests/tfjs_import/
run "JS API (node CPU; Chromium page and worker, WebGL)" node --test tests/js/
run "memstress (quick)" build/apps/memstress --quick
run "browser memstress (quick)" node scripts/run_web_page.mjs build-web/apps memstress.html -- --quick
run "browser apps: digit recognizer, sentiment (e2e)" node --test tests/e2e/
# The benchmark's quick grid, so that it cannot rot: every task must run on every engine;
# its numbers are not asserted (docs/PERFORMANCE.md; scripts/bench.sh runs the full grid).
run "benchmark (quick, not asserted)" node scripts/bench.mjs --quick --out build/bench/results
run "ASan+UBSan doctest" scripts/sanitize.sh test
run "fuzz model loader (20 s)" scripts/sanitize.sh fuzz fuzz_model_loader 20
run "fuzz tensor creation (20 s)" scripts/sanitize.sh fuzz fuzz_tensor 20
run "fuzz TF.js import (20 s)" scripts/sanitize.sh fuzz fuzz_tfjs_import 20

echo
summary="test.sh: $((${#passed[@]} + ${#failed[@]})) runs, ${#passed[@]} passed, ${#failed[@]} failed"
if ((${#failed[@]})); then
  echo "$summary (failed: ${failed[*]})"
  exit 1
fi
echo "$summary"
