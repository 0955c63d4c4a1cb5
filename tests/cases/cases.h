#pragma once
// The test cases of every op, one file per op family (tests/cases/<family>.cpp, beside
// engine/ops/<family>.cpp), each registering its ops' cases in its
// `void add<Family>Cases(CaseTable& t)`: conformance
// cases (every GL backend against the CPU reference: awkward sizes, broadcasting, folded
// layouts), cases sized against the device's texture limit, and gradient cases (central
// finite differences on the CPU, GL against CPU). The doctest suite and apps/gl_harness
// run them; tests walk the registry so that an op without cases fails.
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/attrs.h"
#include "engine/core/registry.h"
#include "engine/verify/verify.h"

namespace texel::cases {

using verify::OpCase;
using verify::Range;

struct GradCase {
  std::string op;
  std::vector<Shape> shapes;
  Attrs attrs = {};
  std::vector<Range> ranges = {};  // per input; default |x| in [0.2, 2] (away from kinks)
  // Inputs are a shuffle of values 0.1 apart, so that a finite-difference step never
  // changes which element is the maximum (maxPool, topK).
  bool spaced = false;
  // Per input; default float32. Non-float inputs (where's condition) are not perturbed.
  std::vector<DType> dtypes = {};
};

struct OpCases {
  std::vector<OpCase> conformance;
  // Cases sized against the device's texture limit (more rows than MAX_TEXTURE_SIZE, or
  // one row of more texels, so layouts fold or tensors split), where that matters.
  std::function<std::vector<OpCase>(int maxTextureSize)> limit;
  // For ops with a gradient.
  std::vector<GradCase> gradient;
};

class CaseTable {
 public:
  OpCases& op(std::string_view name);  // the op's entry, created on first use
  const OpCases* find(std::string_view name) const;

 private:
  std::map<std::string, OpCases, std::less<>> ops_;
};

// Every family's cases (built once).
const CaseTable& table();

// Sizes that break naive kernels: scalars, 1, odd, one past a texel, past one texture row.
const std::vector<Shape>& awkwardShapes();

// Calls every family's add<Family>Cases (a list generated from tests/cases/*.cpp by
// scripts/list_families.cmake).
void addAllCases(CaseTable& list);

}  // namespace texel::cases
