#include "tests/cases/cases.h"
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

// The blocked (multiple render target) product kernels pick their block shape from the
// targets a device has; capping them runs every shape the heuristic can choose (1 x 1 up
// to 8 x 1 and 4 x 2) on this device, each against the CPU reference on the family's
// cases, with the size threshold off so that small cases block too.
TEST_CASE(
    "matMul, conv2d, depthwiseConv2d, fused forms and conv2dFilterGrad match the CPU in every "
    "block shape") {
  for (int cap : {1, 2, 4, 8}) {
    if (cap > gl().blockTargets()) break;
    auto capped =
        GlBackend::create(context(), GlOptions{.maxBlockTargets = cap, .minBlockProducts = 0});
    for (std::string op : {"matMul", "fusedMatMul", "conv2d", "fusedConv2d", "depthwiseConv2d",
                           "conv2dFilterGrad"}) {
      CAPTURE(cap);
      CAPTURE(op);
      int64_t blockedBefore = capped->stats().blockedPassCount;
      uint64_t seed = 500;
      for (verify::OpCase c : cases::table().find(op)->conformance) {
        c.seed = seed++;
        std::vector<verify::OutputCheck> checks = verify::runAgainst(c, cpu(), *capped);
        for (size_t k = 0; k < checks.size(); ++k)
          CHECK_MESSAGE(checks[k].ok(c.tolerance), checks[k].explain("gl-capped", c, k));
      }
      int64_t blocked = capped->stats().blockedPassCount - blockedBefore;
      // One target: every product is a plain pass; the filter gradient's block is four
      // channels tall.
      if (cap == 1 || (op == "conv2dFilterGrad" && cap < 4))
        CHECK(blocked == 0);
      else
        CHECK(blocked > 0);
    }
  }
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
