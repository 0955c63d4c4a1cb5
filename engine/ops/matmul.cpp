// matMul: batched, with broadcast batch dimensions and transposeA / transposeB.
#include "engine/cpu/cpu_backend.h"
#include "engine/gl/gl_pass.h"
#include "engine/ops/fused.h"
#include "engine/ops/op_util.h"
#include "engine/ops/ops.h"

namespace texel {
namespace {

struct MatMulDims {
  int64_t m, k, n;
  Shape batch;  // broadcast batch shape
};

MatMulDims matMulDims(std::string_view op, const Shape& a, const Shape& b, bool transposeA,
                      bool transposeB) {
  if (a.rank() < 2 || b.rank() < 2)
    fail(op, ": both operands need rank >= 2, got shapes ", a, " and ", b,
         " (reshape vectors to [1,K] or [K,1])");
  int64_t m = transposeA ? a.fromEnd(1) : a.fromEnd(2);
  int64_t ka = transposeA ? a.fromEnd(2) : a.fromEnd(1);
  int64_t kb = transposeB ? b.fromEnd(1) : b.fromEnd(2);
  int64_t n = transposeB ? b.fromEnd(2) : b.fromEnd(1);
  if (ka != kb)
    fail(op, ": inner dimensions must match: a ", a, (transposeA ? " (transposed)" : ""), " has ",
         ka, ", b ", b, (transposeB ? " (transposed)" : ""), " has ", kb);
  Shape batchA(std::vector<int64_t>(a.dims().begin(), a.dims().end() - 2));
  Shape batchB(std::vector<int64_t>(b.dims().begin(), b.dims().end() - 2));
  return {m, ka, n, broadcastShapes(batchA, batchB, concat(op, " (batch dimensions)"))};
}

std::vector<TensorSpec> inferMatMul(std::string_view op, std::span<const TensorSpec> in,
                                    const Attrs& attrs) {
  ops::requireFloat(op, in);
  MatMulDims d = matMulDims(op, in[0].shape, in[1].shape, attrs.getBoolOr("transposeA", false, op),
                            attrs.getBoolOr("transposeB", false, op));
  std::vector<int64_t> dims = d.batch.dims();
  dims.push_back(d.m);
  dims.push_back(d.n);
  Shape out(std::move(dims));
  if (op == "fusedMatMul") {
    ops::fusionOf(op, attrs, in.size() - 2);
    if (in.size() > 2) ops::checkBias(op, in[2].shape, out);
  }
  return {{out, DType::Float32}};
}

// Index of each output batch's matrix in an operand with batch shape `batch` (broadcast).
std::vector<int64_t> batchOffsets(const Shape& operand, const Shape& batch) {
  Shape own(std::vector<int64_t>(operand.dims().begin(), operand.dims().end() - 2));
  std::vector<int64_t> strides = broadcastStrides(own, batch);
  std::vector<int64_t> offsets;
  std::vector<int64_t> index(static_cast<size_t>(batch.rank()), 0);
  do {
    int64_t offset = 0;
    for (size_t d = 0; d < index.size(); ++d) offset += index[d] * strides[d];
    offsets.push_back(offset);
  } while (ops::nextIndex(index, batch));
  return offsets;
}

std::vector<Tensor> matMulCpu(const OpContext& ctx) {
  bool ta = ctx.attrs.getBoolOr("transposeA", false, ctx.op);
  bool tb = ctx.attrs.getBoolOr("transposeB", false, ctx.op);
  const Shape& sa = ctx.inputs[0].shape();
  const Shape& sb = ctx.inputs[1].shape();
  MatMulDims d = matMulDims(ctx.op, sa, sb, ta, tb);
  const std::vector<float>& a = cpuValues(ctx.inputs[0]);
  const std::vector<float>& b = cpuValues(ctx.inputs[1]);
  std::vector<int64_t> offA = batchOffsets(sa, d.batch), offB = batchOffsets(sb, d.batch);
  std::vector<float> y(static_cast<size_t>(ctx.outputs[0].shape.size()));
  std::vector<double> row(static_cast<size_t>(d.n));
  for (size_t batch = 0; batch < offA.size(); ++batch) {
    const float* A = a.data() + offA[batch] * d.m * d.k;
    const float* B = b.data() + offB[batch] * d.k * d.n;
    float* Y = y.data() + static_cast<int64_t>(batch) * d.m * d.n;
    for (int64_t i = 0; i < d.m; ++i) {
      std::fill(row.begin(), row.end(), 0.0);
      for (int64_t p = 0; p < d.k; ++p) {
        double av = ta ? A[p * d.m + i] : A[i * d.k + p];
        for (int64_t j = 0; j < d.n; ++j)
          row[static_cast<size_t>(j)] += av * (tb ? B[j * d.k + p] : B[p * d.n + j]);
      }
      for (int64_t j = 0; j < d.n; ++j)
        Y[i * d.n + j] = static_cast<float>(row[static_cast<size_t>(j)]);
    }
  }
  if (ctx.op == "fusedMatMul") {
    const Tensor* bias = ctx.inputs.size() > 2 ? &ctx.inputs[2] : nullptr;
    ops::epilogueCpu(y, ctx.outputs[0].shape,
                     ops::fusionOf(ctx.op, ctx.attrs, ctx.inputs.size() - 2), bias);
  }
  return {cpuResult(ctx, std::move(y))};
}

// Batch index map for the shader: the output batch index is unravelled over `batch`
// (at most kMaxRank - 2 dimensions) and re-ravelled with each operand's strides.
std::vector<int> batchStrides(const Shape& operand, const Shape& batch) {
  Shape own(std::vector<int64_t>(operand.dims().begin(), operand.dims().end() - 2));
  std::vector<int> strides;
  for (int64_t s : broadcastStrides(own, batch)) strides.push_back(static_cast<int>(s));
  while (strides.size() < 4) strides.insert(strides.begin(), 0);
  return strides;
}

std::vector<Tensor> matMulGl(const OpContext& ctx) {
  bool ta = ctx.attrs.getBoolOr("transposeA", false, ctx.op);
  bool tb = ctx.attrs.getBoolOr("transposeB", false, ctx.op);
  const Tensor& a = ctx.inputs[0];
  const Tensor& b = ctx.inputs[1];
  MatMulDims d = matMulDims(ctx.op, a.shape(), b.shape(), ta, tb);
  std::vector<int> batchDims;
  for (int64_t dim : d.batch.dims()) batchDims.push_back(static_cast<int>(dim));
  while (batchDims.size() < 4) batchDims.insert(batchDims.begin(), 1);
  std::string op(ctx.op);
  ops::Fusion fusion = ops::fusionOf(op, ctx.attrs, ctx.inputs.size() - 2);
  const Tensor* bias = ctx.inputs.size() > 2 ? &ctx.inputs[2] : nullptr;
  // A bias other than one value per column is added by a separate pass.
  bool fuseBias = bias && ops::biasFitsEpilogue(bias->shape(), d.n);
  gl::checkLoop((d.k + 3) / 4, op, "an inner dimension this long");
  gl::Pass pass(static_cast<GlBackend&>(ctx.backend), op, {"fused_epilogue", "matmul"});
  pass.define("TRANSPOSE_A", ta ? 1 : 0)
      .define("TRANSPOSE_B", tb ? 1 : 0)
      .input("A", a)
      .input("B", b)
      .uniform("M", gl::checkedInt(d.m, op, "M"))
      .uniform("K", gl::checkedInt(d.k, op, "K"))
      .uniform("N", gl::checkedInt(d.n, op, "N"))
      .uniform("batchDims", batchDims)
      .uniform("A_batchStrides", batchStrides(a.shape(), d.batch))
      .uniform("B_batchStrides", batchStrides(b.shape(), d.batch));
  if (bias && !fuseBias) {
    ops::epilogue(pass, ops::Fusion{}, nullptr);
    return {ops::biasAndActivationOps(pass.run(ctx.outputs[0]), fusion, bias)};
  }
  ops::epilogue(pass, fusion, bias);
  return {pass.run(ctx.outputs[0])};
}

// ---- dot and outerProduct: compositions of reshape, matMul and mul ----

std::vector<TensorSpec> inferDot(std::string_view op, std::span<const TensorSpec> in,
                                 const Attrs&) {
  ops::requireFloat(op, in);
  const Shape& a = in[0].shape;
  const Shape& b = in[1].shape;
  if (a.rank() < 1 || a.rank() > 2 || b.rank() < 1 || b.rank() > 2)
    fail(op, ": inputs must be vectors or matrices, got ", a, " and ", b);
  int64_t ka = a.fromEnd(1), kb = b[0];
  if (ka != kb) fail(op, ": inner dimensions differ: ", a, " and ", b);
  std::vector<int64_t> out;
  if (a.rank() == 2) out.push_back(a[0]);
  if (b.rank() == 2) out.push_back(b[1]);
  return {{Shape(std::move(out)), DType::Float32}};
}

Tensor reshaped(const Tensor& x, std::vector<int64_t> dims) {
  return runOp1("reshape", {x}, Attrs().setInts("shape", std::move(dims)));
}

std::vector<Tensor> dotKernel(const OpContext& ctx) {
  const Tensor& a = ctx.inputs[0];
  const Tensor& b = ctx.inputs[1];
  Tensor a2 = a.rank() == 1 ? reshaped(a, {1, a.size()}) : a;
  Tensor b2 = b.rank() == 1 ? reshaped(b, {b.size(), 1}) : b;
  return {reshaped(runOp1("matMul", {a2, b2}), ctx.outputs[0].shape.dims())};
}

std::vector<TensorSpec> inferOuter(std::string_view op, std::span<const TensorSpec> in,
                                   const Attrs&) {
  ops::requireFloat(op, in);
  if (in[0].shape.rank() != 1 || in[1].shape.rank() != 1)
    fail(op, ": inputs must be vectors, got ", in[0].shape, " and ", in[1].shape);
  return {{Shape{in[0].shape[0], in[1].shape[0]}, DType::Float32}};
}

// A broadcast product: exact, unlike a K = 1 matMul on drivers that fuse multiply-adds.
std::vector<Tensor> outerKernel(const OpContext& ctx) {
  return {runOp1("mul", {reshaped(ctx.inputs[0], {ctx.inputs[0].size(), 1}),
                         reshaped(ctx.inputs[1], {1, ctx.inputs[1].size()})})};
}

}  // namespace

void registerMatMulOps(std::vector<OpDef>& ops) {
  ops.push_back({"matMul", 2, 2, inferMatMul, matMulCpu, matMulGl});
  ops.push_back({"fusedMatMul", 2, 3, inferMatMul, matMulCpu, matMulGl});
  ops.push_back({"dot", 2, 2, inferDot, dotKernel, dotKernel, true});
  ops.push_back({"outerProduct", 2, 2, inferOuter, outerKernel, outerKernel, true});
}

Tensor fusedMatMul(const Tensor& a, const Tensor& b, const FusedOptions& options) {
  Attrs attrs;
  attrs.setBool("transposeA", options.transposeA)
      .setBool("transposeB", options.transposeB)
      .setString("activation", options.activation)
      .setFloat("leakyreluAlpha", options.leakyreluAlpha);
  if (options.bias) return runOp1("fusedMatMul", {a, b, *options.bias}, attrs);
  return runOp1("fusedMatMul", {a, b}, attrs);
}

Tensor dot(const Tensor& a, const Tensor& b) {
  return runOp1("dot", {a, b});
}

Tensor outerProduct(const Tensor& a, const Tensor& b) {
  return runOp1("outerProduct", {a, b});
}

Tensor matMul(const Tensor& a, const Tensor& b, bool transposeA, bool transposeB) {
  Attrs attrs;
  attrs.setBool("transposeA", transposeA).setBool("transposeB", transposeB);
  return runOp1("matMul", {a, b}, attrs);
}

}  // namespace texel
