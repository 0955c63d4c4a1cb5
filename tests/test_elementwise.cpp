#include "tests/test_support.h"

#include <set>

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

TEST_CASE("unary ops keep IEEE special values: NaN and Inf propagate, never clamped") {
  std::vector<float> x = {0.0f, -0.0f,  -1.0f,   1.0f, INFINITY, -INFINITY,
                          NAN,  100.0f, -100.0f, 0.5f, -0.5f,    2.5f};
  // Trigonometric shaders are only accurate in a few periods; large arguments are left out.
  std::vector<float> small = {0.0f, -0.0f, -1.0f, 1.0f, NAN, 0.5f, -0.5f, 2.5f, -2.5f};
  for (const OpDef& def : OpRegistry::instance().all()) {
    std::string op(def.name);
    if (def.minInputs != 1 || def.maxInputs != 1) continue;
    // Unary ops that need other ranks, dtypes or attributes (data movement has its own
    // special-value test); reductions and softmax do run here.
    static const std::set<std::string> kSkip = {"argMax",
                                                "argMin",
                                                "avgPool",
                                                "maxPool",
                                                "reshape",
                                                "transpose",
                                                "logicalNot",
                                                "all",
                                                "any",
                                                "slice",
                                                "stridedSlice",
                                                "tile",
                                                "pad",
                                                "broadcastTo",
                                                "unstack",
                                                "split",
                                                "expandDims",
                                                "squeeze",
                                                "oneHot",
                                                "cast",
                                                "reverse",
                                                "topK",
                                                "globalAvgPool",
                                                "globalMaxPool",
                                                "resizeBilinear",
                                                "resizeNearestNeighbor"};
    if (kSkip.count(op)) continue;
    bool trig = op == "sin" || op == "cos" || op == "tan";
    const std::vector<float>& values = trig ? small : x;
    Shape shape{static_cast<int64_t>(values.size())};
    Attrs attrs;
    if (op == "clipByValue") attrs.setFloat("clipValueMin", -1.0).setFloat("clipValueMax", 2.0);
    std::vector<float> want = runOp1(op, {tensor(cpu(), shape, values)}, attrs).data();
    std::vector<float> got = runOp1(op, {tensor(gl(), shape, values)}, attrs).data();
    Comparison c = compare(got, want);
    std::string where = concat(
        op, ": worst at ", c.worst, " (x = ", c.worst >= 0 ? values[c.worst] : 0.0f, "): gl ",
        c.worst >= 0 ? got[c.worst] : 0.0f, " vs cpu ", c.worst >= 0 ? want[c.worst] : 0.0f);
    CHECK_MESSAGE(!c.nanMismatch, where);
    CHECK_MESSAGE(c.maxRel <= 1e-4, where);
  }
}

TEST_CASE("binary ops keep IEEE special values") {
  std::vector<float> specials = {0.0f, -0.0f, 1.0f, -1.0f, 2.5f, INFINITY, -INFINITY, NAN};
  std::vector<float> a, b;
  for (float u : specials)
    for (float v : specials) {
      a.push_back(u);
      b.push_back(v);
    }
  Shape shape{static_cast<int64_t>(a.size())};
  // mod follows TensorFlow's fmod-based floor modulo (x mod +-inf is x or +-inf).
  for (const char* op : {"add", "sub", "mul", "div", "maximum", "minimum", "squaredDifference",
                         "pow", "atan2", "equal", "notEqual", "less", "lessEqual", "greater",
                         "greaterEqual", "prelu", "mod", "floorDiv"}) {
    std::vector<float> want = runOp1(op, {tensor(cpu(), shape, a), tensor(cpu(), shape, b)}).data();
    std::vector<float> got = runOp1(op, {tensor(gl(), shape, a), tensor(gl(), shape, b)}).data();
    Comparison c = compare(got, want);
    std::string where =
        concat(op, ": worst at ", c.worst, " (", c.worst >= 0 ? a[c.worst] : 0.0f, ", ",
               c.worst >= 0 ? b[c.worst] : 0.0f, "): gl ", c.worst >= 0 ? got[c.worst] : 0.0f,
               " vs cpu ", c.worst >= 0 ? want[c.worst] : 0.0f);
    CHECK_MESSAGE(!c.nanMismatch, where);
    CHECK_MESSAGE(c.maxRel <= 1e-4, where);
  }
  std::vector<float> finite = {1.5f, -2.5f, NAN, 3.0f};
  std::vector<float> divisor = {NAN, 2.0f, 0.75f, -1.25f};
  for (const char* op : {"mod", "floorDiv"}) {
    std::vector<float> want =
        runOp1(op, {tensor(cpu(), {4}, finite), tensor(cpu(), {4}, divisor)}).data();
    std::vector<float> got =
        runOp1(op, {tensor(gl(), {4}, finite), tensor(gl(), {4}, divisor)}).data();
    CHECK_MESSAGE(compare(got, want).within(1e-5), op);
  }
}

