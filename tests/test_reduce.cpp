#include "tests/test_support.h"

namespace texel::test {
namespace {

Attrs axesAttrs(std::vector<int64_t> axes, bool keepDims) {
  Attrs attrs;
  attrs.setInts("axes", std::move(axes)).setBool("keepDims", keepDims);
  return attrs;
}

TEST_CASE("sum, mean, max over any axes with keepDims match the CPU reference") {
  struct Case {
    Shape shape;
    std::vector<int64_t> axes;
  };
  const Case cases[] = {{{5}, {0}},
                        {{4097}, {0}},
                        {{3, 5}, {1}},
                        {{3, 5}, {0}},
                        {{3, 5}, {0, 1}},
                        {{2, 3, 5}, {1}},
                        {{2, 3, 5}, {0, 2}},
                        {{2, 3, 5}, {1, 2}},
                        {{2, 3, 5}, {0, 1}},
                        {{4, 1, 6, 7}, {1, 3}},
                        {{2, 3, 4, 5}, {0, 2}},
                        {{2, 3, 4, 5}, {1, 3}},
                        {{7, 9, 3}, {-1}},
                        {{1, 1, 1}, {1}},
                        {{3, 1, 5}, {1}},
                        {{4, 1, 3, 5}, {1, 3}},
                        {{2, 3, 4, 5, 6}, {0, 2, 4}},
                        {{300, 40}, {0}},
                        {{3, 200}, {1}},
                        {{40, 7}, {0}},
                        {{64, 300}, {1}},
                        {{2, 70000}, {1}},
                        {{9000, 3}, {0}}};
  for (const char* op : {"sum", "mean", "max"})
    for (const Case& c : cases)
      for (bool keep : {false, true}) checkAgainstCpu({op, {c.shape}, axesAttrs(c.axes, keep)});
  for (const char* op : {"sum", "mean", "max"}) {
    checkAgainstCpu({op, {{2, 3, 5}}});     // all axes
    checkAgainstCpu({op, {{1000, 1001}}});  // a big all-axes reduction (two stages)
    checkAgainstCpu({op, {{}}});            // a scalar
  }
}

TEST_CASE("argMax along any axis matches the CPU reference") {
  struct Case {
    Shape shape;
    int axis;
  };
  const Case cases[] = {{{5}, 0},
                        {{4097}, 0},
                        {{3, 5}, 1},
                        {{3, 5}, 0},
                        {{2, 3, 5}, 1},
                        {{2, 3, 5}, -1},
                        {{4, 1, 6}, 1},
                        {{1, 10}, 1},
                        {{64, 10}, 1},
                        {{7, 9, 3}, 0},
                        {{2, 3, 4, 5, 6, 7}, 3},
                        {{40, 7}, 0}};
  for (const Case& c : cases) {
    Attrs attrs;
    attrs.setInt("axis", c.axis);
    checkAgainstCpu({"argMax", {c.shape}, attrs, {}, 0.0});
  }
}

TEST_CASE("softmax matches the CPU reference and sums to one") {
  for (const Shape& shape :
       std::vector<Shape>{{1}, {3}, {10}, {4097}, {5, 3}, {64, 10}, {2, 3, 7}, {40, 7}})
    checkAgainstCpu({"softmax", {shape}, {}, {Range{-10.0f, 10.0f}}});
  std::vector<float> x = randomValues(64 * 10, 5, {-30.0f, 30.0f});
  std::vector<float> y = softmax(tensor(gl(), {64, 10}, x)).data();
  for (int row = 0; row < 64; ++row) {
    double total = 0;
    for (int i = 0; i < 10; ++i) total += y[static_cast<size_t>(row * 10 + i)];
    CHECK(total == doctest::Approx(1.0).epsilon(1e-5));
  }
}

TEST_CASE("reductions known values and errors") {
  Tensor x = tensor(gl(), {2, 3}, {1, 5, 3, 4, 2, 6});
  CHECK(sum(x).data() == std::vector<float>{21});
  CHECK(sum(x, std::vector<int>{0}).data() == std::vector<float>{5, 7, 9});
  CHECK(sum(x, std::vector<int>{1}, true).shape() == Shape{2, 1});
  CHECK(mean(x, std::vector<int>{1}).data() == std::vector<float>{3, 4});
  CHECK(max(x, std::vector<int>{0}).data() == std::vector<float>{4, 5, 6});
  CHECK(argMax(x, 1).dataInt32() == std::vector<int32_t>{1, 2});
  CHECK(argMax(x, 0).dataInt32() == std::vector<int32_t>{1, 0, 1});
  CHECK(argMax(x, 1).dtype() == DType::Int32);
  CHECK(argMax(tensor(gl(), {4}, {2, 7, 7, 1})).dataInt32() == std::vector<int32_t>{1});
  CHECK(softmax(tensor(gl(), {2}, {0, 0})).data() == std::vector<float>{0.5f, 0.5f});
  CHECK_THROWS_WITH_AS(sum(x, std::vector<int>{2}),
                       "sum: axis 2 is out of range for a tensor of rank 2 (expected -2 to 1)",
                       Error);
  CHECK_THROWS_WITH_AS(sum(x, std::vector<int>{1, -1}), "sum: axis -1 is listed twice", Error);
  CHECK_THROWS_WITH_AS(softmax(x, 2), doctest::Contains("softmax: axis 2 is out of range"), Error);
  CHECK_THROWS_WITH_AS(argMax(scalar(gl(), 1)),
                       doctest::Contains("argMax: input must have rank >= 1"), Error);
}

TEST_CASE("max propagates NaN like IEEE maximum; argMax ignores NaN") {
  std::vector<float> x = {1, NAN, 3, 2, 0, 5};
  for (Backend* b : {&cpu(), static_cast<Backend*>(&gl())}) {
    Tensor t = tensor(*b, {2, 3}, x);
    std::vector<float> m = max(t, std::vector<int>{1}).data();
    CHECK(std::isnan(m[0]));
    CHECK(m[1] == 5);
    CHECK(argMax(t, 1).dataInt32() == std::vector<int32_t>{2, 2});
  }
}

TEST_CASE("min, prod, logSumExp, all, any, argMin: known values on every backend") {
  for (Backend* backend : {static_cast<Backend*>(&cpu()), static_cast<Backend*>(&gl())}) {
    Tensor x = tensor(*backend, {2, 3}, {3, -1, 2, 0.5f, 4, -2});
    CHECK(min(x, std::vector<int>{1}).data() == std::vector<float>{-1, -2});
    CHECK(prod(x, std::vector<int>{0}).data() == std::vector<float>{1.5f, -4, -4});
    CHECK(argMin(x, 1).dataInt32() == std::vector<int32_t>{1, 2});
    CHECK(argMin(x, 0).dataInt32() == std::vector<int32_t>{1, 0, 1});
    std::vector<float> lse = logSumExp(x, std::vector<int>{1}, true).data();
    REQUIRE(lse.size() == 2);
    CHECK(lse[0] == doctest::Approx(std::log(std::exp(3.0) + std::exp(-1.0) + std::exp(2.0))));
    CHECK(logSumExp(x, std::vector<int>{1}, true).shape() == Shape{2, 1});
    Tensor flags = tensorBool(*backend, {2, 3}, std::vector<uint8_t>{1, 1, 1, 1, 0, 1});
    CHECK(all(flags, std::vector<int>{1}).data() == std::vector<float>{1, 0});
    CHECK(any(flags, std::vector<int>{0}).data() == std::vector<float>{1, 1, 1});
    CHECK(all(flags).dtype() == DType::Bool);
    CHECK(min(tensor(*backend, {3}, {1, NAN, -1})).data()[0] !=
          min(tensor(*backend, {3}, {1, NAN, -1})).data()[0]);
  }
  CHECK_THROWS_WITH_AS(all(zeros(gl(), {3})), "all: input has dtype float32, expected bool", Error);
  CHECK_THROWS_WITH_AS(argMin(zeros(gl(), {0, 3}), 0),
                       "argMin: cannot take argMin over axis 0 of size 0 in shape [0,3]", Error);
}

}  // namespace
}  // namespace texel::test
