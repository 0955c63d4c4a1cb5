// batchNorm: (x - mean) / sqrt(variance + epsilon) * scale + offset, each parameter
// broadcasting to x. One GL pass when every parameter is per channel (last dimension)
// or a single value, elementwise passes otherwise.
#include <cmath>

#include "engine/core/create.h"
#include "engine/cpu/cpu_backend.h"
#include "engine/gl/gl_pass.h"
#include "engine/ops/grad_util.h"
#include "engine/ops/op_util.h"
#include "engine/ops/ops.h"

namespace texel {
namespace {

struct NormInputs {
  const Tensor* offset = nullptr;
  const Tensor* scale = nullptr;
};

// Inputs: x, mean, variance, then offset if hasOffset, then scale if hasScale.
void checkNormInputs(std::string_view op, size_t count, const BatchNormAttrs& attrs) {
  size_t expected = 3 + (attrs.hasOffset ? 1 : 0) + (attrs.hasScale ? 1 : 0);
  if (count != expected)
    fail(op, ": expected ", expected, " inputs (x, mean, variance",
         attrs.hasOffset ? ", offset" : "", attrs.hasScale ? ", scale" : "", "), got ", count);
}

NormInputs normInputs(const OpContext& ctx, const BatchNormAttrs& attrs) {
  NormInputs n;
  size_t next = 3;
  if (attrs.hasOffset) n.offset = &ctx.inputs[next++];
  if (attrs.hasScale) n.scale = &ctx.inputs[next++];
  return n;
}

std::vector<TensorSpec> inferBatchNorm(std::string_view op, std::span<const TensorSpec> in,
                                       const BatchNormAttrs& attrs) {
  ops::requireFloat(op, in);
  checkNormInputs(op, in.size(), attrs);
  static const char* kNames[] = {"x", "mean", "variance", "offset/scale", "scale"};
  for (size_t i = 1; i < in.size(); ++i)
    if (broadcastShapes(in[i].shape, in[0].shape, std::string(op)) != in[0].shape)
      fail(op, ": ", kNames[i], " ", in[i].shape, " does not broadcast to x ", in[0].shape);
  return {in[0]};
}

std::vector<Tensor> batchNormCpu(const OpContext& ctx, const BatchNormAttrs& attrs) {
  const Shape& shape = ctx.inputs[0].shape();
  NormInputs n = normInputs(ctx, attrs);
  double eps = attrs.varianceEpsilon;
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

std::vector<Tensor> batchNormGl(const OpContext& ctx, const BatchNormAttrs& attrs) {
  const Tensor& x = ctx.inputs[0];
  NormInputs n = normInputs(ctx, attrs);
  float eps = attrs.varianceEpsilon;
  int64_t channels = x.shape().fromEnd(1);
  bool onePass = true;
  for (size_t i = 1; i < ctx.inputs.size(); ++i) onePass &= perChannel(ctx.inputs[i], channels);
  if (!onePass) {
    Tensor y =
        mul(sub(x, ctx.inputs[1]), rsqrt(add(ctx.inputs[2], fill(ctx.backend, Shape{}, eps))));
    if (n.scale) y = mul(y, *n.scale);
    if (n.offset) y = add(y, *n.offset);
    return {y};
  }
  gl::Pass pass(static_cast<GlBackend&>(ctx.backend), std::string(ctx.op),
                {gl::shaders::batch_norm});
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

std::vector<Tensor> batchNormGrad(const GradContext& c, const BatchNormAttrs& attrs) {
  const Tensor& x = c.inputs[0];
  const Tensor& mean = c.inputs[1];
  const Tensor& variance = c.inputs[2];
  const Tensor* scale = attrs.hasScale ? &c.inputs[attrs.hasOffset ? 4 : 3] : nullptr;
  Tensor dy = c.outputGrads[0];
  Tensor rstd = rsqrt(add(variance, ops::scalarLike(x, attrs.varianceEpsilon)));
  Tensor centered = sub(x, mean);
  Tensor dNormalized = scale ? mul(dy, *scale) : dy;  // gradient of (x - mean) * rstd
  Tensor dx = mul(dNormalized, rstd);
  std::vector<Tensor> result = {
      dx, ops::unbroadcast(neg(dx), mean.shape()),
      ops::unbroadcast(
          mul(mul(dNormalized, centered), mul(ops::scalarLike(x, -0.5f), mul(rstd, square(rstd)))),
          variance.shape())};
  if (attrs.hasOffset) result.push_back(ops::unbroadcast(dy, c.inputs[3].shape()));
  if (scale) result.push_back(ops::unbroadcast(mul(dy, mul(centered, rstd)), scale->shape()));
  return result;
}

}  // namespace

void BatchNormAttrs::validate(std::string_view op) const {
  if (!(varianceEpsilon >= 0)) fail(op, ": varianceEpsilon must be >= 0, got ", varianceEpsilon);
}

void registerNormOps(OpList& ops) {
  ops.add<BatchNormAttrs>("batchNorm", "norm")
      .inputs(3, 5)
      .infer(inferBatchNorm)
      .kernels(batchNormCpu, batchNormGl)
      .gradient(batchNormGrad);
}

Tensor batchNorm(const Tensor& x, const Tensor& mean, const Tensor& variance,
                 std::optional<Tensor> offset, std::optional<Tensor> scale, float varianceEpsilon) {
  std::vector<Tensor> inputs = {x, mean, variance};
  if (offset) inputs.push_back(*offset);
  if (scale) inputs.push_back(*scale);
  return runOp1("batchNorm", inputs,
                BatchNormAttrs{offset.has_value(), scale.has_value(), varianceEpsilon});
}

}  // namespace texel
