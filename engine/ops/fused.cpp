#include "engine/ops/fused.h"

#include <cmath>

#include "engine/cpu/cpu_backend.h"
#include "engine/ops/grad_util.h"
#include "engine/ops/op_util.h"

namespace texel::ops {

void checkBias(std::string_view op, const Shape& bias, const Shape& out) {
  if (broadcastShapes(bias, out, concat(op, " (bias)")) != out)
    fail(op, ": bias ", bias, " does not broadcast to the output ", out);
}

bool biasFitsEpilogue(const Shape& bias, int64_t channels) {
  return bias.size() == 1 || (bias.fromEnd(1) == channels && bias.size() == channels);
}

void epilogue(gl::Pass& pass, const Fusion& fusion, const Tensor* bias) {
  pass.define("HAS_BIAS", bias ? 1 : 0)
      .define("BIAS_SPLAT", bias && bias->size() == 1 ? 1 : 0)
      .define("ACTIVATION(x)", fusion.activation == Activation::Linear
                                   ? std::string_view("(x)")
                                   : activationGlsl(fusion.activation));
  if (fusion.activation == Activation::LeakyRelu) pass.uniform("param0", fusion.alpha);
  if (bias) pass.input("BIAS", *bias);
}

Tensor biasAndActivationOps(const Tensor& y, const Fusion& fusion, const Tensor* bias) {
  Tensor result = bias ? add(y, *bias) : y;
  switch (fusion.activation) {
    case Activation::Linear:
      return result;
    case Activation::Relu:
      return relu(result);
    case Activation::Relu6:
      return relu6(result);
    case Activation::Elu:
      return elu(result);
    case Activation::Sigmoid:
      return sigmoid(result);
    case Activation::Tanh:
      return tanh(result);
    case Activation::LeakyRelu:
      return leakyRelu(result, fusion.alpha);
  }
  return result;
}

void epilogueCpu(std::vector<float>& y, const Shape& out, const Fusion& fusion,
                 const Tensor* bias) {
  if (bias) {
    const std::vector<float>& b = cpuValues(*bias);
    std::vector<int64_t> strides = broadcastStrides(bias->shape(), out);
    std::vector<int64_t> index(static_cast<size_t>(out.rank()), 0);
    for (float& v : y) {
      int64_t at = 0;
      for (size_t d = 0; d < index.size(); ++d) at += index[d] * strides[d];
      v += b[static_cast<size_t>(at)];
      nextIndex(index, out);
    }
  }
  if (fusion.activation == Activation::Linear) return;
  ActivationFn activation = activationReference(fusion.activation);
  for (float& v : y)
    if (!std::isnan(v)) v = static_cast<float>(activation(v, fusion.alpha, 0.0));
}

namespace {
// y[i] = act(y[i] + bias[i % period]) over a row-major block; NaN stays NaN, as in the
// reference (comparisons with NaN are false).
template <typename Act>
void biasThen(float* y, size_t count, const float* bias, size_t period, Act act) {
  if (!bias) {
    for (size_t i = 0; i < count; ++i) y[i] = act(y[i]);
    return;
  }
  for (size_t i = 0; i < count; i += period)
    for (size_t c = 0; c < period; ++c) y[i + c] = act(y[i + c] + bias[c]);
}
}  // namespace

void epilogueSimd(std::vector<float>& y, const Shape& out, const Fusion& fusion,
                  const Tensor* bias) {
  int64_t channels = out.rank() ? out.fromEnd(1) : 1;
  if (bias &&
      !(bias->size() == 1 || (bias->size() == channels && bias->shape().fromEnd(1) == channels)))
    return epilogueCpu(y, out, fusion, bias);
  const float* b = bias ? cpuValues(*bias).data() : nullptr;
  size_t period = bias ? static_cast<size_t>(bias->size()) : 1;
  float alpha = fusion.alpha;
  switch (fusion.activation) {
    case Activation::Linear:
      if (b) biasThen(y.data(), y.size(), b, period, [](float v) { return v; });
      return;
    case Activation::Relu:
      return biasThen(y.data(), y.size(), b, period, [](float v) { return v < 0 ? 0.0f : v; });
    case Activation::Relu6:
      return biasThen(y.data(), y.size(), b, period,
                      [](float v) { return v < 0 ? 0.0f : (v > 6 ? 6.0f : v); });
    case Activation::LeakyRelu:
      return biasThen(y.data(), y.size(), b, period,
                      [alpha](float v) { return v < 0 ? alpha * v : v; });
    case Activation::Elu:
    case Activation::Sigmoid:
    case Activation::Tanh:
      break;
  }
  ActivationFn activation = activationReference(fusion.activation);
  biasThen(y.data(), y.size(), b, period, [&](float v) {
    return std::isnan(v) ? v : static_cast<float>(activation(v, alpha, 0.0));
  });
}

Tensor activationGrad(const Fusion& fusion, const Tensor& y, const Tensor& dy) {
  Tensor zero = scalarLike(y, 0.0f), one = scalarLike(y, 1.0f);
  switch (fusion.activation) {
    case Activation::Linear:
      return dy;
    case Activation::Relu:
      return reluGrad(y, dy);
    case Activation::Relu6:
      return maskWhere(logicalAnd(greater(y, zero), less(y, scalarLike(y, 6.0f))), dy);
    case Activation::Sigmoid:
      return mul(dy, mul(y, sub(one, y)));
    case Activation::Tanh:
      return mul(dy, sub(one, square(y)));
    case Activation::Elu:
      return where(greater(y, zero), dy, mul(dy, add(y, one)));
    case Activation::LeakyRelu:
      return where(greater(y, zero), dy, mul(dy, scalarLike(y, fusion.alpha)));
  }
  return dy;
}

// Blocking pays once several rows share the second operand's texels and the work
// dwarfs its costs: a blit per target, and a first use that compiles a program several
// times the plain one's size (SwiftShader: the MNIST CNN's first predict took 914 ms
// with its 11x11x32 conv blocked at b1, 432 without; conv2d 28x28x1->8 ran 4.2 ms
// blocked, 2.4 plain). Two slices wide when the output has them (the first operand's
// texels shared too), as many rows as targets are left.
gl::Pass::Block productBlock(const GlBackend& backend, int64_t rows, int64_t slices, int64_t k,
                             int maxBlockSlices) {
  int maxTargets = backend.blockTargets();
  if (maxTargets < 2 || rows < 2 || k < 8 || rows * slices < 16 ||
      rows * slices * k < backend.minBlockProducts())
    return {};
  int targets = maxTargets >= 8 ? 8 : maxTargets >= 4 ? 4 : 2;
  int blockSlices = slices >= 2 && maxBlockSlices >= 2 ? 2 : 1;
  int blockRows = targets / blockSlices;
  while (blockRows > 2 && blockRows > rows / 2) blockRows /= 2;
  if (blockRows * blockSlices < 2) return {};
  return {blockRows, blockSlices};
}

}  // namespace texel::ops
