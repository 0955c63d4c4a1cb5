#pragma once
// Bias and activation fused into the last step of matMul and conv2d (fusedMatMul,
// fusedConv2d): the GLSL epilogue's defines, the CPU reference of the same step and the
// activation's derivative for the gradients.
#include <vector>

#include "engine/core/registry.h"
#include "engine/gl/gl_pass.h"
#include "engine/ops/ops.h"

namespace texel::ops {

struct Fusion {
  Activation activation = Activation::Linear;
  float alpha = 0.2f;  // leakyRelu's slope
};

// Checks that the bias broadcasts to `out`.
void checkBias(std::string_view op, const Shape& bias, const Shape& out);

// Whether one pass can apply `bias` (one value per output channel, or a single value);
// other broadcastable shapes take separate passes.
bool biasFitsEpilogue(const Shape& bias, int64_t channels);
// Sets the epilogue's defines and binds the bias (null: none) on `pass`.
void epilogue(gl::Pass& pass, const Fusion& fusion, const Tensor* bias);
// Applies what the epilogue could not: a general bias and the activation, as ops.
Tensor biasAndActivationOps(const Tensor& y, const Fusion& fusion, const Tensor* bias);

// Output texels per fragment of the register-blocked product kernels (matMul's and
// conv2d's texelBlock), or 1 x 1 for their plain ones, for an output of rows x slices
// texels summing over k products each, within the backend's block targets, at most
// `maxBlockSlices` (1 or 2) slices wide.
gl::Pass::Block productBlock(const GlBackend& backend, int64_t rows, int64_t slices, int64_t k,
                             int maxBlockSlices = 2);

// The CPU reference: y = activation(y + bias) in place.
void epilogueCpu(std::vector<float>& y, const Shape& out, const Fusion& fusion, const Tensor* bias);
// The SIMD backend's: the same in float, one pass, for a bias of one value per channel (or
// one value); other bias shapes take the reference.
void epilogueSimd(std::vector<float>& y, const Shape& out, const Fusion& fusion,
                  const Tensor* bias);

// The derivative of the fused activation from its output y, applied to dy.
Tensor activationGrad(const Fusion& fusion, const Tensor& y, const Tensor& dy);

// The activation's GLSL expression of vec4 x (and float param0 = alpha) and its CPU
// reference, from the elementwise family's table (engine/ops/elementwise.cpp).
std::string_view activationGlsl(Activation activation);
// (x, alpha, unused) -> activation(x), looked up once per call rather than per element.
using ActivationFn = double (*)(double x, double alpha, double unused);
ActivationFn activationReference(Activation activation);

}  // namespace texel::ops
