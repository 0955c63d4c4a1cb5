// reshape (free when the texture layout is unchanged) and transpose (any permutation).
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

Shape resolveReshape(std::string_view op, const Shape& in, const std::vector<int64_t>& requested) {
  std::vector<int64_t> dims = requested;
  int inferred = -1;
  int64_t known = 1;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] == -1) {
      if (inferred >= 0) fail(op, ": shape ", Shape(requested), " has more than one -1");
      inferred = static_cast<int>(i);
    } else if (dims[i] < 0) {
      fail(op, ": shape ", Shape(requested), " has a negative dimension other than -1");
    } else {
      if (dims[i] != 0 && known > std::numeric_limits<int32_t>::max() / dims[i])
        fail(op, ": shape ", Shape(requested), " has more than ",
             std::numeric_limits<int32_t>::max(), " elements");
      known *= dims[i];
    }
  }
  if (inferred >= 0) {
    if (known == 0 || in.size() % known != 0)
      fail(op, ": cannot reshape ", in, " (", in.size(), " elements) to ", Shape(requested));
    dims[static_cast<size_t>(inferred)] = in.size() / known;
  }
  Shape out(std::move(dims));
  validateShape(out, std::string(op));
  if (out.size() != in.size())
    fail(op, ": cannot reshape ", in, " (", in.size(), " elements) to ", out, " (", out.size(),
         " elements)");
  return out;
}

std::vector<TensorSpec> inferReshape(std::string_view op, std::span<const TensorSpec> in,
                                     const ReshapeAttrs& attrs) {
  return {{resolveReshape(op, in[0].shape, attrs.shape), in[0].dtype}};
}

std::vector<Tensor> reshapeCpu(const OpContext& ctx, const ReshapeAttrs&) {
  return {ctx.inputs[0].withShape(ctx.outputs[0].shape)};
}

std::vector<Tensor> reshapeGlKernel(const OpContext& ctx, const ReshapeAttrs&) {
  return {
      ops::reshapeGl(static_cast<GlBackend&>(ctx.backend), ctx.inputs[0], ctx.outputs[0].shape)};
}

std::vector<int> resolvePermutation(std::string_view op, const Shape& in,
                                    const TransposeAttrs& attrs) {
  std::vector<int> perm(static_cast<size_t>(in.rank()));
  if (!attrs.perm) {
    std::iota(perm.rbegin(), perm.rend(), 0);
    return perm;
  }
  std::vector<int64_t> given(attrs.perm->begin(), attrs.perm->end());
  if (static_cast<int>(given.size()) != in.rank())
    fail(op, ": perm has ", given.size(), " entries but the input ", in, " has rank ", in.rank());
  std::vector<bool> seen(perm.size(), false);
  for (size_t i = 0; i < given.size(); ++i) {
    int64_t p = given[i];
    if (p < 0 || p >= in.rank() || seen[static_cast<size_t>(p)])
      fail(op, ": perm ", Shape(given), " is not a permutation of 0..", in.rank() - 1);
    seen[static_cast<size_t>(p)] = true;
    perm[i] = static_cast<int>(p);
  }
  return perm;
}

Shape permuted(const Shape& in, const std::vector<int>& perm) {
  std::vector<int64_t> dims;
  for (int p : perm) dims.push_back(in[p]);
  return Shape(std::move(dims));
}

std::vector<TensorSpec> inferTranspose(std::string_view op, std::span<const TensorSpec> in,
                                       const TransposeAttrs& attrs) {
  return {{permuted(in[0].shape, resolvePermutation(op, in[0].shape, attrs)), in[0].dtype}};
}

std::vector<Tensor> transposeCpu(const OpContext& ctx, const TransposeAttrs& attrs) {
  const Shape& in = ctx.inputs[0].shape();
  std::vector<int> perm = resolvePermutation(ctx.op, in, attrs);
  const Shape& out = ctx.outputs[0].shape;
  std::vector<int64_t> inStrides = ops::stridesOf(in);
  const std::vector<float>& x = cpuValues(ctx.inputs[0]);
  std::vector<float> y(x.size());
  std::vector<int64_t> index(static_cast<size_t>(out.rank()), 0);
  for (size_t i = 0; i < y.size(); ++i) {
    int64_t source = 0;
    for (size_t d = 0; d < index.size(); ++d)
      source += index[d] * inStrides[static_cast<size_t>(perm[d])];
    y[i] = x[static_cast<size_t>(source)];
    ops::nextIndex(index, out);
  }
  return {cpuResult(ctx, std::move(y))};
}

