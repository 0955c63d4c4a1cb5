// Every registered op against the CPU reference on its cases (tests/cases/<family>.cpp),
// on the GL backends (default, folded textures, forced half floats): the CI side of the
// conformance suite. The tests walk the registry, so an op without cases fails here.
#include "apps/gl_harness/conformance.h"
#include "tests/cases/cases.h"
#include "tests/test_support.h"

namespace texel::test {
namespace {

TEST_CASE("every registered op matches the CPU reference on its conformance cases") {
  for (const OpDef& def : OpRegistry::instance().all()) {
    std::string op(def.name);
    std::vector<verify::OpCase> cases = harness::casesFor(op, gl().maxTextureSize());
    CHECK_MESSAGE(!cases.empty(), op, " has no conformance cases (tests/cases/", def.family,
                  ".cpp)");
    uint64_t seed = 100;
    for (verify::OpCase& c : cases) {
      c.seed = seed++;
      checkAgainstCpu(c);
    }
  }
}

TEST_CASE("every op's row is complete: a gradient with cases, or a reason for none") {
  for (const OpDef& def : OpRegistry::instance().all()) {
    CAPTURE(def.name);
    bool hasGradient = def.gradient != nullptr;
    CHECK(hasGradient == def.noGradient.empty());
    const cases::OpCases* entry = cases::table().find(def.name);
    // Composites are differentiated through the ops they run; most have cases anyway.
    bool hasGradientCases = entry && !entry->gradient.empty();
    if (def.gradient)
      CHECK_MESSAGE(hasGradientCases, def.name,
                    " has a gradient but no gradient cases (tests/cases/", def.family, ".cpp)");
    if (!def.gradient && !def.composite && entry)
      CHECK_MESSAGE(entry->gradient.empty(), def.name, " has gradient cases but no gradient");
  }
  // Every case names a registered op.
  for (const OpDef& def : OpRegistry::instance().all()) {
    const cases::OpCases* entry = cases::table().find(def.name);
    if (!entry) continue;
    for (const verify::OpCase& c : entry->conformance) CHECK(c.op == def.name);
    for (const cases::GradCase& c : entry->gradient) CHECK(c.op == def.name);
  }
}

}  // namespace
}  // namespace texel::test
