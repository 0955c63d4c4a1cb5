// conv2d (NHWC input, HWIO filter, strides, dilations, 'same' / 'valid' padding), its
// fused, depthwise, separable, transposed and 1-D forms, 2-D pooling (maxPool, avgPool,
// global pooling) and the gradients of all of them (conv2dFilterGrad, maxPoolGrad and
// avgPoolGrad exist for those). Direct kernels: no im2col matrix is materialised.
#include <algorithm>
#include <cmath>
#include <limits>

#include "engine/core/create.h"
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

struct Window2D {
  int64_t batch, inH, inW, channels;
  int64_t kernelH, kernelW;
  int64_t strideH, strideW, dilationH, dilationW;
  int64_t outH, outW;
  int64_t padTop, padLeft;
  bool batched;  // the input had a batch dimension
};

// conv2dFilterGrad(x, dy): the gradient of conv2d with respect to its filter, whose shape
// is filterShape, with conv2d's window.
struct FilterGradAttrs {
  std::vector<int64_t> filterShape;
  Conv2DAttrs conv;
  static constexpr auto fields() {
    return attrFields(requiredField("filterShape", &FilterGradAttrs::filterShape),
                      group(&FilterGradAttrs::conv));
  }
  void validate(std::string_view op) const { conv.validate(op); }
};

// Output size and leading padding like TensorFlow: 'valid' keeps windows inside the
// input; 'same' gives ceil(in / stride) outputs and splits the padding, extra at the end.
void resolvePadding(Padding padding, int64_t in, int64_t kernel, int64_t stride, int64_t dilation,
                    int64_t& out, int64_t& padBefore) {
  int64_t effective = (kernel - 1) * dilation + 1;
  if (padding == Padding::Valid) {
    if (effective > in) {
      out = 0;
      padBefore = 0;
      return;
    }
    out = (in - effective) / stride + 1;
    padBefore = 0;
  } else {
    out = (in + stride - 1) / stride;
    int64_t total = std::max<int64_t>((out - 1) * stride + effective - in, 0);
    padBefore = total / 2;
  }
}

Window2D windowOf(std::string_view op, const Shape& x, int64_t kernelH, int64_t kernelW,
                  const Conv2DAttrs& attrs) {
  if (x.rank() != 4 && x.rank() != 3)
    fail(op, ": input must be [batch, height, width, channels] or [height, width, channels], got ",
         x);
  Window2D w{};
  w.batched = x.rank() == 4;
  w.batch = w.batched ? x[0] : 1;
  w.inH = x.fromEnd(3);
  w.inW = x.fromEnd(2);
  w.channels = x.fromEnd(1);
  w.kernelH = kernelH;
  w.kernelW = kernelW;
  w.strideH = attrs.strides[0];
  w.strideW = attrs.strides[1];
  w.dilationH = attrs.dilations[0];
  w.dilationW = attrs.dilations[1];
  resolvePadding(attrs.padding, w.inH, kernelH, w.strideH, w.dilationH, w.outH, w.padTop);
  resolvePadding(attrs.padding, w.inW, kernelW, w.strideW, w.dilationW, w.outW, w.padLeft);
  if (attrs.padding == Padding::Valid && (w.outH == 0 || w.outW == 0))
    fail(op, ": with 'valid' padding the ", (kernelH - 1) * w.dilationH + 1, "x",
         (kernelW - 1) * w.dilationW + 1, " window (dilated) does not fit the ", w.inH, "x", w.inW,
         " input ", x);
  return w;
}

Shape outputShape(const Window2D& w, int64_t outChannels) {
  if (w.batched) return Shape{w.batch, w.outH, w.outW, outChannels};
  return Shape{w.outH, w.outW, outChannels};
}

// ---- conv2d and fusedConv2d ----

// The window of a filter laid out [kernelH, kernelW, inChannels, `lastName`].
Window2D filterWindow(std::string_view op, const Shape& x, const Shape& filter,
                      const Conv2DAttrs& attrs, const char* lastName) {
  std::string layout = concat("[kernelH, kernelW, inChannels, ", lastName, "]");
  ops::requireRank(op, concat("filter ", layout).c_str(), filter, 4);
  Window2D w = windowOf(op, x, filter[0], filter[1], attrs);
  if (filter[2] != w.channels)
    fail(op, ": input ", x, " has ", w.channels, " channels but filter ", filter, " expects ",
         filter[2], " (filter layout ", layout, ")");
  if (filter[0] < 1 || filter[1] < 1 || filter[3] < 1) fail(op, ": filter ", filter, " is empty");
  return w;
}

Window2D convWindow(std::string_view op, const Shape& x, const Shape& filter,
                    const Conv2DAttrs& attrs) {
  return filterWindow(op, x, filter, attrs, "outChannels");
}

Shape conv2DShape(std::string_view op, std::span<const TensorSpec> in, const Conv2DAttrs& attrs) {
  ops::requireFloat(op, in);
  Window2D w = convWindow(op, in[0].shape, in[1].shape, attrs);
  return outputShape(w, in[1].shape[3]);
}

std::vector<TensorSpec> inferConv2D(std::string_view op, std::span<const TensorSpec> in,
                                    const Conv2DAttrs& attrs) {
  return {{conv2DShape(op, in, attrs), DType::Float32}};
}

std::vector<TensorSpec> inferFusedConv2D(std::string_view op, std::span<const TensorSpec> in,
                                         const FusedConv2DAttrs& attrs) {
  Shape out = conv2DShape(op, in, attrs.conv);
  if (in.size() > 2) ops::checkBias(op, in[2].shape, out);
  return {{out, DType::Float32}};
}

ops::Fusion fusionOf(const FusedConv2DAttrs& a) {
  return {a.activation, a.leakyreluAlpha};
}

// The CPU references' walk over a window: fn(inPixel, outPixel, tap) for every output
// pixel and filter tap whose input pixel lies inside the image. Pixels are rows of the
// NHWC tensors ((n * height + y) * width + x); tap = ky * kernelW + kx.
template <typename Fn>
void forEachTap(const Window2D& w, Fn&& fn) {
  for (int64_t n = 0; n < w.batch; ++n)
    for (int64_t oy = 0; oy < w.outH; ++oy)
      for (int64_t ox = 0; ox < w.outW; ++ox)
        for (int64_t ky = 0; ky < w.kernelH; ++ky) {
          int64_t iy = oy * w.strideH - w.padTop + ky * w.dilationH;
          if (iy < 0 || iy >= w.inH) continue;
          for (int64_t kx = 0; kx < w.kernelW; ++kx) {
            int64_t ix = ox * w.strideW - w.padLeft + kx * w.dilationW;
            if (ix < 0 || ix >= w.inW) continue;
            fn((n * w.inH + iy) * w.inW + ix, (n * w.outH + oy) * w.outW + ox, ky * w.kernelW + kx);
          }
        }
}

std::vector<float> toFloats(const std::vector<double>& values) {
  return std::vector<float>(values.begin(), values.end());
}

// The CPU references of the filter ops: fn(x, w, acc, inPixel, outPixel, tap) for every
// in-bounds tap of `w` (forEachTap), with inputs 0 and 1 as x and w and a float64
// accumulator of the output's size, returned as float32.
template <typename Fn>
std::vector<float> accumulateTaps(const OpContext& ctx, const Window2D& w, Fn&& fn) {
  const std::vector<float>& x = cpuValues(ctx.inputs[0]);
  const std::vector<float>& f = cpuValues(ctx.inputs[1]);
  std::vector<double> acc(static_cast<size_t>(ctx.outputs[0].shape.size()), 0.0);
  forEachTap(w, [&](int64_t in, int64_t out, int64_t tap) { fn(x, f, acc, in, out, tap); });
  return toFloats(acc);
}

