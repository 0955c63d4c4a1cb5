// Gradients: every op with a gradient function is checked on its gradient cases
// (tests/cases/<family>.cpp) against central finite differences on the CPU backend, and
// its GL gradients against the CPU's.
#include <algorithm>

#include "tests/cases/cases.h"
#include "tests/test_support.h"

namespace texel::test {
namespace {

using cases::GradCase;

bool differentiable(const GradCase& c, size_t input) {
  return input >= c.dtypes.size() || c.dtypes[input] == DType::Float32;
}

std::vector<Tensor> inputsFor(const GradCase& c, Backend& b) {
  std::vector<Tensor> inputs;
  for (size_t i = 0; i < c.shapes.size(); ++i) {
    Range r = i < c.ranges.size() ? c.ranges[i] : Range{0.2f, 2.0f, true};  // away from kinks
    std::vector<float> v = randomValues(c.shapes[i].size(), 31 + i, r);
    if (!differentiable(c, i)) {  // indices and conditions, as verify makes them
      DType dtype = c.dtypes[i];
      for (float& x : v) x = dtype == DType::Bool ? (x > 0 ? 1.0f : 0.0f) : std::round(x);
      Tensor t = dtype == DType::Bool ? cast(tensor(b, c.shapes[i], v), DType::Bool)
                                      : cast(tensor(b, c.shapes[i], v), DType::Int32);
      inputs.push_back(t);
      continue;
    }
    if (c.spaced) {
      std::vector<float> order = v;
      std::sort(order.begin(), order.end());
      for (float& x : v)
        x = 0.1f *
            static_cast<float>(std::lower_bound(order.begin(), order.end(), x) - order.begin());
    }
    inputs.push_back(tensor(b, c.shapes[i], v));
  }
  return inputs;
}

// loss = sum(w * op(inputs)) with fixed random weights w, so every output element
// gets its own seed gradient.
Tensor lossOf(const GradCase& c, const std::vector<Tensor>& inputs) {
  Tensor total;
  uint64_t seed = 97;
  for (const Tensor& y : runOp(c.op, inputs, c.attrs)) {
    if (y.dtype() != DType::Float32) continue;  // topK's indices
    Tensor w = tensor(y.backend(), y.shape(), randomValues(y.size(), seed++, {-1.0f, 1.0f}));
    Tensor part = sum(mul(y, w));
    total = total.defined() ? add(total, part) : part;
  }
  return total;
}

double lossValue(const GradCase& c, std::vector<Tensor> inputs,
                 const std::vector<std::vector<float>>& values) {
  for (size_t i = 0; i < values.size(); ++i)
    if (differentiable(c, i)) inputs[i] = tensor(cpu(), c.shapes[i], values[i]);
  return lossOf(c, inputs).data()[0];
}

void checkGradient(const GradCase& c) {
  CAPTURE(c.op);
  std::string what = describeCall(
      c.op,
      [&] {
        std::vector<TensorSpec> specs;
        for (const Shape& s : c.shapes) specs.push_back({s});
        return specs;
      }(),
      c.attrs);
  std::vector<Tensor> cpuInputs = inputsFor(c, cpu());
  std::vector<Tensor> analytic =
      grads([&](const std::vector<Tensor>& xs) { return lossOf(c, xs); }, cpuInputs);
  // Central differences on the CPU reference.
  std::vector<std::vector<float>> values;
  for (const Tensor& t : cpuInputs) values.push_back(t.data());
  for (size_t i = 0; i < values.size(); ++i) {
    if (!differentiable(c, i)) continue;
    std::vector<float> g = analytic[i].data();
    for (size_t k = 0; k < values[i].size(); ++k) {
      float x = values[i][k];
      float h = c.spaced ? 1e-2f : 1e-2f * std::max(1.0f, std::fabs(x));
      values[i][k] = x + h;
      double up = lossValue(c, cpuInputs, values);
      values[i][k] = x - h;
      double down = lossValue(c, cpuInputs, values);
      values[i][k] = x;
      double numeric = (up - down) / (2.0 * h);
      CHECK_MESSAGE(std::fabs(numeric - g[k]) <= 2e-2 * std::max(1.0, std::fabs(numeric)), what,
                    ": d/dinput", i, "[", k, "] analytic ", g[k], " numeric ", numeric);
    }
  }
  // The same gradients computed on GL.
  std::vector<Tensor> glInputs;
  for (const Tensor& t : cpuInputs) glInputs.push_back(t.to(gl()));
  std::vector<Tensor> onGl =
      grads([&](const std::vector<Tensor>& xs) { return lossOf(c, xs); }, glInputs);
  for (size_t i = 0; i < onGl.size(); ++i) {
    if (!differentiable(c, i)) continue;
    CHECK(&onGl[i].backend() == static_cast<Backend*>(&gl()));
    Comparison cmp = compare(onGl[i].data(), analytic[i].data());
    CHECK_MESSAGE(cmp.within(1e-4), what, ": GL gradient of input ", i, " differs by ", cmp.maxRel);
  }
  // And on the SIMD CPU backend, one and two threads: the same values, bit for bit.
  std::vector<std::vector<float>> bySimd;
  for (CpuBackend* simd : simdBackends()) {
    std::vector<Tensor> simdInputs;
    for (const Tensor& t : cpuInputs) simdInputs.push_back(t.to(*simd));
    std::vector<Tensor> onSimd =
        grads([&](const std::vector<Tensor>& xs) { return lossOf(c, xs); }, simdInputs);
    for (size_t i = 0; i < onSimd.size(); ++i) {
      if (!differentiable(c, i)) continue;
      Comparison cmp = compare(onSimd[i].data(), analytic[i].data());
      CHECK_MESSAGE(cmp.within(1e-4), what, ": ", simd->name(), " (", simd->threads(),
                    " threads) gradient of input ", i, " differs by ", cmp.maxRel);
      bySimd.push_back(onSimd[i].data());
    }
  }
  for (size_t k = 0; k < bySimd.size() / 2; ++k)
    CHECK_MESSAGE(bySimd[k] == bySimd[k + bySimd.size() / 2], what,
                  ": the SIMD gradient depends on the thread count");
}

TEST_CASE("every op's gradient matches finite differences on its cases, on CPU, GL and SIMD") {
  for (const OpDef& def : OpRegistry::instance().all()) {
    const cases::OpCases* entry = cases::table().find(def.name);
    if (!entry) continue;
    for (const GradCase& c : entry->gradient) checkGradient(c);
  }
}

TEST_CASE("where's gradient flows to the chosen branch, none through the comparison") {
  GradCase whereCase{"where", {{2, 3}, {2, 3}, {3}}};
  // where's condition is bool: differentiate through a wrapper that builds it.
  std::vector<Tensor> in = inputsFor(whereCase, cpu());
  std::vector<Tensor> g = grads(
      [](const std::vector<Tensor>& xs) {
        Tensor c = greater(xs[0], fill(xs[0].backend(), {}, 0.0f));
        return sum(mul(where(c, xs[1], xs[2]), fill(xs[0].backend(), {}, 3.0f)));
      },
      in);
  std::vector<float> x = in[0].data(), ga = g[1].data(), gb = g[2].data();
  for (size_t k = 0; k < x.size(); ++k) CHECK(ga[k] == (x[k] > 0 ? 3.0f : 0.0f));
  float expectB0 = 3.0f * ((x[0] <= 0) + (x[3] <= 0));
  CHECK(gb[0] == expectB0);
  CHECK(g[0].data() == std::vector<float>(6, 0.0f));  // through the comparison: none
}

TEST_CASE("matMul's gradient skips the product for an operand that is not a source") {
  // A model's first dense layer: its input needs no gradient, and computing it would
  // cost as many multiply-adds as the forward pass.
  Tensor x = tensor(gl(), {37, 45}, randomValues(37 * 45, 11));
  Tensor w = tensor(gl(), {45, 9}, randomValues(45 * 9, 12));
  int64_t start = gl().stats().passCount;
  std::vector<Tensor> onlyW =
      grads([&](const std::vector<Tensor>& s) { return sum(matMul(x, s[0])); }, {w});
  int64_t mid = gl().stats().passCount;
  std::vector<Tensor> both =
      grads([](const std::vector<Tensor>& s) { return sum(matMul(s[0], s[1])); }, {x, w});
  int64_t end = gl().stats().passCount;
  CHECK((end - mid) - (mid - start) == 1);  // the input gradient's product, one pass
  std::vector<float> a = onlyW[0].data(), b = both[1].data();
  REQUIRE(a.size() == b.size());
  for (size_t k = 0; k < a.size(); ++k) CHECK(a[k] == b[k]);
}

TEST_CASE("gather's gradient scatters and adds, on CPU and GL") {
  std::vector<int32_t> idx = {2, 0, 2, 7, -1};  // a repeat and two out-of-range indices
  for (Backend* b : {static_cast<Backend*>(&cpu()), static_cast<Backend*>(&gl())}) {
    Tensor table = tensor(*b, {4, 2}, std::vector<float>(8, 1.0f));
    Tensor weights = tensor(*b, {5, 2}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
    std::vector<Tensor> g = grads(
        [&](const std::vector<Tensor>& xs) {
          return sum(mul(gather(xs[0], tensorInt32(*b, {5}, idx)), weights));
        },
        {table});
    CHECK(g[0].data() == std::vector<float>{3, 4, 0, 0, 6, 8, 0, 0});
  }
}

TEST_CASE("the tape: sources, reuse, nesting, inner steps and missing gradients") {
  Tensor x = tensor(gl(), {3}, {1, 2, 3});
  Tensor unused = tensor(gl(), {2}, {5, 5});
  {
    GradientTape tape;
    Tensor y = sum(mul(x, x));  // a tensor used twice: gradients add up
    std::vector<Tensor> g = tape.gradient(y, {x, unused});
    CHECK(g[0].data() == std::vector<float>{2, 4, 6});
    CHECK(g[1].data() == std::vector<float>{0, 0});
    CHECK(tape.gradient(y, {x})[0].data() == std::vector<float>{2, 4, 6});  // again
  }
  {
    // logSumExp's GL kernel runs max, sub, exp, sum, log and add inside: one entry.
    GradientTape tape;
    logSumExp(x);
    CHECK(tape.recordedOps() == 1);
  }
  {
    // Second derivative: d/dx (d/dx x^3) = 6x.
    GradientTape outer;
    Tensor firstDerivative;
    {
      GradientTape inner;
      Tensor y = sum(mul(x, mul(x, x)));
      firstDerivative = inner.gradient(y, {x})[0];  // 3x^2
    }
    Tensor second = outer.gradient(sum(firstDerivative), {x})[0];
    CHECK(second.data() == std::vector<float>{6, 12, 18});
  }
  {
    GradientTape tape;
    Tensor boxes = tensor(x.backend(), {1, 4}, {0, 0, 1, 1});
    Tensor y = sum(cropAndResize(reshape(x, {1, 1, -1, 1}), boxes,
                                 tensorInt32(x.backend(), {1}, std::vector<int32_t>{0}), {2, 2}));
    CHECK_THROWS_WITH_AS(tape.gradient(y, {x}), doctest::Contains("'cropAndResize'"), Error);
  }
  CHECK(hasGradient("matMul"));
  CHECK_FALSE(hasGradient("cropAndResize"));
}

}  // namespace
}  // namespace texel::test