std::vector<Tensor> transposeGlKernel(const OpContext& ctx, const TransposeAttrs& attrs) {
  std::vector<int> perm = resolvePermutation(ctx.op, ctx.inputs[0].shape(), attrs);
  return {ops::transposeGl(static_cast<GlBackend&>(ctx.backend), ctx.inputs[0], perm)};
}

std::vector<Tensor> transposeGrad(const GradContext& c, const TransposeAttrs& attrs) {
  std::vector<int> perm = resolvePermutation(c.op, c.inputs[0].shape(), attrs);
  std::vector<int> inverse(perm.size());
  for (size_t i = 0; i < perm.size(); ++i)
    inverse[static_cast<size_t>(perm[i])] = static_cast<int>(i);
  return {transpose(c.outputGrads[0], inverse)};
}

}  // namespace

Tensor ops::transposeGl(GlBackend& backend, const Tensor& x, const std::vector<int>& perm) {
  const Shape& in = x.shape();
  Shape out = permuted(in, perm);
  int rank = in.rank();
  bool identity = true;
  for (int d = 0; d < rank; ++d) identity &= perm[static_cast<size_t>(d)] == d;
  if (identity) return x;
  // For each output dimension d: how a step along it moves in the input, as a row step
  // (rowStep) or a step along the input's last dimension (lastStep). Padded to kMaxRank
  // on the left with size-1 dimensions.
  std::vector<int64_t> inRowStrides(static_cast<size_t>(rank), 0);
  int64_t stride = 1;
  for (int d = rank - 2; d >= 0; --d) {
    inRowStrides[static_cast<size_t>(d)] = stride;
    stride *= in[d];
  }
  std::vector<int> dims(kMaxRank, 1), rowStep(kMaxRank, 0), lastStep(kMaxRank, 0);
  for (int d = 0; d < rank; ++d) {
    size_t slot = static_cast<size_t>(kMaxRank - rank + d);
    int source = perm[static_cast<size_t>(d)];
    dims[slot] = gl::checkedInt(out[d], "transpose", "dimension");
    if (source == rank - 1)
      lastStep[slot] = 1;
    else
      rowStep[slot] =
          gl::checkedInt(inRowStrides[static_cast<size_t>(source)], "transpose", "stride");
  }
  bool lastKept = perm.back() == rank - 1;
  return gl::Pass(backend, "transpose", {gl::shaders::transpose})
      .define("LAST_KEPT", lastKept ? 1 : 0)
      .input("X", x)
      .uniform("dims", dims)
      .uniform("rowStep", rowStep)
      .uniform("lastStep", lastStep)
      .run({out, x.dtype()});
}

Tensor ops::reshapeGl(GlBackend& backend, const Tensor& x, const Shape& shape) {
  if (x.shape() == shape) return x;
  if (backend.canShareStorage(x.shape(), shape)) return x.withShape(shape);
  return gl::Pass(backend, "reshape", {gl::shaders::relayout})
      .input("X", x)
      .run({shape, x.dtype()});
}

void registerShapeOps(OpList& ops) {
  ops.add<ReshapeAttrs>("reshape", "shape_ops")
      .dtypes(DTypes::any())
      .infer(inferReshape)
      .kernels(reshapeCpu, reshapeGlKernel)
      .gradient([](const GradContext& c, const ReshapeAttrs&) {
        return std::vector<Tensor>{reshape(c.outputGrads[0], c.inputs[0].shape().dims())};
      });
  ops.add<TransposeAttrs>("transpose", "shape_ops")
      .dtypes(DTypes::any())
      .infer(inferTranspose)
      .kernels(transposeCpu, transposeGlKernel)
      .gradient(transposeGrad);
}

Tensor reshape(const Tensor& x, const std::vector<int64_t>& shape) {
  return runOp1("reshape", {x}, ReshapeAttrs{shape});
}

Tensor transpose(const Tensor& x, std::optional<std::vector<int>> perm) {
  return runOp1("transpose", {x}, TransposeAttrs{std::move(perm)});
}

}  // namespace texel