// conv2d, then the fused bias and activation when `fusion` is given.
std::vector<Tensor> conv2DCpu(const OpContext& ctx, const Conv2DAttrs& attrs,
                              const ops::Fusion* fusion) {
  const Shape& filterShape = ctx.inputs[1].shape();
  Window2D w = convWindow(ctx.op, ctx.inputs[0].shape(), filterShape, attrs);
  int64_t outC = filterShape[3];
  std::vector<float> y = accumulateTaps(
      ctx, w, [&](const auto& x, const auto& f, auto& acc, int64_t in, int64_t out, int64_t tap) {
        const float* xp = &x[static_cast<size_t>(in * w.channels)];
        const float* fp = &f[static_cast<size_t>(tap * w.channels * outC)];
        double* yp = &acc[static_cast<size_t>(out * outC)];
        for (int64_t c = 0; c < w.channels; ++c)
          for (int64_t o = 0; o < outC; ++o) yp[o] += static_cast<double>(xp[c]) * fp[c * outC + o];
      });
  if (fusion) {
    const Tensor* bias = ctx.inputs.size() > 2 ? &ctx.inputs[2] : nullptr;
    ops::epilogueCpu(y, ctx.outputs[0].shape, *fusion, bias);
  }
  return {cpuResult(ctx, std::move(y))};
}

gl::Pass& windowUniforms(gl::Pass& pass, const Window2D& w, const std::string& op) {
  return pass.uniform("inH", gl::checkedInt(w.inH, op, "height"))
      .uniform("inW", gl::checkedInt(w.inW, op, "width"))
      .uniform("channels", gl::checkedInt(w.channels, op, "channels"))
      .uniform("outH", gl::checkedInt(w.outH, op, "output height"))
      .uniform("outW", gl::checkedInt(w.outW, op, "output width"))
      .uniform("kernelH", static_cast<int>(w.kernelH))
      .uniform("kernelW", static_cast<int>(w.kernelW))
      .uniform("strideH", static_cast<int>(w.strideH))
      .uniform("strideW", static_cast<int>(w.strideW))
      .uniform("dilationH", static_cast<int>(w.dilationH))
      .uniform("dilationW", static_cast<int>(w.dilationW))
      .uniform("padTop", static_cast<int>(w.padTop))
      .uniform("padLeft", static_cast<int>(w.padLeft));
}

std::vector<Tensor> conv2DGl(const OpContext& ctx, const Conv2DAttrs& attrs,
                             const ops::Fusion* fusion) {
  Window2D w = convWindow(ctx.op, ctx.inputs[0].shape(), ctx.inputs[1].shape(), attrs);
  std::string op(ctx.op);
  const Tensor* bias = ctx.inputs.size() > 2 ? &ctx.inputs[2] : nullptr;
  gl::checkLoop(w.kernelH * w.kernelW * ((w.channels + 3) / 4), op, "a filter this large");
  auto& backend = static_cast<GlBackend&>(ctx.backend);
  gl::Pass pass(backend, op,
                {gl::shaders::window2d, gl::shaders::fused_epilogue, gl::shaders::conv2d});
  pass.input("X", ctx.inputs[0]).input("F", ctx.inputs[1]);
  windowUniforms(pass, w, op);
  // Output pixels are the rows of a product over kernelH * kernelW * channels (a 1x1
  // convolution is a matMul): blocked the same way, once an input texel holds four
  // channels (with fewer, each fetched texel carries one or two useful lanes while every
  // pixel still pays its edge checks: conv2d 28x28x1->8 ran 4.2 ms blocked, 2.4 plain).
  const gl::TextureLayout outLayout = backend.layoutOf(ctx.outputs[0].shape, op);
  gl::Pass::Block block =
      outLayout.aligned && w.channels >= 4
          ? ops::productBlock(backend, w.batch * w.outH * w.outW, outLayout.slices,
                              w.kernelH * w.kernelW * w.channels)
          : gl::Pass::Block{};
  auto run = [&] { return pass.runBlocked(ctx.outputs[0], block); };
  if (bias && !ops::biasFitsEpilogue(bias->shape(), ctx.inputs[1].shape()[3])) {
    ops::epilogue(pass, ops::Fusion{}, nullptr);
    return {ops::biasAndActivationOps(run(), *fusion, bias)};
  }
  ops::epilogue(pass, fusion ? *fusion : ops::Fusion{}, bias);
  return {run()};
}

// conv2dTranspose is conv2d's input gradient, conv2dFilterGrad its filter gradient.
std::vector<Tensor> conv2DGrads(const GradContext& c, const Tensor& dz, const Conv2DAttrs& window) {
  const Tensor& x = c.inputs[0];
  const Tensor& filter = c.inputs[1];
  Tensor dx, df;
  if (c.needs(0)) dx = conv2dTranspose(dz, filter, {x.shape().dims(), window});
  if (c.needs(1))
    df = runOp1("conv2dFilterGrad", {x, dz}, FilterGradAttrs{filter.shape().dims(), window});
  std::vector<Tensor> result = {dx, df};
  if (c.inputs.size() > 2) result.push_back(ops::unbroadcast(dz, c.inputs[2].shape()));
  return result;
}

// ---- depthwiseConv2d ----

Window2D depthwiseWindow(std::string_view op, const Shape& x, const Shape& filter,
                         const Conv2DAttrs& attrs) {
  return filterWindow(op, x, filter, attrs, "channelMultiplier");
}

std::vector<TensorSpec> inferDepthwise(std::string_view op, std::span<const TensorSpec> in,
                                       const Conv2DAttrs& attrs) {
  ops::requireFloat(op, in);
  Window2D w = depthwiseWindow(op, in[0].shape, in[1].shape, attrs);
  return {{outputShape(w, w.channels * in[1].shape[3]), DType::Float32}};
}

std::vector<Tensor> depthwiseCpu(const OpContext& ctx, const Conv2DAttrs& attrs) {
  const Shape& fs = ctx.inputs[1].shape();
  Window2D w = depthwiseWindow(ctx.op, ctx.inputs[0].shape(), fs, attrs);
  int64_t mult = fs[3];
  return {cpuResult(
      ctx, accumulateTaps(
               ctx, w,
               [&](const auto& x, const auto& f, auto& acc, int64_t in, int64_t out, int64_t tap) {
                 for (int64_t c = 0; c < w.channels; ++c)
                   for (int64_t m = 0; m < mult; ++m)
                     acc[static_cast<size_t>((out * w.channels + c) * mult + m)] +=
                         static_cast<double>(x[static_cast<size_t>(in * w.channels + c)]) *
                         f[static_cast<size_t>((tap * w.channels + c) * mult + m)];
               }))};
}

