#include "engine/verify/verify.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>

#include "engine/core/create.h"
#include "engine/core/half.h"
#include "engine/core/registry.h"

namespace texel::verify {

std::vector<float> randomValues(int64_t count, uint64_t seed, Range range) {
  // mt19937_64 is specified bit for bit; the distribution is done by hand because
  // std::uniform_real_distribution differs between standard libraries.
  std::mt19937_64 engine(seed);
  std::vector<float> values(static_cast<size_t>(count));
  for (float& v : values) {
    uint64_t bits = engine();
    double unit = static_cast<double>(bits >> 11) * 0x1.0p-53;
    v = static_cast<float>(range.low + (range.high - range.low) * unit);
    if (range.randomSign && (bits & 1)) v = -v;
  }
  return values;
}

Comparison compare(const std::vector<float>& actual, const std::vector<float>& expected) {
  Comparison result;
  if (actual.size() != expected.size()) {
    result.sizeMismatch = true;
    result.maxAbs = result.maxRel = INFINITY;
    return result;
  }
  for (size_t i = 0; i < actual.size(); ++i) {
    double a = actual[i], e = expected[i];
    auto flag = [&] {
      if (!result.nanMismatch) result.worst = static_cast<int64_t>(i);
      result.nanMismatch = true;
    };
    if (std::isnan(a) || std::isnan(e)) {
      if (std::isnan(a) != std::isnan(e)) flag();
      continue;
    }
    if (std::isinf(a) || std::isinf(e)) {
      if (a != e) {
        if (!result.nanMismatch) result.worst = static_cast<int64_t>(i);
        result.maxAbs = result.maxRel = INFINITY;
      }
      continue;
    }
    double abs = std::fabs(a - e);
    double rel = abs / std::max(std::fabs(e), 1.0);
    result.maxAbs = std::max(result.maxAbs, abs);
    if (!result.nanMismatch && (rel > result.maxRel || result.worst < 0)) {
      result.maxRel = std::max(result.maxRel, rel);
      result.worst = static_cast<int64_t>(i);
    }
  }
  return result;
}

namespace {
DType dtypeOf(const OpCase& c, size_t input) {
  return input < c.dtypes.size() ? c.dtypes[input] : DType::Float32;
}
}  // namespace

std::vector<TensorSpec> inputSpecs(const OpCase& c) {
  std::vector<TensorSpec> specs;
  for (size_t i = 0; i < c.shapes.size(); ++i) specs.push_back({c.shapes[i], dtypeOf(c, i)});
  return specs;
}

std::string describe(const OpCase& c) {
  return describeCall(c.op, inputSpecs(c), c.attrs);
}

std::string OutputCheck::explain(const std::string& label, const OpCase& c, size_t output) const {
  std::ostringstream out;
  out << label << ": " << describe(c) << " output " << output;
  if (!shapeMatches) out << ": shape differs from the reference";
  if (!dtypeMatches) out << ": dtype differs from the reference";
  out << ": max rel error " << comparison.maxRel << " (abs " << comparison.maxAbs << ")";
  if (comparison.nanMismatch) out << ", NaN on one side only";
  auto worst = static_cast<size_t>(comparison.worst);
  if (comparison.worst >= 0 && worst < actual.size() && worst < expected.size())
    out << ", worst at " << worst << ": got " << actual[worst] << " vs reference "
        << expected[worst];
  return out.str();
}

std::vector<OutputCheck> runAgainst(const OpCase& c, Backend& reference, Backend& target,
                                    bool halfInputs) {
  std::vector<std::vector<float>> values;
  for (size_t i = 0; i < c.shapes.size(); ++i) {
    values.push_back(randomValues(c.shapes[i].size(), c.seed * 7919 + i,
                                  i < c.ranges.size() ? c.ranges[i] : Range{}));
    if (halfInputs && dtypeOf(c, i) == DType::Float32)
      for (float& v : values.back()) v = roundToHalf(v);
  }
  auto run = [&](Backend& backend) {
    std::vector<Tensor> inputs;
    for (size_t i = 0; i < c.shapes.size(); ++i) {
      const std::vector<float>& v = values[i];
      switch (dtypeOf(c, i)) {
        case DType::Float32:
          inputs.push_back(tensor(backend, c.shapes[i], v));
          break;
        case DType::Int32: {
          std::vector<int32_t> ints(v.size());
          for (size_t k = 0; k < v.size(); ++k) ints[k] = static_cast<int32_t>(std::lround(v[k]));
          inputs.push_back(tensorInt32(backend, c.shapes[i], ints));
          break;
        }
        case DType::Bool: {
          std::vector<uint8_t> flags(v.size());
          for (size_t k = 0; k < v.size(); ++k) flags[k] = v[k] > 0;
          inputs.push_back(tensorBool(backend, c.shapes[i], flags));
          break;
        }
      }
    }
    return runOp(c.op, inputs, c.attrs);
  };
  std::vector<Tensor> expected = run(reference);
  std::vector<Tensor> actual = run(target);
  if (actual.size() != expected.size()) return {};  // callers check the count
  std::vector<OutputCheck> checks(expected.size());
  for (size_t k = 0; k < expected.size(); ++k) {
    OutputCheck& check = checks[k];
    check.shapeMatches = actual[k].shape() == expected[k].shape();
    check.dtypeMatches = actual[k].dtype() == expected[k].dtype();
    check.actual = actual[k].data();
    check.expected = expected[k].data();
    check.comparison = compare(check.actual, check.expected);
  }
  return checks;
}

}  // namespace texel::verify
