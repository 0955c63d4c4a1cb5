#pragma once
// The gradient functions: one explicit table (no static self-registration), one entry per
// differentiable op. Each takes the recorded call and the gradients of its outputs and
// returns one gradient per input (an undefined Tensor for inputs that have none, such as
// integer indices).
#include <span>
#include <string_view>
#include <vector>

#include "engine/core/attrs.h"
#include "engine/core/tensor.h"

namespace texel::autodiff {

struct GradContext {
  std::string_view op;
  std::span<const Tensor> inputs;
  const Attrs& attrs;
  std::span<const Tensor> outputs;
  std::span<const Tensor> outputGrads;  // same count as outputs, zeros where unused
  // Per input: whether it depends on a source. Expensive gradients (conv2d's input
  // gradient of a model's first layer) may return an undefined Tensor where it does not.
  std::vector<bool> needed = {};
  bool needs(size_t input) const { return needed.empty() || needed[input]; }
};
using GradFn = std::vector<Tensor> (*)(const GradContext& ctx);

// Null when `op` has no gradient.
GradFn findGradient(std::string_view op);

}  // namespace texel::autodiff
