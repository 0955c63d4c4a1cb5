#pragma once
// Checking one backend against another: seeded random inputs, an error measure that
// treats NaN and Inf like IEEE, and a runner that feeds the same inputs to an op on a
// reference backend (the CPU) and on a backend under test. Used by the test suite and
// the GL conformance harness (apps/gl_harness), and available to users who want to
// verify a driver before trusting it.
#include <cstdint>
#include <string>
#include <vector>

#include "engine/core/attrs.h"
#include "engine/core/backend.h"
#include "engine/core/dtype.h"
#include "engine/core/registry.h"
#include "engine/core/shape.h"

namespace texel::verify {

struct Range {
  float low = -1.0f;
  float high = 1.0f;
  bool randomSign = false;  // |x| in [low, high] with a random sign (keeps x away from 0)
};
// Uniform values in the range, reproducible from the seed on every platform.
std::vector<float> randomValues(int64_t count, uint64_t seed, Range range = {});

struct Comparison {
  double maxAbs = 0.0;
  double maxRel = 0.0;       // |actual - expected| / max(|expected|, 1)
  int64_t worst = -1;        // index of the first NaN mismatch, else of the largest rel error
  bool nanMismatch = false;  // NaN on one side only
  bool sizeMismatch = false;
  bool within(double tolerance) const {
    return !nanMismatch && !sizeMismatch && maxRel <= tolerance;
  }
};
// Inf must match exactly (same sign); NaN must match NaN.
Comparison compare(const std::vector<float>& actual, const std::vector<float>& expected);

struct OpCase {
  std::string op;
  std::vector<Shape> shapes;
  Attrs attrs = {};
  std::vector<Range> ranges = {};  // per input; default [-1, 1]
  double tolerance = 1e-4;
  uint64_t seed = 1;
  // Per input; default float32. Int32 inputs are the random values rounded, bool inputs
  // are value > 0.
  std::vector<DType> dtypes = {};
};
std::string describe(const OpCase& opCase);  // "matMul([2,3], [3,4]) {...}"
std::vector<TensorSpec> inputSpecs(const OpCase& opCase);

struct OutputCheck {
  Comparison comparison;
  bool shapeMatches = true;
  bool dtypeMatches = true;
  std::vector<float> actual;
  std::vector<float> expected;
  bool ok(double tolerance) const {
    return shapeMatches && dtypeMatches && comparison.within(tolerance);
  }
  std::string explain(const std::string& label, const OpCase& opCase, size_t output) const;
};
// Runs the op with the same random inputs on `reference` and `target`, one check per output.
// With halfInputs the float32 inputs are first rounded to binary16 (what a half-float
// backend stores), so the comparison measures the op and not the input rounding.
// Errors thrown by either backend propagate.
std::vector<OutputCheck> runAgainst(const OpCase& opCase, Backend& reference, Backend& target,
                                    bool halfInputs = false);

// The documented tolerance of an op case on a half-float backend: storage rounds every
// stored value to 11 significant bits (relative error up to 2^-11 = 4.9e-4 per rounding);
// kHalfTolerance allows for a few roundings of intermediate results (multi-pass ops).
// Cases that must be exact (tolerance 0: data movement, integers, comparisons) stay exact.
inline constexpr double kHalfTolerance = 4e-3;
inline double halfTolerance(const OpCase& opCase) {
  if (opCase.tolerance == 0.0) return 0.0;
  return opCase.tolerance > kHalfTolerance ? opCase.tolerance : kHalfTolerance;
}

}  // namespace texel::verify
