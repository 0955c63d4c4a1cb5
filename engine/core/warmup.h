#pragma once
// Explicit warmup: compile, link and run every program a list of op signatures needs,
// so that the first real call compiles nothing (TF.js users warm up by running a
// zeros prediction and hoping; here it is an API with a report).
#include <cstdint>
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

// Runs each signature once on zero-valued inputs. GL programs are keyed on ranks and
// layout flags (shapes are uniforms), so a signature also covers other sizes of the
// same ranks, unless a size changes the texture layout class (see ARCHITECTURE.md).
WarmupReport warmup(Backend& backend, std::span<const OpSignature> signatures);

}  // namespace texel
