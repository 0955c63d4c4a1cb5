#include "tests/test_support.h"

namespace texel::test {
namespace {

Attrs transposes(bool a, bool b) {
  Attrs attrs;
  attrs.setBool("transposeA", a).setBool("transposeB", b);
  return attrs;
}

TEST_CASE("matMul matches the CPU reference, all transposes, awkward sizes") {
  struct Dims {
    int64_t m, k, n;
  };
  const Dims dims[] = {{1, 1, 1}, {1, 5, 3},    {3, 1, 5},    {5, 3, 1},  {7, 9, 6},
                       {4, 8, 4}, {2, 4097, 3}, {33, 17, 65}, {1, 300, 5}};
  for (const Dims& d : dims)
    for (int t = 0; t < 4; ++t) {
      bool ta = t & 1, tb = t & 2;
      Shape a = ta ? Shape{d.k, d.m} : Shape{d.m, d.k};
      Shape b = tb ? Shape{d.n, d.k} : Shape{d.k, d.n};
      checkAgainstCpu({"matMul", {a, b}, transposes(ta, tb)});
    }
}

TEST_CASE("batched matMul with broadcast batch dimensions") {
  checkAgainstCpu({"matMul", {{3, 5, 7}, {3, 7, 2}}});
  checkAgainstCpu({"matMul", {{3, 5, 7}, {7, 2}}});
  checkAgainstCpu({"matMul", {{1, 5, 7}, {4, 7, 3}}});
  checkAgainstCpu({"matMul", {{2, 1, 3, 5}, {3, 5, 6}}});
  checkAgainstCpu({"matMul", {{2, 3, 6, 5}, {3, 5, 6}}, transposes(true, true)});
  checkAgainstCpu({"matMul", {{2, 2, 1, 2, 3, 5}, {2, 1, 5, 4}}});
}

TEST_CASE("matMul known values and errors") {
  Tensor a = tensor(cpu(), {2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor b = tensor(cpu(), {3, 2}, {7, 8, 9, 10, 11, 12});
  CHECK(matMul(a, b).data() == std::vector<float>{58, 64, 139, 154});
  CHECK(matMul(a, a, false, true).data() == std::vector<float>{14, 32, 32, 77});
  Tensor g = tensor(gl(), {2, 3}, {1, 2, 3, 4, 5, 6});
  CHECK(matMul(g, tensor(gl(), {3, 2}, {7, 8, 9, 10, 11, 12})).data() ==
        std::vector<float>{58, 64, 139, 154});
  CHECK_THROWS_WITH_AS(matMul(g, g),
                       "matMul: inner dimensions must match: a [2,3] has 3, b [2,3] has 2", Error);
  CHECK_THROWS_WITH_AS(matMul(zeros(gl(), {3}), g), doctest::Contains("need rank >= 2"), Error);
  CHECK_THROWS_WITH_AS(
      matMul(zeros(gl(), {2, 2, 3}), zeros(gl(), {3, 3, 4})),
      doctest::Contains("matMul (batch dimensions): shapes [2] and [3] cannot be broadcast"),
      Error);
}

}  // namespace
}  // namespace texel::test
