#include "engine/gl/split.h"

#include <algorithm>

#include "engine/core/create.h"
#include "engine/core/error.h"
#include "engine/gl/gl_backend.h"
#include "engine/gl/layout.h"
#include "engine/ops/op_util.h"

namespace texel::gl {

bool isSplit(const Tensor& tensor) {
  return dynamic_cast<const GlSplitStorage*>(tensor.storage().get()) != nullptr;
}

int64_t rowsPerChunk(const Shape& shape, int maxTextureSize) {
  if (shape.rank() == 0 || shape[0] == 0) return 0;
  Shape one = shape;
  one[0] = 1;
  int64_t perRow = texelCount(one);
  return perRow == 0 ? 0 : int64_t{maxTextureSize} * maxTextureSize / perRow;
}

namespace {

std::string limitText(const GlBackend& backend) {
  return concat("more than one ", backend.maxTextureSize(), "x", backend.maxTextureSize(),
                " texture holds");
}

[[noreturn]] void unsupported(const GlBackend& backend, const OpContext& ctx) {
  std::vector<TensorSpec> in = ops::specsOf(ctx.inputs);
  fail(ctx.op, ": ", describeCall(ctx.op, in, ctx.attrs), " involves a tensor needing ",
       limitText(backend), "; such tensors are split over several textures, which ", ctx.op,
       " does not support (elementwise ops, cast, matMul by rows of its first operand, softmax "
       "over a later axis and gather along axis 0 do)");
}

Tensor sliceRows(const Tensor& t, int64_t begin, int64_t end) {
  std::vector<int64_t> b(static_cast<size_t>(t.rank()), 0), size = t.shape().dims();
  b[0] = begin;
  size[0] = end - begin;
  return runOp1("slice", {t}, Attrs().setInts("begin", b).setInts("size", size));
}

// Rows [begin, end) of the leading dimension of `t`, split or not, as one tensor.
Tensor rowsOf(const Tensor& t, int64_t begin, int64_t end) {
  if (!isSplit(t)) return sliceRows(t, begin, end);
  const auto& split = static_cast<const GlSplitStorage&>(*t.storage());
  int64_t per = split.rowsPerChunk();
  std::vector<Tensor> pieces;
  for (int64_t k = begin / per; k * per < end; ++k) {
    const Tensor& chunk = split.chunks()[static_cast<size_t>(k)];
    int64_t from = std::max(begin, k * per) - k * per;
    int64_t to = std::min(end, (k + 1) * per) - k * per;
    pieces.push_back(from == 0 && to == chunk.shape()[0] ? chunk : sliceRows(chunk, from, to));
  }
  return pieces.size() == 1 ? pieces[0] : runOp1("concat", pieces, Attrs().setInt("axis", 0));
}

// One tensor of `spec` from its row chunks: split when it does not fit one texture.
Tensor assemble(GlBackend& backend, const TensorSpec& spec, std::vector<Tensor> chunks,
                int64_t rows) {
  if (chunks.size() == 1) return chunks[0];
  if (fitsOneTexture(spec.shape, backend.maxTextureSize()))
    return runOp1("concat", chunks, Attrs().setInt("axis", 0));
  return Tensor(backend.shared_from_this(), spec.shape, spec.dtype,
                std::make_shared<GlSplitStorage>(std::move(chunks), rows));
}

enum class Split { Rows, Whole };

// How each input of a row-wise op follows the output's leading dimension.
std::vector<Split> rowwisePlan(const OpContext& ctx) {
  std::string_view op = ctx.op;
  const Shape& out = ctx.outputs[0].shape;
  std::vector<Split> plan(ctx.inputs.size(), Split::Whole);
  if (op == "matMul" || op == "fusedMatMul") {
    if (ctx.inputs[0].rank() != 2 || ctx.attrs.getBoolOr("transposeA", false, op)) return {};
    plan[0] = Split::Rows;
    // A bias with a row per output row follows the rows too.
    if (plan.size() > 2 && ctx.inputs[2].rank() == 2 && ctx.inputs[2].shape()[0] == out[0] &&
        out[0] > 1)
      plan[2] = Split::Rows;
    return plan;
  }
  if (op == "softmax" || op == "logSoftmax") {
    int rank = ctx.inputs[0].rank();
    int axis = static_cast<int>(ctx.attrs.getIntOr("axis", -1, op));
    if (rank < 2 || axis == 0 || axis == -rank) return {};
    plan[0] = Split::Rows;
    return plan;
  }
  if (!ops::isElementwise(op) && op != "cast") return {};
  for (size_t i = 0; i < ctx.inputs.size(); ++i) {
    const Shape& s = ctx.inputs[i].shape();
    if (s.rank() == out.rank() && s[0] == out[0]) plan[i] = Split::Rows;
  }
  return plan;
}

// gather(x, indices) along axis 0 from a split x: each chunk gathers the indices that
// fall inside it (the others give 0) and the partial results are added.
std::vector<Tensor> gatherSplit(GlBackend& backend, const OpContext& ctx) {
  const Tensor& x = ctx.inputs[0];
  const Tensor& indices = ctx.inputs[1];
  const auto& split = static_cast<const GlSplitStorage&>(*x.storage());
  Tensor total;
  for (size_t k = 0; k < split.chunks().size(); ++k) {
    std::vector<int32_t> offset = {static_cast<int32_t>(k * split.rowsPerChunk())};
    Tensor shifted = runOp1("sub", {indices, tensorInt32(backend, Shape{}, offset)});
    Tensor part = runOp1("gather", {split.chunks()[k], shifted}, ctx.attrs);
    total = total.defined() ? runOp1("add", {total, part}) : part;
  }
  return {total};
}

}  // namespace

std::vector<Tensor> runSplit(GlBackend& backend, const OpContext& ctx) {
  int side = backend.maxTextureSize();
  bool outputsFit = true;
  for (const TensorSpec& s : ctx.outputs) outputsFit = outputsFit && fitsOneTexture(s.shape, side);
  if (ctx.op == "gather" && outputsFit && isSplit(ctx.inputs[0]) && !isSplit(ctx.inputs[1]) &&
      ctx.attrs.getIntOr("axis", 0, ctx.op) == 0)
    return gatherSplit(backend, ctx);

  std::vector<Split> plan = rowwisePlan(ctx);
  if (plan.empty() || ctx.outputs.size() != 1 || ctx.outputs[0].shape.rank() == 0)
    unsupported(backend, ctx);
  const TensorSpec& out = ctx.outputs[0];
  int64_t rows = out.shape[0];
  int64_t per = rowsPerChunk(out.shape, side);
  for (size_t i = 0; i < plan.size(); ++i) {
    if (plan[i] == Split::Rows) per = std::min(per, rowsPerChunk(ctx.inputs[i].shape(), side));
    if (plan[i] == Split::Whole && isSplit(ctx.inputs[i])) unsupported(backend, ctx);
  }
  if (per < 1)
    fail(ctx.op, ": one row of the leading dimension of ", out.shape, " already needs ",
         limitText(backend), "; the tensor cannot be split");
  std::vector<Tensor> chunks;
  for (int64_t begin = 0; begin < rows; begin += per) {
    int64_t end = std::min(rows, begin + per);
    std::vector<Tensor> inputs;
    for (size_t i = 0; i < plan.size(); ++i)
      inputs.push_back(plan[i] == Split::Rows ? rowsOf(ctx.inputs[i], begin, end) : ctx.inputs[i]);
    chunks.push_back(runOp1(ctx.op, inputs, ctx.attrs));
  }
  return {assemble(backend, out, std::move(chunks), per)};
}

}  // namespace texel::gl
