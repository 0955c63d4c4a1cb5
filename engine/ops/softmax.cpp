// softmax and logSoftmax along any axis: two passes on GL over the last axis (row max
// and sum of exponentials in one online sweep, then the normalised values), with a
// transpose before and after for other axes; one sweep per row on the CPU. And the
// softmax cross-entropy from logits (the classifiers' loss) with its gradient, one pass
// each.
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

// Over n values `stride` apart: the max, the sum of exp(x - max), and whether the result
// must be NaN (a NaN among them or an infinite maximum).
struct RowStats {
  double best, total;
  bool nan;
};
RowStats rowStats(const float* x, int64_t n, int64_t stride) {
  double best = -std::numeric_limits<double>::infinity();
  bool nan = false;
  for (int64_t i = 0; i < n; ++i) {
    best = std::max<double>(best, x[i * stride]);
    nan = nan || std::isnan(x[i * stride]);
  }
  double total = 0.0;
  for (int64_t i = 0; i < n; ++i) total += std::exp(x[i * stride] - best);
  return {best, total, nan || std::isinf(best)};
}

std::vector<Tensor> softmaxCpu(const OpContext& ctx, const SoftmaxAttrs& attrs, bool logarithm) {
  const Shape& shape = ctx.inputs[0].shape();
  int axis = softmaxAxis(ctx.op, shape, attrs);
  int64_t outer = 1, n = shape[axis], inner = 1;
  for (int d = 0; d < axis; ++d) outer *= shape[d];
  for (int d = axis + 1; d < shape.rank(); ++d) inner *= shape[d];
  const std::vector<float>& x = cpuValues(ctx.inputs[0]);
  std::vector<float> y(x.size());
  if (n == 0) return {cpuResult(ctx, std::move(y))};  // no rows to read
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t r = 0; r < inner; ++r) {
      auto at = [&](int64_t i) { return static_cast<size_t>((o * n + i) * inner + r); };
      RowStats st = rowStats(&x[at(0)], n, inner);
      for (int64_t i = 0; i < n; ++i) {
        double v = logarithm ? x[at(i)] - st.best - std::log(st.total)
                             : std::exp(x[at(i)] - st.best) / st.total;
        y[at(i)] = static_cast<float>(st.nan ? NAN : v);
      }
    }
  return {cpuResult(ctx, std::move(y))};
}

