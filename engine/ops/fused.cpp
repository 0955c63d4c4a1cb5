#include "engine/ops/fused.h"

#include <cmath>

#include "engine/cpu/cpu_backend.h"
#include "engine/ops/op_util.h"

namespace texel::ops {

namespace {
const char* unaryName(const std::string& activation) {
  if (activation == "relu") return "relu";
  if (activation == "relu6") return "relu6";
  if (activation == "elu") return "elu";
  if (activation == "sigmoid") return "sigmoid";
  if (activation == "tanh") return "tanh";
  if (activation == "leakyrelu" || activation == "leakyRelu") return "leakyRelu";
  return nullptr;
}
}  // namespace

Fusion fusionOf(std::string_view op, const Attrs& attrs, size_t biasInputs) {
  Fusion f;
  f.activation = attrs.getStringOr("activation", "linear", op);
  if (f.activation != "linear" && !unaryName(f.activation))
    fail(op, ": activation must be linear, relu, relu6, elu, sigmoid, tanh or leakyrelu, got '",
         f.activation, "' (apply prelu as its own op)");
  if (f.activation != "linear") f.activation = unaryName(f.activation);
  f.alpha = static_cast<float>(attrs.getFloatOr("leakyreluAlpha", 0.2, op));
  f.hasBias = biasInputs > 0;
  return f;
}

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
      .define("ACTIVATION(x)", fusion.activation == "linear" ? std::string_view("(x)")
                                                             : unaryGlsl(fusion.activation))
      .uniform("param0", fusion.alpha);
  if (bias) pass.input("BIAS", *bias);
}

Tensor biasAndActivationOps(const Tensor& y, const Fusion& fusion, const Tensor* bias) {
  Tensor result = bias ? runOp1("add", {y, *bias}) : y;
  if (fusion.activation == "linear") return result;
  Attrs attrs;
  if (fusion.activation == "leakyRelu") attrs.setFloat("alpha", fusion.alpha);
  return runOp1(fusion.activation, {result}, attrs);
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
  if (fusion.activation == "linear") return;
  for (float& v : y)
    if (!std::isnan(v)) v = static_cast<float>(unaryReference(fusion.activation, v, fusion.alpha));
}

}  // namespace texel::ops
