// softmax and logSoftmax along any axis: two passes on GL over the last axis (row max
// and sum of exponentials in one online sweep, then the normalised values), with a
// transpose before and after for other axes; one sweep per row on the CPU.
#include <cmath>
#include <limits>
#include <numeric>

#include "engine/cpu/cpu_backend.h"
#include "engine/gl/gl_pass.h"
#include "engine/ops/gl_helpers.h"
#include "engine/ops/grad_util.h"
#include "engine/ops/op_util.h"
#include "engine/ops/ops.h"

namespace texel {
namespace {

int softmaxAxis(std::string_view op, const Shape& shape, const SoftmaxAttrs& attrs) {
  if (shape.rank() == 0) fail(op, ": logits must have rank >= 1, got a scalar");
  return normalizeAxis(attrs.axis, shape.rank(), std::string(op));
}

std::vector<TensorSpec> inferSoftmax(std::string_view op, std::span<const TensorSpec> in,
                                     const SoftmaxAttrs& attrs) {
  ops::requireFloat(op, in);
  softmaxAxis(op, in[0].shape, attrs);
  return {in[0]};
}

std::vector<Tensor> softmaxCpu(const OpContext& ctx, const SoftmaxAttrs& attrs, bool logarithm) {
  const Shape& shape = ctx.inputs[0].shape();
  int axis = softmaxAxis(ctx.op, shape, attrs);
  int64_t outer = 1, n = shape[axis], inner = 1;
  for (int d = 0; d < axis; ++d) outer *= shape[d];
  for (int d = axis + 1; d < shape.rank(); ++d) inner *= shape[d];
  const std::vector<float>& x = cpuValues(ctx.inputs[0]);
  std::vector<float> y(x.size());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t r = 0; r < inner; ++r) {
      auto at = [&](int64_t i) { return static_cast<size_t>((o * n + i) * inner + r); };
      double best = -std::numeric_limits<double>::infinity();
      bool nan = false;
      for (int64_t i = 0; i < n; ++i) {
        best = std::max<double>(best, x[at(i)]);
        nan = nan || std::isnan(x[at(i)]);
      }
      double total = 0.0;
      for (int64_t i = 0; i < n; ++i) total += std::exp(x[at(i)] - best);
      for (int64_t i = 0; i < n; ++i) {
        double v =
            logarithm ? x[at(i)] - best - std::log(total) : std::exp(x[at(i)] - best) / total;
        y[at(i)] = static_cast<float>(nan || std::isinf(best) ? NAN : v);
      }
    }
  return {cpuResult(ctx, std::move(y))};
}

Tensor softmaxLastAxisGl(GlBackend& backend, const std::string& op, const Tensor& x,
                         bool logarithm) {
  int64_t rows = x.size() / x.shape().fromEnd(1);
  gl::checkLoop((x.shape().fromEnd(1) + 3) / 4, op, "a row this long");
  Tensor stats = gl::Pass(backend, op, {gl::shaders::softmax_stats})
                     .input("X", x)
                     .run({Shape{rows, 3}});  // max, sum, NaN-row flag
  return gl::Pass(backend, op, {gl::shaders::softmax_apply})
      .define("LOG_SOFTMAX", logarithm ? 1 : 0)
      .input("X", x)
      .input("S", stats)
      .run({x.shape()});
}

std::vector<Tensor> softmaxGl(const OpContext& ctx, const SoftmaxAttrs& attrs, bool logarithm) {
  auto& backend = static_cast<GlBackend&>(ctx.backend);
  const Tensor& x = ctx.inputs[0];
  int rank = x.rank();
  int axis = softmaxAxis(ctx.op, x.shape(), attrs);
  std::string op(ctx.op);
  if (axis == rank - 1) return {softmaxLastAxisGl(backend, op, x, logarithm)};
  // Swap the axis with the last one, normalise, swap back (the swap is its own inverse).
  std::vector<int> perm(static_cast<size_t>(rank));
  std::iota(perm.begin(), perm.end(), 0);
  std::swap(perm[static_cast<size_t>(axis)], perm.back());
  Tensor moved = ops::transposeGl(backend, x, perm);
  return {ops::transposeGl(backend, softmaxLastAxisGl(backend, op, moved, logarithm), perm)};
}

// Rows go by chunks when the softmax axis is not the leading one.
ops::SplitPlan softmaxPlan(std::span<const TensorSpec> in, const TensorSpec&,
                           const SoftmaxAttrs& a) {
  int rank = in[0].shape.rank();
  if (rank < 2 || a.axis == 0 || a.axis == -rank) return {};
  return {ops::SplitInput::Rows};
}

void addSoftmax(OpList& ops, std::string_view name, bool logarithm) {
  ops.add<SoftmaxAttrs>(name, "softmax")
      .infer(inferSoftmax)
      .cpu([logarithm](const OpContext& ctx, const SoftmaxAttrs& a) {
        return softmaxCpu(ctx, a, logarithm);
      })
      .gl([logarithm](const OpContext& ctx, const SoftmaxAttrs& a) {
        return softmaxGl(ctx, a, logarithm);
      })
      .splitKernel(ops::splitByRows<SoftmaxAttrs>(softmaxPlan), "over an axis after the first")
      .gradient([logarithm](const GradContext& c, const SoftmaxAttrs& a) {
        std::vector<int> axis = {a.axis};
        const Tensor& y = c.outputs[0];
        const Tensor& dy = c.outputGrads[0];
        if (logarithm) return std::vector<Tensor>{sub(dy, mul(exp(y), sum(dy, axis, true)))};
        return std::vector<Tensor>{mul(y, sub(dy, sum(mul(dy, y), axis, true)))};
      });
}

}  // namespace

void registerSoftmaxOps(OpList& ops) {
  addSoftmax(ops, "softmax", false);
  addSoftmax(ops, "logSoftmax", true);
}

Tensor softmax(const Tensor& logits, int axis) {
  return runOp1("softmax", {logits}, SoftmaxAttrs{axis});
}

Tensor logSoftmax(const Tensor& logits, int axis) {
  return runOp1("logSoftmax", {logits}, SoftmaxAttrs{axis});
}

}  // namespace texel
