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

namespace texel::test {

// The suite's GL backend on the platform's default context (headless EGL natively,
// WebGL2 in the browser). Errors are checked after every pass.
GlBackend& gl();
// A second GL backend on the same context whose textures may be at most
// kFoldedMaxTextureSize texels a side, so modest shapes exercise folded layouts.
GlBackend& glFolded();
inline constexpr int kFoldedMaxTextureSize = 32;
std::shared_ptr<GlContext> context();

struct Range {
  float low = -1.0f;
  float high = 1.0f;
  bool randomSign = false;  // |x| in [low, high] with a random sign (keeps x away from 0)
};
std::vector<float> randomValues(int64_t count, uint64_t seed, Range range = {});

struct Comparison {
  double maxAbs = 0.0;
  double maxRel = 0.0;  // |actual - expected| / max(|expected|, 1)
  int64_t worst = -1;   // index of the largest relative error
  bool nanMismatch = false;
};
Comparison compare(const std::vector<float>& actual, const std::vector<float>& expected);

// Records the largest error seen per op (printed before doctest's summary).
void recordError(const std::string& op, const Comparison& comparison);
void printErrorReport();

struct OpCase {
  std::string op;
  std::vector<Shape> shapes;
  Attrs attrs = {};
  std::vector<Range> ranges = {};  // per input; default [-1, 1]
  double tolerance = 1e-4;
  uint64_t seed = 1;
};
// Runs the op on the CPU reference and on both GL backends (the folded one when the
// shapes fit it) with the same random inputs, and CHECKs that they agree.
void checkAgainstCpu(const OpCase& opCase);

// Lets the browser's event loop run (fences signal only between tasks); a no-op natively.
void yieldToEventLoop();

// Values of a tensor after running `fn` on the CPU backend with the given host inputs.
std::string describe(const OpCase& opCase);

}  // namespace texel::test