std::vector<Tensor> depthwiseGl(const OpContext& ctx, const Conv2DAttrs& attrs) {
  const Shape& fs = ctx.inputs[1].shape();
  Window2D w = depthwiseWindow(ctx.op, ctx.inputs[0].shape(), fs, attrs);
  std::string op(ctx.op);
  auto& backend = static_cast<GlBackend&>(ctx.backend);
  Tensor filter = ops::reshapeGl(backend, ctx.inputs[1], Shape{fs[0] * fs[1], fs[2] * fs[3]});
  gl::checkLoop(w.kernelH * w.kernelW * 4, op, "a filter this large");
  gl::Pass pass(backend, op, {gl::shaders::window2d, gl::shaders::depthwise_conv2d});
  pass.input("X", ctx.inputs[0]).input("F", filter).uniform("multiplier", static_cast<int>(fs[3]));
  windowUniforms(pass, w, op);
  // Blocks of output pixels sharing the filter's texels (multiplier 1: each output
  // channel reads its own input channel, as in MobileNets).
  const gl::TextureLayout outLayout = backend.layoutOf(ctx.outputs[0].shape, op);
  gl::Pass::Block block = fs[3] == 1 && outLayout.aligned
                              ? ops::productBlock(backend, w.batch * w.outH * w.outW,
                                                  outLayout.slices, w.kernelH * w.kernelW, 1)
                              : gl::Pass::Block{};
  return {pass.runBlocked(ctx.outputs[0], block)};
}

// A depthwise filter [fh, fw, C, M] as the block-diagonal conv2d filter [fh, fw, C, C*M]
// it equals (output channel c*M + m reads input channel c only), so depthwiseConv2d
// differentiates through conv2d's gradient ops; the filter gradient keeps the diagonal
// blocks of conv2d's. C times the work of a dedicated kernel, fine for the channel
// counts of small models.
std::vector<Tensor> depthwiseGrad(const GradContext& c, const Conv2DAttrs& window) {
  const Tensor& x = c.inputs[0];
  const Tensor& filter = c.inputs[1];
  const Shape& f = filter.shape();
  int64_t channels = f[2], multiplier = f[3];
  Tensor diagonal = reshape(eye(filter.backend(), channels), {1, 1, channels, channels, 1});
  Tensor full = reshape(mul(reshape(filter, {f[0], f[1], channels, 1, multiplier}), diagonal),
                        {f[0], f[1], channels, channels * multiplier});
  const Tensor& dz = c.outputGrads[0];
  Tensor dx = conv2dTranspose(dz, full, {x.shape().dims(), window});
  Tensor dfull = runOp1("conv2dFilterGrad", {x, dz}, FilterGradAttrs{full.shape().dims(), window});
  Tensor df = sum(mul(reshape(dfull, {f[0], f[1], channels, channels, multiplier}), diagonal),
                  std::vector<int>{3});
  return {dx, df};
}

// ---- conv2dTranspose ----

// The forward conv2d whose input has `outputShape` and whose output must be x.
Window2D transposeWindow(std::string_view op, const Shape& x, const Shape& filter,
                         const Conv2DTransposeAttrs& attrs) {
  ops::requireRank(op, "filter [kernelH, kernelW, outChannels, inChannels]", filter, 4);
  Shape outShape(attrs.outputShape);
  if (outShape.rank() != x.rank())
    fail(op, ": outputShape ", outShape, " must have the rank of the input ", x);
  if (filter[3] != x.fromEnd(1))
    fail(op, ": input ", x, " has ", x.fromEnd(1), " channels but filter ", filter, " expects ",
         filter[3], " (filter layout [kernelH, kernelW, outChannels, inChannels])");
  if (filter[2] != outShape.fromEnd(1))
    fail(op, ": outputShape ", outShape, " has ", outShape.fromEnd(1),
         " channels but the filter makes ", filter[2]);
  if (x.rank() == 4 && outShape[0] != x[0])
    fail(op, ": outputShape ", outShape, " and input ", x, " differ in batch size");
  Window2D w = windowOf(op, outShape, filter[0], filter[1], attrs.conv);
  if (w.outH != x.fromEnd(3) || w.outW != x.fromEnd(2))
    fail(op, ": a conv2d of outputShape ", outShape,
         " with this filter, strides and padding gives ", w.outH, "x", w.outW,
         ", but the input is ", x.fromEnd(3), "x", x.fromEnd(2));
  return w;
}

std::vector<TensorSpec> inferConvTranspose(std::string_view op, std::span<const TensorSpec> in,
                                           const Conv2DTransposeAttrs& attrs) {
  ops::requireFloat(op, in);
  validateShape(Shape(attrs.outputShape), std::string(op));
  transposeWindow(op, in[0].shape, in[1].shape, attrs);
  return {{Shape(attrs.outputShape), DType::Float32}};
}

std::vector<Tensor> convTransposeCpu(const OpContext& ctx, const Conv2DTransposeAttrs& attrs) {
  const Shape& fs = ctx.inputs[1].shape();
  Window2D w = transposeWindow(ctx.op, ctx.inputs[0].shape(), fs, attrs);
  int64_t outC = fs[2], inC = fs[3];
  // Scatter form (each pixel of x, the forward conv2d's output, adds its filter-weighted
  // window to the forward input), independent of the shader's gather form.
  return {
      cpuResult(ctx, accumulateTaps(ctx, w,
                                    [&](const auto& x, const auto& f, auto& acc, int64_t forwardIn,
                                        int64_t forwardOut, int64_t tap) {
                                      for (int64_t co = 0; co < outC; ++co)
                                        for (int64_t ci = 0; ci < inC; ++ci)
                                          acc[static_cast<size_t>(forwardIn * outC + co)] +=
                                              static_cast<double>(
                                                  x[static_cast<size_t>(forwardOut * inC + ci)]) *
                                              f[static_cast<size_t>((tap * outC + co) * inC + ci)];
                                    }))};
}

std::vector<Tensor> convTransposeGl(const OpContext& ctx, const Conv2DTransposeAttrs& attrs) {
  const Shape& fs = ctx.inputs[1].shape();
  Window2D w = transposeWindow(ctx.op, ctx.inputs[0].shape(), fs, attrs);
  std::string op(ctx.op);
  // The shader walks the forward windows that cover each output pixel.
  int64_t windows = ((w.kernelH - 1) * w.dilationH / w.strideH + 1) *
                    ((w.kernelW - 1) * w.dilationW / w.strideW + 1);
  gl::checkLoop(windows * ((fs[3] + 3) / 4), op, "a filter this large");
  gl::Pass pass(static_cast<GlBackend&>(ctx.backend), op,
                {gl::shaders::window2d, gl::shaders::conv2d_transpose});
  pass.input("X", ctx.inputs[0]).input("F", ctx.inputs[1]).uniform("outC", static_cast<int>(fs[2]));
  windowUniforms(pass, w, op);
  return {pass.run(ctx.outputs[0])};
}

// y = conv2dTranspose(x, filter) is the input gradient of a conv2d from y's shape to x's:
// its own input gradient is that conv2d, its filter gradient conv2dFilterGrad with the
// roles of input and output gradient exchanged.
std::vector<Tensor> convTransposeGrad(const GradContext& c, const Conv2DTransposeAttrs& attrs) {
  const Tensor& x = c.inputs[0];
  const Tensor& filter = c.inputs[1];
  const Tensor& dy = c.outputGrads[0];
  Tensor dx = conv2d(dy, filter, attrs.conv);
  Tensor df =
      runOp1("conv2dFilterGrad", {dy, x}, FilterGradAttrs{filter.shape().dims(), attrs.conv});
  return {dx, df};
}

// ---- conv2dFilterGrad: the gradient of conv2d with respect to its filter ----

// Inputs x [N, H, W, C] and dy [N, OH, OW, CO]; filterShape [KH, KW, C, CO].
Window2D filterGradWindow(std::string_view op, const Shape& x, const Shape& dy,
                          const FilterGradAttrs& attrs) {
  Shape filter(attrs.filterShape);
  validateShape(filter, std::string(op));
  Window2D w = convWindow(op, x, filter, attrs.conv);
  Shape expected = outputShape(w, filter[3]);
  if (dy != expected)
    fail(op, ": dy ", dy, " is not conv2d's output ", expected, " for input ", x, " and filter ",
         filter);
  return w;
}

