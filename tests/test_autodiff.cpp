// Gradients: every op with a gradient function is checked against central finite
// differences on the CPU backend, and its GL gradients against the CPU's.
#include <algorithm>

#include "tests/test_support.h"

namespace texel::test {
namespace {

struct GradCase {
  std::string op;
  std::vector<Shape> shapes;
  Attrs attrs = {};
  std::vector<Range> ranges = {};
  // Inputs are a shuffle of values 0.1 apart, so that a finite-difference step never
  // changes which element is the maximum (maxPool).
  bool spaced = false;
};

std::vector<Tensor> inputsFor(const GradCase& c, Backend& b) {
  std::vector<Tensor> inputs;
  for (size_t i = 0; i < c.shapes.size(); ++i) {
    Range r = i < c.ranges.size() ? c.ranges[i] : Range{0.2f, 2.0f, true};  // away from kinks
    std::vector<float> v = randomValues(c.shapes[i].size(), 31 + i, r);
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

double lossValue(const GradCase& c, const std::vector<std::vector<float>>& values) {
  std::vector<Tensor> inputs;
  for (size_t i = 0; i < values.size(); ++i)
    inputs.push_back(tensor(cpu(), c.shapes[i], values[i]));
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
    std::vector<float> g = analytic[i].data();
    for (size_t k = 0; k < values[i].size(); ++k) {
      float x = values[i][k];
      float h = c.spaced ? 1e-2f : 1e-2f * std::max(1.0f, std::fabs(x));
      values[i][k] = x + h;
      double up = lossValue(c, values);
      values[i][k] = x - h;
      double down = lossValue(c, values);
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
    CHECK(&onGl[i].backend() == static_cast<Backend*>(&gl()));
    Comparison cmp = compare(onGl[i].data(), analytic[i].data());
    CHECK_MESSAGE(cmp.within(1e-4), what, ": GL gradient of input ", i, " differs by ", cmp.maxRel);
  }
}

TEST_CASE("gradients of elementwise ops match finite differences, on CPU and GL") {
  for (const char* op : {"abs", "neg",   "square",     "sqrt",    "rsqrt",     "exp",      "expm1",
                         "log", "log1p", "reciprocal", "sigmoid", "tanh",      "softplus", "sin",
                         "cos", "relu",  "relu6",      "elu",     "leakyRelu", "floor"}) {
    std::vector<Range> ranges;
    if (std::string(op) == "sqrt" || std::string(op) == "rsqrt" || std::string(op) == "log" ||
        std::string(op) == "log1p")
      ranges = {{0.5f, 3.0f}};
    if (std::string(op) == "floor") ranges = {{0.2f, 0.8f}};  // away from the steps
    checkGradient({op, {{2, 3}}, {}, ranges});
  }
  for (const char* op : {"sinh", "cosh", "atan", "erf", "gelu"}) checkGradient({op, {{2, 3}}});
  for (const char* op : {"tan", "asin", "acos"}) checkGradient({op, {{2, 3}}, {}, {{-0.8f, 0.8f}}});
  checkGradient({"selu", {{2, 3}}, {}, {{0.1f, 2.0f, true}}});  // away from the kink at 0
  checkGradient({"clipByValue",
                 {{7}},
                 Attrs().setFloat("clipValueMin", -1).setFloat("clipValueMax", 1),
                 {{0.1f, 1.9f, true}}});
  for (const char* op :
       {"add", "sub", "mul", "div", "squaredDifference", "maximum", "minimum", "prelu"}) {
    checkGradient({op, {{2, 3}, {2, 3}}});
    checkGradient({op, {{2, 3}, {3}}});     // broadcast b
    checkGradient({op, {{2, 1}, {1, 3}}});  // both broadcast
  }
  checkGradient({"pow", {{2, 3}, {2, 3}}, {}, {{0.5f, 2.0f}, {-2.0f, 2.0f}}});
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

TEST_CASE("gradients of matMul, fused matMul, reductions, softmax and shape ops") {
  for (bool ta : {false, true})
    for (bool tb : {false, true}) {
      Shape a = ta ? Shape{4, 3} : Shape{3, 4};
      Shape b = tb ? Shape{5, 4} : Shape{4, 5};
      checkGradient(
          {"matMul", {a, b}, Attrs().setBool("transposeA", ta).setBool("transposeB", tb)});
    }
  checkGradient({"matMul", {{2, 3, 4}, {4, 2}}});  // batch broadcast
  checkGradient({"matMul", {{2, 1, 3, 4}, {3, 4, 2}}});
  checkGradient({"fusedMatMul", {{3, 4}, {4, 5}, {5}}, Attrs().setString("activation", "relu")});
  checkGradient({"fusedMatMul",
                 {{3, 4}, {4, 5}, {3, 5}},
                 Attrs().setString("activation", "sigmoid").setBool("transposeB", false)});
  for (const char* op : {"sum", "mean", "max", "min", "logSumExp"}) {
    checkGradient({op, {{3, 4}}, Attrs().setInts("axes", {1})});
    checkGradient({op, {{2, 3, 4}}, Attrs().setInts("axes", {0, 2}).setBool("keepDims", true)});
    checkGradient({op, {{5}}});
  }
  for (const char* op : {"softmax", "logSoftmax"}) {
    checkGradient({op, {{3, 5}}});
    checkGradient({op, {{3, 4, 2}}, Attrs().setInt("axis", 1)});
  }
  auto window = [](int stride, const char* padding, int dilation) {
    return Attrs()
        .setInts("strides", {stride, stride})
        .setString("padding", padding)
        .setInts("dilations", {dilation, dilation});
  };
  checkGradient({"conv2d", {{1, 5, 5, 2}, {3, 3, 2, 3}}, window(1, "valid", 1)});
  checkGradient({"conv2d", {{2, 6, 5, 3}, {3, 2, 3, 2}}, window(2, "same", 1)});
  checkGradient({"conv2d", {{1, 7, 7, 1}, {2, 2, 1, 2}}, window(1, "valid", 2)});
  checkGradient({"conv2d", {{5, 5, 2}, {3, 3, 2, 2}}, window(1, "same", 1)});  // no batch
  checkGradient({"fusedConv2d",
                 {{1, 4, 4, 2}, {3, 3, 2, 3}, {3}},
                 window(1, "same", 1).setString("activation", "relu")});
  checkGradient({"depthwiseConv2d", {{1, 5, 5, 2}, {3, 3, 2, 1}}, window(1, "valid", 1)});
  checkGradient({"depthwiseConv2d", {{2, 6, 5, 3}, {3, 2, 3, 2}}, window(2, "same", 1)});
  checkGradient({"depthwiseConv2d", {{1, 7, 7, 2}, {2, 2, 2, 2}}, window(1, "valid", 2)});
  checkGradient(
      {"separableConv2d", {{1, 6, 6, 2}, {3, 3, 2, 2}, {1, 1, 4, 3}}, window(1, "same", 1)});
  auto transposed = [](std::vector<int64_t> outShape, int stride, const char* padding) {
    return Attrs()
        .setInts("outputShape", std::move(outShape))
        .setInts("strides", {stride, stride})
        .setString("padding", padding);
  };
  checkGradient(
      {"conv2dTranspose", {{1, 3, 3, 2}, {3, 3, 4, 2}}, transposed({1, 5, 5, 4}, 1, "valid")});
  checkGradient(
      {"conv2dTranspose", {{2, 3, 3, 3}, {3, 3, 2, 3}}, transposed({2, 6, 6, 2}, 2, "same")});
  checkGradient({"conv1d", {{1, 8, 2}, {3, 2, 2}}, Attrs().setInt("stride", 2)});
  auto pool = [](int size, int stride, const char* padding) {
    return Attrs()
        .setInts("filterSize", {size, size})
        .setInts("strides", {stride, stride})
        .setString("padding", padding);
  };
  for (const char* op : {"maxPool", "avgPool"}) {
    checkGradient({op, {{1, 4, 4, 2}}, pool(2, 2, "valid"), {}, true});
    checkGradient({op, {{2, 5, 5, 3}}, pool(3, 2, "same"), {}, true});
    checkGradient({op, {{1, 5, 4, 1}}, pool(2, 1, "same"), {}, true});  // overlapping windows
  }
  checkGradient({"reshape", {{2, 6}}, Attrs().setInts("shape", {3, 4})});
  checkGradient({"slice", {{4, 5}}, Attrs().setInts("begin", {1, 2}).setInts("size", {2, 3})});
  checkGradient(
      {"pad", {{2, 3}}, Attrs().setInts("paddings", {1, 0, 2, 1}).setFloat("constantValue", 2)});
  checkGradient({"concat", {{2, 3}, {2, 1}, {2, 2}}, Attrs().setInt("axis", 1)});
  checkGradient({"stack", {{3}, {3}}, Attrs().setInt("axis", 1)});
  checkGradient({"split", {{4, 2}}, Attrs().setInt("numSplits", 2)});
  checkGradient({"reverse", {{2, 3}}, Attrs().setInts("axes", {1})});
  checkGradient({"tile", {{2, 3}}, Attrs().setInts("reps", {2, 3})});
  // Data movement through the index map: elements copied several times get summed.
  auto padding = [](std::vector<int64_t> p, const char* mode) {
    return Attrs().setInts("paddings", std::move(p)).setString("mode", mode);
  };
  checkGradient({"pad", {{3, 5}}, padding({2, 2, 4, 3}, "reflect")});
  checkGradient({"pad", {{3, 4}}, padding({3, 1, 2, 4}, "symmetric")});
  checkGradient(
      {"stridedSlice",
       {{7, 9}},
       Attrs().setInts("begin", {-1, 0}).setInts("end", {0, 9}).setInts("strides", {-2, 2})});
  checkGradient({"resizeNearestNeighbor", {{1, 3, 4, 2}}, Attrs().setInts("size", {7, 5})});
  checkGradient({"resizeBilinear", {{2, 3, 4, 2}}, Attrs().setInts("size", {7, 5})});
  checkGradient({"resizeBilinear",
                 {{5, 6, 3}},
                 Attrs().setInts("size", {3, 4}).setBool("halfPixelCenters", true)});
  checkGradient({"resizeBilinear",
                 {{1, 4, 3, 1}},
                 Attrs().setInts("size", {6, 6}).setBool("alignCorners", true)});
  checkGradient({"cumsum", {{3, 5}}, Attrs().setInt("axis", 1)});
  checkGradient({"cumsum", {{4, 3}}, Attrs().setBool("exclusive", true).setBool("reverse", true)});
  checkGradient({"atan2", {{2, 3}, {2, 3}}, {}, {{-1.0f, 1.0f}, {0.5f, 2.0f, true}}});
  // Away from mod's jumps: a in (0.1, 0.9) * b keeps floor(a / b) constant nearby.
  checkGradient({"mod", {{2, 3}, {2, 3}}, {}, {{0.2f, 0.8f}, {1.0f, 1.0f}}});
  checkGradient({"floorDiv", {{5}, {5}}, {}, {{0.2f, 0.8f}, {1.0f, 1.0f}}});
  checkGradient({"prod", {{3, 4}}, Attrs().setInts("axes", {1}), {{0.5f, 1.5f, true}}});
  checkGradient({"prod", {{2, 3, 2}}, Attrs().setInts("axes", {0, 2}), {{0.5f, 1.5f, true}}});
  checkGradient({"topK", {{3, 7}}, Attrs().setInt("k", 3), {{-1.0f, 1.0f}}, true});
  checkGradient({"batchNorm",
                 {{3, 4}, {4}, {4}, {4}, {4}},
                 Attrs().setBool("hasOffset", true).setBool("hasScale", true),
                 {{}, {}, {0.5f, 2.0f}}});
  checkGradient({"batchNorm", {{2, 3}, {2, 3}, {3}}, {}, {{}, {}, {0.5f, 2.0f}}});
  checkGradient({"transpose", {{2, 3, 4}}, Attrs().setInts("perm", {2, 0, 1})});
  checkGradient({"broadcastTo", {{3, 1}}, Attrs().setInts("shape", {2, 3, 4})});
  // Compositions differentiate through their inner ops.
  checkGradient({"dot", {{3, 4}, {4}}});
  checkGradient({"outerProduct", {{3}, {4}}});
  checkGradient({"expandDims", {{3, 4}}, Attrs().setInt("axis", 1)});
  checkGradient({"globalAvgPool", {{1, 3, 3, 2}}});
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
