#include "engine/autodiff/gradients.h"

#include <algorithm>
#include <numeric>

#include "engine/core/create.h"
#include "engine/core/error.h"
#include "engine/ops/op_util.h"
#include "engine/ops/ops.h"

namespace texel::autodiff {
namespace {

Tensor scalarLike(const Tensor& like, float value) {
  return fill(like.backend(), Shape{}, value);
}

// The gradient of a broadcast operand: sum `g` over the dimensions `shape` was
// broadcast along, then give it `shape`.
Tensor unbroadcast(const Tensor& g, const Shape& shape) {
  if (g.shape() == shape) return g;
  std::vector<int> axes;
  int offset = g.rank() - shape.rank();
  for (int d = 0; d < g.rank(); ++d)
    if (d < offset || (shape[d - offset] == 1 && g.shape()[d] != 1)) axes.push_back(d);
  Tensor summed = axes.empty() ? g : sum(g, axes, true);
  return reshape(summed, shape.dims());
}

Tensor maskWhere(const Tensor& condition, const Tensor& g) {
  return where(condition, g, zerosLike(g));
}

// ---- elementwise ----

std::vector<Tensor> unaryGrad(const GradContext& c) {
  const Tensor& x = c.inputs[0];
  const Tensor& y = c.outputs[0];
  const Tensor& dy = c.outputGrads[0];
  std::string_view op = c.op;
  auto k = [&](float v) { return scalarLike(x, v); };
  Tensor zero = k(0.0f);
  if (op == "neg") return {neg(dy)};
  if (op == "abs") return {mul(dy, sign(x))};
  if (op == "square") return {mul(dy, mul(x, k(2.0f)))};
  if (op == "sqrt") return {div(dy, mul(y, k(2.0f)))};
  if (op == "rsqrt") return {mul(dy, mul(k(-0.5f), mul(y, square(y))))};
  if (op == "exp") return {mul(dy, y)};
  if (op == "expm1") return {mul(dy, add(y, k(1.0f)))};
  if (op == "log") return {div(dy, x)};
  if (op == "log1p") return {div(dy, add(x, k(1.0f)))};
  if (op == "reciprocal") return {neg(mul(dy, square(y)))};
  if (op == "sigmoid") return {mul(dy, mul(y, sub(k(1.0f), y)))};
  if (op == "tanh") return {mul(dy, sub(k(1.0f), square(y)))};
  if (op == "softplus") return {mul(dy, sigmoid(x))};
  if (op == "sin") return {mul(dy, cos(x))};
  if (op == "cos") return {neg(mul(dy, sin(x)))};
  if (op == "relu") return {maskWhere(greater(x, zero), dy)};
  if (op == "relu6") return {maskWhere(logicalAnd(greater(x, zero), less(x, k(6.0f))), dy)};
  if (op == "elu") return {where(greater(x, zero), dy, mul(dy, add(y, k(1.0f))))};
  if (op == "leakyRelu") {
    auto alpha = static_cast<float>(c.attrs.getFloatOr("alpha", 0.2, op));
    return {where(greater(x, zero), dy, mul(dy, k(alpha)))};
  }
  if (op == "clipByValue") {
    auto lo = static_cast<float>(c.attrs.getFloat("clipValueMin", op));
    auto hi = static_cast<float>(c.attrs.getFloat("clipValueMax", op));
    return {maskWhere(logicalAnd(greaterEqual(x, k(lo)), lessEqual(x, k(hi))), dy)};
  }
  if (op == "sinh") return {mul(dy, cosh(x))};
  if (op == "cosh") return {mul(dy, sinh(x))};
  if (op == "tan") return {mul(dy, add(k(1.0f), square(y)))};
  if (op == "atan") return {div(dy, add(k(1.0f), square(x)))};
  if (op == "asin") return {mul(dy, rsqrt(sub(k(1.0f), square(x))))};
  if (op == "acos") return {neg(mul(dy, rsqrt(sub(k(1.0f), square(x)))))};
  // d erf(x)/dx = 2/sqrt(pi) exp(-x^2)
  if (op == "erf") return {mul(dy, mul(k(1.1283791670955126f), exp(neg(square(x)))))};
  if (op == "gelu") {  // 0.5 (1 + erf(x/sqrt2)) + x exp(-x^2/2) / sqrt(2 pi)
    Tensor cdf = mul(k(0.5f), add(k(1.0f), erf(mul(x, k(0.70710678118654752f)))));
    Tensor pdf = mul(k(0.3989422804014327f), exp(mul(square(x), k(-0.5f))));
    return {mul(dy, add(cdf, mul(x, pdf)))};
  }
  if (op == "selu") {  // scale for x > 0, y + scale * alpha below
    const float scale = 1.0507009873554805f, scaleAlpha = 1.0507009873554805f * 1.6732632423543772f;
    return {where(greater(x, zero), mul(dy, k(scale)), mul(dy, add(y, k(scaleAlpha))))};
  }
  // Piecewise constant: zero almost everywhere.
  if (op == "floor" || op == "ceil" || op == "round" || op == "sign") return {zerosLike(x)};
  fail("internal error: no unary gradient for ", op);
}

std::vector<Tensor> binaryGrad(const GradContext& c) {
  const Tensor& a = c.inputs[0];
  const Tensor& b = c.inputs[1];
  const Tensor& dy = c.outputGrads[0];
  std::string_view op = c.op;
  Tensor da, db;
  if (op == "add") {
    da = dy;
    db = dy;
  } else if (op == "sub") {
    da = dy;
    db = neg(dy);
  } else if (op == "mul") {
    da = mul(dy, b);
    db = mul(dy, a);
  } else if (op == "div") {
    da = div(dy, b);
    db = neg(div(mul(dy, a), square(b)));
  } else if (op == "squaredDifference") {
    Tensor twice = mul(sub(a, b), scalarLike(a, 2.0f));
    da = mul(dy, twice);
    db = neg(da);
  } else if (op == "maximum" || op == "minimum") {
    Tensor pickA = op == "maximum" ? greaterEqual(a, b) : lessEqual(a, b);
    da = maskWhere(pickA, dy);
    db = where(pickA, zerosLike(dy), dy);
  } else if (op == "pow") {
    Tensor y = c.outputs[0];
    da = mul(dy, mul(b, pow(a, sub(b, scalarLike(b, 1.0f)))));
    // d/db a^b = a^b log a, taken as 0 where a <= 0 (as TF does).
    Tensor positive = greater(a, scalarLike(a, 0.0f));
    db = maskWhere(positive, mul(dy, mul(y, log(where(positive, a, onesLike(a))))));
  } else if (op == "atan2") {  // atan2(a, b): d/da = b / (a^2 + b^2), d/db = -a / (a^2 + b^2)
    Tensor norm = add(square(a), square(b));
    da = div(mul(dy, b), norm);
    db = neg(div(mul(dy, a), norm));
  } else if (op == "floorDiv") {  // piecewise constant
    da = zerosLike(dy);
    db = zerosLike(dy);
  } else if (op == "mod") {  // a - b * floor(a / b)
    da = dy;
    db = neg(mul(dy, floor(div(a, b))));
  } else if (op == "prelu") {
    Tensor positive = greater(a, scalarLike(a, 0.0f));
    da = where(positive, dy, mul(dy, b));
    db = where(positive, zerosLike(dy), mul(dy, a));
  } else {
    fail("internal error: no binary gradient for ", op);
  }
  return {unbroadcast(da, a.shape()), unbroadcast(db, b.shape())};
}

std::vector<Tensor> whereGrad(const GradContext& c) {
  const Tensor& condition = c.inputs[0];
  const Tensor& dy = c.outputGrads[0];
  return {Tensor(), unbroadcast(maskWhere(condition, dy), c.inputs[1].shape()),
          unbroadcast(where(condition, zerosLike(dy), dy), c.inputs[2].shape())};
}

// ---- linear algebra ----

// Gradients of C = op(A) op(B) (op = optional transpose), batch dimensions unbroadcast.
std::pair<Tensor, Tensor> matMulGrads(const Tensor& a, const Tensor& b, const Tensor& dy, bool ta,
                                      bool tb) {
  Tensor da = ta ? matMul(b, dy, tb, true) : matMul(dy, b, false, !tb);
  Tensor db = tb ? matMul(dy, a, true, ta) : matMul(a, dy, !ta, false);
  return {unbroadcast(da, a.shape()), unbroadcast(db, b.shape())};
}

// The derivative of a fused activation, from its output y.
Tensor activationGrad(const std::string& activation, float alpha, const Tensor& y,
                      const Tensor& dy) {
  Tensor zero = scalarLike(y, 0.0f), one = scalarLike(y, 1.0f);
  if (activation == "linear") return dy;
  if (activation == "relu") return maskWhere(greater(y, zero), dy);
  if (activation == "relu6")
    return maskWhere(logicalAnd(greater(y, zero), less(y, scalarLike(y, 6.0f))), dy);
  if (activation == "sigmoid") return mul(dy, mul(y, sub(one, y)));
  if (activation == "tanh") return mul(dy, sub(one, square(y)));
  if (activation == "elu") return where(greater(y, zero), dy, mul(dy, add(y, one)));
  if (activation == "leakyrelu" || activation == "leakyRelu")
    return where(greater(y, zero), dy, mul(dy, scalarLike(y, alpha)));
  fail("gradient: fused activation '", activation, "' has no gradient");
}

std::vector<Tensor> matMulGrad(const GradContext& c) {
  bool ta = c.attrs.getBoolOr("transposeA", false, c.op);
  bool tb = c.attrs.getBoolOr("transposeB", false, c.op);
  Tensor dz = c.outputGrads[0];
  if (c.op == "fusedMatMul")
    dz = activationGrad(c.attrs.getStringOr("activation", "linear", c.op),
                        static_cast<float>(c.attrs.getFloatOr("leakyreluAlpha", 0.2, c.op)),
                        c.outputs[0], dz);
  auto [da, db] = matMulGrads(c.inputs[0], c.inputs[1], dz, ta, tb);
  std::vector<Tensor> result = {da, db};
  if (c.inputs.size() > 2) result.push_back(unbroadcast(dz, c.inputs[2].shape()));
  return result;
}

// The strides, padding and dilations of a recorded conv call, for its gradient ops.
Attrs windowOf(const GradContext& c) {
  return Attrs()
      .setInts("strides", c.attrs.getIntsOr("strides", {1, 1}, c.op))
      .setString("padding", c.attrs.getStringOr("padding", "valid", c.op))
      .setInts("dilations", c.attrs.getIntsOr("dilations", {1, 1}, c.op));
}

std::vector<Tensor> conv2dGrad(const GradContext& c) {
  const Tensor& x = c.inputs[0];
  const Tensor& filter = c.inputs[1];
  Tensor dz = c.outputGrads[0];
  if (c.op == "fusedConv2d")
    dz = activationGrad(c.attrs.getStringOr("activation", "linear", c.op),
                        static_cast<float>(c.attrs.getFloatOr("leakyreluAlpha", 0.2, c.op)),
                        c.outputs[0], dz);
  // conv2dTranspose is conv2d's input gradient; conv2dFilterGrad its filter gradient.
  Attrs window = windowOf(c);
  Tensor dx, df;
  if (c.needs(0))
    dx = runOp1("conv2dTranspose", {dz, filter},
                Attrs(window).setInts("outputShape", x.shape().dims()));
  if (c.needs(1))
    df = runOp1("conv2dFilterGrad", {x, dz},
                Attrs(window).setInts("filterShape", filter.shape().dims()));
  std::vector<Tensor> result = {dx, df};
  if (c.inputs.size() > 2) result.push_back(unbroadcast(dz, c.inputs[2].shape()));
  return result;
}

// A depthwise filter [fh, fw, C, M] as the block-diagonal conv2d filter [fh, fw, C, C*M]
// it equals (output channel c*M + m reads input channel c only), so depthwiseConv2d
// differentiates through conv2d's gradient ops; the filter gradient keeps the diagonal
// blocks of conv2d's. C times the work of a dedicated kernel, fine for the channel
// counts of small models.
Tensor channelDiagonal(const Tensor& like, int64_t channels) {
  return reshape(eye(like.backend(), channels), {1, 1, channels, channels, 1});
}

std::vector<Tensor> depthwiseConv2dGrad(const GradContext& c) {
  const Tensor& x = c.inputs[0];
  const Tensor& filter = c.inputs[1];
  const Shape& f = filter.shape();
  int64_t channels = f[2], multiplier = f[3];
  Tensor diagonal = channelDiagonal(filter, channels);
  Tensor full = reshape(mul(reshape(filter, {f[0], f[1], channels, 1, multiplier}), diagonal),
                        {f[0], f[1], channels, channels * multiplier});
  Attrs window = windowOf(c);
  const Tensor& dz = c.outputGrads[0];
  Tensor dx =
      runOp1("conv2dTranspose", {dz, full}, Attrs(window).setInts("outputShape", x.shape().dims()));
  Tensor dfull = runOp1("conv2dFilterGrad", {x, dz},
                        Attrs(window).setInts("filterShape", full.shape().dims()));
  Tensor df = sum(mul(reshape(dfull, {f[0], f[1], channels, channels, multiplier}), diagonal),
                  std::vector<int>{3});
  return {dx, df};
}

// y = conv2dTranspose(x, filter) is the input gradient of a conv2d from y's shape to x's:
// its own input gradient is that conv2d, its filter gradient conv2dFilterGrad with the
// roles of input and output gradient exchanged.
std::vector<Tensor> conv2dTransposeGrad(const GradContext& c) {
  const Tensor& x = c.inputs[0];
  const Tensor& filter = c.inputs[1];
  const Tensor& dy = c.outputGrads[0];
  Attrs window = windowOf(c);
  Tensor dx = runOp1("conv2d", {dy, filter}, window);
  Tensor df = runOp1("conv2dFilterGrad", {dy, x},
                     Attrs(window).setInts("filterShape", filter.shape().dims()));
  return {dx, df};
}

std::vector<Tensor> poolGrad(const GradContext& c) {
  const Tensor& x = c.inputs[0];
  if (c.op == "maxPool")
    return {runOp1("maxPoolGrad", {x, c.outputs[0], c.outputGrads[0]}, c.attrs)};
  return {runOp1("avgPoolGrad", {x, c.outputGrads[0]}, c.attrs)};
}

// ---- reductions and softmax ----

// dy of a reduction, with the reduced axes back as size-1 dimensions.
Tensor keptDims(const GradContext& c, const Tensor& g, const std::vector<int>& axes) {
  std::vector<int64_t> dims = c.inputs[0].shape().dims();
  for (int a : axes) dims[static_cast<size_t>(a)] = 1;
  return reshape(g, dims);
}

std::vector<Tensor> reduceGrad(const GradContext& c) {
  const Tensor& x = c.inputs[0];
  std::vector<int> axes = ops::reductionAxes(c.op, c.attrs, x.rank());
  Tensor dy = keptDims(c, c.outputGrads[0], axes);
  if (c.op == "sum") return {broadcastTo(dy, x.shape().dims())};
  if (c.op == "mean") {
    int64_t count = 1;
    for (int a : axes) count *= x.shape()[a];
    return {broadcastTo(div(dy, scalarLike(x, static_cast<float>(count))), x.shape().dims())};
  }
  Tensor y = keptDims(c, c.outputs[0], axes);
  if (c.op == "logSumExp") return {mul(dy, exp(sub(x, y)))};
  if (c.op == "prod") {
    // The product of the other elements: y / x where x != 0; for the one zero of a group
    // with exactly one, the product of the nonzero rest; 0 with two or more zeros.
    Tensor zero = scalarLike(x, 0.0f);
    Tensor isZero = equal(x, zero);
    Tensor nonzeroProduct = keptDims(c, prod(where(isZero, onesLike(x), x), axes), axes);
    Tensor zeroCount = keptDims(c, sum(cast(isZero, DType::Float32), axes), axes);
    Tensor others = where(isZero,
                          where(equal(zeroCount, scalarLike(x, 1.0f)),
                                broadcastTo(nonzeroProduct, x.shape().dims()), zerosLike(x)),
                          div(broadcastTo(y, x.shape().dims()), where(isZero, onesLike(x), x)));
    return {mul(broadcastTo(dy, x.shape().dims()), others)};
  }
  // max / min: the gradient goes to every element equal to the extreme (as TF.js does).
  return {maskWhere(equal(x, y), broadcastTo(dy, x.shape().dims()))};
}

std::vector<Tensor> softmaxGrad(const GradContext& c) {
  int axis = static_cast<int>(c.attrs.getIntOr("axis", -1, c.op));
  const Tensor& y = c.outputs[0];
  const Tensor& dy = c.outputGrads[0];
  if (c.op == "softmax") return {mul(y, sub(dy, sum(mul(dy, y), std::vector<int>{axis}, true)))};
  return {sub(dy, mul(exp(y), sum(dy, std::vector<int>{axis}, true)))};  // logSoftmax
}

// ---- data movement ----

std::vector<Tensor> sliceGrad(const GradContext& c) {
  const Shape& x = c.inputs[0].shape();
  const Shape& y = c.outputs[0].shape();
  std::vector<int64_t> begin = c.attrs.getInts("begin", c.op);
  std::vector<std::array<int64_t, 2>> paddings;
  for (int d = 0; d < x.rank(); ++d) {
    int64_t b = static_cast<size_t>(d) < begin.size() ? begin[static_cast<size_t>(d)] : 0;
    paddings.push_back({b, x[d] - b - y[d]});
  }
  return {pad(c.outputGrads[0], paddings)};
}

std::vector<Tensor> indexMapGrad(const GradContext& c);

std::vector<Tensor> padGrad(const GradContext& c) {
  // Reflect and symmetric padding copy inputs into the border: scatter back.
  if (c.attrs.getStringOr("mode", "constant", c.op) != "constant") return indexMapGrad(c);
  std::vector<int64_t> flat = c.attrs.getInts("paddings", c.op);
  std::vector<int64_t> begin;
  for (size_t d = 0; d < flat.size(); d += 2) begin.push_back(flat[d]);
  return {slice(c.outputGrads[0], begin, c.inputs[0].shape().dims())};
}

std::vector<Tensor> concatGrad(const GradContext& c) {
  int axis = normalizeAxis(static_cast<int>(c.attrs.getIntOr("axis", 0, c.op)), c.outputs[0].rank(),
                           std::string(c.op));
  std::vector<Tensor> result;
  int64_t offset = 0;
  for (const Tensor& in : c.inputs) {
    std::vector<int64_t> begin(static_cast<size_t>(in.rank()), 0);
    begin[static_cast<size_t>(axis)] = offset;
    result.push_back(slice(c.outputGrads[0], begin, in.shape().dims()));
    offset += in.shape()[axis];
  }
  return result;
}

std::vector<Tensor> reverseGrad(const GradContext& c) {
  return {runOp1("reverse", {c.outputGrads[0]}, c.attrs)};
}

std::vector<Tensor> tileGrad(const GradContext& c) {
  // Sum the copies one dimension at a time: view dy as [outer, reps, n * inner].
  const Shape& x = c.inputs[0].shape();
  std::vector<int64_t> reps = c.attrs.getInts("reps", c.op);
  Tensor g = c.outputGrads[0];
  std::vector<int64_t> dims = g.shape().dims();
  for (int d = 0; d < x.rank(); ++d) {
    if (reps[static_cast<size_t>(d)] == 1) continue;
    int64_t outer = 1, inner = 1;
    for (int k = 0; k < d; ++k) outer *= dims[static_cast<size_t>(k)];
    for (int k = d + 1; k < x.rank(); ++k) inner *= dims[static_cast<size_t>(k)];
    g = sum(reshape(g, {outer, reps[static_cast<size_t>(d)], x[d] * inner}), std::vector<int>{1});
    dims[static_cast<size_t>(d)] = x[d];
    g = reshape(g, dims);
  }
  return {g};
}

// A tensor of `shape` whose flat element i is the sum of the dy values whose entry in
// flatIndices (int32, one per dy element) is i: gatherGrad over the flattened tensor.
Tensor scatterAddFlat(const Tensor& dy, const Tensor& flatIndices, const Shape& shape) {
  Tensor dx = runOp1("gatherGrad", {reshape(dy, {dy.size(), 1}), flatIndices},
                     Attrs().setInt("axis", 0).setInts("xShape", {shape.size(), 1}));
  return reshape(dx, shape.dims());
}

// Ops that only move data (every output element a copy of one input element): the op run
// on the CPU over the input's flat indices 0..n-1 (exact in float32 below 2^24) says which
// element each output copied; the gradient scatter-adds dy there with gatherGrad.
std::vector<Tensor> indexMapGrad(const GradContext& c) {
  const Shape& shape = c.inputs[0].shape();
  int64_t n = shape.size();
  if (n >= (int64_t{1} << 24))
    fail("gradient of ", c.op, ": inputs of 2^24 elements or more are not supported, got ", shape);
  std::vector<float> ids(static_cast<size_t>(n));
  std::iota(ids.begin(), ids.end(), 0.0f);
  std::vector<float> source = runOp1(c.op, {tensor(cpu(), shape, ids)}, c.attrs).data();
  std::vector<int32_t> indices(source.begin(), source.end());
  const Tensor& dy = c.outputGrads[0];
  return {scatterAddFlat(
      dy, tensorInt32(dy.backend(), {static_cast<int64_t>(indices.size())}, indices), shape)};
}

// topK's values gather k entries of each row of the last axis: scatter dy back to the
// flat positions row * n + index (int32 arithmetic, exact below 2^24).
std::vector<Tensor> topKGrad(const GradContext& c) {
  const Shape& shape = c.inputs[0].shape();
  int64_t n = shape.fromEnd(1), rows = shape.size() / std::max<int64_t>(n, 1);
  int64_t k = c.outputs[0].shape().fromEnd(1);
  if (shape.size() >= (int64_t{1} << 24))
    fail("gradient of topK: inputs of 2^24 elements or more are not supported, got ", shape);
  const Tensor& dy = c.outputGrads[0];
  std::vector<int32_t> starts(static_cast<size_t>(rows));
  for (int64_t r = 0; r < rows; ++r) starts[static_cast<size_t>(r)] = static_cast<int32_t>(r * n);
  Tensor flat = add(reshape(c.outputs[1], {rows, k}), tensorInt32(dy.backend(), {rows, 1}, starts));
  return {scatterAddFlat(dy, reshape(flat, {rows * k}), shape)};
}

// resizeBilinear is y = Ry x Rxᵀ per image and channel (Ry [outH, inH], Rx [outW, inW]
// from the op's own interpolation), so dx = Ryᵀ dy Rx: two matMuls on the device.
std::vector<Tensor> resizeBilinearGrad(const GradContext& c) {
  const Shape& xs = c.inputs[0].shape();
  bool batched = xs.rank() == 4;
  int64_t n = batched ? xs[0] : 1, inH = xs.fromEnd(3), inW = xs.fromEnd(2), ch = xs.fromEnd(1);
  const Tensor& dyIn = c.outputGrads[0];
  int64_t outH = dyIn.shape().fromEnd(3), outW = dyIn.shape().fromEnd(2);
  Backend& b = dyIn.backend();
  Tensor ry = tensor(b, {outH, inH}, ops::bilinearResizeMatrix(c.op, xs, c.attrs, 0));
  Tensor rx = tensor(b, {outW, inW}, ops::bilinearResizeMatrix(c.op, xs, c.attrs, 1));
  Tensor dy = reshape(dyIn, {n, outH, outW, ch});
  // Height: [n, outW, ch, outH] x Ry -> [n, outW, ch, inH].
  Tensor h =
      matMul(reshape(transpose(dy, std::vector<int>{0, 2, 3, 1}), {n * outW * ch, outH}), ry);
  // Width: [n, inH, ch, outW] x Rx -> [n, inH, ch, inW] -> [n, inH, inW, ch].
  Tensor w = transpose(reshape(h, {n, outW, ch, inH}), std::vector<int>{0, 3, 2, 1});
  Tensor dx = matMul(reshape(w, {n * inH * ch, outW}), rx);
  dx = transpose(reshape(dx, {n, inH, ch, inW}), std::vector<int>{0, 1, 3, 2});
  return {reshape(dx, xs.dims())};
}

std::vector<Tensor> cumsumGrad(const GradContext& c) {
  // Each input feeds every later (earlier, when reversed) sum: the reverse running sum.
  return {cumsum(c.outputGrads[0], static_cast<int>(c.attrs.getIntOr("axis", 0, c.op)),
                 c.attrs.getBoolOr("exclusive", false, c.op),
                 !c.attrs.getBoolOr("reverse", false, c.op))};
}

std::vector<Tensor> gatherGrad(const GradContext& c) {
  Attrs attrs = c.attrs;
  attrs.setInts("xShape", c.inputs[0].shape().dims());
  return {runOp1("gatherGrad", {c.outputGrads[0], c.inputs[1]}, attrs), Tensor()};
}

std::vector<Tensor> batchNormGrad(const GradContext& c) {
  const Tensor& x = c.inputs[0];
  const Tensor& mean = c.inputs[1];
  const Tensor& variance = c.inputs[2];
  bool hasOffset = c.attrs.getBoolOr("hasOffset", false, c.op);
  bool hasScale = c.attrs.getBoolOr("hasScale", false, c.op);
  const Tensor* scale = hasScale ? &c.inputs[hasOffset ? 4 : 3] : nullptr;
  auto eps = static_cast<float>(c.attrs.getFloatOr("varianceEpsilon", 0.001, c.op));
  Tensor dy = c.outputGrads[0];
  Tensor rstd = rsqrt(add(variance, scalarLike(x, eps)));
  Tensor centered = sub(x, mean);
  Tensor dNormalized = scale ? mul(dy, *scale) : dy;  // gradient of (x - mean) * rstd
  Tensor dx = mul(dNormalized, rstd);
  std::vector<Tensor> result = {dx, unbroadcast(neg(dx), mean.shape()),
                                unbroadcast(mul(mul(dNormalized, centered),
                                                mul(scalarLike(x, -0.5f), mul(rstd, square(rstd)))),
                                            variance.shape())};
  if (hasOffset) result.push_back(unbroadcast(dy, c.inputs[3].shape()));
  if (scale) result.push_back(unbroadcast(mul(dy, mul(centered, rstd)), scale->shape()));
  return result;
}

// ---- shape ----

std::vector<Tensor> reshapeGrad(const GradContext& c) {
  return {reshape(c.outputGrads[0], c.inputs[0].shape().dims())};
}

std::vector<Tensor> transposeGrad(const GradContext& c) {
  int rank = c.inputs[0].rank();
  std::vector<int> perm(static_cast<size_t>(rank));
  if (c.attrs.has("perm")) {
    std::vector<int64_t> given = c.attrs.getInts("perm", c.op);
    for (size_t i = 0; i < given.size(); ++i) perm[i] = static_cast<int>(given[i]);
  } else {
    std::iota(perm.rbegin(), perm.rend(), 0);
  }
  std::vector<int> inverse(perm.size());
  for (size_t i = 0; i < perm.size(); ++i)
    inverse[static_cast<size_t>(perm[i])] = static_cast<int>(i);
  return {transpose(c.outputGrads[0], inverse)};
}

std::vector<Tensor> broadcastToGrad(const GradContext& c) {
  return {unbroadcast(c.outputGrads[0], c.inputs[0].shape())};
}

std::vector<Tensor> castGrad(const GradContext& c) {
  // Only float -> float casts carry a gradient (others have integer or bool inputs).
  return {c.outputs[0].dtype() == DType::Float32 ? c.outputGrads[0] : Tensor()};
}

struct Entry {
  std::string_view op;
  GradFn fn;
};

const Entry kGradients[] = {
    // unary
    {"abs", unaryGrad},
    {"clipByValue", unaryGrad},
    {"ceil", unaryGrad},
    {"cos", unaryGrad},
    {"elu", unaryGrad},
    {"exp", unaryGrad},
    {"expm1", unaryGrad},
    {"floor", unaryGrad},
    {"leakyRelu", unaryGrad},
    {"log", unaryGrad},
    {"log1p", unaryGrad},
    {"neg", unaryGrad},
    {"reciprocal", unaryGrad},
    {"relu", unaryGrad},
    {"relu6", unaryGrad},
    {"round", unaryGrad},
    {"rsqrt", unaryGrad},
    {"sigmoid", unaryGrad},
    {"sign", unaryGrad},
    {"sin", unaryGrad},
    {"softplus", unaryGrad},
    {"sqrt", unaryGrad},
    {"square", unaryGrad},
    {"tanh", unaryGrad},
    {"sinh", unaryGrad},
    {"cosh", unaryGrad},
    {"tan", unaryGrad},
    {"atan", unaryGrad},
    {"asin", unaryGrad},
    {"acos", unaryGrad},
    {"erf", unaryGrad},
    {"gelu", unaryGrad},
    {"selu", unaryGrad},
    // binary
    {"add", binaryGrad},
    {"sub", binaryGrad},
    {"mul", binaryGrad},
    {"div", binaryGrad},
    {"squaredDifference", binaryGrad},
    {"maximum", binaryGrad},
    {"minimum", binaryGrad},
    {"pow", binaryGrad},
    {"prelu", binaryGrad},
    {"atan2", binaryGrad},
    {"floorDiv", binaryGrad},
    {"mod", binaryGrad},
    {"where", whereGrad},
    // linear algebra
    {"matMul", matMulGrad},
    {"fusedMatMul", matMulGrad},
    {"conv2d", conv2dGrad},
    {"fusedConv2d", conv2dGrad},
    {"depthwiseConv2d", depthwiseConv2dGrad},
    {"conv2dTranspose", conv2dTransposeGrad},
    {"maxPool", poolGrad},
    {"avgPool", poolGrad},
    // reductions and softmax
    {"sum", reduceGrad},
    {"mean", reduceGrad},
    {"max", reduceGrad},
    {"min", reduceGrad},
    {"logSumExp", reduceGrad},
    {"prod", reduceGrad},
    {"softmax", softmaxGrad},
    {"logSoftmax", softmaxGrad},
    // shape
    {"reshape", reshapeGrad},
    {"transpose", transposeGrad},
    {"broadcastTo", broadcastToGrad},
    {"cast", castGrad},
    // data movement and normalisation
    {"slice", sliceGrad},
    {"pad", padGrad},
    {"concat", concatGrad},
    {"reverse", reverseGrad},
    {"tile", tileGrad},
    {"gather", gatherGrad},
    {"stridedSlice", indexMapGrad},
    {"resizeNearestNeighbor", indexMapGrad},
    {"resizeBilinear", resizeBilinearGrad},
    {"cumsum", cumsumGrad},
    {"topK", topKGrad},
    {"batchNorm", batchNormGrad},
};

}  // namespace

GradFn findGradient(std::string_view op) {
  for (const Entry& e : kGradients)
    if (e.op == op) return e.fn;
  return nullptr;
}

}  // namespace texel::autodiff
