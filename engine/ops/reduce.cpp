// Reductions over any set of axes with keepDims: sum, mean, max, min, prod, logSumExp,
// all, any (bool); argMax and argMin along one axis. One kernel per backend serves every
// reduction: each row binds its Reduction.
#include <algorithm>
#include <cmath>
#include <limits>

#include "engine/core/create.h"
#include "engine/cpu/cpu_backend.h"
#include "engine/gl/gl_pass.h"
#include "engine/ops/gl_helpers.h"
#include "engine/ops/grad_util.h"
#include "engine/ops/op_util.h"
#include "engine/ops/ops.h"

namespace texel {
namespace {

enum class Reduction { Sum, Mean, Max, Min, Prod, All, Any, LogSumExp, ArgMax, ArgMin };

bool isArg(Reduction kind) {
  return kind == Reduction::ArgMax || kind == Reduction::ArgMin;
}

// The reduced axes of a call, sorted; attrs is ReduceAttrs or (arg reductions) AxisAttrs.
struct Reduce {
  Reduction kind;
  std::vector<int> axes;
  bool keepDims = false;
};

Reduce reduceOf(std::string_view op, Reduction kind, const ReduceAttrs& a, int rank) {
  return {kind, ops::reductionAxes(op, a.axes, rank), a.keepDims};
}

Reduce reduceOf(std::string_view op, Reduction kind, const AxisAttrs& a, int rank) {
  if (rank == 0) fail(op, ": input must have rank >= 1, got a scalar");
  return {kind, {normalizeAxis(a.axis, rank, std::string(op))}, false};
}

Shape reducedShape(const Shape& in, const std::vector<int>& axes, bool keepDims) {
  std::vector<int64_t> dims;
  for (int d = 0; d < in.rank(); ++d) {
    bool reduced = std::find(axes.begin(), axes.end(), d) != axes.end();
    if (!reduced)
      dims.push_back(in[d]);
    else if (keepDims)
      dims.push_back(1);
  }
  return Shape(std::move(dims));
}

std::vector<TensorSpec> inferReduce(std::string_view op, std::span<const TensorSpec> in,
                                    const Reduce& r) {
  Reduction kind = r.kind;
  bool logical = kind == Reduction::All || kind == Reduction::Any;
  if (logical && in[0].dtype != DType::Bool)
    fail(op, ": input has dtype ", dtypeName(in[0].dtype), ", expected bool");
  if (!logical) ops::requireFloat(op, in);
  if (isArg(kind) && in[0].shape[r.axes[0]] == 0)
    fail(op, ": cannot take ", op, " over axis ", r.axes[0], " of size 0 in shape ", in[0].shape);
  DType dtype = isArg(kind) ? DType::Int32 : (logical ? DType::Bool : DType::Float32);
  return {{reducedShape(in[0].shape, r.axes, r.keepDims), dtype}};
}

std::vector<Tensor> reduceCpu(const OpContext& ctx, const Reduce& r) {
  Reduction kind = r.kind;
  const Shape& in = ctx.inputs[0].shape();
  const std::vector<int>& axes = r.axes;
  Shape out = reducedShape(in, axes, /*keepDims=*/true);  // same element order as the output
  size_t outCount = static_cast<size_t>(out.size());
  constexpr double kInf = std::numeric_limits<double>::infinity();
  double identity = 0.0;
  switch (kind) {
    case Reduction::Max:
    case Reduction::ArgMax:
    case Reduction::LogSumExp:  // holds the maximum during the first sweep
      identity = -kInf;
      break;
    case Reduction::Min:
    case Reduction::ArgMin:
      identity = kInf;
      break;
    case Reduction::Prod:
    case Reduction::All:
      identity = 1.0;
      break;
    default:
      break;
  }
  std::vector<double> acc(outCount, identity);
  std::vector<float> arg(outCount, 0.0f);
  std::vector<int64_t> outStrides = ops::stridesOf(out);
  const std::vector<float>& x = cpuValues(ctx.inputs[0]);
  std::vector<int64_t> index(static_cast<size_t>(in.rank()), 0);
  auto outputOffset = [&] {  // the output element that input `index` reduces into
    size_t o = 0;
    for (size_t d = 0; d < index.size(); ++d)
      if (out[static_cast<int>(d)] != 1) o += static_cast<size_t>(index[d] * outStrides[d]);
    return o;
  };
  for (size_t i = 0; i < x.size(); ++i) {
    size_t o = outputOffset();
    double v = x[i];
    switch (kind) {
      case Reduction::Sum:
      case Reduction::Mean:
        acc[o] += v;
        break;
      case Reduction::Max:
      case Reduction::LogSumExp:
        if (std::isnan(v) || v > acc[o]) acc[o] = std::isnan(acc[o]) ? acc[o] : v;
        break;
      case Reduction::Min:
        if (std::isnan(v) || v < acc[o]) acc[o] = std::isnan(acc[o]) ? acc[o] : v;
        break;
      case Reduction::Prod:
        acc[o] *= v;
        break;
      case Reduction::All:
        acc[o] = acc[o] != 0 && v != 0 ? 1.0 : 0.0;
        break;
      case Reduction::Any:
        acc[o] = acc[o] != 0 || v != 0 ? 1.0 : 0.0;
        break;
      case Reduction::ArgMax:  // first extreme; NaN never wins (same rule as the shader)
      case Reduction::ArgMin:
        if (kind == Reduction::ArgMax ? v > acc[o] : v < acc[o]) {
          acc[o] = v;
          arg[o] = static_cast<float>(index[static_cast<size_t>(axes[0])]);
        }
        break;
    }
    ops::nextIndex(index, in);
  }
  if (kind == Reduction::LogSumExp) {
    // TF.js's formula: m + log(sum(exp(x - m))), m the maximum (NaN when m is infinite).
    std::vector<double> sums(outCount, 0.0);
    std::fill(index.begin(), index.end(), 0);
    for (size_t i = 0; i < x.size(); ++i) {
      size_t o = outputOffset();
      sums[o] += std::exp(static_cast<double>(x[i]) - acc[o]);
      ops::nextIndex(index, in);
    }
    for (size_t o = 0; o < outCount; ++o) acc[o] = acc[o] + std::log(sums[o]);
  }
  std::vector<float> y(outCount);
  double count =
      static_cast<double>(in.size()) / static_cast<double>(std::max<int64_t>(out.size(), 1));
  for (size_t o = 0; o < outCount; ++o) {
    if (isArg(kind))
      y[o] = arg[o];
    else
      y[o] = static_cast<float>(kind == Reduction::Mean ? acc[o] / count : acc[o]);
  }
  return {cpuResult(ctx, std::move(y))};
}

// ---- GL ----
// The input's rows (all dimensions but the last) are classified kept / reduced. Two
// kernels cover every case (glsl/reduce.glsl):
//  INNER  (the last axis is reduced): rows are [kept..., reduced...]; output element o
//         reduces rows o * reducedRows ... + reducedRows - 1, all lanes of each.
//  MIDDLE (the last axis is kept): rows are [before..., reduced..., after...]; an output
//         texel reduces the same slice of `reduced` rows, four lanes at once.
// Other arrangements are first transposed into one of these (reduced rows moved last).

// Selects the shader's reduction: a sum (with scale), a fold (IDENTITY, COMBINE), or an
// arg search (ARG_INIT, ARG_BETTER).
gl::Pass& defineReduction(gl::Pass& pass, Reduction kind) {
  switch (kind) {
    case Reduction::Sum:
    case Reduction::Mean:
    case Reduction::LogSumExp:
      return pass.define("REDUCTION", "REDUCE_SUM");
    case Reduction::ArgMax:
      return pass.define("REDUCTION", "REDUCE_ARG")
          .define("ARG_INIT", "(-infValue())")
          .define("ARG_BETTER(v, best)", "greaterThan(v, best)");
    case Reduction::ArgMin:
      return pass.define("REDUCTION", "REDUCE_ARG")
          .define("ARG_INIT", "infValue()")
          .define("ARG_BETTER(v, best)", "lessThan(v, best)");
    default:
      break;
  }
  const char* identity = "1.0";
  const char* combine = "((a) * (b))";
  if (kind == Reduction::Max) identity = "(-infValue())", combine = "maxNan(a, b)";
  if (kind == Reduction::Min) identity = "infValue()", combine = "minNan(a, b)";
  if (kind == Reduction::All) combine = "min(a, b)";
  if (kind == Reduction::Any) identity = "0.0", combine = "max(a, b)";
  return pass.define("REDUCTION", "REDUCE_FOLD")
      .define("IDENTITY", identity)
      .define("COMBINE(a, b)", combine);
}

// Rows (excluding dimensions of size 1) must be kept-then-reduced (INNER) or contain
// one contiguous reduced run (MIDDLE). Returns the permutation that makes them so, or
// an empty vector when the input already is.
std::vector<int> canonicalPermutation(const Shape& in, const std::vector<int>& axes,
                                      bool lastReduced) {
  int rowRank = in.rank() - 1;
  auto isReduced = [&](int d) { return std::find(axes.begin(), axes.end(), d) != axes.end(); };
  std::vector<int> runs;  // kinds of the runs of non-trivial row dimensions, 1 = reduced
  for (int d = 0; d < rowRank; ++d) {
    if (in[d] == 1) continue;
    int kind = isReduced(d) ? 1 : 0;
    if (runs.empty() || runs.back() != kind) runs.push_back(kind);
  }
  bool fine = lastReduced ? (runs.size() <= 1 || (runs.size() == 2 && runs[0] == 0))
                          : (std::count(runs.begin(), runs.end(), 1) <= 1);
  if (fine) return {};
  std::vector<int> perm;
  for (int d = 0; d < rowRank; ++d)
    if (!isReduced(d)) perm.push_back(d);
  for (int d = 0; d < rowRank; ++d)
    if (isReduced(d)) perm.push_back(d);
  perm.push_back(in.rank() - 1);
  return perm;
}

// Above this many texels per output element, INNER reductions first produce partial
// results in parallel (one fragment each), then reduce those.
constexpr int64_t kSplitTexels = 2048;

// logSumExp from GL ops with TF.js's formula: m + log(sum(exp(x - m))), m = max(x).
Tensor logSumExpGl(const OpContext& ctx, const std::vector<int>& axes) {
  const Tensor& x = ctx.inputs[0];
  Tensor m = max(x, axes, /*keepDims=*/true);
  Tensor total = log(sum(exp(sub(x, m)), axes, /*keepDims=*/true));
  return ops::reshapeGl(static_cast<GlBackend&>(ctx.backend), add(m, total), ctx.outputs[0].shape);
}

std::vector<Tensor> reduceGl(const OpContext& ctx, const Reduce& r) {
  auto& backend = static_cast<GlBackend&>(ctx.backend);
  std::string op(ctx.op);
  Reduction kind = r.kind;
  if (kind == Reduction::LogSumExp) return {logSumExpGl(ctx, r.axes)};
  Tensor x = ctx.inputs[0];
  std::vector<int> axes = r.axes;
  const TensorSpec& outSpec = ctx.outputs[0];
  if (x.rank() == 0 || axes.empty()) {  // nothing to reduce: same values, output shape
    return {ops::reshapeGl(backend, x, outSpec.shape)};
  }
  int last = x.rank() - 1;
  bool lastReduced = std::find(axes.begin(), axes.end(), last) != axes.end();
  std::vector<int> perm = canonicalPermutation(x.shape(), axes, lastReduced);
  if (!perm.empty()) {
    x = ops::transposeGl(backend, x, perm);
    std::vector<int> moved;
    for (int d = 0; d < x.rank(); ++d)
      if (std::find(axes.begin(), axes.end(), perm[static_cast<size_t>(d)]) != axes.end())
        moved.push_back(d);
    axes = moved;
  }
  const Shape& in = x.shape();
  auto isReduced = [&](int d) { return std::find(axes.begin(), axes.end(), d) != axes.end(); };
  int64_t reducedCount = 1;
  for (int a : axes) reducedCount *= in[a];
  float scale =
      kind == Reduction::Mean ? static_cast<float>(1.0 / static_cast<double>(reducedCount)) : 1.0f;

  if (lastReduced) {
    int64_t reducedRows = 1;
    for (int d = 0; d < last; ++d)
      if (isReduced(d)) reducedRows *= in[d];
    int64_t outerCount = in.size() / (reducedRows * in[last]);
    int64_t slices = (in[last] + 3) / 4;
    Tensor source = x;
    int64_t sourceRows = reducedRows;
    if (!isArg(kind) && reducedRows * slices > kSplitTexels) {
      // Stage 1: `parts` partial results per output element, each over `chunk` texels.
      int64_t work = reducedRows * slices;
      int64_t chunk =
          std::max<int64_t>(64, static_cast<int64_t>(std::sqrt(static_cast<double>(work))));
      int64_t parts = (work + chunk - 1) / chunk;
      gl::checkLoop(4 * chunk, op, "a partial reduction");
      gl::Pass partial(backend, op, {gl::shaders::reduce_partial});
      source = defineReduction(partial, kind)
                   .input("X", x)
                   .uniform("reducedRows", gl::checkedInt(reducedRows, op, "reduced rows"))
                   .uniform("chunk", gl::checkedInt(chunk, op, "chunk"))
                   .uniform("work", gl::checkedInt(work, op, "work"))
                   .run({Shape{outerCount, parts}, DType::Float32});
      sourceRows = 1;
    }
    // Each fragment reduces up to four output elements, one loop entry each.
    int64_t lanes = std::min<int64_t>(4, outSpec.shape.fromEnd(1));
    int64_t sourceSlices = (source.shape().fromEnd(1) + 3) / 4;
    gl::checkLoop(lanes * sourceRows * sourceSlices, op, "reducing rows this long");
    gl::Pass pass(backend, op, {gl::shaders::reduce});
    return {defineReduction(pass, kind)
                .define("INNER", 1)
                .input("X", source)
                .uniform("reducedRows", gl::checkedInt(sourceRows, op, "reduced rows"))
                .uniform("scale", scale)
                .run(outSpec)};
  }

  // MIDDLE: rows = before x reduced x after; the canonical form guarantees that every
  // row dimension between the first and last non-trivial reduced axis is reduced or 1.
  std::vector<int> effective;
  for (int a : axes)
    if (in[a] > 1) effective.push_back(a);
  int64_t reducedRows = 1, after = 1;
  if (!effective.empty()) {
    for (int d = effective.front(); d <= effective.back(); ++d) reducedRows *= in[d];
    for (int d = effective.back() + 1; d < last; ++d) after *= in[d];
  }
  if (reducedRows > kSplitTexels) {
    // One fragment per output texel would loop over every reduced row: move the reduced
    // axes last instead, where long reductions are split into stages.
    std::vector<int> perm, lastAxes;
    for (int d = 0; d < in.rank(); ++d)
      if (!isReduced(d)) perm.push_back(d);
    for (int d = 0; d < in.rank(); ++d)
      if (isReduced(d)) perm.push_back(d);
    for (size_t i = perm.size() - axes.size(); i < perm.size(); ++i)
      lastAxes.push_back(static_cast<int>(i));
    Tensor moved = ops::transposeGl(backend, x, perm);
    Tensor reduced = isArg(kind) ? runOp1(ctx.op, {moved}, AxisAttrs{lastAxes.back()})
                                 : runOp1(ctx.op, {moved}, ReduceAttrs{lastAxes, false});
    return {ops::reshapeGl(backend, reduced, outSpec.shape)};
  }
  gl::Pass pass(backend, op, {gl::shaders::reduce});
  return {defineReduction(pass, kind)
              .define("INNER", 0)
              .input("X", x)
              .uniform("reducedRows", gl::checkedInt(reducedRows, op, "reduced rows"))
              .uniform("afterRows", gl::checkedInt(after, op, "rows"))
              .uniform("scale", scale)
              .run(outSpec)};
}

// ---- gradients ----

// dy of a reduction, with the reduced axes back as size-1 dimensions.
Tensor keptDims(const GradContext& c, const Tensor& g, const std::vector<int>& axes) {
  std::vector<int64_t> dims = c.inputs[0].shape().dims();
  for (int a : axes) dims[static_cast<size_t>(a)] = 1;
  return reshape(g, dims);
}

std::vector<Tensor> reduceGrad(const GradContext& c, const Reduce& r) {
  const Tensor& x = c.inputs[0];
  const std::vector<int>& axes = r.axes;
  Tensor dy = keptDims(c, c.outputGrads[0], axes);
  std::vector<int64_t> full = x.shape().dims();
  switch (r.kind) {
    case Reduction::Sum:
      return {broadcastTo(dy, full)};
    case Reduction::Mean: {
      int64_t count = 1;
      for (int a : axes) count *= x.shape()[a];
      return {broadcastTo(div(dy, ops::scalarLike(x, static_cast<float>(count))), full)};
    }
    default:
      break;
  }
  Tensor y = keptDims(c, c.outputs[0], axes);
  if (r.kind == Reduction::LogSumExp) return {mul(dy, exp(sub(x, y)))};
  if (r.kind == Reduction::Prod) {
    // The product of the other elements: y / x where x != 0; for the one zero of a group
    // with exactly one, the product of the nonzero rest; 0 with two or more zeros.
    Tensor zero = ops::scalarLike(x, 0.0f);
    Tensor isZero = equal(x, zero);
    Tensor nonzeroProduct = keptDims(c, prod(where(isZero, onesLike(x), x), axes), axes);
    Tensor zeroCount = keptDims(c, sum(cast(isZero, DType::Float32), axes), axes);
    Tensor others = where(isZero,
                          where(equal(zeroCount, ops::scalarLike(x, 1.0f)),
                                broadcastTo(nonzeroProduct, full), zerosLike(x)),
                          div(broadcastTo(y, full), where(isZero, onesLike(x), x)));
    return {mul(broadcastTo(dy, full), others)};
  }
  // max / min: the gradient goes to every element equal to the extreme (as TF.js does).
  return {ops::maskWhere(equal(x, y), broadcastTo(dy, full))};
}

// One row per reduction: A is its attribute struct, the row binds `kind`.
template <typename A>
void addReduction(OpList& ops, std::string_view name, Reduction kind, std::string_view noGradient) {
  auto reduce = [kind](std::string_view op, const A& a, int rank) {
    return reduceOf(op, kind, a, rank);
  };
  auto row = ops.add<A>(name, "reduce");
  row.dtypes(kind == Reduction::All || kind == Reduction::Any ? DTypes::bools() : DTypes::floats())
      .infer([reduce](std::string_view op, std::span<const TensorSpec> in, const A& a) {
        return inferReduce(op, in, reduce(op, a, in[0].shape.rank()));
      })
      .cpu([reduce](const OpContext& ctx, const A& a) {
        return reduceCpu(ctx, reduce(ctx.op, a, ctx.inputs[0].rank()));
      })
      .gl([reduce](const OpContext& ctx, const A& a) {
        return reduceGl(ctx, reduce(ctx.op, a, ctx.inputs[0].rank()));
      });
  if (!noGradient.empty()) {
    row.noGradient(noGradient);
    return;
  }
  row.gradient([reduce](const GradContext& c, const A& a) {
    return reduceGrad(c, reduce(c.op, a, c.inputs[0].rank()));
  });
}

}  // namespace

void registerReduceOps(OpList& ops) {
  addReduction<ReduceAttrs>(ops, "sum", Reduction::Sum, {});
  addReduction<ReduceAttrs>(ops, "mean", Reduction::Mean, {});
  addReduction<ReduceAttrs>(ops, "max", Reduction::Max, {});
  addReduction<ReduceAttrs>(ops, "min", Reduction::Min, {});
  addReduction<ReduceAttrs>(ops, "prod", Reduction::Prod, {});
  addReduction<ReduceAttrs>(ops, "logSumExp", Reduction::LogSumExp, {});
  addReduction<ReduceAttrs>(ops, "all", Reduction::All, "its output is bool");
  addReduction<ReduceAttrs>(ops, "any", Reduction::Any, "its output is bool");
  addReduction<AxisAttrs>(ops, "argMax", Reduction::ArgMax, "its output is int32 indices");
  addReduction<AxisAttrs>(ops, "argMin", Reduction::ArgMin, "its output is int32 indices");
}

Tensor sum(const Tensor& x, std::optional<std::vector<int>> axes, bool keepDims) {
  return runOp1("sum", {x}, ReduceAttrs{std::move(axes), keepDims});
}
Tensor mean(const Tensor& x, std::optional<std::vector<int>> axes, bool keepDims) {
  return runOp1("mean", {x}, ReduceAttrs{std::move(axes), keepDims});
}
Tensor max(const Tensor& x, std::optional<std::vector<int>> axes, bool keepDims) {
  return runOp1("max", {x}, ReduceAttrs{std::move(axes), keepDims});
}
Tensor min(const Tensor& x, std::optional<std::vector<int>> axes, bool keepDims) {
  return runOp1("min", {x}, ReduceAttrs{std::move(axes), keepDims});
}
Tensor prod(const Tensor& x, std::optional<std::vector<int>> axes, bool keepDims) {
  return runOp1("prod", {x}, ReduceAttrs{std::move(axes), keepDims});
}
Tensor logSumExp(const Tensor& x, std::optional<std::vector<int>> axes, bool keepDims) {
  return runOp1("logSumExp", {x}, ReduceAttrs{std::move(axes), keepDims});
}
Tensor all(const Tensor& x, std::optional<std::vector<int>> axes, bool keepDims) {
  return runOp1("all", {x}, ReduceAttrs{std::move(axes), keepDims});
}
Tensor any(const Tensor& x, std::optional<std::vector<int>> axes, bool keepDims) {
  return runOp1("any", {x}, ReduceAttrs{std::move(axes), keepDims});
}
Tensor argMax(const Tensor& x, int axis) {
  return runOp1("argMax", {x}, AxisAttrs{axis});
}
Tensor argMin(const Tensor& x, int axis) {
  return runOp1("argMin", {x}, AxisAttrs{axis});
}

}  // namespace texel
