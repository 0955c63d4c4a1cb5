#include "tests/test_support.h"

#include "apps/gl_harness/conformance.h"

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

std::vector<CpuBackend*> simdBackends() {
  static std::shared_ptr<CpuBackend> one = CpuBackend::create({.simd = true, .threads = 1});
  static std::shared_ptr<CpuBackend> two = CpuBackend::create({.simd = true, .threads = 2});
  return {one.get(), two.get()};
}

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

void checkAgainstCpu(const OpCase& c) {
  std::vector<TensorSpec> outSpecs = inferOp(c.op, verify::inputSpecs(c), c.attrs);
  std::vector<std::pair<const char*, GlBackend*>> backends = {{"gl", &gl()}};
  if (harness::fitsTextures(c, kFoldedMaxTextureSize))
    backends.push_back({"gl-folded", &glFolded()});
  if (glHalf()) backends.push_back({"gl-f16", glHalf()});
  for (const auto& target : backends) {
    const char* label = target.first;  // not a structured binding: doctest's lambdas capture it
    bool half = target.second == glHalf();
    double tolerance = half ? verify::halfTolerance(c) : c.tolerance;
    std::vector<verify::OutputCheck> checks = verify::runAgainst(c, cpu(), *target.second, half);
    REQUIRE_MESSAGE(checks.size() == outSpecs.size(), verify::describe(c));
    for (size_t k = 0; k < checks.size(); ++k) {
      recordError(half ? c.op + " (f16)" : c.op, checks[k].comparison);
      CHECK_MESSAGE(checks[k].ok(tolerance), checks[k].explain(label, c, k));
    }
  }
}

void yieldToEventLoop() {
#ifdef __EMSCRIPTEN__
  emscripten_sleep(1);
#endif
}

}  // namespace texel::test
