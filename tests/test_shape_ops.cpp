#include "tests/test_support.h"

namespace texel::test {
namespace {

TEST_CASE("transpose matches the CPU reference for many permutations") {
  struct Case {
    Shape shape;
    std::vector<int64_t> perm;
  };
  const Case cases[] = {{{3, 5}, {1, 0}},
                        {{1, 7}, {1, 0}},
                        {{4097, 3}, {1, 0}},
                        {{2, 3, 5}, {0, 2, 1}},
                        {{2, 3, 5}, {2, 1, 0}},
                        {{2, 3, 5}, {1, 0, 2}},
                        {{2, 3, 4, 5}, {3, 1, 2, 0}},
                        {{2, 3, 4, 5}, {0, 2, 1, 3}},
                        {{2, 1, 3, 1, 2, 5}, {5, 4, 3, 2, 1, 0}},
                        {{3, 200}, {1, 0}},
                        {{40, 7}, {1, 0}}};
  for (const Case& c : cases) {
    Attrs attrs;
    attrs.setInts("perm", c.perm);
    checkAgainstCpu({"transpose", {c.shape}, attrs, {}, 0.0});
  }
  checkAgainstCpu({"transpose", {{2, 3, 5}}, {}, {}, 0.0});  // default: reversed
}

TEST_CASE("reshape keeps values, is free when the last dimension stays") {
  struct Case {
    Shape from;
    std::vector<int64_t> to;
  };
  const Case cases[] = {{{2, 3, 5}, {6, 5}}, {{2, 3, 5}, {5, 6}},  {{2, 3, 5}, {30}},
                        {{4097}, {17, 241}}, {{6, 5}, {2, -1, 5}}, {{3, 5}, {15, 1}},
                        {{1}, {}},           {{}, {1, 1}},         {{40, 7}, {7, 40}}};
  for (const Case& c : cases) {
    Attrs attrs;
    attrs.setInts("shape", c.to);
    checkAgainstCpu({"reshape", {c.from}, attrs, {}, 0.0});
  }
  Tensor x = tensor(gl(), {2, 3, 5}, randomValues(30, 3));
  int64_t passes = gl().stats().passCount;
  Tensor y = reshape(x, {6, 5});
  CHECK(gl().stats().passCount == passes);  // same texture, no pass
  CHECK(y.storage() == x.storage());
  Tensor z = reshape(x, {5, 6});
  CHECK(gl().stats().passCount == passes + 1);
  CHECK(z.data() == x.data());
}

TEST_CASE("shape op errors") {
  Tensor x = zeros(gl(), {2, 3});
  CHECK_THROWS_WITH_AS(reshape(x, {4, 2}),
                       "reshape: cannot reshape [2,3] (6 elements) to [4,2] (8 elements)", Error);
  CHECK_THROWS_WITH_AS(reshape(x, {-1, -1}), "reshape: shape [-1,-1] has more than one -1", Error);
  CHECK_THROWS_WITH_AS(reshape(x, {4, -1}), "reshape: cannot reshape [2,3] (6 elements) to [4,-1]",
                       Error);
  CHECK_THROWS_WITH_AS(transpose(x, std::vector<int>{0, 0}),
                       "transpose: perm [0,0] is not a permutation of 0..1", Error);
  CHECK_THROWS_WITH_AS(transpose(x, std::vector<int>{0}),
                       "transpose: perm has 1 entries but the input [2,3] has rank 2", Error);
  CHECK_THROWS_WITH_AS(reshape(x, {1, 1, 1, 1, 2, 3, 1}), doctest::Contains("expected rank 0 to 6"),
                       Error);
}

}  // namespace
}  // namespace texel::test
