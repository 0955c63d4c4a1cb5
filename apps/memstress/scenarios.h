#pragma once
// Texture-memory stress scenarios (apps/memstress, and their quick variants in the test
// suite): each runs on its own GlBackend over a shared GL context and reports one row.
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "engine/gl/gl_context.h"

namespace memstress {

struct Config {
  bool quick = false;  // the test suite's sizes; the full sizes are the issue's
  uint64_t seed = 1;
};

struct Row {
  std::string scenario;
  int64_t iterations = 0;
  uint64_t peakBytes = 0;       // live + pooled texture bytes at the peak
  uint64_t finalLiveBytes = 0;  // after the scenario dropped what it made
  double milliseconds = 0;
  bool ok = false;
  std::string detail;  // the scenario's own figures, or why it failed
};

using ScenarioFn = Row (*)(const std::shared_ptr<texel::GlContext>& context, const Config& config);
struct Scenario {
  const char* name;
  const char* what;
  ScenarioFn run;
};

// The eight scenarios in order: churn, varying-batch, budget, driver-limit, paging,
// leak-check, context-loss, oversized.
const std::vector<Scenario>& scenarios();
// Runs one scenario; an exception becomes a failed row carrying its message.
Row runScenario(const Scenario& scenario, const std::shared_ptr<texel::GlContext>& context,
                const Config& config);

void printHeader(std::FILE* out);
void printRow(std::FILE* out, const Row& row);

}  // namespace memstress
