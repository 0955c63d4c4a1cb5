#!/usr/bin/env bash
# Memory safety (scripts/test.sh runs all three steps):
#   scripts/sanitize.sh build                  clang build in build-asan/ with ASan + UBSan
#                                              (+ libFuzzer instrumentation): the doctest
#                                              suite and the fuzz targets
#   scripts/sanitize.sh test                   the native doctest suite (CPU and GL on
#                                              llvmpipe) under ASan, UBSan and LeakSanitizer
#   scripts/sanitize.sh fuzz TARGET SECONDS    libFuzzer on TARGET (fuzz_model_loader,
#                                              fuzz_tensor, fuzz_tfjs_import), seeded from tests/fuzz/corpus;
#                                              new inputs go to build-asan/fuzz/TARGET, crash
#                                              reproducers to build-asan/fuzz/
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/setup.sh"
cd "$TEXEL_ROOT"
BUILD="$TEXEL_ROOT/build-asan"

# No leak suppressions: the test runner checks for leaks (__lsan_do_leak_check) after
# every texel object is gone but before eglTerminate unloads the GL driver.
export ASAN_OPTIONS="detect_leaks=1:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

case "${1:-}" in
  build)
    # Configured every time (seconds): a build tree from before a new target was added
    # would otherwise not know it.
    CC=clang CXX=clang++ cmake -S "$TEXEL_ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release \
      -DTEXEL_FUZZ=ON >/dev/null
    cmake --build "$BUILD" -j "$JOBS" -- --no-print-directory texel_tests fuzz_model_loader \
      fuzz_tensor fuzz_tfjs_import make_fuzz_corpus
    ;;
  test)
    "$BUILD/tests/texel_tests" --no-colors
    ;;
  fuzz)
    target="${2:?fuzz target}"
    seconds="${3:-60}"
    work="$BUILD/fuzz/$target"
    mkdir -p "$work"
    corpus="$TEXEL_ROOT/tests/fuzz/corpus/${target#fuzz_}"
    # -rss_limit_mb / -malloc_limit_mb: an input that makes texel allocate beyond these
    # counts as a failure (unbounded allocation), as do crashes, sanitizer reports and any
    # exception other than texel::Error. The first directory receives new inputs.
    "$BUILD/tests/$target" -max_total_time="$seconds" -rss_limit_mb=2048 -malloc_limit_mb=1024 \
      -timeout=10 -print_final_stats=1 -artifact_prefix="$BUILD/fuzz/" "$work" "$corpus" 2>&1 |
      grep -E "^(INFO: (Seed|Loaded)|#[0-9]+ +DONE|Done|stat::|==[0-9]+==|SUMMARY|.*ERROR)" | tail -20
    status=${PIPESTATUS[0]}
    if ((status == 0)); then
      echo "fuzz: $target ran ${seconds} s without a failure"
    else
      echo "fuzz: $target FAILED (exit $status); reproducer under $BUILD/fuzz/"
    fi
    exit "$status"
    ;;
  *)
    echo "usage: scripts/sanitize.sh build | test | fuzz TARGET SECONDS" >&2
    exit 2
    ;;
esac
