#pragma once
// Explicit warmup: compile, link and run every program a list of op signatures needs,
// so that the first real call compiles nothing (TF.js users warm up by running a
// zeros prediction and hoping; here it is an API with a report).
#include <chrono>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "engine/core/attrs.h"
#include "engine/core/backend.h"
#include "engine/core/registry.h"

namespace texel {

struct OpSignature {
  std::string op;
  std::vector<TensorSpec> inputs;
  Attrs attrs;
};

struct WarmupReport {
  int64_t programsBuilt = 0;  // programs compiled and linked during warmup
  int64_t opsRun = 0;
  double milliseconds = 0.0;
};

// Warmup in two steps, so that no thread waits for a shader compiler while it could do
// something else. The constructor runs `work` compile-only: every program it needs starts
// compiling (in parallel where the driver has KHR_parallel_shader_compile; in the GPU
// process's own time in browsers) and nothing is drawn. ready() asks, without blocking,
// whether they have compiled: a page calls it once per frame. finish() checks every
// program (waiting if it must; a compile error is thrown there, naming its op) and runs
// `work` for real, so the first real call compiles nothing. `work` returns the ops it ran.
class WarmupJob {
 public:
  WarmupJob(Backend& backend, std::function<int64_t()> work);
  bool ready() { return finished_ || backend_->programsReady(); }
  WarmupReport finish();

 private:
  Backend* backend_;
  std::function<int64_t()> work_;
  std::chrono::steady_clock::time_point start_;
  int64_t compilesBefore_ = 0;
  bool finished_ = false;
};

// Runs each signature once on zero-valued inputs (a WarmupJob, finished at once). GL programs are
// keyed on ranks and layout flags (shapes are uniforms), so a signature also covers other sizes of
// the same ranks, unless a size changes the texture layout class (see ARCHITECTURE.md).
WarmupReport warmup(Backend& backend, std::span<const OpSignature> signatures);

}  // namespace texel
