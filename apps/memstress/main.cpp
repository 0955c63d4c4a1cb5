// memstress: the texture-memory stress scenarios, one row each and a summary line.
//   memstress [--quick] [--only NAME[,NAME...]] [--seed N]
// Exit code 1 when any scenario fails. Natively on headless EGL; in the browser through
// scripts/run_web_page.mjs build-web/apps memstress.html -- [args].
#include <cstdio>
#include <cstdlib>
#include <string>

#include "apps/memstress/scenarios.h"
#include "engine/core/error.h"
#include "platform/platform.h"

int main(int argc, char** argv) {
  memstress::Config config;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--quick") {
      config.quick = true;
    } else if (arg == "--only" && i + 1 < argc) {
      only = "," + std::string(argv[++i]) + ",";
    } else if (arg == "--seed" && i + 1 < argc) {
      config.seed = std::strtoull(argv[++i], nullptr, 10);
    } else {
      std::fprintf(stderr, "usage: memstress [--quick] [--only NAME[,NAME...]] [--seed N]\n");
      return 2;
    }
  }
  std::shared_ptr<texel::GlContext> context;
  try {
    context = texel::platform::createDefaultContext();
  } catch (const texel::Error& e) {
    std::fprintf(stderr, "memstress: no GL context: %s\n", e.what());
    return 1;
  }
  memstress::printHeader(stdout);
  int run = 0, passed = 0;
  for (const memstress::Scenario& scenario : memstress::scenarios()) {
    if (!only.empty() && only.find("," + std::string(scenario.name) + ",") == std::string::npos)
      continue;
    memstress::Row row = memstress::runScenario(scenario, context, config);
    memstress::printRow(stdout, row);
    ++run;
    passed += row.ok;
  }
  std::printf("memstress: %d scenarios, %d ok, %d failed (%s)\n", run, passed, run - passed,
              config.quick ? "quick" : "full");
  return passed == run && run > 0 ? 0 : 1;
}