std::vector<TensorSpec> inferFilterGrad(std::string_view op, std::span<const TensorSpec> in,
                                        const FilterGradAttrs& attrs) {
  ops::requireFloat(op, in);
  filterGradWindow(op, in[0].shape, in[1].shape, attrs);
  return {{Shape(attrs.filterShape), DType::Float32}};
}

std::vector<Tensor> filterGradCpu(const OpContext& ctx, const FilterGradAttrs& attrs) {
  Window2D w = filterGradWindow(ctx.op, ctx.inputs[0].shape(), ctx.inputs[1].shape(), attrs);
  const Shape& fs = ctx.outputs[0].shape;
  int64_t outC = fs[3];
  return {cpuResult(
      ctx, accumulateTaps(
               ctx, w,
               [&](const auto& x, const auto& dy, auto& acc, int64_t in, int64_t out, int64_t tap) {
                 const float* xp = &x[static_cast<size_t>(in * w.channels)];
                 const float* g = &dy[static_cast<size_t>(out * outC)];
                 double* a = &acc[static_cast<size_t>(tap * w.channels * outC)];
                 for (int64_t c = 0; c < w.channels; ++c)
                   for (int64_t o = 0; o < outC; ++o)
                     a[c * outC + o] += static_cast<double>(xp[c]) * g[o];
               }))};
}

// ---- The SIMD backend's convolutions: gemms (engine/simd/gemm.h) whose operands are
// gathered from the image while they are packed, so there is no im2col buffer. Rows of
// the forward product are output pixels, its depth the filter's (tap, channel) pairs.

