#include "tests/test_support.h"

namespace texel::test {
namespace {

std::vector<Backend*> allBackends() {
  return {&cpu(), &gl(), &glFolded()};
}

TEST_CASE("cumsum: inclusive, exclusive, reverse, any axis") {
  for (Backend* b : allBackends()) {
    Tensor x = tensor(*b, {2, 3}, {1, 2, 3, 4, 5, 6});
    CHECK(cumsum(x, 1).data() == std::vector<float>{1, 3, 6, 4, 9, 15});
    CHECK(cumsum(x, 1, true).data() == std::vector<float>{0, 1, 3, 0, 4, 9});
    CHECK(cumsum(x, 1, false, true).data() == std::vector<float>{6, 5, 3, 15, 11, 6});
    CHECK(cumsum(x, 0, true, true).data() == std::vector<float>{4, 5, 6, 0, 0, 0});
  }
}

TEST_CASE("topK: descending, NaN first, ties in index order, int32 indices") {
  std::vector<float> row = {3, NAN, 5, 3, -INFINITY, 5, 0};
  for (Backend* b : allBackends()) {
    TopK top = topK(tensor(*b, {1, 7}, row), 5);
    CHECK(top.indices.dtype() == DType::Int32);
    CHECK(top.indices.shape() == Shape{1, 5});
    CHECK(top.indices.dataInt32() == std::vector<int32_t>{1, 2, 5, 0, 3});
    std::vector<float> values = top.values.data();
    CHECK(std::isnan(values[0]));
    CHECK(std::vector<float>(values.begin() + 1, values.end()) == std::vector<float>{5, 5, 3, 3});
  }
  CHECK_THROWS_WITH_AS(topK(tensor(cpu(), {3}, {1, 2, 3}), 4), doctest::Contains("k = 4"), Error);
}

TEST_CASE("softmax and logSoftmax on any axis; NaN rows stay NaN") {
  for (int axis : {0, 1, 2, -1})
    for (const char* op : {"softmax", "logSoftmax"})
      checkAgainstCpu({op, {{4, 5, 6}}, Attrs().setInt("axis", axis), {Range{-20.0f, 20.0f}}});
  for (Backend* b : allBackends()) {
    std::vector<float> y = logSoftmax(tensor(*b, {2, 3}, {0, 0, 0, 1, NAN, 2})).data();
    CHECK(y[0] == doctest::Approx(-std::log(3.0)));
    CHECK(std::isnan(y[3]));
    CHECK(std::isnan(y[5]));
    // exp(logSoftmax) == softmax.
    std::vector<float> s = softmax(tensor(*b, {3}, {-1000, 0, 1000})).data();
    CHECK(s[2] == 1.0f);
    CHECK(s[0] == 0.0f);
  }
}

}  // namespace
}  // namespace texel::test
