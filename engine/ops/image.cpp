// Image resampling (TF.js tf.image): resizeBilinear, resizeNearestNeighbor (alignCorners,
// halfPixelCenters) and cropAndResize. Images are NHWC, [N, H, W, C] or [H, W, C].
#include <algorithm>
#include <cmath>

#include "engine/core/create.h"
#include "engine/cpu/cpu_backend.h"
#include "engine/gl/gl_pass.h"
#include "engine/ops/grad_util.h"
#include "engine/ops/op_util.h"
#include "engine/ops/ops.h"

namespace texel {
namespace {

struct Image {
  int64_t batch, height, width, channels;
};

Image imageOf(std::string_view op, const Shape& x) {
  if (x.rank() == 4) return {x[0], x[1], x[2], x[3]};
  if (x.rank() == 3) return {1, x[0], x[1], x[2]};
  fail(op, ": images must be [batch, height, width, channels] or [height, width, channels], got ",
       x);
}

// ---- resize ----

struct Resize {
  Image in;
  int64_t outH, outW;
  bool alignCorners, halfPixel, nearest;
  float scaleH, scaleW;
};

float resizeScale(bool alignCorners, int64_t in, int64_t out) {
  if (alignCorners && out > 1) return static_cast<float>(in - 1) / static_cast<float>(out - 1);
  return static_cast<float>(in) / static_cast<float>(out);
}

Resize resizeOf(std::string_view op, const Shape& x, const ResizeAttrs& attrs, bool nearest) {
  Resize r{};
  r.in = imageOf(op, x);
  r.outH = attrs.size[0];
  r.outW = attrs.size[1];
  r.alignCorners = attrs.alignCorners;
  r.halfPixel = attrs.halfPixelCenters;
  r.nearest = nearest;
  r.scaleH = resizeScale(r.alignCorners, r.in.height, r.outH);
  r.scaleW = resizeScale(r.alignCorners, r.in.width, r.outW);
  return r;
}

std::vector<TensorSpec> inferResize(std::string_view op, std::span<const TensorSpec> in,
                                    const ResizeAttrs& attrs) {
  ops::requireFloat(op, in);
  Resize r = resizeOf(op, in[0].shape, attrs, false);
  if (in[0].shape.rank() == 4)
    return {{Shape{r.in.batch, r.outH, r.outW, r.in.channels}, DType::Float32}};
  return {{Shape{r.outH, r.outW, r.in.channels}, DType::Float32}};
}

int64_t nearestSource(const Resize& r, int64_t dst, float scale, int64_t size) {
  float d = static_cast<float>(dst);
  float src = r.alignCorners ? std::round(d * scale)
                             : std::floor(r.halfPixel ? (d + 0.5f) * scale : d * scale);
  return std::clamp<int64_t>(static_cast<int64_t>(src), 0, size - 1);
}

struct Linear {
  int64_t lower, upper;
  float weight;
};

Linear linearSource(const Resize& r, int64_t dst, float scale, int64_t size) {
  float d = static_cast<float>(dst);
  float src = r.halfPixel ? (d + 0.5f) * scale - 0.5f : d * scale;
  float below = std::floor(src);
  return {std::max<int64_t>(static_cast<int64_t>(below), 0),
          std::min<int64_t>(static_cast<int64_t>(std::ceil(src)), size - 1), src - below};
}

// resizeBilinear's interpolation along one axis (0: height, 1: width) of `images` as a
// row-major [out, in] matrix: the op is the product of the two (its gradient uses them).
std::vector<float> bilinearResizeMatrix(std::string_view op, const Shape& images,
                                        const ResizeAttrs& attrs, int axis) {
  Resize r = resizeOf(op, images, attrs, false);
  int64_t in = axis == 0 ? r.in.height : r.in.width, out = axis == 0 ? r.outH : r.outW;
  float scale = axis == 0 ? r.scaleH : r.scaleW;
  std::vector<float> m(static_cast<size_t>(out * in), 0.0f);
  for (int64_t o = 0; o < out; ++o) {
    Linear l = linearSource(r, o, scale, in);
    m[static_cast<size_t>(o * in + l.lower)] += 1.0f - l.weight;
    m[static_cast<size_t>(o * in + l.upper)] += l.weight;
  }
  return m;
}

std::vector<Tensor> resizeCpu(const OpContext& ctx, const ResizeAttrs& attrs, bool nearest) {
  Resize r = resizeOf(ctx.op, ctx.inputs[0].shape(), attrs, nearest);
  const std::vector<float>& x = cpuValues(ctx.inputs[0]);
  const Image& in = r.in;
  auto at = [&](int64_t n, int64_t y, int64_t xx, int64_t c) {
    return x[static_cast<size_t>(((n * in.height + y) * in.width + xx) * in.channels + c)];
  };
  std::vector<float> y;
  y.reserve(static_cast<size_t>(ctx.outputs[0].shape.size()));
  for (int64_t n = 0; n < in.batch; ++n)
    for (int64_t oy = 0; oy < r.outH; ++oy)
      for (int64_t ox = 0; ox < r.outW; ++ox)
        for (int64_t c = 0; c < in.channels; ++c) {
          if (r.nearest) {
            y.push_back(at(n, nearestSource(r, oy, r.scaleH, in.height),
                           nearestSource(r, ox, r.scaleW, in.width), c));
            continue;
          }
          Linear ly = linearSource(r, oy, r.scaleH, in.height);
          Linear lx = linearSource(r, ox, r.scaleW, in.width);
          float topLeft = at(n, ly.lower, lx.lower, c), topRight = at(n, ly.lower, lx.upper, c);
          float bottomLeft = at(n, ly.upper, lx.lower, c);
          float bottomRight = at(n, ly.upper, lx.upper, c);
          float top = topLeft + (topRight - topLeft) * lx.weight;
          float bottom = bottomLeft + (bottomRight - bottomLeft) * lx.weight;
          y.push_back(top + (bottom - top) * ly.weight);
        }
  return {cpuResult(ctx, std::move(y))};
}

std::vector<Tensor> resizeGl(const OpContext& ctx, const ResizeAttrs& attrs, bool nearest) {
  Resize r = resizeOf(ctx.op, ctx.inputs[0].shape(), attrs, nearest);
  std::string op(ctx.op);
  return {gl::Pass(static_cast<GlBackend&>(ctx.backend), op,
                   {gl::shaders::image_sample, gl::shaders::resize})
              .define("NEAREST", r.nearest ? 1 : 0)
              .define("ALIGN_CORNERS", r.alignCorners ? 1 : 0)
              .define("HALF_PIXEL", r.halfPixel ? 1 : 0)
              .input("X", ctx.inputs[0])
              .uniform("inH", gl::checkedInt(r.in.height, op, "height"))
              .uniform("inW", gl::checkedInt(r.in.width, op, "width"))
              .uniform("outH", gl::checkedInt(r.outH, op, "height"))
              .uniform("outW", gl::checkedInt(r.outW, op, "width"))
              .uniform("scaleH", r.scaleH)
              .uniform("scaleW", r.scaleW)
              .run(ctx.outputs[0])};
}

// ---- cropAndResize ----

std::vector<TensorSpec> inferCropAndResize(std::string_view op, std::span<const TensorSpec> in,
                                           const CropAndResizeAttrs& attrs) {
  if (in[0].dtype != DType::Float32 || in[1].dtype != DType::Float32)
    fail(op, ": image and boxes must be float32");
  if (in[2].dtype != DType::Int32) fail(op, ": boxInd must be int32");
  if (in[0].shape.rank() != 4)
    fail(op, ": image must be [batch, height, width, channels], got ", in[0].shape);
  const Shape& boxes = in[1].shape;
  if (boxes.rank() != 2 || boxes[1] != 4)
    fail(op, ": boxes must be [numBoxes, 4] (y1, x1, y2, x2), got ", boxes);
  if (in[2].shape != Shape{boxes[0]})
    fail(op, ": boxInd must be [numBoxes] = [", boxes[0], "], got ", in[2].shape);
  return {{Shape{boxes[0], attrs.cropSize[0], attrs.cropSize[1], in[0].shape[3]}, DType::Float32}};
}

std::vector<Tensor> cropAndResizeCpu(const OpContext& ctx, const CropAndResizeAttrs& attrs) {
  Image in = imageOf(ctx.op, ctx.inputs[0].shape());
  const Shape& out = ctx.outputs[0].shape;
  int64_t cropH = out[1], cropW = out[2];
  bool nearest = attrs.method == ResizeMethod::Nearest;
  float extrapolation = attrs.extrapolationValue;
  const std::vector<float>& x = cpuValues(ctx.inputs[0]);
  const std::vector<float>& boxes = cpuValues(ctx.inputs[1]);
  const std::vector<float>& boxInd = cpuValues(ctx.inputs[2]);
  auto at = [&](int64_t n, int64_t y, int64_t xx, int64_t c) {
    return x[static_cast<size_t>(((n * in.height + y) * in.width + xx) * in.channels + c)];
  };
  auto source = [](int64_t dst, int64_t crop, float a, float b, int64_t size) {
    float extent = static_cast<float>(size - 1);
    if (crop > 1)
      return a * extent +
             static_cast<float>(dst) * ((b - a) * extent / static_cast<float>(crop - 1));
    return 0.5f * (a + b) * extent;
  };
  std::vector<float> y;
  y.reserve(static_cast<size_t>(out.size()));
  for (int64_t b = 0; b < out[0]; ++b) {
    const float* box = &boxes[static_cast<size_t>(b * 4)];
    auto n = static_cast<int64_t>(boxInd[static_cast<size_t>(b)]);
    bool missing = n < 0 || n >= in.batch;  // no such image: extrapolationValue throughout
    for (int64_t oy = 0; oy < cropH; ++oy)
      for (int64_t ox = 0; ox < cropW; ++ox) {
        float sy = source(oy, cropH, box[0], box[2], in.height);
        float sx = source(ox, cropW, box[1], box[3], in.width);
        bool outside = missing || sy < 0 || sy > static_cast<float>(in.height - 1) || sx < 0 ||
                       sx > static_cast<float>(in.width - 1);
        for (int64_t c = 0; c < in.channels; ++c) {
          if (outside) {
            y.push_back(extrapolation);
          } else if (nearest) {
            y.push_back(at(n, static_cast<int64_t>(std::round(sy)),
                           static_cast<int64_t>(std::round(sx)), c));
          } else {
            auto y0 = static_cast<int64_t>(std::floor(sy)),
                 y1 = static_cast<int64_t>(std::ceil(sy));
            auto x0 = static_cast<int64_t>(std::floor(sx)),
                 x1 = static_cast<int64_t>(std::ceil(sx));
            float wy = sy - static_cast<float>(y0), wx = sx - static_cast<float>(x0);
            float top = at(n, y0, x0, c) + (at(n, y0, x1, c) - at(n, y0, x0, c)) * wx;
            float bottom = at(n, y1, x0, c) + (at(n, y1, x1, c) - at(n, y1, x0, c)) * wx;
            y.push_back(top + (bottom - top) * wy);
          }
        }
      }
  }
  return {cpuResult(ctx, std::move(y))};
}

std::vector<Tensor> cropAndResizeGl(const OpContext& ctx, const CropAndResizeAttrs& attrs) {
  Image in = imageOf(ctx.op, ctx.inputs[0].shape());
  const Shape& out = ctx.outputs[0].shape;
  std::string op(ctx.op);
  return {gl::Pass(static_cast<GlBackend&>(ctx.backend), op,
                   {gl::shaders::image_sample, gl::shaders::crop_and_resize})
              .define("NEAREST", attrs.method == ResizeMethod::Nearest ? 1 : 0)
              .input("X", ctx.inputs[0])
              .input("BOXES", ctx.inputs[1])
              .input("BOX_INDEX", ctx.inputs[2])
              .uniform("batch", gl::checkedInt(in.batch, op, "batch"))
              .uniform("inH", gl::checkedInt(in.height, op, "height"))
              .uniform("inW", gl::checkedInt(in.width, op, "width"))
              .uniform("cropH", gl::checkedInt(out[1], op, "crop height"))
              .uniform("cropW", gl::checkedInt(out[2], op, "crop width"))
              .uniform("extrapolationValue", attrs.extrapolationValue)
              .run(ctx.outputs[0])};
}

// resizeBilinear is y = Ry x Rxᵀ per image and channel (Ry [outH, inH], Rx [outW, inW]
// from the op's own interpolation), so dx = Ryᵀ dy Rx: two matMuls on the device.
std::vector<Tensor> resizeBilinearGrad(const GradContext& c, const ResizeAttrs& attrs) {
  const Shape& xs = c.inputs[0].shape();
  bool batched = xs.rank() == 4;
  int64_t n = batched ? xs[0] : 1, inH = xs.fromEnd(3), inW = xs.fromEnd(2), ch = xs.fromEnd(1);
  const Tensor& dyIn = c.outputGrads[0];
  int64_t outH = dyIn.shape().fromEnd(3), outW = dyIn.shape().fromEnd(2);
  Backend& b = dyIn.backend();
  Tensor ry = tensor(b, {outH, inH}, bilinearResizeMatrix(c.op, xs, attrs, 0));
  Tensor rx = tensor(b, {outW, inW}, bilinearResizeMatrix(c.op, xs, attrs, 1));
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

void addResize(OpList& ops, std::string_view name, bool nearest) {
  auto row = ops.add<ResizeAttrs>(name, "image");
  row.infer(inferResize)
      .cpu([nearest](const OpContext& ctx, const ResizeAttrs& a) {
        return resizeCpu(ctx, a, nearest);
      })
      .gl([nearest](const OpContext& ctx, const ResizeAttrs& a) {
        return resizeGl(ctx, a, nearest);
      });
  if (nearest)
    row.gradient([](const GradContext& c, const ResizeAttrs&) { return ops::indexMapGrad(c); });
  else
    row.gradient(resizeBilinearGrad);
}

}  // namespace

void ResizeAttrs::validate(std::string_view op) const {
  if (size[0] < 1 || size[1] < 1)
    fail(op, ": size must be [newHeight, newWidth] with both >= 1, got ",
         Shape({size[0], size[1]}));
  if (alignCorners && halfPixelCenters)
    fail(op, ": alignCorners and halfPixelCenters cannot both be true");
}

void CropAndResizeAttrs::validate(std::string_view op) const {
  if (cropSize[0] < 1 || cropSize[1] < 1)
    fail(op, ": cropSize must be [height, width] with both >= 1, got ",
         Shape({cropSize[0], cropSize[1]}));
}

void registerImageOps(OpList& ops) {
  addResize(ops, "resizeBilinear", false);
  addResize(ops, "resizeNearestNeighbor", true);
  ops.add<CropAndResizeAttrs>("cropAndResize", "image")
      .inputs(3, 3)
      .dtypes(DTypes::floats())
      .infer(inferCropAndResize)
      .kernels(cropAndResizeCpu, cropAndResizeGl)
      .noGradient("TF.js has none either");
}

Tensor resizeBilinear(const Tensor& images, std::array<int64_t, 2> size, ResizeAttrs attrs) {
  attrs.size = size;
  return runOp1("resizeBilinear", {images}, attrs);
}

Tensor resizeNearestNeighbor(const Tensor& images, std::array<int64_t, 2> size, ResizeAttrs attrs) {
  attrs.size = size;
  return runOp1("resizeNearestNeighbor", {images}, attrs);
}

Tensor cropAndResize(const Tensor& image, const Tensor& boxes, const Tensor& boxInd,
                     std::array<int64_t, 2> cropSize, CropAndResizeAttrs attrs) {
  attrs.cropSize = cropSize;
  return runOp1("cropAndResize", {image, boxes, boxInd}, attrs);
}

}  // namespace texel
