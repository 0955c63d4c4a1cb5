// matMul: batched, with broadcast batch dimensions and transposeA / transposeB;
// fusedMatMul adds a bias and an activation in the same pass; dot and outerProduct are
// compositions.
#include "engine/cpu/cpu_backend.h"
#include "engine/gl/gl_pass.h"
#include "engine/ops/fused.h"
#include "engine/ops/gl_helpers.h"
#include "engine/ops/grad_util.h"
#include "engine/ops/op_util.h"
#include "engine/ops/ops.h"
#include "engine/simd/gemm.h"

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

Shape matMulShape(std::string_view op, std::span<const TensorSpec> in, bool ta, bool tb) {
  ops::requireFloat(op, in);
  MatMulDims d = matMulDims(op, in[0].shape, in[1].shape, ta, tb);
  std::vector<int64_t> dims = d.batch.dims();
  dims.push_back(d.m);
  dims.push_back(d.n);
  return Shape(std::move(dims));
}

std::vector<TensorSpec> inferMatMul(std::string_view op, std::span<const TensorSpec> in,
                                    const MatMulAttrs& a) {
  return {{matMulShape(op, in, a.transposeA, a.transposeB), DType::Float32}};
}

std::vector<TensorSpec> inferFusedMatMul(std::string_view op, std::span<const TensorSpec> in,
                                         const FusedMatMulAttrs& a) {
  Shape out = matMulShape(op, in, a.transposeA, a.transposeB);
  if (in.size() > 2) ops::checkBias(op, in[2].shape, out);
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

// A CPU kernel's view of the operands: dimensions, values, each batch matrix's index.
struct CpuOperands {
  MatMulDims d;
  const std::vector<float>& a;
  const std::vector<float>& b;
  std::vector<int64_t> offA, offB;
};
CpuOperands cpuOperands(const OpContext& ctx, bool ta, bool tb) {
  const Shape& sa = ctx.inputs[0].shape();
  const Shape& sb = ctx.inputs[1].shape();
  MatMulDims d = matMulDims(ctx.op, sa, sb, ta, tb);
  return {d, cpuValues(ctx.inputs[0]), cpuValues(ctx.inputs[1]), batchOffsets(sa, d.batch),
          batchOffsets(sb, d.batch)};
}

// The product, then the fused bias and activation when `fusion` is given.
std::vector<Tensor> matMulCpu(const OpContext& ctx, bool ta, bool tb, const ops::Fusion* fusion) {
  auto [d, a, b, offA, offB] = cpuOperands(ctx, ta, tb);
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
  if (fusion) {
    const Tensor* bias = ctx.inputs.size() > 2 ? &ctx.inputs[2] : nullptr;
    ops::epilogueCpu(y, ctx.outputs[0].shape, *fusion, bias);
  }
  return {cpuResult(ctx, std::move(y))};
}

// The SIMD backend's: one packed gemm per batch matrix (engine/simd/gemm.h).
std::vector<Tensor> matMulSimd(const OpContext& ctx, bool ta, bool tb, const ops::Fusion* fusion) {
  auto [d, a, b, offA, offB] = cpuOperands(ctx, ta, tb);
  std::vector<float> y(static_cast<size_t>(ctx.outputs[0].shape.size()));
  simd::ThreadPool& pool = cpuPool(ctx);
  for (size_t batch = 0; batch < offA.size(); ++batch) {
    const float* A = a.data() + offA[batch] * d.m * d.k;
    const float* B = b.data() + offB[batch] * d.k * d.n;
    simd::Strided as = ta ? simd::Strided{A, 1, d.m} : simd::Strided{A, d.k, 1};
    simd::Strided bs = tb ? simd::Strided{B, 1, d.k} : simd::Strided{B, d.n, 1};
    simd::gemm(d.m, d.n, d.k, simd::packRows(as), simd::packColumns(bs),
               y.data() + static_cast<int64_t>(batch) * d.m * d.n, d.n, false, pool);
  }
  if (fusion) {
    const Tensor* bias = ctx.inputs.size() > 2 ? &ctx.inputs[2] : nullptr;
    ops::epilogueSimd(y, ctx.outputs[0].shape, *fusion, bias);
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

std::vector<Tensor> matMulGl(const OpContext& ctx, bool ta, bool tb, const ops::Fusion* fusion) {
  Tensor a = ctx.inputs[0];
  const Tensor& b = ctx.inputs[1];
  MatMulDims d = matMulDims(ctx.op, a.shape(), b.shape(), ta, tb);
  std::string op(ctx.op);
  auto& backend = static_cast<GlBackend&>(ctx.backend);
  const Tensor* bias = ctx.inputs.size() > 2 ? &ctx.inputs[2] : nullptr;
  // A bias other than one value per column is added by a separate pass.
  bool fuseBias = bias && ops::biasFitsEpilogue(bias->shape(), d.n);
  gl::checkLoop((d.k + 3) / 4, op, "an inner dimension this long");

  // The blocked kernel reads A as rows x K and B as one matrix: A unbroadcast, B
  // without batch dimensions. A transposed A is transposed first (a copy of M x K values
  // against M x K x N multiply-adds).
  int64_t batchSize = d.batch.size();
  bool aWhole = a.shape().size() == batchSize * d.m * d.k;
  bool bSingle = b.shape().size() == d.k * d.n;
  const gl::TextureLayout outLayout = backend.layoutOf(ctx.outputs[0].shape, op);
  gl::Pass::Block block = aWhole && bSingle && outLayout.aligned
                              ? ops::productBlock(backend, batchSize * d.m, outLayout.slices, d.k)
                              : gl::Pass::Block{};
  bool blocked = block.rows * block.slices > 1;
  if (blocked && ta) {
    std::vector<int> perm(static_cast<size_t>(a.shape().rank()));
    for (size_t i = 0; i < perm.size(); ++i) perm[i] = static_cast<int>(i);
    std::swap(perm[perm.size() - 1], perm[perm.size() - 2]);
    a = ops::transposeGl(backend, a, perm);
    ta = false;
  }

  std::vector<int> batchDims;
  for (int64_t dim : d.batch.dims()) batchDims.push_back(static_cast<int>(dim));
  while (batchDims.size() < 4) batchDims.insert(batchDims.begin(), 1);
  gl::Pass pass(backend, op, {gl::shaders::fused_epilogue, gl::shaders::matmul});
  pass.define("TRANSPOSE_A", ta ? 1 : 0)
      .define("TRANSPOSE_B", tb ? 1 : 0)
      .input("A", a)
      .input("B", b)
      .uniform("K", gl::checkedInt(d.k, op, "K"))
      .uniform("N", gl::checkedInt(d.n, op, "N"));
  if (!blocked)
    pass.uniform("M", gl::checkedInt(d.m, op, "M"))
        .uniform("batchDims", batchDims)
        .uniform("A_batchStrides", batchStrides(a.shape(), d.batch))
        .uniform("B_batchStrides", batchStrides(b.shape(), d.batch));
  auto run = [&] { return pass.runBlocked(ctx.outputs[0], block); };
  if (bias && !fuseBias) {
    ops::epilogue(pass, ops::Fusion{}, nullptr);
    return {ops::biasAndActivationOps(run(), *fusion, bias)};
  }
  ops::epilogue(pass, fusion ? *fusion : ops::Fusion{}, bias);
  return {run()};
}

ops::Fusion fusionOf(const FusedMatMulAttrs& a) {
  return {a.activation, a.leakyreluAlpha};
}

// A split first operand of rank 2 (not transposed) goes by row blocks; a bias with a row
// per output row follows them.
template <typename A>
ops::SplitPlan matMulPlan(std::span<const TensorSpec> in, const TensorSpec& out, const A& a) {
  if (in[0].shape.rank() != 2 || a.transposeA) return {};
  ops::SplitPlan plan(in.size(), ops::SplitInput::Whole);
  plan[0] = ops::SplitInput::Rows;
  if (in.size() > 2 && in[2].shape.rank() == 2 && in[2].shape[0] == out.shape[0] &&
      out.shape[0] > 1)
    plan[2] = ops::SplitInput::Rows;
  return plan;
}
constexpr std::string_view kMatMulSplit = "by rows of a rank-2 first operand";

// Gradients of C = op(A) op(B) (op = optional transpose), batch dimensions unbroadcast.
std::vector<Tensor> matMulGrads(const GradContext& c, const Tensor& dz, bool ta, bool tb) {
  const Tensor& a = c.inputs[0];
  const Tensor& b = c.inputs[1];
  // A model's first dense layer needs no gradient for its input: as many multiply-adds
  // as its forward pass, skipped.
  Tensor da, db;
  if (c.needs(0))
    da = ops::unbroadcast(ta ? matMul(b, dz, tb, true) : matMul(dz, b, false, !tb), a.shape());
  if (c.needs(1))
    db = ops::unbroadcast(tb ? matMul(dz, a, true, ta) : matMul(a, dz, !ta, false), b.shape());
  std::vector<Tensor> result = {da, db};
  if (c.inputs.size() > 2) result.push_back(ops::unbroadcast(dz, c.inputs[2].shape()));
  return result;
}

// ---- dot and outerProduct: compositions of reshape, matMul and mul ----

std::vector<TensorSpec> inferDot(std::string_view op, std::span<const TensorSpec> in,
                                 const NoAttrs&) {
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

std::vector<Tensor> dotKernel(const OpContext& ctx, const NoAttrs&) {
  const Tensor& a = ctx.inputs[0];
  const Tensor& b = ctx.inputs[1];
  Tensor a2 = a.rank() == 1 ? reshape(a, {1, a.size()}) : a;
  Tensor b2 = b.rank() == 1 ? reshape(b, {b.size(), 1}) : b;
  return {reshape(matMul(a2, b2), ctx.outputs[0].shape.dims())};
}

std::vector<TensorSpec> inferOuter(std::string_view op, std::span<const TensorSpec> in,
                                   const NoAttrs&) {
  ops::requireFloat(op, in);
  if (in[0].shape.rank() != 1 || in[1].shape.rank() != 1)
    fail(op, ": inputs must be vectors, got ", in[0].shape, " and ", in[1].shape);
  return {{Shape{in[0].shape[0], in[1].shape[0]}, DType::Float32}};
}

// A broadcast product: exact, unlike a K = 1 matMul on drivers that fuse multiply-adds.
std::vector<Tensor> outerKernel(const OpContext& ctx, const NoAttrs&) {
  return {mul(reshape(ctx.inputs[0], {ctx.inputs[0].size(), 1}),
              reshape(ctx.inputs[1], {1, ctx.inputs[1].size()}))};
}

}  // namespace

void registerMatMulOps(OpList& ops) {
  ops.add<MatMulAttrs>("matMul", "matmul")
      .inputs(2, 2)
      .infer(inferMatMul)
      .cpu([](const OpContext& ctx, const MatMulAttrs& a) {
        return matMulCpu(ctx, a.transposeA, a.transposeB, nullptr);
      })
      .simd([](const OpContext& ctx, const MatMulAttrs& a) {
        return matMulSimd(ctx, a.transposeA, a.transposeB, nullptr);
      })
      .gl([](const OpContext& ctx, const MatMulAttrs& a) {
        return matMulGl(ctx, a.transposeA, a.transposeB, nullptr);
      })
      .splitKernel(ops::splitByRows<MatMulAttrs>(matMulPlan<MatMulAttrs>), kMatMulSplit)
      .gradient([](const GradContext& c, const MatMulAttrs& a) {
        return matMulGrads(c, c.outputGrads[0], a.transposeA, a.transposeB);
      });
  ops.add<FusedMatMulAttrs>("fusedMatMul", "matmul")
      .inputs(2, 3)
      .infer(inferFusedMatMul)
      .cpu([](const OpContext& ctx, const FusedMatMulAttrs& a) {
        ops::Fusion fusion = fusionOf(a);
        return matMulCpu(ctx, a.transposeA, a.transposeB, &fusion);
      })
      .simd([](const OpContext& ctx, const FusedMatMulAttrs& a) {
        ops::Fusion fusion = fusionOf(a);
        return matMulSimd(ctx, a.transposeA, a.transposeB, &fusion);
      })
      .gl([](const OpContext& ctx, const FusedMatMulAttrs& a) {
        ops::Fusion fusion = fusionOf(a);
        return matMulGl(ctx, a.transposeA, a.transposeB, &fusion);
      })
      .splitKernel(ops::splitByRows<FusedMatMulAttrs>(matMulPlan<FusedMatMulAttrs>), kMatMulSplit)
      .gradient([](const GradContext& c, const FusedMatMulAttrs& a) {
        Tensor dz = ops::activationGrad(fusionOf(a), c.outputs[0], c.outputGrads[0]);
        return matMulGrads(c, dz, a.transposeA, a.transposeB);
      });
  ops.add("dot", "matmul").inputs(2, 2).infer(inferDot).composite(dotKernel);
  ops.add("outerProduct", "matmul").inputs(2, 2).infer(inferOuter).composite(outerKernel);
}

Tensor fusedMatMul(const Tensor& a, const Tensor& b, const FusedMatMulAttrs& attrs,
                   const std::optional<Tensor>& bias) {
  if (bias) return runOp1("fusedMatMul", {a, b, *bias}, attrs);
  return runOp1("fusedMatMul", {a, b}, attrs);
}

Tensor dot(const Tensor& a, const Tensor& b) {
  return runOp1("dot", {a, b});
}

Tensor outerProduct(const Tensor& a, const Tensor& b) {
  return runOp1("outerProduct", {a, b});
}

Tensor matMul(const Tensor& a, const Tensor& b, bool transposeA, bool transposeB) {
  return runOp1("matMul", {a, b}, MatMulAttrs{transposeA, transposeB});
}

}  // namespace texel
