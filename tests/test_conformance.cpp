// Every registered op against the CPU reference on its cases (tests/cases/<family>.cpp),
// on the GL backends (default, folded textures, forced half floats): the CI side of the
// conformance suite. The tests walk the registry, so an op without cases fails here.
#include "apps/gl_harness/conformance.h"
#include "engine/simd/gemm.h"
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

TEST_CASE("every registered op on the SIMD CPU backend matches the reference, 1 and 2 threads") {
  for (const OpDef& def : OpRegistry::instance().all()) {
    std::string op(def.name);
    uint64_t seed = 100;
    for (verify::OpCase& c : harness::casesFor(op, gl().maxTextureSize())) {
      c.seed = seed++;
      std::vector<std::vector<float>> byThreads;
      for (CpuBackend* simd : simdBackends()) {
        std::vector<verify::OutputCheck> checks = verify::runAgainst(c, cpu(), *simd);
        for (size_t k = 0; k < checks.size(); ++k) {
          recordError(c.op + " (simd)", checks[k].comparison);
          CHECK_MESSAGE(
              checks[k].ok(c.tolerance),
              checks[k].explain(simd->name() + " x" + std::to_string(simd->threads()), c, k));
          byThreads.push_back(checks[k].actual);
        }
      }
      // Threads split rows and columns, never a sum: results are independent of the count.
      size_t half = byThreads.size() / 2;
      for (size_t k = 0; k < half; ++k)
        CHECK_MESSAGE(byThreads[k] == byThreads[half + k], verify::describe(c),
                      ": the result depends on the thread count");
    }
  }
}

TEST_CASE("the SIMD products agree with the reference on every instruction set this machine has") {
  std::vector<std::string> isas = simd::isasAvailable();
  CHECK(!isas.empty());
  for (const std::string& isa : isas) {
    CAPTURE(isa);
    simd::useIsa(isa);
    for (const char* op : {"matMul", "fusedMatMul", "conv2d", "fusedConv2d", "conv2dTranspose",
                           "conv2dFilterGrad"}) {
      uint64_t seed = 300;
      for (verify::OpCase& c : harness::casesFor(op, gl().maxTextureSize())) {
        c.seed = seed++;
        std::vector<verify::OutputCheck> checks = verify::runAgainst(c, cpu(), *simdBackends()[1]);
        for (size_t k = 0; k < checks.size(); ++k)
          CHECK_MESSAGE(checks[k].ok(c.tolerance), checks[k].explain("cpu-simd " + isa, c, k));
      }
    }
  }
  simd::useIsa(isas.front());
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
