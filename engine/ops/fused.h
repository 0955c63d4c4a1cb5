#pragma once
// Bias and activation fused into the last step of matMul and conv2d (fusedMatMul,
// fusedConv2d): the GLSL epilogue's defines and the CPU reference of the same step.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/attrs.h"
#include "engine/core/registry.h"
#include "engine/gl/gl_pass.h"

namespace texel::ops {

struct Fusion {
  std::string activation = "linear";  // "linear" or the name of a unary op
  float alpha = 0.2f;                 // leakyRelu's slope
  bool hasBias = false;
};

// Reads and validates the "activation" / "leakyreluAlpha" attributes; `biasInputs` is
// how many inputs follow the op's regular ones (0 or 1).
Fusion fusionOf(std::string_view op, const Attrs& attrs, size_t biasInputs);
// Checks that the bias broadcasts to `out`.
void checkBias(std::string_view op, const Shape& bias, const Shape& out);

// Whether one pass can apply `bias` (one value per output channel, or a single value);
// other broadcastable shapes take separate passes.
bool biasFitsEpilogue(const Shape& bias, int64_t channels);
// Sets the epilogue's defines and binds the bias (null: none) on `pass`.
void epilogue(gl::Pass& pass, const Fusion& fusion, const Tensor* bias);
// Applies what the epilogue could not: a general bias and the activation, as ops.
Tensor biasAndActivationOps(const Tensor& y, const Fusion& fusion, const Tensor* bias);

// The CPU reference: y = activation(y + bias) in place.
void epilogueCpu(std::vector<float>& y, const Shape& out, const Fusion& fusion, const Tensor* bias);

}  // namespace texel::ops
