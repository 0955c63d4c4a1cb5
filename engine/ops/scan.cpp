// Ops along one axis that look at the whole axis per element: cumsum (any axis,
// exclusive, reverse) and topK (last axis; values and int32 indices).
#include <algorithm>
#include <cmath>
#include <numeric>

#include "engine/core/create.h"
#include "engine/cpu/cpu_backend.h"
#include "engine/gl/gl_pass.h"
#include "engine/ops/grad_util.h"
#include "engine/ops/op_util.h"
#include "engine/ops/ops.h"

namespace texel {
namespace {

// ---- cumsum ----

struct AxisView {
  int64_t outer = 1, axisSize = 1, inner = 1;
};

AxisView axisView(const Shape& shape, int axis) {
  AxisView v;
  for (int d = 0; d < axis; ++d) v.outer *= shape[d];
  v.axisSize = shape[axis];
  for (int d = axis + 1; d < shape.rank(); ++d) v.inner *= shape[d];
  return v;
}

int cumsumAxis(std::string_view op, const Shape& x, const CumsumAttrs& attrs) {
  if (x.rank() == 0) fail(op, ": input must have rank >= 1, got a scalar");
  return normalizeAxis(attrs.axis, x.rank(), std::string(op));
}

std::vector<TensorSpec> inferCumsum(std::string_view op, std::span<const TensorSpec> in,
                                    const CumsumAttrs& attrs) {
  ops::requireFloat(op, in);
  cumsumAxis(op, in[0].shape, attrs);
  return {in[0]};
}

std::vector<Tensor> cumsumCpu(const OpContext& ctx, const CumsumAttrs& attrs) {
  const Shape& shape = ctx.inputs[0].shape();
  AxisView v = axisView(shape, cumsumAxis(ctx.op, shape, attrs));
  bool exclusive = attrs.exclusive;
  bool reverse = attrs.reverse;
  const std::vector<float>& x = cpuValues(ctx.inputs[0]);
  std::vector<float> y(x.size());
  for (int64_t o = 0; o < v.outer; ++o)
    for (int64_t r = 0; r < v.inner; ++r) {
      double total = 0.0;
      for (int64_t step = 0; step < v.axisSize; ++step) {
        int64_t a = reverse ? v.axisSize - 1 - step : step;
        size_t at = static_cast<size_t>((o * v.axisSize + a) * v.inner + r);
        if (exclusive) {
          y[at] = static_cast<float>(total);
          total += x[at];
        } else {
          total += x[at];
          y[at] = static_cast<float>(total);
        }
      }
    }
  return {cpuResult(ctx, std::move(y))};
}

// log2(n) scan steps (glsl/cumsum.glsl) instead of one pass with an n-long loop per
// element: O(n log n) work and no loop that llvmpipe's iteration limit could cut short.
std::vector<Tensor> cumsumGl(const OpContext& ctx, const CumsumAttrs& attrs) {
  const Shape& shape = ctx.inputs[0].shape();
  AxisView v = axisView(shape, cumsumAxis(ctx.op, shape, attrs));
  std::string op(ctx.op);
  auto& backend = static_cast<GlBackend&>(ctx.backend);
  bool reverse = attrs.reverse;
  // Intermediate steps stay float32 in half-float mode: their partial sums are larger
  // than the results, and rounding each would compound over the steps.
  auto step = [&](const Tensor& x, int64_t offset, bool shift, bool last) {
    return gl::Pass(backend, op, {gl::shaders::cumsum, gl::shaders::per_element})
        .define("SHIFT", shift ? 1 : 0)
        .define("REVERSE", reverse ? 1 : 0)
        .input("X", x)
        .uniform("axisSize", gl::checkedInt(v.axisSize, op, "axis size"))
        .uniform("inner", gl::checkedInt(v.inner, op, "inner size"))
        .uniform("offset", gl::checkedInt(offset, op, "offset"))
        .run(ctx.outputs[0], !last);
  };
  bool exclusive = attrs.exclusive;
  int steps = 0;
  for (int64_t offset = 1; offset < v.axisSize; offset *= 2) ++steps;
  Tensor y = ctx.inputs[0];
  if (exclusive) y = step(y, 1, true, steps == 0);
  for (int64_t offset = 1, i = 1; offset < v.axisSize; offset *= 2, ++i)
    y = step(y, offset, false, i == steps);
  if (!exclusive && steps == 0) y = step(y, v.axisSize, false, true);  // a copy
  return {y};
}

// ---- topK ----

int64_t topKCount(std::string_view op, const Shape& x, const TopKAttrs& attrs) {
  if (x.rank() == 0) fail(op, ": input must have rank >= 1, got a scalar");
  int64_t k = attrs.k;
  if (k < 0 || k > x.fromEnd(1))
    fail(op, ": k = ", k, " must be in [0, ", x.fromEnd(1), "] for input ", x);
  return k;
}

std::vector<TensorSpec> inferTopK(std::string_view op, std::span<const TensorSpec> in,
                                  const TopKAttrs& attrs) {
  if (in[0].dtype == DType::Bool) fail(op, ": input has dtype bool, expected float32 or int32");
  Shape out = in[0].shape;
  out[out.rank() - 1] = topKCount(op, in[0].shape, attrs);
  return {{out, in[0].dtype}, {out, DType::Int32}};
}

std::vector<Tensor> topKCpu(const OpContext& ctx, const TopKAttrs& attrs) {
  const Shape& shape = ctx.inputs[0].shape();
  int64_t k = topKCount(ctx.op, shape, attrs);
  int64_t last = shape.fromEnd(1);
  const std::vector<float>& x = cpuValues(ctx.inputs[0]);
  std::vector<float> values, indices;
  std::vector<int64_t> order(static_cast<size_t>(last));
  for (size_t begin = 0; begin < x.size(); begin += static_cast<size_t>(last)) {
    const float* row = &x[begin];
    std::iota(order.begin(), order.end(), 0);
    // Descending, NaN first, ties kept in index order.
    std::stable_sort(order.begin(), order.end(), [&](int64_t i, int64_t j) {
      float a = row[i], b = row[j];
      if (std::isnan(a) != std::isnan(b)) return std::isnan(a);
      return !std::isnan(a) && a > b;
    });
    for (int64_t r = 0; r < k; ++r) {
      values.push_back(row[order[static_cast<size_t>(r)]]);
      indices.push_back(static_cast<float>(order[static_cast<size_t>(r)]));
    }
  }
  return {cpuResult(ctx, std::move(values), 0), cpuResult(ctx, std::move(indices), 1)};
}

std::vector<Tensor> topKGl(const OpContext& ctx, const TopKAttrs&) {
  auto& backend = static_cast<GlBackend&>(ctx.backend);
  std::string op(ctx.op);
  const Tensor& x = ctx.inputs[0];
  gl::checkLoop((x.shape().fromEnd(1) + 3) / 4, op, "a row this long");
  // Ranks are integers: int32 storage keeps them exact in half-float mode.
  Tensor ranks =
      gl::Pass(backend, op, {gl::shaders::topk_rank}).input("X", x).run({x.shape(), DType::Int32});
  auto select = [&](bool indices, const TensorSpec& out) {
    return gl::Pass(backend, op, {gl::shaders::topk_select})
        .define("SELECT_INDICES", indices ? 1 : 0)
        .input("X", x)
        .input("R", ranks)
        .run(out);
  };
  return {select(false, ctx.outputs[0]), select(true, ctx.outputs[1])};
}

// Each input feeds every later (earlier, when reversed) sum: the reverse running sum.
std::vector<Tensor> cumsumGrad(const GradContext& c, const CumsumAttrs& a) {
  return {cumsum(c.outputGrads[0], a.axis, a.exclusive, !a.reverse)};
}

// topK's values gather k entries of each row of the last axis: scatter dy back to the
// flat positions row * n + index (int32 arithmetic, exact below 2^24).
std::vector<Tensor> topKGrad(const GradContext& c, const TopKAttrs&) {
  const Shape& shape = c.inputs[0].shape();
  int64_t n = shape.fromEnd(1), rows = shape.size() / std::max<int64_t>(n, 1);
  int64_t k = c.outputs[0].shape().fromEnd(1);
  if (shape.size() >= (int64_t{1} << 24))
    fail("gradient of topK: inputs of 2^24 elements or more are not supported, got ", shape);
  const Tensor& dy = c.outputGrads[0];
  std::vector<int32_t> starts(static_cast<size_t>(rows));
  for (int64_t r = 0; r < rows; ++r) starts[static_cast<size_t>(r)] = static_cast<int32_t>(r * n);
  Tensor flat = add(reshape(c.outputs[1], {rows, k}), tensorInt32(dy.backend(), {rows, 1}, starts));
  return {ops::scatterAddFlat(dy, reshape(flat, {rows * k}), shape)};
}

}  // namespace

void registerScanOps(OpList& ops) {
  ops.add<CumsumAttrs>("cumsum", "scan")
      .infer(inferCumsum)
      .kernels(cumsumCpu, cumsumGl)
      .gradient(cumsumGrad);
  ops.add<TopKAttrs>("topK", "scan")
      .dtypes(DTypes::numeric())
      .infer(inferTopK)
      .kernels(topKCpu, topKGl)
      .gradient(topKGrad);
}

Tensor cumsum(const Tensor& x, int axis, bool exclusive, bool reverse) {
  return runOp1("cumsum", {x}, CumsumAttrs{axis, exclusive, reverse});
}

TopK topK(const Tensor& x, int k) {
  std::vector<Tensor> outs = runOp("topK", std::span<const Tensor>(&x, 1), TopKAttrs{k});
  return {outs[0], outs[1]};
}

}  // namespace texel
