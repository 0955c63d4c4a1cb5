// softmax and logSoftmax along any axis: two passes on GL over the last axis (row max
// and sum of exponentials in one online sweep, then the normalised values), with a
// transpose before and after for other axes; one sweep per row on the CPU.
#include <cmath>
#include <limits>
#include <numeric>

#include "engine/cpu/cpu_backend.h"
#include "engine/gl/gl_pass.h"
#include "engine/ops/gl_helpers.h"
#include "engine/ops/op_util.h"
#include "engine/ops/ops.h"

namespace texel {
namespace {

int softmaxAxis(std::string_view op, const Shape& shape, const Attrs& attrs) {
  if (shape.rank() == 0) fail(op, ": logits must have rank >= 1, got a scalar");
  return normalizeAxis(static_cast<int>(attrs.getIntOr("axis", -1, op)), shape.rank(),
                       std::string(op));
}

std::vector<TensorSpec> inferSoftmax(std::string_view op, std::span<const TensorSpec> in,
                                     const Attrs& attrs) {
  ops::requireFloat(op, in);
  softmaxAxis(op, in[0].shape, attrs);
  return {in[0]};
}

std::vector<Tensor> softmaxCpu(const OpContext& ctx) {
  const Shape& shape = ctx.inputs[0].shape();
  int axis = softmaxAxis(ctx.op, shape, ctx.attrs);
  bool logarithm = ctx.op == "logSoftmax";
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

Tensor softmaxLastAxisGl(GlBackend& backend, const std::string& op, const Tensor& x) {
  int64_t rows = x.size() / x.shape().fromEnd(1);
  gl::checkLoop((x.shape().fromEnd(1) + 3) / 4, op, "a row this long");
  Tensor stats = gl::Pass(backend, op, {"softmax_stats"})
                     .input("X", x)
                     .run({Shape{rows, 3}});  // max, sum, NaN-row flag
  return gl::Pass(backend, op, {"softmax_apply"})
      .define("LOG_SOFTMAX", op == "logSoftmax" ? 1 : 0)
      .input("X", x)
      .input("S", stats)
      .run({x.shape()});
}

std::vector<Tensor> softmaxGl(const OpContext& ctx) {
  auto& backend = static_cast<GlBackend&>(ctx.backend);
  const Tensor& x = ctx.inputs[0];
  int rank = x.rank();
  int axis = softmaxAxis(ctx.op, x.shape(), ctx.attrs);
  if (axis == rank - 1) return {softmaxLastAxisGl(backend, std::string(ctx.op), x)};
  // Swap the axis with the last one, normalise, swap back (the swap is its own inverse).
  std::vector<int> perm(static_cast<size_t>(rank));
  std::iota(perm.begin(), perm.end(), 0);
  std::swap(perm[static_cast<size_t>(axis)], perm.back());
  Tensor moved = ops::transposeGl(backend, x, perm);
  return {ops::transposeGl(backend, softmaxLastAxisGl(backend, std::string(ctx.op), moved), perm)};
}

}  // namespace

void registerSoftmaxOps(std::vector<OpDef>& ops) {
  ops.push_back({"softmax", 1, 1, inferSoftmax, softmaxCpu, softmaxGl});
  ops.push_back({"logSoftmax", 1, 1, inferSoftmax, softmaxCpu, softmaxGl});
}

Tensor softmax(const Tensor& logits, int axis) {
  return runOp1("softmax", {logits}, Attrs().setInt("axis", axis));
}

Tensor logSoftmax(const Tensor& logits, int axis) {
  return runOp1("logSoftmax", {logits}, Attrs().setInt("axis", axis));
}

}  // namespace texel
