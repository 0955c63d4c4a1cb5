#pragma once
// The benchmark grid (docs/PERFORMANCE.md), texel's side: every task by name, run on one
// backend, as figures in milliseconds. bench/tfjs/tasks.js implements the same tasks with
// TF.js; scripts/bench.mjs runs both in the same browser and compares.
//
// Timing rules, the same on both sides: each figure is the median of up to 15 repetitions
// after a warm-up run (fewer when the repetitions already took kBudgetMs), and every
// repetition reads its result back to the host, so it measures the work and not the
// queueing. "chained" figures run kChain ops back to back and read back once (per op).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/core/backend.h"

namespace bench {

inline constexpr int kMaxRepetitions = 15;
inline constexpr double kBudgetMs = 8000;  // after the first repetition
inline constexpr int kChain = 10;

struct Figure {
  std::string name;  // "matMul 256", "predict b32"
  double ms = 0;     // median
  int repetitions = 0;
};

struct TaskResult {
  std::string task;
  std::string backend;  // "gl" or "cpu"
  std::vector<Figure> figures;
  // What else a task reports: "programs" and "compileMs" of its first run, "peakBytes",
  // "accuracy"...
  std::map<std::string, double> values;
};

struct TaskOptions {
  bool quick = false;  // fewer repetitions and smaller data (CI keeps the code alive)
  std::string dataPath = "bench_digits.bin";  // TXDIGITS records for mnist-fit
};

// Every task of the grid, in the order the report lists them.
std::vector<std::string> taskNames(bool quick);
// Runs one task; throws texel::Error for an unknown name or a failure.
TaskResult runTask(const std::string& name, texel::Backend& backend, const TaskOptions& options);
// One JSON object per result (the line scripts/bench.mjs reads).
std::string toJson(const TaskResult& result);

}  // namespace bench