int64_t ceilDiv(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

// Where a window walk stands: output pixel (n, oy, ox).
struct OutPixel {
  int64_t n, oy, ox;
  static OutPixel of(const Window2D& w, int64_t pixel) {
    return {pixel / (w.outH * w.outW), pixel / w.outW % w.outH, pixel % w.outW};
  }
  void next(const Window2D& w) {
    if (++ox < w.outW) return;
    ox = 0;
    if (++oy < w.outH) return;
    oy = 0;
    ++n;
  }
  // The input pixel under tap (ky, kx), or -1 in the padding.
  int64_t input(const Window2D& w, int64_t tap) const {
    int64_t iy = oy * w.strideH - w.padTop + tap / w.kernelW * w.dilationH;
    int64_t ix = ox * w.strideW - w.padLeft + tap % w.kernelW * w.dilationW;
    if (iy < 0 || iy >= w.inH || ix < 0 || ix >= w.inW) return -1;
    return (n * w.inH + iy) * w.inW + ix;
  }
};

// A = patches [pixels, taps * channels] of x, one output pixel per row.
simd::PackFn packPatches(const float* x, const Window2D& w) {
  return [x, w](int64_t first, int64_t count, int64_t p0, int64_t depth, int width, float* out) {
    const int64_t C = w.channels;
    OutPixel at = OutPixel::of(w, first);
    for (int64_t row = 0; row < ceilDiv(count, width) * width; ++row) {
      float* dst = out + (row / width) * depth * width + row % width;
      if (row >= count) {
        for (int64_t p = 0; p < depth; ++p) dst[p * width] = 0;
        continue;
      }
      for (int64_t p = p0; p < p0 + depth;) {
        int64_t tap = p / C, c = p % C, run = std::min(C - c, p0 + depth - p);
        int64_t in = at.input(w, tap);
        // Taps further along the same window row are the next pixels in memory when
        // dilation is 1: one run over them while they stay inside the image.
        if (in >= 0 && w.dilationW == 1) {
          int64_t kx = tap % w.kernelW, ix = in % w.inW;
          int64_t more = std::min(w.kernelW - kx, w.inW - ix) - 1;
          run = std::min(run + more * C, p0 + depth - p);
        }
        float* d = dst + (p - p0) * width;
        if (in < 0) {
          for (int64_t q = 0; q < run; ++q) d[q * width] = 0;
        } else {
          const float* src = x + in * C + c;
          for (int64_t q = 0; q < run; ++q) d[q * width] = src[q];
        }
        p += run;
      }
      at.next(w);
    }
  };
}

// A = the patches transposed, [taps * channels, pixels]: the filter gradient's rows.
simd::PackFn packPatchesTransposed(const float* x, const Window2D& w) {
  return [x, w](int64_t first, int64_t count, int64_t p0, int64_t depth, int width, float* out) {
    const int64_t C = w.channels;
    for (int64_t row = 0; row < ceilDiv(count, width) * width; ++row) {
      float* dst = out + (row / width) * depth * width + row % width;
      if (row >= count) {
        for (int64_t p = 0; p < depth; ++p) dst[p * width] = 0;
        continue;
      }
      int64_t tap = (first + row) / C, c = (first + row) % C;
      OutPixel at = OutPixel::of(w, p0);
      for (int64_t p = 0; p < depth; ++p, at.next(w)) {
        int64_t in = at.input(w, tap);
        dst[p * width] = in < 0 ? 0.0f : x[in * C + c];
      }
    }
  };
}

std::vector<Tensor> conv2DSimd(const OpContext& ctx, const Conv2DAttrs& attrs,
                               const ops::Fusion* fusion) {
  const Shape& fs = ctx.inputs[1].shape();
  Window2D w = convWindow(ctx.op, ctx.inputs[0].shape(), fs, attrs);
  int64_t outC = fs[3], pixels = w.batch * w.outH * w.outW;
  std::vector<float> y(static_cast<size_t>(ctx.outputs[0].shape.size()));
  simd::gemm(pixels, outC, fs[0] * fs[1] * w.channels,
             packPatches(cpuValues(ctx.inputs[0]).data(), w),
             simd::packColumns({cpuValues(ctx.inputs[1]).data(), outC, 1}), y.data(), outC, false,
             cpuPool(ctx));
  if (fusion) {
    const Tensor* bias = ctx.inputs.size() > 2 ? &ctx.inputs[2] : nullptr;
    ops::epilogueSimd(y, ctx.outputs[0].shape, *fusion, bias);
  }
  return {cpuResult(ctx, std::move(y))};
}

// dFilter [taps * C, outC] = patches(x)^T dy.
std::vector<Tensor> filterGradSimd(const OpContext& ctx, const FilterGradAttrs& attrs) {
  Window2D w = filterGradWindow(ctx.op, ctx.inputs[0].shape(), ctx.inputs[1].shape(), attrs);
  const Shape& fs = ctx.outputs[0].shape;
  int64_t outC = fs[3];
  std::vector<float> df(static_cast<size_t>(fs.size()));
  simd::gemm(fs[0] * fs[1] * w.channels, outC, w.batch * w.outH * w.outW,
             packPatchesTransposed(cpuValues(ctx.inputs[0]).data(), w),
             simd::packColumns({cpuValues(ctx.inputs[1]).data(), outC, 1}), df.data(), outC, false,
             cpuPool(ctx));
  return {cpuResult(ctx, std::move(df))};
}

// conv2dTranspose in gather form: rows are the forward conv's input pixels, depth the
// (tap, input channel) pairs; A holds the x pixel (a forward output) each tap reads.
std::vector<Tensor> convTransposeSimd(const OpContext& ctx, const Conv2DTransposeAttrs& attrs) {
  const Shape& fs = ctx.inputs[1].shape();
  Window2D w = transposeWindow(ctx.op, ctx.inputs[0].shape(), fs, attrs);
  int64_t outC = fs[2], inC = fs[3], taps = fs[0] * fs[1];
  const float* x = cpuValues(ctx.inputs[0]).data();
  const float* f = cpuValues(ctx.inputs[1]).data();
  auto packA = [x, w, inC](int64_t first, int64_t count, int64_t p0, int64_t depth, int width,
                           float* out) {
    for (int64_t row = 0; row < ceilDiv(count, width) * width; ++row) {
      float* dst = out + (row / width) * depth * width + row % width;
      int64_t pixel = first + row;  // (n, iy, ix) of the forward input
      int64_t ix = pixel % w.inW, iy = pixel / w.inW % w.inH, n = pixel / (w.inW * w.inH);
      for (int64_t p = p0; p < p0 + depth;) {
        int64_t tap = p / inC, ci = p % inC, run = std::min(inC - ci, p0 + depth - p);
        float* d = dst + (p - p0) * width;
        int64_t y = iy + w.padTop - tap / w.kernelW * w.dilationH;
        int64_t xx = ix + w.padLeft - tap % w.kernelW * w.dilationW;
        bool hit = row < count && y >= 0 && xx >= 0 && y % w.strideH == 0 && xx % w.strideW == 0 &&
                   y / w.strideH < w.outH && xx / w.strideW < w.outW;
        if (!hit) {
          for (int64_t q = 0; q < run; ++q) d[q * width] = 0;
        } else {
          const float* src =
              x + ((n * w.outH + y / w.strideH) * w.outW + xx / w.strideW) * inC + ci;
          for (int64_t q = 0; q < run; ++q) d[q * width] = src[q];
        }
        p += run;
      }
    }
  };
  // B(tap * inC + ci, co) = filter[tap, co, ci].
  auto packB = [f, outC, inC](int64_t first, int64_t count, int64_t p0, int64_t depth, int width,
                              float* out) {
    for (int64_t panel = 0; panel * width < count; ++panel)
      for (int64_t p = 0; p < depth; ++p) {
        int64_t tap = (p0 + p) / inC, ci = (p0 + p) % inC;
        float* row = out + (panel * depth + p) * width;
        for (int64_t j = 0; j < width; ++j) {
          int64_t co = first + panel * width + j;
          row[j] = j < count - panel * width ? f[(tap * outC + co) * inC + ci] : 0.0f;
        }
      }
  };
  std::vector<float> y(static_cast<size_t>(ctx.outputs[0].shape.size()));
  simd::gemm(w.batch * w.inH * w.inW, outC, taps * inC, packA, packB, y.data(), outC, false,
             cpuPool(ctx));
  return {cpuResult(ctx, std::move(y))};
}

// The blocked filter gradient (glsl/conv2d_filter_grad.glsl) takes four filter rows per
// fragment: for products big enough to pay for the blits (as ops::productBlock), four or
// eight targets, and full-precision storage (its partial sums are not rounded to half
// floats).
gl::Pass::Block filterGradBlock(const GlBackend& backend, const Shape& filter, int64_t positions) {
  int64_t filterRows = filter[0] * filter[1] * filter[2], slices = (filter[3] + 3) / 4;
  int targets = backend.blockTargets();
  if (targets < 4 || backend.halfFloat() || filterRows < 4 ||
      filterRows * slices * positions < backend.minBlockProducts())
    return {};
  return {4, slices >= 2 && targets >= 8 ? 2 : 1};
}

std::vector<Tensor> filterGradGl(const OpContext& ctx, const FilterGradAttrs& attrs) {
  Window2D w = filterGradWindow(ctx.op, ctx.inputs[0].shape(), ctx.inputs[1].shape(), attrs);
  std::string op(ctx.op);
  auto& backend = static_cast<GlBackend&>(ctx.backend);
  // Enough groups that ~8192 fragments share the work (a 3x3x1x8 filter alone would be
  // 18 fragments looping over every position), each group well inside the loop limit.
  constexpr int64_t kTargetFragments = 8192, kMaxPositionsPerGroup = 16384;
  const Shape& fs = ctx.outputs[0].shape;
  int64_t filterRows = fs[0] * fs[1] * fs[2];
  int64_t filterTexels = filterRows * ((fs[3] + 3) / 4);
  int64_t positions = w.batch * w.outH * w.outW;
  int64_t wanted = std::max<int64_t>(1, kTargetFragments / std::max<int64_t>(filterTexels, 1));
  int64_t perGroup =
      std::clamp<int64_t>((positions + wanted - 1) / wanted, 64, kMaxPositionsPerGroup);
  int64_t groups = std::max<int64_t>(1, (positions + perGroup - 1) / perGroup);
  gl::Pass pass(backend, op, {gl::shaders::window2d, gl::shaders::conv2d_filter_grad});
  gl::Pass::Block block = filterGradBlock(backend, fs, positions);
  if (block.rows > 1) {
    // Four filter rows per fragment: a quarter of the rows, and (with two slices) half the
    // columns, so each group may take more positions for the same fragment count.
    int64_t quadRows = (filterRows + 3) / 4;
    int64_t blockTexels = quadRows * ((fs[3] + 3) / 4 + block.slices - 1) / block.slices;
    wanted = std::max<int64_t>(1, kTargetFragments / std::max<int64_t>(blockTexels, 1));
    perGroup = std::clamp<int64_t>((positions + wanted - 1) / wanted, 64, kMaxPositionsPerGroup);
    groups = std::max<int64_t>(1, (positions + perGroup - 1) / perGroup);
    pass.define("CHANNEL_QUADS", w.channels % 4 == 0 ? 1 : 0)
        .input("X", ctx.inputs[0])
        .input("DY", ctx.inputs[1])
        .uniform("positionsPerGroup", gl::checkedInt(perGroup, op, "positions per group"))
        .uniform("positionCount", gl::checkedInt(positions, op, "positions"));
    windowUniforms(pass, w, op);
    // Rows [lane, group, quad]: summed over the groups, then each lane moved beside its
    // quad (filter row 4 * quad + lane) and the padding rows past the filter dropped.
    Tensor parts = pass.runBlocked({Shape{4 * groups * quadRows, fs[3]}, DType::Float32}, block);
    Tensor lanes = ops::reshapeGl(backend, parts, Shape{4, groups, quadRows, fs[3]});
    if (groups > 1) lanes = sum(lanes, std::vector<int>{1});
    Tensor ordered = transpose(ops::reshapeGl(backend, lanes, Shape{4, quadRows, fs[3]}),
                               std::vector<int>{1, 0, 2});
    if (quadRows * 4 != filterRows)
      ordered = slice(ops::reshapeGl(backend, ordered, Shape{quadRows * 4, fs[3]}), {0, 0},
                      std::vector<int64_t>{filterRows, fs[3]});
    return {ops::reshapeGl(backend, ordered, fs)};
  }
  pass.input("X", ctx.inputs[0])
      .input("DY", ctx.inputs[1])
      .uniform("positionsPerGroup", gl::checkedInt(perGroup, op, "positions per group"))
      .uniform("positionCount", gl::checkedInt(positions, op, "positions"));
  windowUniforms(pass, w, op);
  Tensor parts =
      pass.run({Shape{groups * filterRows, fs[3]}, DType::Float32}, /*fullPrecision=*/true);
  if (groups == 1) return {ops::reshapeGl(backend, parts, fs)};
  Tensor summed =
      sum(ops::reshapeGl(backend, parts, Shape{groups, filterRows, fs[3]}), std::vector<int>{0});
  return {ops::reshapeGl(backend, summed, fs)};
}

// ---- compositions: conv1d, separableConv2d, global pooling ----

// conv1d(x [batch, width, channels], filter [kernelW, in, out], stride, dilation) is
// conv2d on a height-1 image.
Conv2DAttrs asConv2D(const Conv1DAttrs& a) {
  return {{1, a.stride}, a.padding, {1, a.dilation}};
}

std::vector<int64_t> asImage(const Shape& x) {
  if (x.rank() == 3) return {x[0], 1, x[1], x[2]};
  return {1, x[0], x[1]};
}

std::vector<TensorSpec> inferConv1D(std::string_view op, std::span<const TensorSpec> in,
                                    const Conv1DAttrs& attrs) {
  ops::requireFloat(op, in);
  const Shape& x = in[0].shape;
  const Shape& f = in[1].shape;
  if (x.rank() != 3 && x.rank() != 2)
    fail(op, ": input must be [batch, width, channels] or [width, channels], got ", x);
  ops::requireRank(op, "filter [kernelWidth, inChannels, outChannels]", f, 3);
  Window2D w = convWindow(op, Shape(asImage(x)), Shape{1, f[0], f[1], f[2]}, asConv2D(attrs));
  if (x.rank() == 3) return {{Shape{x[0], w.outW, f[2]}, DType::Float32}};
  return {{Shape{w.outW, f[2]}, DType::Float32}};
}

std::vector<Tensor> conv1DKernel(const OpContext& ctx, const Conv1DAttrs& attrs) {
  const Shape& f = ctx.inputs[1].shape();
  Tensor y = conv2d(reshape(ctx.inputs[0], asImage(ctx.inputs[0].shape())),
                    reshape(ctx.inputs[1], {1, f[0], f[1], f[2]}), asConv2D(attrs));
  return {reshape(y, ctx.outputs[0].shape.dims())};
}

std::vector<TensorSpec> inferSeparable(std::string_view op, std::span<const TensorSpec> in,
                                       const Conv2DAttrs& attrs) {
  ops::requireFloat(op, in);
  std::vector<TensorSpec> depthwise = inferDepthwise(op, in.first(2), attrs);
  const Shape& p = in[2].shape;
  ops::requireRank(op, "pointwise filter [1, 1, inChannels * multiplier, outChannels]", p, 4);
  if (p[0] != 1 || p[1] != 1 || p[2] != depthwise[0].shape.fromEnd(1))
    fail(op, ": pointwise filter ", p, " must be [1, 1, ", depthwise[0].shape.fromEnd(1),
         ", outChannels]");
  Shape out = depthwise[0].shape;
  out[out.rank() - 1] = p[3];
  return {{out, DType::Float32}};
}

std::vector<Tensor> separableKernel(const OpContext& ctx, const Conv2DAttrs& attrs) {
  Tensor mid = depthwiseConv2d(ctx.inputs[0], ctx.inputs[1], attrs);
  return {conv2d(mid, ctx.inputs[2])};
}

std::vector<TensorSpec> inferGlobalPool(std::string_view op, std::span<const TensorSpec> in,
                                        const NoAttrs&) {
  ops::requireFloat(op, in);
  const Shape& x = in[0].shape;
  if (x.rank() != 4 && x.rank() != 3)
    fail(op, ": input must be [batch, height, width, channels] or [height, width, channels], got ",
         x);
  if (x.rank() == 4) return {{Shape{x[0], x[3]}, DType::Float32}};
  return {{Shape{x[2]}, DType::Float32}};
}

// Height and width of x [N, H, W, C] or [H, W, C].
std::vector<int> spatialAxes(const Tensor& x) {
  return x.rank() == 4 ? std::vector<int>{1, 2} : std::vector<int>{0, 1};
}

// ---- pooling ----

Window2D poolWindow(std::string_view op, const Shape& x, const Pool2DAttrs& attrs) {
  return windowOf(op, x, attrs.filterSize[0], attrs.filterSize[1],
                  Conv2DAttrs{attrs.strides, attrs.padding, {1, 1}});
}

std::vector<TensorSpec> inferPool(std::string_view op, std::span<const TensorSpec> in,
                                  const Pool2DAttrs& attrs) {
  ops::requireFloat(op, in);
  Window2D w = poolWindow(op, in[0].shape, attrs);
  return {{outputShape(w, w.channels), DType::Float32}};
}

enum class Pool { Max, Average };

// The input rows [y0, y1) and columns [x0, x1) under output pixel (oy, ox)'s window.
struct PoolSpan {
  int64_t y0, y1, x0, x1;
};
PoolSpan poolSpan(const Window2D& w, int64_t oy, int64_t ox) {
  return {std::max<int64_t>(oy * w.strideH - w.padTop, 0),
          std::min(oy * w.strideH - w.padTop + w.kernelH, w.inH),
          std::max<int64_t>(ox * w.strideW - w.padLeft, 0),
          std::min(ox * w.strideW - w.padLeft + w.kernelW, w.inW)};
}

std::vector<Tensor> poolCpu(const OpContext& ctx, const Pool2DAttrs& attrs, Pool kind) {
  Window2D w = poolWindow(ctx.op, ctx.inputs[0].shape(), attrs);
  bool isMax = kind == Pool::Max;
  const std::vector<float>& x = cpuValues(ctx.inputs[0]);
  std::vector<float> y(static_cast<size_t>(ctx.outputs[0].shape.size()));
  size_t out = 0;
  for (int64_t n = 0; n < w.batch; ++n)
    for (int64_t oy = 0; oy < w.outH; ++oy)
      for (int64_t ox = 0; ox < w.outW; ++ox)
        for (int64_t c = 0; c < w.channels; ++c) {
          double best = -std::numeric_limits<double>::infinity();
          double total = 0.0;
          int64_t count = 0;
          for (int64_t ky = 0; ky < w.kernelH; ++ky) {
            int64_t iy = oy * w.strideH - w.padTop + ky;
            if (iy < 0 || iy >= w.inH) continue;
            for (int64_t kx = 0; kx < w.kernelW; ++kx) {
              int64_t ix = ox * w.strideW - w.padLeft + kx;
              if (ix < 0 || ix >= w.inW) continue;
              double v = x[static_cast<size_t>(((n * w.inH + iy) * w.inW + ix) * w.channels + c)];
              // NaN propagates through max like IEEE maximum.
              if (v > best || std::isnan(v)) best = std::isnan(best) ? best : v;
              total += v;
              ++count;
            }
          }
          y[out++] = static_cast<float>(isMax ? best : total / static_cast<double>(count));
        }
  return {cpuResult(ctx, std::move(y))};
}

std::vector<Tensor> poolGl(const OpContext& ctx, const Pool2DAttrs& attrs, Pool kind) {
  Window2D w = poolWindow(ctx.op, ctx.inputs[0].shape(), attrs);
  std::string op(ctx.op);
  gl::checkLoop(w.kernelH * w.kernelW, op, "a window this large");
  gl::Pass pass(static_cast<GlBackend&>(ctx.backend), op,
                {gl::shaders::window2d, gl::shaders::pool2d});
  pass.define("POOL_MAX", kind == Pool::Max ? 1 : 0).input("X", ctx.inputs[0]);
  windowUniforms(pass, w, op);
  return {pass.run(ctx.outputs[0])};
}

// ---- pooling gradients ----
// maxPoolGrad(x, y, dy) and avgPoolGrad(x, dy): the gradient of the pool with respect to
// its input x (y: the pool's output), with the pool's filterSize, strides and padding.

std::vector<TensorSpec> inferPoolGrad(std::string_view op, std::span<const TensorSpec> in,
                                      const Pool2DAttrs& attrs) {
  ops::requireFloat(op, in);
  Window2D w = poolWindow(op, in[0].shape, attrs);
  Shape pooled = outputShape(w, w.channels);
  for (size_t i = 1; i < in.size(); ++i)
    if (in[i].shape != pooled)
      fail(op, ": input ", i, " ", in[i].shape, " is not the pool's output shape ", pooled);
  return {in[0]};
}

// The SIMD backend's pooling: the same walk with channels innermost (contiguous in NHWC,
// so the loops vectorise), in float.
std::vector<Tensor> poolSimd(const OpContext& ctx, const Pool2DAttrs& attrs, Pool kind) {
  Window2D w = poolWindow(ctx.op, ctx.inputs[0].shape(), attrs);
  bool isMax = kind == Pool::Max;
  const float* x = cpuValues(ctx.inputs[0]).data();
  std::vector<float> y(static_cast<size_t>(ctx.outputs[0].shape.size()));
  const int64_t C = w.channels;
  float* out = y.data();
  for (int64_t n = 0; n < w.batch; ++n)
    for (int64_t oy = 0; oy < w.outH; ++oy)
      for (int64_t ox = 0; ox < w.outW; ++ox, out += C) {
        auto [y0, y1, x0, x1] = poolSpan(w, oy, ox);
        std::fill(out, out + C, isMax ? -std::numeric_limits<float>::infinity() : 0.0f);
        for (int64_t iy = y0; iy < y1; ++iy)
          for (int64_t ix = x0; ix < x1; ++ix) {
            const float* v = x + ((n * w.inH + iy) * w.inW + ix) * C;
            if (isMax) {
              // NaN is sticky, as in the reference: a NaN best stays, a NaN value wins.
              for (int64_t c = 0; c < C; ++c)
                out[c] = out[c] == out[c] && (v[c] > out[c] || v[c] != v[c]) ? v[c] : out[c];
            } else {
              for (int64_t c = 0; c < C; ++c) out[c] += v[c];
            }
          }
        if (!isMax) {
          float scale = 1.0f / static_cast<float>((y1 - y0) * (x1 - x0));
          for (int64_t c = 0; c < C; ++c) out[c] *= scale;
        }
      }
  return {cpuResult(ctx, std::move(y))};
}

std::vector<Tensor> poolGradSimd(const OpContext& ctx, const Pool2DAttrs& attrs, Pool kind) {
  Window2D w = poolWindow(ctx.op, ctx.inputs[0].shape(), attrs);
  bool isMax = kind == Pool::Max;
  const float* x = cpuValues(ctx.inputs[0]).data();
  const float* dy = cpuValues(ctx.inputs.back()).data();
  const float* y = isMax ? cpuValues(ctx.inputs[1]).data() : nullptr;
  std::vector<float> dx(cpuValues(ctx.inputs[0]).size(), 0.0f);
  const int64_t C = w.channels;
  for (int64_t n = 0; n < w.batch; ++n)
    for (int64_t oy = 0; oy < w.outH; ++oy)
      for (int64_t ox = 0; ox < w.outW; ++ox) {
        auto [y0, y1, x0, x1] = poolSpan(w, oy, ox);
        int64_t out = ((n * w.outH + oy) * w.outW + ox) * C;
        float scale = 1.0f / static_cast<float>((y1 - y0) * (x1 - x0));
        for (int64_t iy = y0; iy < y1; ++iy)
          for (int64_t ix = x0; ix < x1; ++ix) {
            int64_t at = ((n * w.inH + iy) * w.inW + ix) * C;
            if (isMax) {
              for (int64_t c = 0; c < C; ++c)
                dx[at + c] += x[at + c] == y[out + c] ? dy[out + c] : 0.0f;
            } else {
              for (int64_t c = 0; c < C; ++c) dx[at + c] += dy[out + c] * scale;
            }
          }
      }
  return {cpuResult(ctx, std::move(dx))};
}

std::vector<Tensor> poolGradCpu(const OpContext& ctx, const Pool2DAttrs& attrs, Pool kind) {
  Window2D w = poolWindow(ctx.op, ctx.inputs[0].shape(), attrs);
  bool isMax = kind == Pool::Max;
  const std::vector<float>& x = cpuValues(ctx.inputs[0]);
  const std::vector<float>& dy = cpuValues(ctx.inputs.back());
  const std::vector<float>* y = isMax ? &cpuValues(ctx.inputs[1]) : nullptr;
  std::vector<double> dx(x.size(), 0.0);
  // Scatter form: each window hands its gradient to its taps.
  for (int64_t n = 0; n < w.batch; ++n)
    for (int64_t oy = 0; oy < w.outH; ++oy)
      for (int64_t ox = 0; ox < w.outW; ++ox) {
        auto [y0, y1, x0, x1] = poolSpan(w, oy, ox);
        auto taps = static_cast<double>((y1 - y0) * (x1 - x0));
        for (int64_t c = 0; c < w.channels; ++c) {
          size_t out = static_cast<size_t>(((n * w.outH + oy) * w.outW + ox) * w.channels + c);
          for (int64_t iy = y0; iy < y1; ++iy)
            for (int64_t ix = x0; ix < x1; ++ix) {
              size_t at = static_cast<size_t>(((n * w.inH + iy) * w.inW + ix) * w.channels + c);
              if (!isMax)
                dx[at] += dy[out] / taps;
              else if (x[at] == (*y)[out])
                dx[at] += dy[out];
            }
        }
      }
  return {cpuResult(ctx, std::vector<float>(dx.begin(), dx.end()))};
}

std::vector<Tensor> poolGradGl(const OpContext& ctx, const Pool2DAttrs& attrs, Pool kind) {
  Window2D w = poolWindow(ctx.op, ctx.inputs[0].shape(), attrs);
  std::string op(ctx.op);
  bool isMax = kind == Pool::Max;
  gl::checkLoop(
      ((w.kernelH + w.strideH - 1) / w.strideH) * ((w.kernelW + w.strideW - 1) / w.strideW) + 2, op,
      "a window this large");
  gl::Pass pass(static_cast<GlBackend&>(ctx.backend), op,
                {gl::shaders::window2d, gl::shaders::pool2d_grad});
  pass.define("POOL_MAX", isMax ? 1 : 0).input("DY", ctx.inputs.back());
  if (isMax) pass.input("X", ctx.inputs[0]).input("Y", ctx.inputs[1]);
  windowUniforms(pass, w, op);
  return {pass.run(ctx.outputs[0])};
}

constexpr std::string_view kGradientHelper =
    "a gradient helper (second derivatives through it are not supported)";

// The rows of maxPool / avgPool and their gradient helpers, which differ only in `kind`.
void addPool(OpList& ops, std::string_view name, std::string_view gradName, Pool kind) {
  ops.add<Pool2DAttrs>(name, "conv")
      .infer(inferPool)
      .cpu([kind](const OpContext& ctx, const Pool2DAttrs& a) { return poolCpu(ctx, a, kind); })
      .simd([kind](const OpContext& ctx, const Pool2DAttrs& a) { return poolSimd(ctx, a, kind); })
      .gl([kind](const OpContext& ctx, const Pool2DAttrs& a) { return poolGl(ctx, a, kind); })
      .gradient([gradName, kind](const GradContext& c, const Pool2DAttrs& a) {
        const Tensor& x = c.inputs[0];
        if (kind == Pool::Max)
          return std::vector<Tensor>{runOp1(gradName, {x, c.outputs[0], c.outputGrads[0]}, a)};
        return std::vector<Tensor>{runOp1(gradName, {x, c.outputGrads[0]}, a)};
      });
  int inputs = kind == Pool::Max ? 3 : 2;
  ops.add<Pool2DAttrs>(gradName, "conv")
      .inputs(inputs, inputs)
      .infer(inferPoolGrad)
      .cpu([kind](const OpContext& ctx, const Pool2DAttrs& a) { return poolGradCpu(ctx, a, kind); })
      .simd(
          [kind](const OpContext& ctx, const Pool2DAttrs& a) { return poolGradSimd(ctx, a, kind); })
      .gl([kind](const OpContext& ctx, const Pool2DAttrs& a) { return poolGradGl(ctx, a, kind); })
      .noGradient(kGradientHelper);
}

}  // namespace