Tensor softmaxLastAxisGl(GlBackend& backend, const std::string& op, const Tensor& x,
                         bool logarithm) {
  int64_t rows = x.size() / x.shape().fromEnd(1);
  int64_t rowTexels = (x.shape().fromEnd(1) + 3) / 4;
  gl::checkLoop(rowTexels, op, "a row this long");
  gl::Pass apply(backend, op, {gl::shaders::softmax_stats, gl::shaders::softmax_apply});
  apply.define("SOFTMAX_STATS_PASS", 0).define("LOG_SOFTMAX", logarithm ? 1 : 0).input("X", x);
  // Rows of up to kInlineRowTexels texels (a classifier's 10 classes: 3): every fragment
  // sweeps its row itself, a few fetches more per texel instead of a second pass.
  constexpr int64_t kInlineRowTexels = 8;
  if (rowTexels <= kInlineRowTexels) return apply.define("INLINE_STATS", 1).run({x.shape()});
  Tensor stats = gl::Pass(backend, op, {gl::shaders::softmax_stats})
                     .define("SOFTMAX_STATS_PASS", 1)
                     .input("X", x)
                     .run({Shape{rows, 3}});  // max, sum, NaN-row flag
  return apply.define("INLINE_STATS", 0).input("S", stats).run({x.shape()});
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

// ---- softmaxCrossEntropyWithLogits(labels, logits) and its gradient ----

// labels and logits [N, C]; the gradient helper's dy [N].
void checkCrossEntropyShapes(std::string_view op, std::span<const TensorSpec> in) {
  ops::requireFloat(op, in);
  const Shape& labels = in[0].shape;
  const Shape& logits = in[1].shape;
  if (logits.rank() != 2) fail(op, ": logits must be [batch, classes], got ", logits);
  if (labels != logits)
    fail(op, ": labels ", labels, " and logits ", logits, " must have the same shape");
  if (in.size() > 2 && in[2].shape != Shape{logits[0]})
    fail(op, ": dy must be [", logits[0], "] (one value per example), got ", in[2].shape);
}

std::vector<TensorSpec> inferCrossEntropy(std::string_view op, std::span<const TensorSpec> in,
                                          const NoAttrs&) {
  checkCrossEntropyShapes(op, in);
  return {{Shape{in[1].shape[0]}, DType::Float32}};
}

std::vector<TensorSpec> inferCrossEntropyGrad(std::string_view op, std::span<const TensorSpec> in,
                                              const NoAttrs&) {
  checkCrossEntropyShapes(op, in);
  return {{in[1].shape, DType::Float32}};
}

// grad: the gradient helper (dy * (softmax * sum(labels) - labels)) instead of the loss.
std::vector<Tensor> crossEntropyCpu(const OpContext& ctx, bool grad) {
  const std::vector<float>& labels = cpuValues(ctx.inputs[0]);
  const std::vector<float>& logits = cpuValues(ctx.inputs[1]);
  int64_t rows = ctx.inputs[1].shape()[0], classes = ctx.inputs[1].shape()[1];
  std::vector<float> out(static_cast<size_t>(grad ? rows * classes : rows));
  for (int64_t r = 0; r < rows; ++r) {
    const float* x = logits.data() + r * classes;
    const float* l = labels.data() + r * classes;
    RowStats st = rowStats(x, classes, 1);
    double logTotal = std::log(st.total);
    if (!grad) {
      double loss = 0.0;
      for (int64_t c = 0; c < classes; ++c) loss += l[c] * (st.best + logTotal - x[c]);
      out[static_cast<size_t>(r)] = st.nan ? NAN : static_cast<float>(loss);
      continue;
    }
    double labelSum = 0.0;
    for (int64_t c = 0; c < classes; ++c) labelSum += l[c];
    double dy = cpuValues(ctx.inputs[2])[static_cast<size_t>(r)];
    for (int64_t c = 0; c < classes; ++c) {
      double p = std::exp(x[c] - st.best - logTotal);
      out[static_cast<size_t>(r * classes + c)] =
          st.nan ? NAN : static_cast<float>(dy * (p * labelSum - l[c]));
    }
  }
  return {cpuResult(ctx, std::move(out))};
}

std::vector<Tensor> crossEntropyGl(const OpContext& ctx, bool grad) {
  auto& backend = static_cast<GlBackend&>(ctx.backend);
  std::string op(ctx.op);
  // Two sweeps over the row (three for the gradient) per output texel.
  gl::checkLoop((ctx.inputs[1].shape()[1] + 3) / 4, op, "a row this long");
  gl::Pass pass(backend, op, {gl::shaders::softmax_stats, gl::shaders::softmax_cross_entropy});
  pass.define("SOFTMAX_STATS_PASS", 0)
      .define("CROSS_ENTROPY_GRAD", grad ? 1 : 0)
      .input("LABELS", ctx.inputs[0])
      .input("X", ctx.inputs[1]);
  if (grad) pass.input("DY", ctx.inputs[2]);
  return {pass.run(ctx.outputs[0])};
}

// d/dlogits by the helper; d/dlabels = -dy * logSoftmax(logits) (labels are rarely a
// source: only computed when they are).
std::vector<Tensor> crossEntropyGrads(const GradContext& c, const NoAttrs&) {
  const Tensor& labels = c.inputs[0];
  const Tensor& logits = c.inputs[1];
  const Tensor& dy = c.outputGrads[0];
  Tensor dLabels, dLogits;
  if (c.needs(0)) dLabels = mul(neg(reshape(dy, {dy.size(), 1})), logSoftmax(logits));
  if (c.needs(1)) dLogits = runOp1("softmaxCrossEntropyGrad", {labels, logits, dy});
  return {dLabels, dLogits};
}

}  // namespace

void registerSoftmaxOps(OpList& ops) {
  addSoftmax(ops, "softmax", false);
  addSoftmax(ops, "logSoftmax", true);
  ops.add<NoAttrs>("softmaxCrossEntropyWithLogits", "softmax")
      .inputs(2, 2)
      .infer(inferCrossEntropy)
      .cpu([](const OpContext& ctx, const NoAttrs&) { return crossEntropyCpu(ctx, false); })
      .gl([](const OpContext& ctx, const NoAttrs&) { return crossEntropyGl(ctx, false); })
      .gradient(crossEntropyGrads);
  ops.add<NoAttrs>("softmaxCrossEntropyGrad", "softmax")
      .inputs(3, 3)
      .infer(inferCrossEntropyGrad)
      .cpu([](const OpContext& ctx, const NoAttrs&) { return crossEntropyCpu(ctx, true); })
      .gl([](const OpContext& ctx, const NoAttrs&) { return crossEntropyGl(ctx, true); })
      .noGradient("a gradient helper (second derivatives through it are not supported)");
}

Tensor softmaxCrossEntropyWithLogits(const Tensor& labels, const Tensor& logits) {
  return runOp1("softmaxCrossEntropyWithLogits", {labels, logits});
}

Tensor softmax(const Tensor& logits, int axis) {
  return runOp1("softmax", {logits}, SoftmaxAttrs{axis});
}

Tensor logSoftmax(const Tensor& logits, int axis) {
  return runOp1("logSoftmax", {logits}, SoftmaxAttrs{axis});
}

}  // namespace texel
