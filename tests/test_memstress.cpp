// The quick variants of apps/memstress's eight scenarios, on the suite's GL context. The
// context-loss scenario loses and restores that shared context: every other backend of
// the suite is told and restores itself, which this suite then keeps relying on.
#include "apps/memstress/scenarios.h"
#include "tests/test_support.h"

namespace texel::test {
namespace {

void runQuick(const char* name) {
  for (const memstress::Scenario& scenario : memstress::scenarios()) {
    if (std::string(scenario.name) != name) continue;
    memstress::Row row = memstress::runScenario(scenario, context(), {.quick = true, .seed = 7});
    MESSAGE(row.scenario << ": " << row.iterations << " iterations, peak " << row.peakBytes
                         << " B, final live " << row.finalLiveBytes << " B, " << row.milliseconds
                         << " ms; " << row.detail);
    CHECK(row.ok);
    return;
  }
  FAIL("no memstress scenario named " << name);
}

TEST_CASE("memstress quick: churn") {
  runQuick("churn");
}
TEST_CASE("memstress quick: varying-batch") {
  runQuick("varying-batch");
}
TEST_CASE("memstress quick: budget") {
  runQuick("budget");
}
TEST_CASE("memstress quick: driver-limit") {
  runQuick("driver-limit");
}
TEST_CASE("memstress quick: paging") {
  runQuick("paging");
}
TEST_CASE("memstress quick: leak-check") {
  runQuick("leak-check");
}
TEST_CASE("memstress quick: context-loss") {
  runQuick("context-loss");
  // The suite's shared backends came back with the context.
  CHECK_FALSE(gl().contextLost());
  CHECK(add(scalar(gl(), 1), scalar(gl(), 2)).data() == std::vector<float>{3});
}
TEST_CASE("memstress quick: oversized") {
  runQuick("oversized");
}

}  // namespace
}  // namespace texel::test
