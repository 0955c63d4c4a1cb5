#include "tests/test_support.h"

namespace texel::test {
namespace {

const std::vector<Shape> kAwkwardShapes = {{},
                                           {1},
                                           {3},
                                           {5},
                                           {4097},
                                           {2, 3},
                                           {3, 5},
                                           {7, 4},
                                           {1, 1, 1},
                                           {2, 3, 5, 7},
                                           {2, 1, 3, 1, 2, 5},
                                           {3, 200},
                                           {40, 7},
                                           {1000}};

TEST_CASE("unary ops match the CPU reference on awkward shapes") {
  for (const char* op : {"relu", "sigmoid", "tanh", "exp", "neg"})
    for (const Shape& shape : kAwkwardShapes)
      checkAgainstCpu({op, {shape}, {}, {Range{-4.0f, 4.0f}}});
  for (const char* op : {"log", "sqrt"})
    for (const Shape& shape : kAwkwardShapes)
      checkAgainstCpu({op, {shape}, {}, {Range{0.01f, 10.0f}}});
}

TEST_CASE("unary ops keep IEEE special values") {
  std::vector<float> x = {0.0f, -0.0f, -1.0f, INFINITY, -INFINITY, NAN, 100.0f, -100.0f};
  for (const char* op : {"relu", "sigmoid", "tanh", "exp", "log", "neg", "sqrt"}) {
    Tensor onCpu = runOp1(op, {tensor(cpu(), {8}, x)});
    Tensor onGl = runOp1(op, {tensor(gl(), {8}, x)});
    std::vector<float> got = onGl.data(), want = onCpu.data();
    Comparison c = compare(got, want);
    std::string where =
        concat(op, ": worst at ", c.worst, ": gl ", c.worst >= 0 ? got[c.worst] : 0.0f, " vs cpu ",
               c.worst >= 0 ? want[c.worst] : 0.0f);
    CHECK_MESSAGE(!c.nanMismatch, where);
    CHECK_MESSAGE(c.maxRel <= 1e-4, where);
  }
}

TEST_CASE("binary ops broadcast like NumPy") {
  const std::vector<std::pair<Shape, Shape>> pairs = {{{}, {}},
                                                      {{1}, {1}},
                                                      {{5}, {5}},
                                                      {{4097}, {4097}},
                                                      {{3, 5}, {5}},
                                                      {{3, 5}, {3, 1}},
                                                      {{3, 1}, {1, 5}},
                                                      {{}, {2, 3}},
                                                      {{2, 3, 5}, {1}},
                                                      {{2, 1, 5}, {3, 1}},
                                                      {{4, 3, 1, 7}, {3, 5, 1}},
                                                      {{1, 6}, {6, 1}},
                                                      {{2, 3, 4, 5, 6, 7}, {5, 1, 7}},
                                                      {{3, 200}, {200}},
                                                      {{40, 7}, {40, 1}}};
  for (const char* op : {"add", "sub", "mul"})
    for (const auto& [a, b] : pairs) checkAgainstCpu({op, {a, b}});
  for (const auto& [a, b] : pairs)
    checkAgainstCpu({"div", {a, b}, {}, {Range{-2.0f, 2.0f}, Range{0.5f, 2.0f, true}}});
}

TEST_CASE("known values (the CPU reference itself)") {
  Tensor a = tensor(cpu(), {2, 2}, {1, 2, 3, 4});
  Tensor b = tensor(cpu(), {2}, {10, 20});
  CHECK(add(a, b).data() == std::vector<float>{11, 22, 13, 24});
  CHECK(sub(a, b).data() == std::vector<float>{-9, -18, -7, -16});
  CHECK(mul(a, b).data() == std::vector<float>{10, 40, 30, 80});
  CHECK(div(b, a).data() == std::vector<float>{10, 10, 10.0f / 3.0f, 5});
  CHECK(relu(tensor(cpu(), {3}, {-1, 0, 2})).data() == std::vector<float>{0, 0, 2});
  CHECK(neg(tensor(cpu(), {2}, {1, -2})).data() == std::vector<float>{-1, 2});
  CHECK(sqrt(tensor(cpu(), {2}, {4, 9})).data() == std::vector<float>{2, 3});
  CHECK(sigmoid(scalar(cpu(), 0)).data()[0] == doctest::Approx(0.5));
}

TEST_CASE("elementwise errors name the op and the shapes") {
  Tensor a = zeros(gl(), {2, 3});
  Tensor b = zeros(gl(), {4});
  CHECK_THROWS_WITH_AS(add(a, b),
                       "add: shapes [2,3] and [4] cannot be broadcast together (dimension 1: 3 vs "
                       "4; expected equal sizes or 1)",
                       Error);
  CHECK_THROWS_WITH_AS(mul(a, zeros(cpu(), {2, 3})),
                       doctest::Contains("move tensors with Tensor::to()"), Error);
  Tensor indices = argMax(zeros(gl(), {3, 4}), 1);
  CHECK_THROWS_WITH_AS(relu(indices), "relu: input 0 has dtype int32, expected float32", Error);
  CHECK_THROWS_WITH_AS(relu(Tensor()), "relu: input 0 is an empty tensor handle", Error);
}

}  // namespace
}  // namespace texel::test