void Conv2DAttrs::validate(std::string_view op) const {
  for (auto [key, v] : {std::pair{"strides", strides}, std::pair{"dilations", dilations}})
    if (v[0] < 1 || v[1] < 1) fail(op, ": '", key, "' must be >= 1, got [", v[0], ",", v[1], "]");
}

void Conv1DAttrs::validate(std::string_view op) const {
  if (stride < 1 || dilation < 1)
    fail(op, ": stride and dilation must be >= 1, got ", stride, " and ", dilation);
}

void Pool2DAttrs::validate(std::string_view op) const {
  if (filterSize[0] < 1 || filterSize[1] < 1)
    fail(op, ": filterSize must be [h, w] with both >= 1");
  if (strides[0] < 1 || strides[1] < 1)
    fail(op, ": 'strides' must be >= 1, got [", strides[0], ",", strides[1], "]");
}

void registerConvOps(OpList& ops) {
  ops.add<Conv2DAttrs>("conv2d", "conv")
      .inputs(2, 2)
      .infer(inferConv2D)
      .cpu([](const OpContext& ctx, const Conv2DAttrs& a) { return conv2DCpu(ctx, a, nullptr); })
      .simd([](const OpContext& ctx, const Conv2DAttrs& a) { return conv2DSimd(ctx, a, nullptr); })
      .gl([](const OpContext& ctx, const Conv2DAttrs& a) { return conv2DGl(ctx, a, nullptr); })
      .gradient([](const GradContext& c, const Conv2DAttrs& a) {
        return conv2DGrads(c, c.outputGrads[0], a);
      });
  ops.add<FusedConv2DAttrs>("fusedConv2d", "conv")
      .inputs(2, 3)
      .infer(inferFusedConv2D)
      .cpu([](const OpContext& ctx, const FusedConv2DAttrs& a) {
        ops::Fusion fusion = fusionOf(a);
        return conv2DCpu(ctx, a.conv, &fusion);
      })
      .simd([](const OpContext& ctx, const FusedConv2DAttrs& a) {
        ops::Fusion fusion = fusionOf(a);
        return conv2DSimd(ctx, a.conv, &fusion);
      })
      .gl([](const OpContext& ctx, const FusedConv2DAttrs& a) {
        ops::Fusion fusion = fusionOf(a);
        return conv2DGl(ctx, a.conv, &fusion);
      })
      .gradient([](const GradContext& c, const FusedConv2DAttrs& a) {
        Tensor dz = ops::activationGrad(fusionOf(a), c.outputs[0], c.outputGrads[0]);
        return conv2DGrads(c, dz, a.conv);
      });
  ops.add<Conv2DAttrs>("depthwiseConv2d", "conv")
      .inputs(2, 2)
      .infer(inferDepthwise)
      .kernels(depthwiseCpu, depthwiseGl)
      .gradient(depthwiseGrad);
  ops.add<Conv2DTransposeAttrs>("conv2dTranspose", "conv")
      .inputs(2, 2)
      .infer(inferConvTranspose)
      .kernels(convTransposeCpu, convTransposeGl)
      .simd(convTransposeSimd)
      .gradient(convTransposeGrad);
  ops.add<FilterGradAttrs>("conv2dFilterGrad", "conv")
      .inputs(2, 2)
      .infer(inferFilterGrad)
      .kernels(filterGradCpu, filterGradGl)
      .simd(filterGradSimd)
      .noGradient(kGradientHelper);
  addPool(ops, "maxPool", "maxPoolGrad", Pool::Max);
  addPool(ops, "avgPool", "avgPoolGrad", Pool::Average);
  // Compositions of the kernels above: one kernel serves both backends.
  ops.add<Conv1DAttrs>("conv1d", "conv").inputs(2, 2).infer(inferConv1D).composite(conv1DKernel);
  ops.add<Conv2DAttrs>("separableConv2d", "conv")
      .inputs(3, 3)
      .infer(inferSeparable)
      .composite(separableKernel);
  ops.add("globalAvgPool", "conv")
      .infer(inferGlobalPool)
      .composite([](const OpContext& ctx, const NoAttrs&) {
        return std::vector<Tensor>{mean(ctx.inputs[0], spatialAxes(ctx.inputs[0]))};
      });
  ops.add("globalMaxPool", "conv")
      .infer(inferGlobalPool)
      .composite([](const OpContext& ctx, const NoAttrs&) {
        return std::vector<Tensor>{max(ctx.inputs[0], spatialAxes(ctx.inputs[0]))};
      });
}

