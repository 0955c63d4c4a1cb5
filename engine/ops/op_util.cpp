#include "engine/ops/op_util.h"

#include <algorithm>

#include "engine/gl/gl_backend.h"
#include "engine/gl/layout.h"
#include "engine/gl/split.h"
#include "engine/ops/ops.h"

namespace texel::ops {

std::vector<int> reductionAxes(std::string_view op, const std::optional<std::vector<int>>& given,
                               int rank) {
  std::vector<int> axes;
  if (!given) {
    for (int d = 0; d < rank; ++d) axes.push_back(d);
    return axes;
  }
  for (int axis : *given) {
    int a = normalizeAxis(axis, rank, std::string(op));
    if (std::find(axes.begin(), axes.end(), a) != axes.end())
      fail(op, ": axis ", axis, " is listed twice");
    axes.push_back(a);
  }
  std::sort(axes.begin(), axes.end());
  if (rank == 0) axes.clear();  // a scalar has nothing to reduce
  return axes;
}

SplitPlan rowwisePlan(std::span<const TensorSpec> inputs, const TensorSpec& output) {
  SplitPlan plan;
  for (const TensorSpec& in : inputs)
    plan.push_back(in.shape.rank() == output.shape.rank() && in.shape[0] == output.shape[0]
                       ? SplitInput::Rows
                       : SplitInput::Whole);
  return plan;
}

namespace {

Tensor sliceRows(const Tensor& t, int64_t begin, int64_t end) {
  std::vector<int64_t> b(static_cast<size_t>(t.rank()), 0), size = t.shape().dims();
  b[0] = begin;
  size[0] = end - begin;
  return slice(t, b, size);
}

// Rows [begin, end) of the leading dimension of `t`, split or not, as one tensor.
Tensor rowsOf(const Tensor& t, int64_t begin, int64_t end) {
  if (!gl::isSplit(t)) return sliceRows(t, begin, end);
  const GlSplitStorage& split = gl::splitStorage(t);
  int64_t per = split.rowsPerChunk();
  std::vector<Tensor> pieces;
  for (int64_t k = begin / per; k * per < end; ++k) {
    const Tensor& chunk = split.chunks()[static_cast<size_t>(k)];
    int64_t from = std::max(begin, k * per) - k * per;
    int64_t to = std::min(end, (k + 1) * per) - k * per;
    pieces.push_back(from == 0 && to == chunk.shape()[0] ? chunk : sliceRows(chunk, from, to));
  }
  return pieces.size() == 1 ? pieces[0] : concat(pieces, 0);
}

}  // namespace

std::optional<std::vector<Tensor>> runByRowChunks(const OpContext& ctx, const SplitPlan& plan) {
  if (plan.empty()) return std::nullopt;
  auto& backend = static_cast<GlBackend&>(ctx.backend);
  int side = backend.maxTextureSize();
  const TensorSpec& out = ctx.outputs[0];
  int64_t per = gl::rowsPerChunk(out.shape, side);
  for (size_t i = 0; i < plan.size(); ++i) {
    if (plan[i] == SplitInput::Rows)
      per = std::min(per, gl::rowsPerChunk(ctx.inputs[i].shape(), side));
    else if (gl::isSplit(ctx.inputs[i]))
      return std::nullopt;
  }
  if (per < 1)
    fail(ctx.op, ": one row of the leading dimension of ", out.shape, " already needs ",
         gl::splitLimitText(backend), "; the tensor cannot be split");
  std::vector<Tensor> chunks;
  for (int64_t begin = 0; begin < out.shape[0]; begin += per) {
    int64_t end = std::min(out.shape[0], begin + per);
    std::vector<Tensor> inputs;
    for (size_t i = 0; i < plan.size(); ++i)
      inputs.push_back(plan[i] == SplitInput::Rows ? rowsOf(ctx.inputs[i], begin, end)
                                                   : ctx.inputs[i]);
    chunks.push_back(runOp1(ctx.op, inputs, ctx.attrs));
  }
  if (chunks.size() == 1) return std::vector<Tensor>{chunks[0]};
  if (gl::fitsOneTexture(out.shape, side)) return std::vector<Tensor>{concat(chunks, 0)};
  return std::vector<Tensor>{gl::makeSplit(backend, out, std::move(chunks), per)};
}

}  // namespace texel::ops