TEST_CASE("comparisons, logical ops and where: dtypes and known values") {
  for (Backend* backend : {static_cast<Backend*>(&cpu()), static_cast<Backend*>(&gl())}) {
    Tensor a = tensor(*backend, {4}, {1, 2, NAN, 4});
    Tensor b = tensor(*backend, {4}, {1, 3, NAN, 0});
    Tensor eq = equal(a, b);
    CHECK(eq.dtype() == DType::Bool);
    CHECK(eq.data() == std::vector<float>{1, 0, 0, 0});
    CHECK(notEqual(a, b).data() == std::vector<float>{0, 1, 1, 1});
    CHECK(less(a, b).dataInt32() == std::vector<int32_t>{0, 1, 0, 0});
    CHECK(greaterEqual(a, b).dataInt32() == std::vector<int32_t>{1, 0, 0, 1});
    std::vector<uint8_t> p = {1, 1, 0, 0}, q = {1, 0, 1, 0};
    Tensor tp = tensorBool(*backend, {4}, p), tq = tensorBool(*backend, {4}, q);
    CHECK(logicalAnd(tp, tq).data() == std::vector<float>{1, 0, 0, 0});
    CHECK(logicalOr(tp, tq).data() == std::vector<float>{1, 1, 1, 0});
    CHECK(logicalNot(tp).data() == std::vector<float>{0, 0, 1, 1});
    Tensor picked = where(tensorBool(*backend, {2, 1}, std::vector<uint8_t>{1, 0}),
                          tensor(*backend, {3}, {1, 2, 3}), scalar(*backend, -1));
    CHECK(picked.shape() == Shape{2, 3});
    CHECK(picked.data() == std::vector<float>{1, 2, 3, -1, -1, -1});
    CHECK(isNaN(a).data() == std::vector<float>{0, 0, 1, 0});
    CHECK(isInf(tensor(*backend, {3}, {INFINITY, -INFINITY, 1})).data() ==
          std::vector<float>{1, 1, 0});
    CHECK(round(tensor(*backend, {4}, {0.5f, 1.5f, 2.5f, -2.5f})).data() ==
          std::vector<float>{0, 2, 2, -2});
    CHECK(
        mod(tensor(*backend, {4}, {5, -5, 5, -5}), tensor(*backend, {4}, {3, 3, -3, -3})).data() ==
        std::vector<float>{2, 1, -1, -2});
  }
  Tensor x = zeros(gl(), {3});
  CHECK_THROWS_WITH_AS(logicalAnd(x, x), "logicalAnd: input 0 has dtype float32, expected bool",
                       Error);
  CHECK_THROWS_WITH_AS(equal(x, argMax(zeros(gl(), {2, 3}), 0)),
                       "equal: inputs have dtypes float32 and int32, expected the same dtype",
                       Error);
  CHECK_THROWS_WITH_AS(where(x, x, x), "where: condition has dtype float32, expected bool", Error);
  CHECK_THROWS_WITH_AS(clipByValue(x, 2, 1),
                       "clipByValue: clipValueMin (2) must not exceed clipValueMax (1)", Error);
  CHECK_THROWS_WITH_AS(runOp1("clipByValue", {x}), doctest::Contains("clipValueMin"), Error);
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
