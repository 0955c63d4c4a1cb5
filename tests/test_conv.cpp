#include "tests/test_support.h"

namespace texel::test {
namespace {

Attrs convAttrs(int stride, const char* padding, int dilation = 1) {
  Attrs attrs;
  attrs.setInts("strides", {stride, stride})
      .setString("padding", padding)
      .setInts("dilations", {dilation, dilation});
  return attrs;
}

Attrs poolAttrs(int size, int stride, const char* padding) {
  Attrs attrs;
  attrs.setInts("filterSize", {size, size})
      .setInts("strides", {stride, stride})
      .setString("padding", padding);
  return attrs;
}

TEST_CASE("conv2d matches the CPU reference: strides, padding, dilation, odd sizes") {
  struct Case {
    Shape x, f;
    int stride;
    const char* padding;
    int dilation;
  };
  const Case cases[] = {
      {{1, 5, 5, 1}, {3, 3, 1, 1}, 1, "valid", 1},   {{1, 5, 5, 1}, {3, 3, 1, 1}, 1, "same", 1},
      {{2, 7, 5, 3}, {3, 3, 3, 5}, 1, "same", 1},    {{2, 7, 5, 3}, {3, 2, 3, 5}, 2, "same", 1},
      {{1, 9, 9, 4}, {3, 3, 4, 8}, 2, "valid", 1},   {{1, 9, 11, 5}, {3, 3, 5, 7}, 1, "same", 2},
      {{1, 28, 28, 1}, {3, 3, 1, 8}, 1, "valid", 1}, {{1, 13, 13, 8}, {3, 3, 8, 16}, 1, "valid", 1},
      {{3, 1, 1, 6}, {1, 1, 6, 3}, 1, "valid", 1},   {{6, 6, 2}, {5, 5, 2, 1}, 3, "same", 1},
      {{1, 4, 4, 1}, {4, 4, 1, 1}, 1, "valid", 1}};
  for (const Case& c : cases)
    checkAgainstCpu({"conv2d", {c.x, c.f}, convAttrs(c.stride, c.padding, c.dilation)});
}

TEST_CASE("maxPool and avgPool match the CPU reference") {
  struct Case {
    Shape x;
    int size, stride;
    const char* padding;
  };
  const Case cases[] = {{{1, 4, 4, 1}, 2, 2, "valid"},   {{2, 5, 5, 3}, 2, 2, "valid"},
                        {{2, 5, 5, 3}, 2, 2, "same"},    {{1, 7, 9, 5}, 3, 2, "same"},
                        {{1, 26, 26, 8}, 2, 2, "valid"}, {{11, 11, 16}, 3, 1, "same"},
                        {{1, 1, 1, 1}, 1, 1, "valid"}};
  for (const char* op : {"maxPool", "avgPool"})
    for (const Case& c : cases)
      checkAgainstCpu({op, {c.x}, poolAttrs(c.size, c.stride, c.padding)});
}

TEST_CASE("conv2d and pooling known values") {
  // 3x3 input, 2x2 all-ones filter: each output is the sum of a 2x2 window.
  Tensor x = tensor(cpu(), {1, 3, 3, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  Tensor f = fill(cpu(), {2, 2, 1, 1}, 1.0f);
  CHECK(conv2d(x, f).data() == std::vector<float>{12, 16, 24, 28});
  Conv2DAttrs same;
  same.padding = Padding::Same;
  CHECK(conv2d(x, f, same).data() == std::vector<float>{12, 16, 9, 24, 28, 15, 15, 17, 9});
  Pool2DAttrs pool{{2, 2}, {1, 1}, Padding::Valid};
  CHECK(maxPool(x, pool).data() == std::vector<float>{5, 6, 8, 9});
  CHECK(avgPool(x, pool).data() == std::vector<float>{3, 4, 6, 7});
  Pool2DAttrs samePool{{2, 2}, {2, 2}, Padding::Same};
  CHECK(avgPool(x, samePool).data() == std::vector<float>{3, 4.5f, 7.5f, 9});
}

TEST_CASE("conv2d and pooling reject bad shapes clearly") {
  Tensor x = zeros(gl(), {1, 5, 5, 3});
  CHECK_THROWS_WITH_AS(conv2d(x, zeros(gl(), {3, 3, 4, 8})),
                       "conv2d: input [1,5,5,3] has 3 channels but filter [3,3,4,8] expects 4 "
                       "(filter layout [kernelH, kernelW, inChannels, outChannels])",
                       Error);
  CHECK_THROWS_WITH_AS(conv2d(zeros(gl(), {5, 5}), zeros(gl(), {3, 3, 1, 1})),
                       doctest::Contains("input must be [batch, height, width, channels]"), Error);
  CHECK_THROWS_WITH_AS(conv2d(x, zeros(gl(), {7, 7, 3, 1})),
                       doctest::Contains("does not fit the 5x5 input"), Error);
  Conv2DAttrs badStride;
  badStride.strides = {0, 1};
  CHECK_THROWS_WITH_AS(conv2d(x, zeros(gl(), {3, 3, 3, 1}), badStride),
                       "conv2d: 'strides' must be >= 1, got [0,1]", Error);
  CHECK_THROWS_WITH_AS(maxPool(x, {{9, 9}, {1, 1}, Padding::Valid}),
                       doctest::Contains("maxPool: with 'valid' padding"), Error);
}

}  // namespace
}  // namespace texel::test

namespace texel::test {
namespace {

double innerProduct(const Tensor& a, const Tensor& b) {
  std::vector<float> x = a.data(), y = b.data();
  double total = 0.0;
  for (size_t i = 0; i < x.size(); ++i) total += static_cast<double>(x[i]) * y[i];
  return total;
}

TEST_CASE("conv2dTranspose is the adjoint of conv2d: <conv2d(x), y> == <x, conv2dTranspose(y)>") {
  struct Case {
    Shape x, filter;
    int stride;
    Padding padding;
  };
  for (const Case& c : {Case{{1, 7, 7, 3}, {3, 3, 3, 4}, 1, Padding::Same},
                        Case{{2, 8, 9, 2}, {3, 3, 2, 5}, 2, Padding::Same},
                        Case{{1, 9, 9, 1}, {2, 3, 1, 3}, 2, Padding::Valid}}) {
    for (Backend* b : {static_cast<Backend*>(&cpu()), static_cast<Backend*>(&gl())}) {
      Tensor x = tensor(*b, c.x, randomValues(c.x.size(), 1));
      Tensor f = tensor(*b, c.filter, randomValues(c.filter.size(), 2));
      Conv2DAttrs options{{c.stride, c.stride}, c.padding};
      Tensor forward = conv2d(x, f, options);
      Tensor y = tensor(*b, forward.shape(), randomValues(forward.size(), 3));
      // conv2dTranspose's filter is [KH, KW, outChannels = x's, inChannels = y's]: f itself.
      Tensor back = conv2dTranspose(y, f, {c.x.dims(), {{c.stride, c.stride}, c.padding}});
      CHECK(innerProduct(forward, y) == doctest::Approx(innerProduct(x, back)).epsilon(1e-5));
    }
  }
}

TEST_CASE("fused ops equal their unfused compositions") {
  for (Backend* b : {static_cast<Backend*>(&cpu()), static_cast<Backend*>(&gl())}) {
    Tensor a = tensor(*b, {5, 6}, randomValues(30, 1));
    Tensor w = tensor(*b, {6, 3}, randomValues(18, 2));
    Tensor bias = tensor(*b, {3}, randomValues(3, 3));
    Comparison c = compare(fusedMatMul(a, w, {.activation = Activation::Relu}, bias).data(),
                           relu(add(matMul(a, w), bias)).data());
    CHECK(c.within(1e-6));
    Tensor x = tensor(*b, {1, 6, 6, 2}, randomValues(72, 4));
    Tensor f = tensor(*b, {3, 3, 2, 3}, randomValues(54, 5));
    Conv2DAttrs same{{1, 1}, Padding::Same};
    c = compare(fusedConv2d(x, f, {.conv = same, .activation = Activation::Sigmoid}, bias).data(),
                sigmoid(add(conv2d(x, f, same), bias)).data());
    CHECK(c.within(1e-6));
  }
  Tensor a = tensor(cpu(), {2, 2}, {1, 2, 3, 4});
  CHECK_THROWS_WITH_AS(runOp1("fusedMatMul", {a, a}, Attrs().setString("activation", "prelu")),
                       doctest::Contains("apply prelu as its own op"), Error);
}

TEST_CASE("depthwiseConv2d, conv1d and global pooling on hand-checked values") {
  for (Backend* b : {static_cast<Backend*>(&cpu()), static_cast<Backend*>(&gl())}) {
    // Two channels, multiplier 2: output channels c0*1, c0*10, c1*1, c1*10 of a 1x1 filter.
    Tensor x = tensor(*b, {1, 1, 2, 2}, {1, 2, 3, 4});
    Tensor f = tensor(*b, {1, 1, 2, 2}, {1, 10, 1, 10});
    CHECK(depthwiseConv2d(x, f).data() == std::vector<float>{1, 10, 2, 20, 3, 30, 4, 40});
    // conv1d: a moving sum of width 2.
    Tensor signal = tensor(*b, {4, 1}, {1, 2, 3, 4});
    CHECK(conv1d(signal, tensor(*b, {2, 1, 1}, {1, 1})).data() == std::vector<float>{3, 5, 7});
    Tensor img = tensor(*b, {1, 2, 2, 1}, {1, 5, 3, -2});
    CHECK(globalAvgPool(img).data() == std::vector<float>{1.75f});
    CHECK(globalMaxPool(img).shape() == Shape{1, 1});
    CHECK(globalMaxPool(img).data() == std::vector<float>{5});
  }
}

TEST_CASE("batchNorm, dot and outerProduct on hand-checked values") {
  for (Backend* b : {static_cast<Backend*>(&cpu()), static_cast<Backend*>(&gl())}) {
    Tensor x = tensor(*b, {2, 2}, {1, 2, 3, 4});
    Tensor y = batchNorm(x, tensor(*b, {2}, {1, 2}), tensor(*b, {2}, {4, 16}),
                         tensor(*b, {2}, {10, 20}), tensor(*b, {2}, {2, 4}), 0.0f);
    CHECK(y.data() == std::vector<float>{10, 20, 12, 22});
    Tensor v = tensor(*b, {3}, {1, 2, 3});
    CHECK(dot(v, v).data() == std::vector<float>{14});
    CHECK(dot(v, v).shape() == Shape{});
    CHECK(outerProduct(v, tensor(*b, {2}, {1, -1})).data() ==
          std::vector<float>{1, -1, 2, -2, 3, -3});
  }
  CHECK_THROWS_WITH_AS(batchNorm(tensor(cpu(), {2, 2}, {1, 2, 3, 4}), tensor(cpu(), {3}, {1, 2, 3}),
                                 tensor(cpu(), {2}, {1, 1})),
                       doctest::Contains("batchNorm"), Error);
}

}  // namespace
}  // namespace texel::test

namespace texel::test {
namespace {

TEST_CASE("resize and cropAndResize follow TensorFlow's coordinate rules") {
  for (Backend* b : {static_cast<Backend*>(&cpu()), static_cast<Backend*>(&gl())}) {
    Tensor img = tensor(*b, {2, 2, 1}, {0, 1, 2, 3});
    CHECK(resizeBilinear(img, {4, 4}).data() ==
          std::vector<float>{0, 0.5f, 1, 1, 1, 1.5f, 2, 2, 2, 2.5f, 3, 3, 2, 2.5f, 3, 3});
    CHECK(resizeBilinear(img, {3, 3}, {.alignCorners = true}).data() ==
          std::vector<float>{0, 0.5f, 1, 1, 1.5f, 2, 2, 2.5f, 3});
    CHECK(resizeNearestNeighbor(img, {4, 4}, {.halfPixelCenters = true}).data() ==
          std::vector<float>{0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3});
    // The full box at 3x3 is an align-corners resize; a box index past the batch gives
    // the extrapolation value.
    Tensor batch = tensor(*b, {1, 2, 2, 1}, {0, 1, 2, 3});
    std::vector<int32_t> boxInd = {0, 1};
    Tensor crops = cropAndResize(batch, tensor(*b, {2, 4}, {0, 0, 1, 1, 0, 0, 1, 1}),
                                 tensorInt32(*b, {2}, boxInd), {3, 3},
                                 {.method = ResizeMethod::Bilinear, .extrapolationValue = -5.0f});
    std::vector<float> want = {0, 0.5f, 1, 1, 1.5f, 2, 2, 2.5f, 3};
    want.resize(18, -5.0f);
    CHECK(crops.data() == want);
  }
}

}  // namespace
}  // namespace texel::test
