// Every registered op, on both GL backends, against the CPU reference, with the GL
// harness's case table (apps/gl_harness/conformance.cpp): the CI side of the conformance
// suite. An op without cases fails here.
#include "apps/gl_harness/conformance.h"
#include "tests/test_support.h"

namespace texel::test {
namespace {

TEST_CASE("every registered op matches the CPU reference on the conformance cases") {
  for (const OpDef& def : OpRegistry::instance().all()) {
    std::string op(def.name);
    std::vector<verify::OpCase> cases = harness::casesFor(op);
    CHECK_MESSAGE(!cases.empty(), op, " has no conformance cases");
    for (verify::OpCase& c : harness::limitCases(op, gl().maxTextureSize())) cases.push_back(c);
    uint64_t seed = 100;
    for (verify::OpCase& c : cases) {
      c.seed = seed++;
      checkAgainstCpu(c);
    }
  }
}

}  // namespace
}  // namespace texel::test
