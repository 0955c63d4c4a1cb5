// Cases of the conv family: conv2d and its fused, depthwise, separable, transposed and
// 1-D forms, pooling, global pooling and the gradient helpers.
#include "tests/cases/cases.h"

namespace texel::cases {
namespace {

Attrs window(int stride, const char* padding, int dilation) {
  return Attrs()
      .setInts("strides", {stride, stride})
      .setString("padding", padding)
      .setInts("dilations", {dilation, dilation});
}

Attrs pool(int size, int stride, const char* padding) {
  return Attrs()
      .setInts("filterSize", {size, size})
      .setInts("strides", {stride, stride})
      .setString("padding", padding);
}

Attrs transposed(std::vector<int64_t> outShape, int stride, const char* padding) {
  return Attrs()
      .setInts("outputShape", std::move(outShape))
      .setInts("strides", {stride, stride})
      .setString("padding", padding);
}

// maxPoolGrad(x, y, dy) and avgPoolGrad(x, dy). Random x and y are almost never equal,
// so maxPoolGrad also runs with constant x and y, where every tap of every window ties
// and collects the gradient (real maxima are covered by maxPool's gradient cases).
std::vector<OpCase> poolGradCases(const std::string& op) {
  std::vector<OpCase> cases;
  bool isMax = op == "maxPoolGrad";
  auto add = [&](Shape x, Shape pooled, Attrs a) {
    std::vector<Shape> shapes = {x};
    if (isMax) shapes.push_back(pooled);
    shapes.push_back(pooled);
    cases.push_back({op, shapes, a});
    if (isMax) cases.push_back({op, shapes, a, {{1.0f, 1.0f}, {1.0f, 1.0f}}});
  };
  add({1, 4, 4, 2}, {1, 2, 2, 2}, pool(2, 2, "valid"));
  add({2, 9, 7, 3}, {2, 5, 4, 3}, pool(3, 2, "same"));
  add({1, 26, 26, 8}, {1, 13, 13, 8}, pool(2, 2, "valid"));
  add({1, 7, 7, 5}, {1, 7, 7, 5}, pool(3, 1, "same"));
  return cases;
}

}  // namespace

void addConvCases(CaseTable& t) {
  t.op("conv2d").conformance = {{"conv2d", {{1, 5, 5, 1}, {3, 3, 1, 1}}, window(1, "valid", 1)},
                                {"conv2d", {{2, 9, 7, 3}, {3, 3, 3, 5}}, window(1, "same", 1)},
                                {"conv2d", {{1, 11, 13, 6}, {3, 2, 6, 7}}, window(2, "same", 1)},
                                {"conv2d", {{1, 12, 12, 4}, {3, 3, 4, 8}}, window(1, "valid", 2)},
                                {"conv2d", {{1, 28, 28, 1}, {3, 3, 1, 8}}, window(1, "valid", 1)},
                                // Blocked: a 1x1 (a matMul), channels past a multiple of
                                // four on both sides, every pixel at an edge of "same".
                                {"conv2d", {{1, 7, 9, 10}, {1, 1, 10, 9}}, window(1, "valid", 1)},
                                {"conv2d", {{2, 6, 5, 5}, {3, 3, 5, 12}}, window(1, "same", 1)},
                                {"conv2d", {{1, 3, 17, 8}, {5, 5, 8, 3}}, window(1, "same", 1)}};
  t.op("conv2d").gradient = {
      {"conv2d", {{1, 5, 5, 2}, {3, 3, 2, 3}}, window(1, "valid", 1)},
      {"conv2d", {{2, 6, 5, 3}, {3, 2, 3, 2}}, window(2, "same", 1)},
      {"conv2d", {{1, 7, 7, 1}, {2, 2, 1, 2}}, window(1, "valid", 2)},
      {"conv2d", {{5, 5, 2}, {3, 3, 2, 2}}, window(1, "same", 1)}};  // no batch

  Attrs relu = window(1, "same", 1).setString("activation", "relu");
  t.op("fusedConv2d").conformance = {
      {"fusedConv2d", {{2, 9, 7, 3}, {3, 3, 3, 5}, {5}}, relu},
      {"fusedConv2d",
       {{1, 28, 28, 1}, {3, 3, 1, 8}, {8}},
       window(1, "valid", 1).setString("activation", "relu")},
      {"fusedConv2d",
       {{1, 11, 13, 6}, {3, 2, 6, 7}},
       window(2, "same", 1).setString("activation", "sigmoid")},
      {"fusedConv2d", {{1, 5, 5, 2}, {3, 3, 2, 4}, {5, 1, 4}}, window(1, "same", 1)}};
  t.op("fusedConv2d").gradient = {{"fusedConv2d", {{1, 4, 4, 2}, {3, 3, 2, 3}, {3}}, relu}};

  t.op("depthwiseConv2d").conformance = {
      {"depthwiseConv2d", {{1, 5, 5, 1}, {3, 3, 1, 1}}, window(1, "valid", 1)},
      {"depthwiseConv2d", {{2, 9, 7, 3}, {3, 3, 3, 2}}, window(1, "same", 1)},
      {"depthwiseConv2d", {{1, 11, 13, 8}, {3, 2, 8, 1}}, window(2, "same", 1)},
      {"depthwiseConv2d", {{1, 12, 12, 5}, {3, 3, 5, 3}}, window(1, "valid", 2)},
      // Blocked (multiplier 1, at least 8 taps): channels past a multiple of four.
      {"depthwiseConv2d", {{2, 9, 7, 6}, {3, 3, 6, 1}}, window(1, "same", 1)},
      {"depthwiseConv2d", {{1, 10, 9, 3}, {3, 3, 3, 1}}, window(2, "same", 1)}};
  t.op("depthwiseConv2d").gradient = {
      {"depthwiseConv2d", {{1, 5, 5, 2}, {3, 3, 2, 1}}, window(1, "valid", 1)},
      {"depthwiseConv2d", {{2, 6, 5, 3}, {3, 2, 3, 2}}, window(2, "same", 1)},
      {"depthwiseConv2d", {{1, 7, 7, 2}, {2, 2, 2, 2}}, window(1, "valid", 2)}};

  t.op("separableConv2d").conformance = {
      {"separableConv2d", {{1, 8, 8, 3}, {3, 3, 3, 2}, {1, 1, 6, 5}}, window(1, "same", 1)},
      {"separableConv2d", {{2, 9, 7, 4}, {3, 3, 4, 1}, {1, 1, 4, 7}}, window(2, "valid", 1)}};
  t.op("separableConv2d").gradient = {
      {"separableConv2d", {{1, 6, 6, 2}, {3, 3, 2, 2}, {1, 1, 4, 3}}, window(1, "same", 1)}};

  t.op("conv2dTranspose").conformance = {
      {"conv2dTranspose", {{1, 3, 3, 2}, {3, 3, 4, 2}}, transposed({1, 5, 5, 4}, 1, "valid")},
      {"conv2dTranspose", {{2, 4, 4, 3}, {3, 3, 5, 3}}, transposed({2, 8, 8, 5}, 2, "same")},
      {"conv2dTranspose", {{1, 5, 6, 4}, {2, 3, 1, 4}}, transposed({1, 10, 12, 1}, 2, "same")},
      {"conv2dTranspose", {{1, 13, 13, 8}, {3, 3, 1, 8}}, transposed({1, 28, 28, 1}, 2, "valid")},
      // Dilated, as conv2d's input gradient with dilations runs it.
      {"conv2dTranspose",
       {{1, 8, 8, 3}, {3, 3, 2, 3}},
       transposed({1, 12, 12, 2}, 1, "valid").setInts("dilations", {2, 2})},
      // Stride 1 with 4+ channels: 'valid', 'same' with an even and an odd reach,
      // dilated, unbatched.
      {"conv2dTranspose", {{2, 9, 9, 8}, {3, 3, 5, 8}}, transposed({2, 11, 11, 5}, 1, "valid")},
      {"conv2dTranspose", {{2, 7, 7, 4}, {3, 3, 6, 4}}, transposed({2, 7, 7, 6}, 1, "same")},
      {"conv2dTranspose", {{1, 6, 5, 4}, {2, 2, 3, 4}}, transposed({1, 6, 5, 3}, 1, "same")},
      {"conv2dTranspose",
       {{1, 9, 9, 8}, {3, 3, 4, 8}},
       transposed({1, 9, 9, 4}, 1, "same").setInts("dilations", {2, 2})},
      {"conv2dTranspose", {{9, 9, 8}, {3, 3, 5, 8}}, transposed({11, 11, 5}, 1, "valid")}};
  t.op("conv2dTranspose").gradient = {
      {"conv2dTranspose", {{1, 3, 3, 2}, {3, 3, 4, 2}}, transposed({1, 5, 5, 4}, 1, "valid")},
      {"conv2dTranspose", {{2, 3, 3, 3}, {3, 3, 2, 3}}, transposed({2, 6, 6, 2}, 2, "same")}};

  auto filterGrad = [](std::vector<int64_t> filter, int stride, const char* padding, int dilation) {
    return window(stride, padding, dilation).setInts("filterShape", std::move(filter));
  };
  t.op("conv2dFilterGrad").conformance = {
      {"conv2dFilterGrad", {{1, 5, 5, 2}, {1, 3, 3, 4}}, filterGrad({3, 3, 2, 4}, 1, "valid", 1)},
      {"conv2dFilterGrad", {{2, 9, 7, 3}, {2, 5, 4, 5}}, filterGrad({3, 3, 3, 5}, 2, "same", 1)},
      {"conv2dFilterGrad", {{1, 12, 12, 4}, {1, 8, 8, 8}}, filterGrad({3, 3, 4, 8}, 1, "valid", 2)},
      // Channels multiples of 4: the blocked kernel where the backend blocks (one slice
      // of output channels, two with a partial one, several groups).
      {"conv2dFilterGrad", {{2, 6, 6, 4}, {2, 6, 6, 3}}, filterGrad({3, 3, 4, 3}, 1, "same", 1)},
      {"conv2dFilterGrad", {{8, 13, 13, 8}, {8, 7, 7, 5}}, filterGrad({3, 3, 8, 5}, 2, "same", 1)},
      {"conv2dFilterGrad",
       {{16, 13, 13, 16}, {16, 11, 11, 12}},
       filterGrad({3, 3, 16, 12}, 1, "valid", 1)},
      {"conv2dFilterGrad",
       {{4, 28, 28, 1}, {4, 26, 26, 8}},
       filterGrad({3, 3, 1, 8}, 1, "valid", 1)},
      // Two passes: the positions are summed in groups, then the groups.
      {"conv2dFilterGrad",
       {{32, 28, 28, 1}, {32, 26, 26, 2}},
       filterGrad({3, 3, 1, 2}, 1, "valid", 1)}};

  auto conv1d = [](int stride, const char* padding, int dilation) {
    return Attrs()
        .setInt("stride", stride)
        .setString("padding", padding)
        .setInt("dilation", dilation);
  };
  t.op("conv1d").conformance = {{"conv1d", {{2, 20, 3}, {3, 3, 5}}, conv1d(1, "valid", 1)},
                                {"conv1d", {{17, 8}, {5, 8, 4}}, conv1d(2, "same", 1)},
                                {"conv1d", {{1, 50, 16}, {4, 16, 6}}, conv1d(1, "same", 2)}};
  t.op("conv1d").gradient = {{"conv1d", {{1, 8, 2}, {3, 2, 2}}, Attrs().setInt("stride", 2)}};

  for (const char* op : {"globalAvgPool", "globalMaxPool"})
    t.op(op).conformance = {{op, {{1, 5, 5, 1}}}, {op, {{2, 7, 9, 5}}}, {op, {{13, 11, 4097}}}};
  t.op("globalAvgPool").gradient = {{"globalAvgPool", {{1, 3, 3, 2}}}};
  t.op("globalMaxPool").gradient = {{"globalMaxPool", {{1, 3, 3, 2}}, {}, {}, true}};

  for (const char* op : {"maxPool", "avgPool"}) {
    t.op(op).conformance = {{op, {{1, 5, 5, 1}}, pool(2, 2, "valid")},
                            {op, {{2, 9, 7, 3}}, pool(3, 2, "same")},
                            {op, {{1, 26, 26, 8}}, pool(2, 2, "valid")},
                            {op, {{1, 7, 7, 5}}, pool(3, 1, "same")}};
    t.op(op).gradient = {{op, {{1, 4, 4, 2}}, pool(2, 2, "valid"), {}, true},
                         {op, {{2, 5, 5, 3}}, pool(3, 2, "same"), {}, true},
                         {op, {{1, 5, 4, 1}}, pool(2, 1, "same"), {}, true}};  // overlapping
  }
  for (const char* op : {"maxPoolGrad", "avgPoolGrad"}) t.op(op).conformance = poolGradCases(op);
}

}  // namespace texel::cases
