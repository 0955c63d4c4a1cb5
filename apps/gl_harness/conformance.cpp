#include "apps/gl_harness/conformance.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <exception>

#include "engine/core/error.h"
#include "engine/core/registry.h"
#include "engine/gl/layout.h"

namespace texel::harness {

namespace {

using verify::OpCase;
using verify::Range;

// Sizes that break naive kernels: scalars, 1, odd, one past a texel, past one texture row.
const std::vector<Shape> kAwkward = {{}, {1}, {3}, {5}, {4097}, {2, 3}, {3, 5, 7}, {2, 1, 4, 9}};

Attrs windowAttrs(int stride, const char* padding, int dilation) {
  return Attrs()
      .setInts("strides", {stride, stride})
      .setString("padding", padding)
      .setInts("dilations", {dilation, dilation});
}

bool oneOf(const std::string& op, std::initializer_list<const char*> names) {
  for (const char* name : names)
    if (op == name) return true;
  return false;
}

std::vector<OpCase> unaryCases(const std::string& op) {
  Range range{-4.0f, 4.0f};
  if (oneOf(op, {"log", "sqrt", "rsqrt"})) range = {0.01f, 10.0f};
  if (op == "log1p") range = {-0.99f, 10.0f};
  if (oneOf(op, {"acos", "asin"})) range = {-1.0f, 1.0f};
  if (op == "tan") range = {-1.4f, 1.4f};
  if (op == "reciprocal") range = {0.1f, 4.0f, true};
  Attrs attrs;
  if (op == "leakyRelu") attrs.setFloat("alpha", 0.1);
  if (op == "clipByValue") attrs.setFloat("clipValueMin", -1.0).setFloat("clipValueMax", 2.0);
  std::vector<DType> dtypes;
  if (op == "logicalNot") dtypes = {DType::Bool};
  std::vector<OpCase> cases;
  for (const Shape& s : kAwkward) cases.push_back({op, {s}, attrs, {range}, 1e-4, 1, dtypes});
  if (oneOf(op, {"abs", "neg", "square", "sign"}))  // int32 arithmetic, exact
    for (const Shape& s : {Shape{5}, Shape{4097}, Shape{3, 5}})
      cases.push_back({op, {s}, {}, {{-999.0f, 999.0f}}, 0.0, 1, {DType::Int32}});
  return cases;
}

std::vector<OpCase> broadcastCases(const std::string& op) {
  std::vector<Range> ranges = {{-2.0f, 2.0f}, {-2.0f, 2.0f}};
  if (oneOf(op, {"div", "floorDiv", "mod"})) ranges[1] = {0.5f, 2.0f, true};
  if (op == "pow") ranges = {{0.1f, 3.0f}, {-3.0f, 3.0f}};
  std::vector<DType> dtypes;
  if (oneOf(op, {"logicalAnd", "logicalOr"})) dtypes = {DType::Bool, DType::Bool};
  bool compare = oneOf(op, {"equal", "notEqual", "less", "lessEqual", "greater", "greaterEqual"});
  std::vector<std::pair<Shape, Shape>> pairs = {
      {{}, {}},           {{5}, {5}},          {{4097}, {1}}, {{3, 5}, {5}},
      {{3, 1}, {1, 7}},   {{2, 3, 5}, {3, 1}}, {{}, {2, 3}},  {{2, 1, 3, 1, 5}, {4, 1, 6, 1}},
      {{65, 33}, {65, 1}}};
  std::vector<OpCase> cases;
  for (const auto& [a, b] : pairs) {
    cases.push_back({op, {a, b}, {}, ranges, 1e-4, 1, dtypes});
    // int32 arithmetic is exact; divisors include 0 (integer division by 0 gives 0).
    if (oneOf(op, {"add", "sub", "mul", "div", "floorDiv", "mod", "maximum", "minimum",
                   "squaredDifference"}))
      cases.push_back({op,
                       {a, b},
                       {},
                       {{-999.0f, 999.0f}, {-9.0f, 9.0f}},
                       0.0,
                       1,
                       {DType::Int32, DType::Int32}});
    // Small integers make equal, less... true often enough to matter.
    if (compare)
      cases.push_back(
          {op, {a, b}, {}, {{-3.0f, 3.0f}, {-3.0f, 3.0f}}, 0.0, 1, {DType::Int32, DType::Int32}});
  }
  return cases;
}

std::vector<OpCase> whereCases() {
  std::vector<OpCase> cases;
  for (const std::vector<Shape>& shapes : std::vector<std::vector<Shape>>{
           {{5}, {5}, {5}}, {{3, 1}, {1, 5}, {3, 5}}, {{}, {4097}, {1}}, {{2, 3, 5}, {5}, {3, 1}}})
    cases.push_back(
        {"where", shapes, {}, {}, 0.0, 1, {DType::Bool, DType::Float32, DType::Float32}});
  return cases;
}

std::vector<OpCase> matMulCases() {
  std::vector<OpCase> cases;
  for (bool ta : {false, true})
    for (bool tb : {false, true})
      for (auto [m, k, n] : std::vector<std::array<int64_t, 3>>{
               {1, 1, 1}, {3, 5, 7}, {17, 33, 9}, {64, 64, 64}, {1, 257, 5}}) {
        Shape a = ta ? Shape{k, m} : Shape{m, k};
        Shape b = tb ? Shape{n, k} : Shape{k, n};
        cases.push_back(
            {"matMul", {a, b}, Attrs().setBool("transposeA", ta).setBool("transposeB", tb)});
      }
  cases.push_back({"matMul", {{3, 5, 7}, {7, 2}}});
  cases.push_back({"matMul", {{2, 1, 3, 5}, {3, 5, 6}}});
  return cases;
}

std::vector<OpCase> convCases() {
  std::vector<OpCase> cases;
  cases.push_back({"conv2d", {{1, 5, 5, 1}, {3, 3, 1, 1}}, windowAttrs(1, "valid", 1)});
  cases.push_back({"conv2d", {{2, 9, 7, 3}, {3, 3, 3, 5}}, windowAttrs(1, "same", 1)});
  cases.push_back({"conv2d", {{1, 11, 13, 6}, {3, 2, 6, 7}}, windowAttrs(2, "same", 1)});
  cases.push_back({"conv2d", {{1, 12, 12, 4}, {3, 3, 4, 8}}, windowAttrs(1, "valid", 2)});
  cases.push_back({"conv2d", {{1, 28, 28, 1}, {3, 3, 1, 8}}, windowAttrs(1, "valid", 1)});
  return cases;
}

std::vector<OpCase> nnCases(const std::string& op) {
  std::vector<OpCase> cases;
  auto add = [&](std::vector<Shape> shapes, Attrs attrs, std::vector<Range> ranges = {}) {
    cases.push_back({op, std::move(shapes), std::move(attrs), std::move(ranges)});
  };
  if (op == "fusedMatMul") {
    auto fused = [](const char* activation, bool ta = false, bool tb = false) {
      return Attrs()
          .setString("activation", activation)
          .setBool("transposeA", ta)
          .setBool("transposeB", tb)
          .setFloat("leakyreluAlpha", 0.3);
    };
    add({{3, 5}, {5, 7}, {7}}, fused("relu"));
    add({{1, 257}, {257, 10}, {10}}, fused("linear"));
    add({{17, 33}, {9, 33}, {}}, fused("sigmoid", false, true));
    add({{2, 4, 6}, {6, 5}, {4, 1}}, fused("elu"));  // a bias that needs its own pass
    add({{5, 3}, {5, 6}}, fused("leakyrelu", true));
    add({{4, 4}, {4, 4}, {4}}, fused("relu6"));
    add({{4, 9}, {9, 3}, {3}}, fused("tanh"));
  } else if (op == "dot") {
    add({{5}, {5}}, {});
    add({{3, 5}, {5}}, {});
    add({{5}, {5, 4}}, {});
    add({{3, 4097}, {4097, 2}}, {});
  } else if (op == "outerProduct") {
    add({{1}, {1}}, {});
    add({{5}, {7}}, {});
    add({{4097}, {3}}, {});
  } else if (op == "fusedConv2d") {
    Attrs a = windowAttrs(1, "same", 1).setString("activation", "relu");
    add({{2, 9, 7, 3}, {3, 3, 3, 5}, {5}}, a);
    add({{1, 28, 28, 1}, {3, 3, 1, 8}, {8}},
        windowAttrs(1, "valid", 1).setString("activation", "relu"));
    add({{1, 11, 13, 6}, {3, 2, 6, 7}},
        windowAttrs(2, "same", 1).setString("activation", "sigmoid"));
    add({{1, 5, 5, 2}, {3, 3, 2, 4}, {5, 1, 4}}, windowAttrs(1, "same", 1));
  } else if (op == "depthwiseConv2d") {
    add({{1, 5, 5, 1}, {3, 3, 1, 1}}, windowAttrs(1, "valid", 1));
    add({{2, 9, 7, 3}, {3, 3, 3, 2}}, windowAttrs(1, "same", 1));
    add({{1, 11, 13, 8}, {3, 2, 8, 1}}, windowAttrs(2, "same", 1));
    add({{1, 12, 12, 5}, {3, 3, 5, 3}}, windowAttrs(1, "valid", 2));
  } else if (op == "separableConv2d") {
    add({{1, 8, 8, 3}, {3, 3, 3, 2}, {1, 1, 6, 5}}, windowAttrs(1, "same", 1));
    add({{2, 9, 7, 4}, {3, 3, 4, 1}, {1, 1, 4, 7}}, windowAttrs(2, "valid", 1));
  } else if (op == "conv2dTranspose") {
    auto t = [](std::vector<int64_t> outShape, int stride, const char* padding) {
      return Attrs()
          .setInts("outputShape", std::move(outShape))
          .setInts("strides", {stride, stride})
          .setString("padding", padding);
    };
    add({{1, 3, 3, 2}, {3, 3, 4, 2}}, t({1, 5, 5, 4}, 1, "valid"));
    add({{2, 4, 4, 3}, {3, 3, 5, 3}}, t({2, 8, 8, 5}, 2, "same"));
    add({{1, 5, 6, 4}, {2, 3, 1, 4}}, t({1, 10, 12, 1}, 2, "same"));
    add({{1, 13, 13, 8}, {3, 3, 1, 8}}, t({1, 28, 28, 1}, 2, "valid"));
  } else if (op == "conv2dFilterGrad") {
    auto g = [](std::vector<int64_t> filter, int stride, const char* padding, int dilation) {
      return windowAttrs(stride, padding, dilation).setInts("filterShape", std::move(filter));
    };
    add({{1, 5, 5, 2}, {1, 3, 3, 4}}, g({3, 3, 2, 4}, 1, "valid", 1));
    add({{2, 9, 7, 3}, {2, 5, 4, 5}}, g({3, 3, 3, 5}, 2, "same", 1));
    add({{1, 12, 12, 4}, {1, 8, 8, 8}}, g({3, 3, 4, 8}, 1, "valid", 2));
    add({{4, 28, 28, 1}, {4, 26, 26, 8}}, g({3, 3, 1, 8}, 1, "valid", 1));
    add({{32, 28, 28, 1}, {32, 26, 26, 2}}, g({3, 3, 1, 2}, 1, "valid", 1));  // two passes
  } else if (op == "conv1d") {
    auto c = [](int stride, const char* padding, int dilation) {
      return Attrs()
          .setInt("stride", stride)
          .setString("padding", padding)
          .setInt("dilation", dilation);
    };
    add({{2, 20, 3}, {3, 3, 5}}, c(1, "valid", 1));
    add({{17, 8}, {5, 8, 4}}, c(2, "same", 1));
    add({{1, 50, 16}, {4, 16, 6}}, c(1, "same", 2));
  } else if (op == "globalAvgPool" || op == "globalMaxPool") {
    add({{1, 5, 5, 1}}, {});
    add({{2, 7, 9, 5}}, {});
    add({{13, 11, 4097}}, {});
  } else if (op == "batchNorm") {
    auto bn = [](bool offset, bool scale) {
      return Attrs()
          .setBool("hasOffset", offset)
          .setBool("hasScale", scale)
          .setFloat("varianceEpsilon", 1e-3);
    };
    Range variance{0.1f, 2.0f};
    add({{2, 5, 5, 3}, {3}, {3}, {3}, {3}}, bn(true, true), {{}, {}, variance});
    add({{4097}, {}, {}, {}}, bn(false, true), {{}, {}, variance});
    add({{3, 7}, {7}, {1}, {7}}, bn(true, false), {{}, {}, variance});
    add({{3, 7}, {3, 1}, {3, 1}}, bn(false, false), {{}, {}, variance});  // not per channel
  }
  return cases;
}

std::vector<OpCase> imageCases(const std::string& op) {
  std::vector<OpCase> cases;
  if (op == "cropAndResize") {
    auto crop = [&](Shape image, int64_t boxes, std::vector<int64_t> size, const char* method,
                    float maxIndex) {
      cases.push_back({op,
                       {image, {boxes, 4}, {boxes}},
                       Attrs()
                           .setInts("cropSize", size)
                           .setString("method", method)
                           .setFloat("extrapolationValue", -1.0),
                       {{}, {-0.2f, 1.2f}, {-0.49f, maxIndex}},
                       1e-4,
                       1,
                       {DType::Float32, DType::Float32, DType::Int32}});
    };
    crop({1, 8, 8, 3}, 3, {5, 5}, "bilinear", 0.4f);
    crop({2, 9, 7, 5}, 6, {4, 3}, "bilinear", 2.4f);  // index 2 is outside the batch
    crop({2, 9, 7, 4}, 5, {1, 6}, "nearest", 1.4f);
    crop({1, 28, 28, 1}, 2, {14, 14}, "bilinear", 0.4f);
    return cases;
  }
  auto resize = [](std::vector<int64_t> size, bool align, bool half) {
    return Attrs()
        .setInts("size", size)
        .setBool("alignCorners", align)
        .setBool("halfPixelCenters", half);
  };
  for (auto [align, half] :
       std::vector<std::pair<bool, bool>>{{false, false}, {true, false}, {false, true}}) {
    cases.push_back({op, {{1, 5, 5, 1}}, resize({9, 7}, align, half)});
    cases.push_back({op, {{2, 8, 6, 3}}, resize({3, 4}, align, half)});
    cases.push_back({op, {{7, 9, 5}}, resize({1, 1}, align, half)});
    cases.push_back({op, {{1, 28, 28, 1}}, resize({14, 20}, align, half)});
  }
  return cases;
}

Attrs poolAttrs(int size, int stride, const char* padding) {
  return Attrs()
      .setInts("filterSize", {size, size})
      .setInts("strides", {stride, stride})
      .setString("padding", padding);
}

std::vector<OpCase> poolCases(const std::string& op) {
  std::vector<OpCase> cases;
  cases.push_back({op, {{1, 5, 5, 1}}, poolAttrs(2, 2, "valid")});
  cases.push_back({op, {{2, 9, 7, 3}}, poolAttrs(3, 2, "same")});
  cases.push_back({op, {{1, 26, 26, 8}}, poolAttrs(2, 2, "valid")});
  cases.push_back({op, {{1, 7, 7, 5}}, poolAttrs(3, 1, "same")});
  return cases;
}

// maxPoolGrad(x, y, dy) and avgPoolGrad(x, dy). Random x and y are almost never equal,
// so maxPoolGrad also runs with constant x and y, where every tap of every window ties
// and collects the gradient (real maxima are covered by the gradient tests of maxPool).
std::vector<OpCase> poolGradCases(const std::string& op) {
  std::vector<OpCase> cases;
  auto add = [&](Shape x, Shape pooled, Attrs a) {
    std::vector<Shape> shapes = {x};
    if (op == "maxPoolGrad") shapes.push_back(pooled);
    shapes.push_back(pooled);
    cases.push_back({op, shapes, a});
    if (op == "maxPoolGrad") cases.push_back({op, shapes, a, {{1.0f, 1.0f}, {1.0f, 1.0f}}});
  };
  add({1, 4, 4, 2}, {1, 2, 2, 2}, poolAttrs(2, 2, "valid"));
  add({2, 9, 7, 3}, {2, 5, 4, 3}, poolAttrs(3, 2, "same"));
  add({1, 26, 26, 8}, {1, 13, 13, 8}, poolAttrs(2, 2, "valid"));
  add({1, 7, 7, 5}, {1, 7, 7, 5}, poolAttrs(3, 1, "same"));
  return cases;
}

std::vector<OpCase> reduceCases(const std::string& op) {
  std::vector<OpCase> cases;
  auto axes = [](std::vector<int64_t> a, bool keep) {
    return Attrs().setInts("axes", std::move(a)).setBool("keepDims", keep);
  };
  if (op == "argMax" || op == "argMin") {
    for (auto [shape, axis] : std::vector<std::pair<Shape, int64_t>>{
             {{5}, 0}, {{4097}, 0}, {{3, 5}, 0}, {{3, 5}, 1}, {{2, 3, 7}, 1}, {{2, 3, 7}, -1}})
      cases.push_back({op, {shape}, Attrs().setInt("axis", axis), {}, 0.0});
    return cases;
  }
  std::vector<Range> ranges;
  std::vector<DType> dtypes;
  if (op == "prod") ranges = {{0.9f, 1.1f}};  // products of thousands of values stay finite
  if (op == "logSumExp") ranges = {{-10.0f, 10.0f}};
  // Mostly-true inputs, so that all() is not trivially false.
  if (op == "all" || op == "any") ranges = {{op == "all" ? -0.002f : -1.0f, 1.0f}};
  if (op == "all" || op == "any") dtypes = {DType::Bool};
  for (bool keep : {false, true}) {
    cases.push_back({op, {{5}}, axes({0}, keep), ranges, 1e-4, 1, dtypes});
    cases.push_back({op, {{4097}}, axes({0}, keep), ranges, 1e-4, 1, dtypes});
    cases.push_back({op, {{3, 5}}, axes({1}, keep), ranges, 1e-4, 1, dtypes});
    cases.push_back({op, {{3, 5}}, axes({0}, keep), ranges, 1e-4, 1, dtypes});
    cases.push_back({op, {{2, 3, 5, 7}}, axes({1, 3}, keep), ranges, 1e-4, 1, dtypes});
    cases.push_back({op, {{2, 3, 5, 7}}, axes({0, 2}, keep), ranges, 1e-4, 1, dtypes});
  }
  // All axes of a big input: two stages. (Not for prod: a million factors leave float range.)
  if (op != "prod") cases.push_back({op, {{1000, 1001}}, {}, ranges, 1e-4, 1, dtypes});
  cases.push_back({op, {{}}, {}, ranges, 1e-4, 1, dtypes});
  return cases;
}

std::vector<OpCase> softmaxCases(const std::string& op) {
  std::vector<OpCase> cases;
  for (const Shape& s : std::vector<Shape>{{1}, {5}, {3, 10}, {2, 3, 4097}, {64, 10}})
    cases.push_back({op, {s}, {}, {Range{-10.0f, 10.0f}}});
  for (int64_t axis : {0, 1})
    cases.push_back({op, {{3, 5, 7}}, Attrs().setInt("axis", axis), {Range{-10.0f, 10.0f}}});
  return cases;
}

std::vector<OpCase> scanCases(const std::string& op) {
  std::vector<OpCase> cases;
  if (op == "cumsum") {
    auto attrs = [](int64_t axis, bool exclusive, bool reverse) {
      return Attrs()
          .setInt("axis", axis)
          .setBool("exclusive", exclusive)
          .setBool("reverse", reverse);
    };
    for (bool exclusive : {false, true})
      for (bool reverse : {false, true}) {
        cases.push_back({op, {{5}}, attrs(0, exclusive, reverse)});
        cases.push_back({op, {{3, 7}}, attrs(1, exclusive, reverse)});
        cases.push_back({op, {{2, 3, 5}}, attrs(1, exclusive, reverse)});
      }
    cases.push_back({op, {{4097}}, attrs(0, false, false)});
    cases.push_back({op, {{1, 4097}}, attrs(-1, true, true)});
    return cases;
  }
  // topK: small integers make ties common, which must resolve by index on both backends.
  for (auto [shape, k] : std::vector<std::pair<Shape, int64_t>>{
           {{5}, 1}, {{5}, 5}, {{3, 10}, 3}, {{2, 3, 17}, 4}, {{4097}, 7}, {{1}, 0}}) {
    cases.push_back({op, {shape}, Attrs().setInt("k", k), {}, 0.0});
    cases.push_back(
        {op, {shape}, Attrs().setInt("k", k), {Range{-3.0f, 3.0f}}, 0.0, 1, {DType::Int32}});
  }
  return cases;
}

std::vector<OpCase> shapeCases(const std::string& op) {
  std::vector<OpCase> cases;
  if (op == "reshape") {
    for (auto [from, to] : std::vector<std::pair<Shape, Shape>>{{{6}, {2, 3}},
                                                                {{2, 3, 4}, {6, 4}},
                                                                {{2, 3, 5}, {5, 6}},
                                                                {{4097}, {17, 241}},
                                                                {{1, 28, 28, 1}, {1, 784}}})
      cases.push_back({op, {from}, Attrs().setInts("shape", to.dims())});
  } else {
    for (auto [shape, perm] :
         std::vector<std::pair<Shape, std::vector<int64_t>>>{{{3, 5}, {1, 0}},
                                                             {{2, 3, 5}, {2, 0, 1}},
                                                             {{2, 3, 5, 7}, {0, 2, 1, 3}},
                                                             {{4, 1, 3, 2, 5}, {4, 3, 2, 1, 0}},
                                                             {{1, 4097}, {1, 0}}})
      cases.push_back({op, {shape}, Attrs().setInts("perm", perm)});
  }
  return cases;
}

std::vector<OpCase> movementCases(const std::string& op) {
  std::vector<OpCase> cases;
  auto add = [&](std::vector<Shape> shapes, Attrs attrs, std::vector<DType> dtypes = {},
                 std::vector<Range> ranges = {}) {
    cases.push_back(
        {op, std::move(shapes), std::move(attrs), std::move(ranges), 0.0, 1, std::move(dtypes)});
  };
  if (op == "slice") {
    add({{4097}}, Attrs().setInts("begin", {3}).setInts("size", {4001}));
    add({{5, 7}}, Attrs().setInts("begin", {1, 4}).setInts("size", {3, -1}));
    add({{3, 5, 9}}, Attrs().setInts("begin", {0, 1, 4}).setInts("size", {3, 3, 5}));
    add({{2, 3, 4, 5}}, Attrs().setInts("begin", {1}).setInts("size", {1}));
    add({{1}}, Attrs().setInts("begin", {0}).setInts("size", {1}), {DType::Int32});
  } else if (op == "stridedSlice") {
    auto strided = [](std::vector<int64_t> b, std::vector<int64_t> e, std::vector<int64_t> s,
                      int64_t beginMask = 0, int64_t endMask = 0, int64_t shrink = 0) {
      return Attrs()
          .setInts("begin", b)
          .setInts("end", e)
          .setInts("strides", s)
          .setInt("beginMask", beginMask)
          .setInt("endMask", endMask)
          .setInt("shrinkAxisMask", shrink);
    };
    add({{4097}}, strided({1}, {-1}, {3}));
    add({{7, 9}}, strided({-1, 0}, {0, 9}, {-2, 2}));
    add({{7, 9}}, strided({0, 0}, {0, 0}, {-1, -3}, 3, 3));
    add({{3, 5, 6}}, strided({1, 0, 2}, {2, 5, 6}, {1, 2, 1}, 0, 0, 1));
    add({{5}}, strided({-100}, {100}, {1}));
  } else if (op == "reverse") {
    add({{4097}}, Attrs().setInts("axes", {0}));
    add({{3, 5}}, Attrs().setInts("axes", {1}));
    add({{2, 3, 5}}, Attrs().setInts("axes", {0, 2}));
    add({{2, 3, 5}}, Attrs().setInts("axes", {-2}), {DType::Int32}, {{-9.0f, 9.0f}});
    add({{1}}, {});
  } else if (op == "tile") {
    add({{3}}, Attrs().setInts("reps", {5}));
    add({{2, 3}}, Attrs().setInts("reps", {3, 2}));
    add({{2, 1, 5}}, Attrs().setInts("reps", {1, 4, 3}));
    add({{}}, Attrs().setInts("reps", {}));
    add({{1000}}, Attrs().setInts("reps", {5}), {DType::Bool});
  } else if (op == "pad") {
    auto paddings = [](std::vector<int64_t> p, const char* mode, double value = 0.0) {
      return Attrs()
          .setInts("paddings", p)
          .setString("mode", mode)
          .setFloat("constantValue", value);
    };
    add({{5}}, paddings({2, 3}, "constant", 1.5));
    add({{4097}}, paddings({0, 7}, "constant"));
    add({{3, 5}}, paddings({1, 2, 3, 4}, "constant", -2.0));
    add({{3, 5}}, paddings({2, 2, 4, 3}, "reflect"));
    add({{3, 5}}, paddings({3, 1, 5, 5}, "symmetric"));
    add({{2, 3, 4, 5}}, paddings({1, 0, 0, 2, 3, 3, 1, 1}, "reflect"));
    add({{28, 28, 1}}, paddings({2, 2, 2, 2, 0, 0}, "constant"));
  } else if (op == "broadcastTo") {
    add({{}}, Attrs().setInts("shape", {3, 5}));
    add({{5}}, Attrs().setInts("shape", {3, 5}));
    add({{3, 1}}, Attrs().setInts("shape", {2, 3, 4097}));
    add({{2, 1, 3}}, Attrs().setInts("shape", {2, 5, 3}), {DType::Int32}, {{-9.0f, 9.0f}});
  } else if (op == "concat" || op == "stack") {
    bool stack = op == "stack";
    auto axis = [](int64_t a) { return Attrs().setInt("axis", a); };
    add({{5}}, axis(0));
    add({{3}, {stack ? 3 : 4097}}, axis(0));
    add({{2, 3}, {2, stack ? 3 : 5}, {2, stack ? 3 : 1}}, axis(stack ? 2 : 1));
    add({{2, 3, 5}, {2, 3, 5}}, axis(stack ? 1 : 0));
    add({{3, 2, 5}, {3, 2, 5}}, axis(-1), {DType::Bool, DType::Bool});
    // More inputs than one pass binds: merged in groups.
    add(std::vector<Shape>(19, Shape{2, 3}), axis(1));
  } else if (op == "unstack" || op == "split") {
    auto attrs = [&](int64_t axis, int64_t parts) {
      Attrs a = Attrs().setInt("axis", axis);
      if (op == "split") a.setInt("numSplits", parts);
      return a;
    };
    add({{4}}, attrs(0, 2));
    add({{3, 5}}, attrs(1, 5));
    add({{2, 3, 6}}, attrs(-1, 3));
    add({{2, 4097}}, attrs(0, 1));
    if (op == "split")
      add({{3, 10}}, Attrs().setInts("sizes", {2, -1, 5}).setInt("axis", 1), {DType::Int32},
          {{-9.0f, 9.0f}});
  } else if (op == "expandDims") {
    add({{}}, Attrs().setInt("axis", 0));
    add({{5}}, Attrs().setInt("axis", 1));
    add({{3, 5}}, Attrs().setInt("axis", 1));
    add({{3, 4097}}, Attrs().setInt("axis", -1));
  } else if (op == "squeeze") {
    add({{1}}, {});
    add({{3, 1, 5}}, {});
    add({{1, 3, 1, 5, 1}}, Attrs().setInts("axes", {0, -1}));
    add({{4097, 1}}, Attrs().setInts("axes", {1}));
  } else if (op == "gather") {
    // Index ranges include out-of-range values, which must give 0 on both backends.
    auto gather = [&](Shape x, Shape idx, int64_t axis, float high) {
      add({x, idx}, Attrs().setInt("axis", axis), {DType::Float32, DType::Int32},
          {{-1.0f, 1.0f}, {-1.49f, high}});
    };
    gather({10, 5}, {7}, 0, 10.4f);
    gather({10, 5}, {3, 4}, 1, 4.4f);
    gather({4097}, {}, 0, 4096.4f);
    gather({2, 7, 3}, {5}, 1, 6.4f);
    gather({5, 300}, {2, 9}, 0, 5.4f);
    gather({3, 4, 5, 6}, {2}, 2, 4.4f);
  } else if (op == "gatherGrad") {
    auto grad = [&](Shape dy, Shape idx, std::vector<int64_t> x, int64_t axis, float high) {
      // Sums of repeated indices: not exact, so the float tolerance.
      cases.push_back({op,
                       {dy, idx},
                       Attrs().setInt("axis", axis).setInts("xShape", x),
                       {{-1.0f, 1.0f}, {-1.49f, high}},
                       1e-4,
                       1,
                       {DType::Float32, DType::Int32}});
    };
    grad({7, 5}, {7}, {10, 5}, 0, 10.4f);  // repeated and out-of-range indices
    grad({10, 3, 4}, {3, 4}, {10, 5}, 1, 4.4f);
    grad({2, 5, 3}, {5}, {2, 7, 3}, 1, 6.4f);
    grad({100, 300}, {100}, {50, 300}, 0, 49.4f);
  } else if (op == "oneHot") {
    auto oneHot = [&](Shape idx, int64_t depth) {
      add({idx}, Attrs().setInt("depth", depth).setFloat("onValue", 2.5).setFloat("offValue", -1.0),
          {DType::Int32}, {{-1.49f, static_cast<float>(depth) + 0.4f}});
    };
    oneHot({7}, 10);
    oneHot({}, 3);
    oneHot({2, 3}, 5);
    oneHot({1000}, 4097);
  } else if (op == "cast") {
    for (const char* to : {"int32", "bool", "float32"}) {
      Attrs attrs = Attrs().setString("dtype", to);
      add({{4097}}, attrs, {}, {{-20.0f, 20.0f}});
      add({{3, 5}}, attrs, {DType::Int32}, {{-3.0f, 3.0f}});
      add({{3, 5}}, attrs, {DType::Bool});
    }
  }
  return cases;
}

// Every update rule on awkward shapes; state tensors positive where a rule takes their
// square root.
std::vector<OpCase> optimizerCases() {
  struct RuleCase {
    const char* rule;
    int states;
    std::vector<double> c;
  };
  const RuleCase rules[] = {
      {"sgd", 0, {0.1}},
      {"momentum", 1, {0.1, 0.9}},
      {"nesterov", 1, {0.1, 0.9}},
      {"adagrad", 1, {0.1, 1e-7}},
      {"adadelta", 2, {1.0, 0.95, 1e-7}},
      {"adam", 2, {0.01, 0.9, 0.999, 1e-7, 0.271, 0.00399}},
      {"adamax", 2, {0.02, 0.9, 0.999, 1e-7}},
      {"rmsprop", 2, {0.01, 0.9, 0.5, 1e-7}},
      {"rmspropCentered", 3, {0.01, 0.9, 0.5, 1e-7}},
  };
  std::vector<OpCase> cases;
  for (const RuleCase& rule : rules)
    for (const Shape& shape : {Shape{}, Shape{5}, Shape{4097}, Shape{3, 5, 7}}) {
      Attrs attrs = Attrs().setString("rule", rule.rule);
      for (size_t i = 0; i < rule.c.size(); ++i) attrs.setFloat(concat("c", i), rule.c[i]);
      std::vector<Shape> shapes(2 + static_cast<size_t>(rule.states), shape);
      std::vector<Range> ranges = {{-1.0f, 1.0f}, {-1.0f, 1.0f}};
      // Accumulators of squares are positive; the centered mean gradient stays small.
      for (int i = 0; i < rule.states; ++i) ranges.push_back({0.5f, 2.0f});
      if (rule.states == 3) ranges[4] = {-0.5f, 0.5f};
      cases.push_back({"applyOptimizer", shapes, attrs, ranges, 1e-5});
    }
  return cases;
}

}  // namespace

std::vector<OpCase> casesFor(const std::string& op) {
  if (op == "where") return whereCases();
  if (op == "applyOptimizer") return optimizerCases();
  if (op == "matMul") return matMulCases();
  if (op == "conv2d") return convCases();
  if (op == "maxPool" || op == "avgPool") return poolCases(op);
  if (op == "maxPoolGrad" || op == "avgPoolGrad") return poolGradCases(op);
  if (oneOf(op, {"resizeBilinear", "resizeNearestNeighbor", "cropAndResize"}))
    return imageCases(op);
  if (oneOf(op, {"fusedMatMul", "dot", "outerProduct", "fusedConv2d", "depthwiseConv2d",
                 "conv2dFilterGrad", "separableConv2d", "conv2dTranspose", "conv1d",
                 "globalAvgPool", "globalMaxPool", "batchNorm"}))
    return nnCases(op);
  if (oneOf(op,
            {"all", "any", "argMax", "argMin", "logSumExp", "max", "mean", "min", "prod", "sum"}))
    return reduceCases(op);
  if (op == "softmax" || op == "logSoftmax") return softmaxCases(op);
  if (op == "cumsum" || op == "topK") return scanCases(op);
  if (op == "reshape" || op == "transpose") return shapeCases(op);
  if (oneOf(op, {"slice", "stridedSlice", "reverse", "tile", "pad", "broadcastTo", "concat",
                 "stack", "unstack", "split", "expandDims", "squeeze", "gather", "gatherGrad",
                 "oneHot", "cast"}))
    return movementCases(op);
  const OpDef* def = OpRegistry::instance().find(op);
  if (def && def->minInputs == 1 && def->maxInputs == 1) return unaryCases(op);
  if (def && def->minInputs == 2 && def->maxInputs == 2) return broadcastCases(op);
  return {};
}

std::vector<OpCase> limitCases(const std::string& op, int maxTextureSize) {
  const int64_t side = maxTextureSize;
  const Shape manyRows{side + 1, 5};  // rows beyond the texture side
  const Shape longRow{4 * side + 5};  // one row of side + 2 texels
  std::vector<OpCase> cases;
  if (oneOf(op, {"relu", "exp", "cast"})) {
    Attrs attrs = op == "cast" ? Attrs().setString("dtype", "int32") : Attrs();
    for (const Shape& s : {manyRows, longRow}) cases.push_back({op, {s}, attrs, {{-4.0f, 4.0f}}});
  } else if (oneOf(op, {"add", "mul", "greater"})) {
    cases.push_back({op, {manyRows, {5}}});
    cases.push_back({op, {longRow, longRow}});
  } else if (oneOf(op, {"sum", "max", "argMax", "softmax", "cumsum"})) {
    Attrs last = op == "argMax" || op == "softmax" || op == "cumsum"
                     ? Attrs().setInt("axis", -1)
                     : Attrs().setInts("axes", {-1});
    cases.push_back({op, {manyRows}, last, {}, op == "argMax" ? 0.0 : 1e-4});
    cases.push_back({op, {longRow}, last, {}, op == "argMax" ? 0.0 : 1e-4});
  } else if (op == "transpose") {
    cases.push_back({op, {manyRows}, Attrs().setInts("perm", {1, 0}), {}, 0.0});
  } else if (op == "matMul") {
    cases.push_back({op, {{side + 1, 8}, {8, 4}}});
  } else if (op == "gather") {
    cases.push_back({op,
                     {{side + 3, 8}, {7}},
                     Attrs().setInt("axis", 0),
                     {{}, {-0.49f, static_cast<float>(side) + 2.4f}},
                     0.0,
                     1,
                     {DType::Float32, DType::Int32}});
  } else if (op == "concat") {
    cases.push_back({op, {manyRows, manyRows}, Attrs().setInt("axis", 0), {}, 0.0});
  } else if (op == "slice") {
    cases.push_back(
        {op, {longRow}, Attrs().setInts("begin", {3}).setInts("size", {4 * side}), {}, 0.0});
  }
  return cases;
}

bool fitsTextures(const OpCase& c, int maxTextureSize) {
  std::vector<TensorSpec> inputs = verify::inputSpecs(c);
  std::vector<TensorSpec> outputs = inferOp(c.op, inputs, c.attrs);
  for (const auto* specs : {&inputs, &outputs})
    for (const TensorSpec& spec : *specs)
      if (!gl::fitsOneTexture(spec.shape, maxTextureSize)) return false;
  return true;
}

std::vector<OpRow> runConformance(GlBackend& backend, GlBackend* folded, GlBackend* half,
                                  const std::string& filter) {
  std::vector<OpRow> rows;
  for (const OpDef& def : OpRegistry::instance().all()) {
    std::string op(def.name);
    if (!filter.empty() && op.find(filter) == std::string::npos) continue;
    OpRow row;
    row.op = op;
    std::vector<OpCase> cases = casesFor(op);
    bool hasCases = !cases.empty();
    for (OpCase& c : limitCases(op, backend.maxTextureSize())) cases.push_back(std::move(c));
    if (!hasCases) {
      row.ok = false;
      row.failures.push_back(op + ": no conformance cases (add them to apps/gl_harness)");
    }
    auto fail = [&row](std::string message) {
      row.ok = false;
      if (row.failures.size() < 5) row.failures.push_back(std::move(message));
    };
    for (std::size_t i = 0; i < cases.size(); ++i) {
      OpCase& c = cases[i];
      c.seed = i + 1;
      row.tolerance = std::max(row.tolerance, c.tolerance);
      std::vector<std::pair<const char*, GlBackend*>> targets = {{"gl", &backend}};
      if (half) targets.push_back({"gl-f16", half});
      try {
        if (folded && fitsTextures(c, folded->maxTextureSize()))
          targets.push_back({"gl-folded", folded});
      } catch (const Error& e) {
        fail(verify::describe(c) + ": " + e.what());
        continue;
      }
      for (auto [label, target] : targets) {
        try {
          bool isHalf = target == half;
          double tolerance = isHalf ? verify::halfTolerance(c) : c.tolerance;
          std::vector<verify::OutputCheck> checks = verify::runAgainst(c, cpu(), *target, isHalf);
          if (checks.empty())
            fail(std::string(label) + ": " + verify::describe(c) + ": no outputs");
          for (std::size_t k = 0; k < checks.size(); ++k) {
            if (isHalf) {
              row.halfMaxRel = std::max(row.halfMaxRel, checks[k].comparison.maxRel);
            } else {
              row.maxAbs = std::max(row.maxAbs, checks[k].comparison.maxAbs);
              row.maxRel = std::max(row.maxRel, checks[k].comparison.maxRel);
            }
            if (!checks[k].ok(tolerance)) fail(checks[k].explain(label, c, k));
          }
          if (target == &backend) ++row.cases;
          if (isHalf) {
            ++row.halfCases;
            row.halfTolerance = std::max(row.halfTolerance, tolerance);
          }
        } catch (const Error& e) {
          fail(std::string(label) + ": " + verify::describe(c) + ": " + e.what());
        }
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

bool printReport(const std::vector<OpRow>& rows) {
  bool anyHalf = false;
  for (const OpRow& row : rows) anyHalf = anyHalf || row.halfCases > 0;
  std::printf("%-22s %6s %12s %12s %10s", "op", "cases", "max abs err", "max rel err", "tolerance");
  if (anyHalf) std::printf(" %12s %8s", "f16 rel err", "f16 tol");
  std::printf("  %s\n", "ok");
  int failed = 0, cases = 0;
  for (const OpRow& row : rows) {
    std::printf("%-22s %6d %12.3g %12.3g %10.0e", row.op.c_str(), row.cases, row.maxAbs, row.maxRel,
                row.tolerance);
    if (anyHalf) std::printf(" %12.3g %8.0e", row.halfMaxRel, row.halfTolerance);
    std::printf("  %s\n", row.ok ? "ok" : "FAIL");
    cases += row.cases;
    if (!row.ok) ++failed;
  }
  for (const OpRow& row : rows)
    for (const std::string& failure : row.failures) std::printf("  FAIL %s\n", failure.c_str());
  std::printf("gl_harness: %zu ops, %d cases, %d ops failed: %s\n", rows.size(), cases, failed,
              failed == 0 && !rows.empty() ? "PASS" : "FAIL");
  std::fflush(stdout);
  return failed == 0 && !rows.empty();
}

namespace {
std::string jsonString(const std::string& text) {
  std::string out = "\"";
  for (char ch : text) {
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (static_cast<unsigned char>(ch) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", ch);
      out += escaped;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}
std::string jsonNumber(double value) {
  if (!std::isfinite(value)) return "null";  // JSON has no Inf
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  return text;
}
}  // namespace

bool printJson(const std::vector<OpRow>& rows) {
  bool ok = !rows.empty();
  std::string out = "{\"ops\":[";
  for (size_t i = 0; i < rows.size(); ++i) {
    const OpRow& r = rows[i];
    ok = ok && r.ok;
    if (i) out += ',';
    out += "{\"op\":";
    out += jsonString(r.op);
    out += ",\"cases\":";
    out += std::to_string(r.cases);
    out += ",\"maxAbs\":";
    out += jsonNumber(r.maxAbs);
    out += ",\"maxRel\":";
    out += jsonNumber(r.maxRel);
    out += ",\"tolerance\":";
    out += jsonNumber(r.tolerance);
    out += ",\"f16Cases\":";
    out += std::to_string(r.halfCases);
    out += ",\"f16MaxRel\":";
    out += jsonNumber(r.halfMaxRel);
    out += ",\"f16Tolerance\":";
    out += jsonNumber(r.halfTolerance);
    out += r.ok ? ",\"ok\":true" : ",\"ok\":false";
    out += ",\"failures\":[";
    for (size_t k = 0; k < r.failures.size(); ++k) {
      if (k) out += ',';
      out += jsonString(r.failures[k]);
    }
    out += "]}";
  }
  out += ok ? "],\"ok\":true}" : "],\"ok\":false}";
  std::printf("%s\n", out.c_str());
  std::fflush(stdout);
  return ok;
}

}  // namespace texel::harness
