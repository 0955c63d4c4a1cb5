// softmax along the last axis: two passes on GL (row max and sum of exponentials in one
// online sweep, then the normalised exponentials), one sweep per row on the CPU.
#include <cmath>
#include <limits>

#include "engine/cpu/cpu_backend.h"
#include "engine/gl/gl_pass.h"
#include "engine/ops/op_util.h"
#include "engine/ops/ops.h"

namespace texel {
namespace {

std::vector<TensorSpec> inferSoftmax(std::string_view op, std::span<const TensorSpec> in,
                                     const Attrs& attrs) {
  ops::requireFloat(op, in);
  int rank = in[0].shape.rank();
  if (rank == 0) fail(op, ": logits must have rank >= 1, got a scalar");
  int axis = normalizeAxis(static_cast<int>(attrs.getIntOr("axis", -1, op)), rank, std::string(op));
  if (axis != rank - 1)
    fail(op, ": only the last axis is supported (axis -1 or ", rank - 1, "), got axis ", axis,
         " for logits ", in[0].shape);
  return {in[0]};
}

std::vector<Tensor> softmaxCpu(const OpContext& ctx) {
  const Shape& shape = ctx.inputs[0].shape();
  const std::vector<float>& x = cpuValues(ctx.inputs[0]);
  size_t last = static_cast<size_t>(shape.fromEnd(1));
  std::vector<float> y(x.size());
  for (size_t begin = 0; begin < x.size(); begin += last) {
    double best = -std::numeric_limits<double>::infinity();
    for (size_t i = 0; i < last; ++i) best = std::max<double>(best, x[begin + i]);
    double total = 0.0;
    for (size_t i = 0; i < last; ++i) total += std::exp(x[begin + i] - best);
    for (size_t i = 0; i < last; ++i)
      y[begin + i] = static_cast<float>(std::exp(x[begin + i] - best) / total);
  }
  return {cpuResult(ctx, std::move(y))};
}

std::vector<Tensor> softmaxGl(const OpContext& ctx) {
  auto& backend = static_cast<GlBackend&>(ctx.backend);
  std::string op(ctx.op);
  const Tensor& x = ctx.inputs[0];
  int64_t rows = x.size() / x.shape().fromEnd(1);
  Tensor stats = gl::Pass(backend, op, {"softmax_stats"})
                     .input("X", x)
                     .run({Shape{rows, 3}});  // max, sum, NaN-row flag
  return {
      gl::Pass(backend, op, {"softmax_apply"}).input("X", x).input("S", stats).run(ctx.outputs[0])};
}

}  // namespace

void registerSoftmaxOps(std::vector<OpDef>& ops) {
  ops.push_back({"softmax", 1, 1, inferSoftmax, softmaxCpu, softmaxGl});
}

Tensor softmax(const Tensor& logits, int axis) {
  Attrs attrs;
  attrs.setInt("axis", axis);
  return runOp1("softmax", {logits}, attrs);
}

}  // namespace texel
