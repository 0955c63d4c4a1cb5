#pragma once
// Shared by the test files: the suite's GL backends, seeded random inputs, and the
// CPU-vs-GL comparison every op test uses.
#include <doctest/doctest.h>

#include <cmath>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/texel.h"
#include "engine/verify/verify.h"

namespace texel::test {

// The suite's GL backend on the platform's default context (headless EGL natively,
// WebGL2 in the browser). Errors are checked after every pass.
GlBackend& gl();
// A second GL backend on the same context whose textures may be at most
// kFoldedMaxTextureSize texels a side, so modest shapes exercise folded layouts.
GlBackend& glFolded();
inline constexpr int kFoldedMaxTextureSize = 32;
// A GL backend forced to half-float storage; null when RGBA16F cannot be rendered to.
GlBackend* glHalf();
std::shared_ptr<GlContext> context();
// SIMD CPU backends with one and with two threads (in a wasm build without pthreads both
// run one).
std::vector<CpuBackend*> simdBackends();

using verify::compare;
using verify::Comparison;
using verify::OpCase;
using verify::randomValues;
using verify::Range;

// Records the largest error seen per op (printed before doctest's summary).
void recordError(const std::string& op, const Comparison& comparison);
void printErrorReport();

// Runs the op on the CPU reference and on the GL backends (the folded one when the shapes
// fit it; the half-float one with inputs rounded to f16 and verify::halfTolerance) with
// the same random inputs, and CHECKs that they agree.
void checkAgainstCpu(const OpCase& opCase);

// Lets the browser's event loop run (fences signal only between tasks); a no-op natively.
void yieldToEventLoop();

}  // namespace texel::test
