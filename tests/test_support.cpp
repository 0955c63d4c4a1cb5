#include "tests/test_support.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#endif

namespace texel::test {

namespace {
struct ErrorRecord {
  double maxAbs = 0.0;
  double maxRel = 0.0;
  int cases = 0;
};
std::map<std::string, ErrorRecord>& errorRecords() {
  static std::map<std::string, ErrorRecord> records;
  return records;
}
}  // namespace

void recordError(const std::string& op, const Comparison& c) {
  ErrorRecord& r = errorRecords()[op];
  r.maxAbs = std::max(r.maxAbs, c.maxAbs);
  r.maxRel = std::max(r.maxRel, c.maxRel);
  ++r.cases;
}

void printErrorReport() {
  if (errorRecords().empty()) return;
  std::printf("GL vs CPU reference, largest error per op (rel = |gl-cpu| / max(|cpu|,1)):\n");
  std::printf("  %-18s %6s %12s %12s\n", "op", "cases", "max abs", "max rel");
  for (const auto& [op, r] : errorRecords())
    std::printf("  %-18s %6d %12.3g %12.3g\n", op.c_str(), r.cases, r.maxAbs, r.maxRel);
  std::fflush(stdout);
}

namespace {
bool fits(const OpCase& c, const std::vector<TensorSpec>& outputs, int maxSide) {
  auto fitsShape = [&](const Shape& s) {
    if (s.size() == 0) return true;
    int64_t last = s.rank() ? s[s.rank() - 1] : 1;
    int64_t texels = (s.size() / last) * ((last + 3) / 4);
    return texels <= int64_t{maxSide} * maxSide;
  };
  for (const Shape& s : c.shapes)
    if (!fitsShape(s)) return false;
  for (const TensorSpec& s : outputs)
    if (!fitsShape(s.shape)) return false;
  return true;
}
}  // namespace

void checkAgainstCpu(const OpCase& c) {
  std::vector<TensorSpec> inputSpecs;
  for (size_t i = 0; i < c.shapes.size(); ++i)
    inputSpecs.push_back({c.shapes[i], i < c.dtypes.size() ? c.dtypes[i] : DType::Float32});
  std::vector<TensorSpec> outSpecs = inferOp(c.op, inputSpecs, c.attrs);
  std::vector<std::pair<const char*, GlBackend*>> backends = {{"gl", &gl()}};
  if (fits(c, outSpecs, kFoldedMaxTextureSize)) backends.push_back({"gl-folded", &glFolded()});
  for (const auto& target : backends) {
    const char* label = target.first;  // not a structured binding: doctest's lambdas capture it
    std::vector<verify::OutputCheck> checks = verify::runAgainst(c, cpu(), *target.second);
    REQUIRE_MESSAGE(checks.size() == outSpecs.size(), verify::describe(c));
    for (size_t k = 0; k < checks.size(); ++k) {
      recordError(c.op, checks[k].comparison);
      CHECK_MESSAGE(checks[k].ok(c.tolerance), checks[k].explain(label, c, k));
    }
  }
}

void yieldToEventLoop() {
#ifdef __EMSCRIPTEN__
  emscripten_sleep(1);
#endif
}

}  // namespace texel::test
