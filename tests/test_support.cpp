#include "tests/test_support.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <sstream>

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

std::vector<float> randomValues(int64_t count, uint64_t seed, Range range) {
  std::mt19937_64 engine(seed);
  std::uniform_real_distribution<float> magnitude(range.low, range.high);
  std::bernoulli_distribution negative(0.5);
  std::vector<float> values(static_cast<size_t>(count));
  for (float& v : values) {
    v = magnitude(engine);
    if (range.randomSign && negative(engine)) v = -v;
  }
  return values;
}

Comparison compare(const std::vector<float>& actual, const std::vector<float>& expected) {
  Comparison result;
  if (actual.size() != expected.size()) {
    result.maxAbs = result.maxRel = INFINITY;
    return result;
  }
  for (size_t i = 0; i < actual.size(); ++i) {
    double a = actual[i], e = expected[i];
    if (std::isnan(a) || std::isnan(e)) {
      if (std::isnan(a) != std::isnan(e)) {
        result.nanMismatch = true;
        result.worst = static_cast<int64_t>(i);
      }
      continue;
    }
    if (std::isinf(a) || std::isinf(e)) {
      if (a != e) {
        result.maxAbs = result.maxRel = INFINITY;
        result.worst = static_cast<int64_t>(i);
      }
      continue;
    }
    double abs = std::fabs(a - e);
    double rel = abs / std::max(std::fabs(e), 1.0);
    result.maxAbs = std::max(result.maxAbs, abs);
    if (rel > result.maxRel || result.worst < 0) {
      if (rel > result.maxRel) result.maxRel = rel;
      result.worst = static_cast<int64_t>(i);
    }
  }
  return result;
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
  std::printf("  %-12s %6s %12s %12s\n", "op", "cases", "max abs", "max rel");
  for (const auto& [op, r] : errorRecords())
    std::printf("  %-12s %6d %12.3g %12.3g\n", op.c_str(), r.cases, r.maxAbs, r.maxRel);
  std::fflush(stdout);
}

std::string describe(const OpCase& c) {
  std::vector<TensorSpec> specs;
  for (const Shape& s : c.shapes) specs.push_back({s});
  return describeCall(c.op, specs, c.attrs);
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
  std::vector<std::vector<float>> values;
  for (size_t i = 0; i < c.shapes.size(); ++i)
    values.push_back(randomValues(c.shapes[i].size(), c.seed * 7919 + i,
                                  i < c.ranges.size() ? c.ranges[i] : Range{}));
  auto run = [&](Backend& backend) {
    std::vector<Tensor> inputs;
    for (size_t i = 0; i < c.shapes.size(); ++i)
      inputs.push_back(tensor(backend, c.shapes[i], values[i]));
    return runOp(c.op, inputs, c.attrs);
  };
  std::vector<Tensor> expected = run(cpu());
  std::vector<TensorSpec> outSpecs;
  for (const Tensor& t : expected) outSpecs.push_back({t.shape(), t.dtype()});

  std::vector<std::pair<const char*, GlBackend*>> backends = {{"gl", &gl()}};
  if (fits(c, outSpecs, kFoldedMaxTextureSize)) backends.push_back({"gl-folded", &glFolded()});
  for (auto [label, backend] : backends) {
    std::vector<Tensor> actual = run(*backend);
    REQUIRE(actual.size() == expected.size());
    for (size_t k = 0; k < actual.size(); ++k) {
      CHECK(actual[k].shape() == expected[k].shape());
      CHECK(actual[k].dtype() == expected[k].dtype());
      std::vector<float> got = actual[k].data();
      std::vector<float> want = expected[k].data();
      Comparison cmp = compare(got, want);
      recordError(c.op, cmp);
      std::ostringstream where;
      where << label << ": " << describe(c) << " output " << k << ": max rel error " << cmp.maxRel
            << " (abs " << cmp.maxAbs << ")";
      if (cmp.worst >= 0 && static_cast<size_t>(cmp.worst) < got.size())
        where << ", worst at " << cmp.worst << ": gl " << got[static_cast<size_t>(cmp.worst)]
              << " vs cpu " << want[static_cast<size_t>(cmp.worst)];
      CHECK_MESSAGE(!cmp.nanMismatch, where.str());
      CHECK_MESSAGE(cmp.maxRel <= c.tolerance, where.str());
    }
  }
}

void yieldToEventLoop() {
#ifdef __EMSCRIPTEN__
  emscripten_sleep(1);
#endif
}

}  // namespace texel::test
