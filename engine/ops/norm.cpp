// batchNorm: (x - mean) / sqrt(variance + epsilon) * scale + offset, each parameter
// broadcasting to x. One GL pass when every parameter is per channel (last dimension)
// or a single value, elementwise passes otherwise.
#include <cmath>

#include "engine/core/create.h"
#include "engine/cpu/cpu_backend.h"
#include "engine/gl/gl_pass.h"
#include "engine/ops/op_util.h"
#include "engine/ops/ops.h"

namespace texel {
namespace {

struct NormInputs {
  const Tensor* offset = nullptr;
  const Tensor* scale = nullptr;
};

// Inputs: x, mean, variance, then offset if hasOffset, then scale if hasScale.
void checkNormInputs(std::string_view op, size_t count, const Attrs& attrs) {
  size_t expected = 3 + (attrs.getBoolOr("hasOffset", false, op) ? 1 : 0) +
                    (attrs.getBoolOr("hasScale", false, op) ? 1 : 0);
  if (count != expected)
    fail(op, ": expected ", expected, " inputs (x, mean, variance",
         attrs.getBoolOr("hasOffset", false, op) ? ", offset" : "",
         attrs.getBoolOr("hasScale", false, op) ? ", scale" : "", "), got ", count);
}

NormInputs normInputs(const OpContext& ctx) {
  NormInputs n;
  size_t next = 3;
  if (ctx.attrs.getBoolOr("hasOffset", false, ctx.op)) n.offset = &ctx.inputs[next++];
  if (ctx.attrs.getBoolOr("hasScale", false, ctx.op)) n.scale = &ctx.inputs[next++];
  return n;
}

double epsilonOf(std::string_view op, const Attrs& attrs) {
  double eps = attrs.getFloatOr("varianceEpsilon", 0.001, op);
  if (!(eps >= 0)) fail(op, ": varianceEpsilon must be >= 0, got ", eps);
  return eps;
}

std::vector<TensorSpec> inferBatchNorm(std::string_view op, std::span<const TensorSpec> in,
                                       const Attrs& attrs) {
  ops::requireFloat(op, in);
  checkNormInputs(op, in.size(), attrs);
  epsilonOf(op, attrs);
  static const char* kNames[] = {"x", "mean", "variance", "offset/scale", "scale"};
  for (size_t i = 1; i < in.size(); ++i)
    if (broadcastShapes(in[i].shape, in[0].shape, std::string(op)) != in[0].shape)
      fail(op, ": ", kNames[i], " ", in[i].shape, " does not broadcast to x ", in[0].shape);
  return {in[0]};
}

std::vector<Tensor> batchNormCpu(const OpContext& ctx) {
  const Shape& shape = ctx.inputs[0].shape();
  NormInputs n = normInputs(ctx);
  double eps = epsilonOf(ctx.op, ctx.attrs);
  auto stridesOf = [&](const Tensor* t) {
    return t ? broadcastStrides(t->shape(), shape) : std::vector<int64_t>();
  };
  std::vector<std::vector<int64_t>> strides = {stridesOf(&ctx.inputs[1]), stridesOf(&ctx.inputs[2]),
                                               stridesOf(n.offset), stridesOf(n.scale)};
  auto at = [&](const Tensor* t, size_t which, const std::vector<int64_t>& index) {
    int64_t offset = 0;
    for (size_t d = 0; d < index.size(); ++d) offset += index[d] * strides[which][d];
    return static_cast<double>(cpuValues(*t)[static_cast<size_t>(offset)]);
  };
  const std::vector<float>& x = cpuValues(ctx.inputs[0]);
  std::vector<float> y(x.size());
  std::vector<int64_t> index(static_cast<size_t>(shape.rank()), 0);
  for (size_t i = 0; i < x.size(); ++i) {
    double v =
        (x[i] - at(&ctx.inputs[1], 0, index)) / std::sqrt(at(&ctx.inputs[2], 1, index) + eps);
    if (n.scale) v *= at(n.scale, 3, index);
    if (n.offset) v += at(n.offset, 2, index);
    y[i] = static_cast<float>(v);
    ops::nextIndex(index, shape);
  }
  return {cpuResult(ctx, std::move(y))};
}

bool perChannel(const Tensor& t, int64_t channels) {
  return t.size() == 1 || (t.shape().fromEnd(1) == channels && t.size() == channels);
}

std::vector<Tensor> batchNormGl(const OpContext& ctx) {
  const Tensor& x = ctx.inputs[0];
  NormInputs n = normInputs(ctx);
  auto eps = static_cast<float>(epsilonOf(ctx.op, ctx.attrs));
  int64_t channels = x.shape().fromEnd(1);
  bool onePass = true;
  for (size_t i = 1; i < ctx.inputs.size(); ++i) onePass &= perChannel(ctx.inputs[i], channels);
  if (!onePass) {
    Tensor y = runOp1(
        "mul",
        {runOp1("sub", {x, ctx.inputs[1]}),
         runOp1("rsqrt", {runOp1("add", {ctx.inputs[2], fill(ctx.backend, Shape{}, eps)})})});
    if (n.scale) y = runOp1("mul", {y, *n.scale});
    if (n.offset) y = runOp1("add", {y, *n.offset});
    return {y};
  }
  gl::Pass pass(static_cast<GlBackend&>(ctx.backend), std::string(ctx.op), {"batch_norm"});
  auto bind = [&](const char* name, const Tensor* t) {
    pass.define(concat(name, "_SPLAT"), t && t->size() == 1 ? 1 : 0);
    if (t) pass.input(name, *t);
  };
  pass.input("X", x);
  bind("MEAN", &ctx.inputs[1]);
  bind("VARIANCE", &ctx.inputs[2]);
  bind("OFFSET", n.offset);
  bind("SCALE", n.scale);
  return {pass.define("HAS_OFFSET", n.offset ? 1 : 0)
              .define("HAS_SCALE", n.scale ? 1 : 0)
              .uniform("epsilon", eps)
              .run(ctx.outputs[0])};
}

}  // namespace

void registerNormOps(std::vector<OpDef>& ops) {
  ops.push_back({"batchNorm", 3, 5, inferBatchNorm, batchNormCpu, batchNormGl});
}

Tensor batchNorm(const Tensor& x, const Tensor& mean, const Tensor& variance,
                 std::optional<Tensor> offset, std::optional<Tensor> scale, float varianceEpsilon) {
  std::vector<Tensor> inputs = {x, mean, variance};
  if (offset) inputs.push_back(*offset);
  if (scale) inputs.push_back(*scale);
  Attrs attrs;
  attrs.setBool("hasOffset", offset.has_value())
      .setBool("hasScale", scale.has_value())
      .setFloat("varianceEpsilon", varianceEpsilon);
  return runOp1("batchNorm", inputs, attrs);
}

}  // namespace texel