Tensor conv2d(const Tensor& x, const Tensor& filter, const Conv2DAttrs& attrs) {
  return runOp1("conv2d", {x, filter}, attrs);
}

Tensor fusedConv2d(const Tensor& x, const Tensor& filter, const FusedConv2DAttrs& attrs,
                   const std::optional<Tensor>& bias) {
  if (bias) return runOp1("fusedConv2d", {x, filter, *bias}, attrs);
  return runOp1("fusedConv2d", {x, filter}, attrs);
}

Tensor depthwiseConv2d(const Tensor& x, const Tensor& filter, const Conv2DAttrs& attrs) {
  return runOp1("depthwiseConv2d", {x, filter}, attrs);
}

Tensor separableConv2d(const Tensor& x, const Tensor& depthwiseFilter,
                       const Tensor& pointwiseFilter, const Conv2DAttrs& attrs) {
  return runOp1("separableConv2d", {x, depthwiseFilter, pointwiseFilter}, attrs);
}

Tensor conv2dTranspose(const Tensor& x, const Tensor& filter, const Conv2DTransposeAttrs& attrs) {
  return runOp1("conv2dTranspose", {x, filter}, attrs);
}

Tensor conv1d(const Tensor& x, const Tensor& filter, const Conv1DAttrs& attrs) {
  return runOp1("conv1d", {x, filter}, attrs);
}

Tensor globalAvgPool(const Tensor& x) {
  return runOp1("globalAvgPool", {x});
}

Tensor globalMaxPool(const Tensor& x) {
  return runOp1("globalMaxPool", {x});
}

Tensor maxPool(const Tensor& x, const Pool2DAttrs& attrs) {
  return runOp1("maxPool", {x}, attrs);
}

Tensor avgPool(const Tensor& x, const Pool2DAttrs& attrs) {
  return runOp1("avgPool", {x}, attrs);
}

}  // namespace texel
