// Data movement: slice, stridedSlice, reverse, tile, pad, broadcastTo (one index-map
// kernel on GL), concat, gather, oneHot, cast, and the views and compositions built on
// them: expandDims, squeeze, stack, unstack, split. Every op keeps its input's dtype
// unless it says otherwise.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "engine/core/create.h"
#include "engine/cpu/cpu_backend.h"
#include "engine/gl/gl_pass.h"
#include "engine/gl/layout.h"
#include "engine/gl/split.h"
#include "engine/ops/gl_helpers.h"
#include "engine/ops/grad_util.h"
#include "engine/ops/op_util.h"
#include "engine/ops/ops.h"

namespace texel {
namespace {

// ---- shared helpers ----

Shape withoutDims(const Shape& shape, const std::vector<bool>& drop) {
  std::vector<int64_t> dims;
  for (int d = 0; d < shape.rank(); ++d)
    if (!drop[static_cast<size_t>(d)]) dims.push_back(shape[d]);
  return Shape(std::move(dims));
}

// A view under another shape on either backend (free on the CPU, free or one relayout
// pass on GL).
Tensor viewAs(const Tensor& x, const Shape& shape) {
  if (x.backend().kind() == BackendKind::Cpu) return x.withShape(shape);
  return ops::reshapeGl(static_cast<GlBackend&>(x.backend()), x, shape);
}

// One output dimension of an index map (see glsl/index_map.glsl).
enum class MapMode { Affine = 0, Modulo = 1, Constant = 2, Reflect = 3, Symmetric = 4 };
struct DimMap {
  int64_t begin = 0;
  int64_t step = 1;
  MapMode mode = MapMode::Affine;
};

Tensor indexMapGl(const std::string& op, const Tensor& x, const TensorSpec& out,
                  const std::vector<DimMap>& map, float padValue = 0.0f) {
  auto& backend = static_cast<GlBackend&>(x.backend());
  const Shape& in = x.shape();
  int rank = in.rank();
  std::vector<int> outDims(kMaxRank, 1), begin(kMaxRank, 0), step(kMaxRank, 0), mode(kMaxRank, 0),
      inDims(kMaxRank, 1), inRowStride(kMaxRank, 0);
  int64_t stride = 1;
  for (int d = rank - 1; d >= 0; --d) {
    size_t slot = static_cast<size_t>(kMaxRank - rank + d);
    const DimMap& m = map[static_cast<size_t>(d)];
    outDims[slot] = gl::checkedInt(out.shape[d], op, "dimension");
    inDims[slot] = gl::checkedInt(in[d], op, "dimension");
    begin[slot] = gl::checkedInt(m.begin, op, "offset");
    step[slot] = gl::checkedInt(m.step, op, "step");
    mode[slot] = static_cast<int>(m.mode);
    if (d < rank - 1) {
      inRowStride[slot] = gl::checkedInt(stride, op, "stride");
      stride *= in[d];
    }
  }
  DimMap last = rank ? map.back() : DimMap{};
  int64_t outLast = out.shape.fromEnd(1), inLast = in.fromEnd(1);
  bool direct =
      last.step == 1 && last.begin >= 0 && last.begin % 4 == 0 && last.begin + outLast <= inLast;
  return gl::Pass(backend, op, {gl::shaders::index_map})
      .define("LAST_DIRECT", direct ? 1 : 0)
      .input("X", x)
      .uniform("outDims", outDims)
      .uniform("mapBegin", begin)
      .uniform("mapStep", step)
      .uniform("mapMode", mode)
      .uniform("inDims", inDims)
      .uniform("inRowStride", inRowStride)
      .uniform("lastTexelOffset", static_cast<int>(direct ? last.begin / 4 : 0))
      .uniform("padValue", padValue)
      .run(out);
}

// CPU reference walker: y[i] = x[in] where source(out index, in index) returns true,
// else `padValue`.
template <typename Fn>
std::vector<float> mapCpu(const Tensor& x, const Shape& out, float padValue, Fn&& source) {
  const std::vector<float>& values = cpuValues(x);
  std::vector<int64_t> strides = ops::stridesOf(x.shape());
  std::vector<float> y(static_cast<size_t>(out.size()));
  std::vector<int64_t> index(static_cast<size_t>(out.rank()), 0);
  std::vector<int64_t> from(static_cast<size_t>(x.rank()), 0);
  for (float& v : y) {
    if (source(index, from)) {
      int64_t offset = 0;
      for (size_t d = 0; d < from.size(); ++d) offset += from[d] * strides[d];
      v = values[static_cast<size_t>(offset)];
    } else {
      v = padValue;
    }
    ops::nextIndex(index, out);
  }
  return y;
}

// ---- slice and stridedSlice ----

// A strided window: per input dimension the first index, the step and the count; dims
// marked `shrink` are dropped from the output (stridedSlice's shrinkAxisMask).
struct Window {
  std::vector<int64_t> begin, step, size;
  std::vector<bool> shrink;
  Shape fullShape() const { return Shape(size); }
  Shape outShape() const { return withoutDims(fullShape(), shrink); }
};

Window sliceWindow(std::string_view op, const Shape& x, const SliceAttrs& attrs) {
  const std::vector<int64_t>& begin = attrs.begin;
  std::vector<int64_t> size = attrs.size.value_or(std::vector<int64_t>(begin.size(), -1));
  if (static_cast<int>(begin.size()) > x.rank() || size.size() != begin.size())
    fail(op, ": begin ", Shape(begin), " and size ", Shape(size),
         " must have the same length, at most the rank of the input ", x);
  Window w;
  for (int d = 0; d < x.rank(); ++d) {
    size_t i = static_cast<size_t>(d);
    int64_t b = i < begin.size() ? begin[i] : 0;
    int64_t s = i < size.size() ? size[i] : -1;
    if (s == -1) s = x[d] - b;
    if (b < 0 || s < 0 || b + s > x[d])
      fail(op, ": begin ", Shape(begin), " and size ", Shape(size), " leave the bounds of ", x,
           " in dimension ", d);
    w.begin.push_back(b);
    w.step.push_back(1);
    w.size.push_back(s);
    w.shrink.push_back(false);
  }
  return w;
}

Window stridedWindow(std::string_view op, const Shape& x, const StridedSliceAttrs& attrs) {
  int rank = x.rank();
  const std::vector<int64_t>& begin = attrs.begin;
  const std::vector<int64_t>& end = attrs.end;
  std::vector<int64_t> strides =
      attrs.strides.empty() ? std::vector<int64_t>(begin.size(), 1) : attrs.strides;
  int64_t beginMask = attrs.beginMask;
  int64_t endMask = attrs.endMask;
  int64_t shrinkMask = attrs.shrinkAxisMask;
  if (begin.size() != end.size() || strides.size() != begin.size() ||
      static_cast<int>(begin.size()) > rank)
    fail(op, ": begin ", Shape(begin), ", end ", Shape(end), " and strides ", Shape(strides),
         " must have the same length, at most the rank of the input ", x);
  Window w;
  for (int d = 0; d < rank; ++d) {
    size_t i = static_cast<size_t>(d);
    int64_t n = x[d];
    bool given = i < begin.size();
    int64_t s = given ? strides[i] : 1;
    if (s == 0) fail(op, ": strides ", Shape(strides), " has a zero in dimension ", d);
    bool shrink = given && (shrinkMask >> d) & 1;
    if (shrink) {
      int64_t b = begin[i] < 0 ? begin[i] + n : begin[i];
      if (b < 0 || b >= n)
        fail(op, ": shrinkAxisMask index ", begin[i], " is outside dimension ", d, " of ", x);
      w.begin.push_back(b);
      w.step.push_back(1);
      w.size.push_back(1);
      w.shrink.push_back(true);
      continue;
    }
    // Python slicing: negative indices count from the end, then clamp; a masked begin
    // or end means "from the start" / "to the end" in the direction of the stride.
    auto resolve = [&](int64_t v) {
      if (v < 0) v += n;
      return s > 0 ? std::clamp<int64_t>(v, 0, n) : std::clamp<int64_t>(v, -1, n - 1);
    };
    bool beginMasked = !given || ((beginMask >> d) & 1);
    bool endMasked = !given || ((endMask >> d) & 1);
    int64_t b = beginMasked ? (s > 0 ? 0 : n - 1) : resolve(begin[i]);
    int64_t e = endMasked ? (s > 0 ? n : -1) : resolve(end[i]);
    int64_t count = s > 0 ? (e - b + s - 1) / s : (b - e + (-s) - 1) / (-s);
    w.begin.push_back(b);
    w.step.push_back(s);
    w.size.push_back(std::max<int64_t>(count, 0));
    w.shrink.push_back(false);
  }
  return w;
}

// slice and stridedSlice share their kernels: each resolves its attributes to a Window.
Window windowFor(std::string_view op, const Shape& x, const SliceAttrs& attrs) {
  return sliceWindow(op, x, attrs);
}
Window windowFor(std::string_view op, const Shape& x, const StridedSliceAttrs& attrs) {
  return stridedWindow(op, x, attrs);
}

template <typename A>
std::vector<TensorSpec> inferSlice(std::string_view op, std::span<const TensorSpec> in,
                                   const A& attrs) {
  return {{windowFor(op, in[0].shape, attrs).outShape(), in[0].dtype}};
}

Tensor windowCpu(const OpContext& ctx, const Window& w) {
  std::vector<float> y = mapCpu(ctx.inputs[0], w.fullShape(), 0.0f,
                                [&](const std::vector<int64_t>& out, std::vector<int64_t>& in) {
                                  for (size_t d = 0; d < out.size(); ++d)
                                    in[d] = w.begin[d] + out[d] * w.step[d];
                                  return true;
                                });
  return cpuResult(ctx, std::move(y));
}

Tensor windowGl(const std::string& op, const Tensor& x, const Window& w) {
  std::vector<DimMap> map;
  for (size_t d = 0; d < w.begin.size(); ++d) map.push_back({w.begin[d], w.step[d]});
  Tensor full = indexMapGl(op, x, {w.fullShape(), x.dtype()}, map);
  return ops::reshapeGl(static_cast<GlBackend&>(x.backend()), full, w.outShape());
}

template <typename A>
std::vector<Tensor> sliceCpu(const OpContext& ctx, const A& attrs) {
  return {windowCpu(ctx, windowFor(ctx.op, ctx.inputs[0].shape(), attrs))};
}

template <typename A>
std::vector<Tensor> sliceGl(const OpContext& ctx, const A& attrs) {
  return {windowGl(std::string(ctx.op), ctx.inputs[0],
                   windowFor(ctx.op, ctx.inputs[0].shape(), attrs))};
}

std::vector<Tensor> sliceGrad(const GradContext& c, const SliceAttrs& attrs) {
  const Shape& x = c.inputs[0].shape();
  const Shape& y = c.outputs[0].shape();
  std::vector<std::array<int64_t, 2>> paddings;
  for (int d = 0; d < x.rank(); ++d) {
    size_t i = static_cast<size_t>(d);
    int64_t b = i < attrs.begin.size() ? attrs.begin[i] : 0;
    paddings.push_back({b, x[d] - b - y[d]});
  }
  return {pad(c.outputGrads[0], paddings)};
}

// ---- reverse ----

std::vector<int> reverseAxes(std::string_view op, const Shape& x, const ReverseAttrs& attrs) {
  std::vector<int> all(static_cast<size_t>(x.rank()));
  std::iota(all.begin(), all.end(), 0);
  std::vector<int> axes;
  std::vector<bool> seen(static_cast<size_t>(x.rank()), false);
  const std::vector<int>& given = attrs.axes ? *attrs.axes : all;
  for (int a : given) {
    int axis = normalizeAxis(a, x.rank(), std::string(op));
    if (seen[static_cast<size_t>(axis)]) fail(op, ": axis ", a, " is listed twice");
    seen[static_cast<size_t>(axis)] = true;
    axes.push_back(axis);
  }
  return axes;
}

std::vector<TensorSpec> inferReverse(std::string_view op, std::span<const TensorSpec> in,
                                     const ReverseAttrs& attrs) {
  reverseAxes(op, in[0].shape, attrs);
  return {in[0]};
}

std::vector<Tensor> reverseCpu(const OpContext& ctx, const ReverseAttrs& attrs) {
  const Shape& shape = ctx.inputs[0].shape();
  std::vector<bool> flip(static_cast<size_t>(shape.rank()), false);
  for (int a : reverseAxes(ctx.op, shape, attrs)) flip[static_cast<size_t>(a)] = true;
  return {cpuResult(ctx, mapCpu(ctx.inputs[0], shape, 0.0f,
                                [&](const std::vector<int64_t>& out, std::vector<int64_t>& in) {
                                  for (size_t d = 0; d < out.size(); ++d)
                                    in[d] =
                                        flip[d] ? shape[static_cast<int>(d)] - 1 - out[d] : out[d];
                                  return true;
                                }))};
}

std::vector<Tensor> reverseGl(const OpContext& ctx, const ReverseAttrs& attrs) {
  const Shape& shape = ctx.inputs[0].shape();
  std::vector<DimMap> map(static_cast<size_t>(shape.rank()));
  for (int a : reverseAxes(ctx.op, shape, attrs)) map[static_cast<size_t>(a)] = {shape[a] - 1, -1};
  return {indexMapGl(std::string(ctx.op), ctx.inputs[0], ctx.outputs[0], map)};
}

// ---- tile ----

std::vector<int64_t> tileReps(std::string_view op, const Shape& x, const TileAttrs& attrs) {
  const std::vector<int64_t>& reps = attrs.reps;
  if (static_cast<int>(reps.size()) != x.rank())
    fail(op, ": reps ", Shape(reps), " needs one entry per dimension of ", x);
  for (int64_t r : reps)
    if (r < 0) fail(op, ": reps ", Shape(reps), " has a negative entry");
  return reps;
}

std::vector<TensorSpec> inferTile(std::string_view op, std::span<const TensorSpec> in,
                                  const TileAttrs& attrs) {
  std::vector<int64_t> reps = tileReps(op, in[0].shape, attrs);
  std::vector<int64_t> dims = in[0].shape.dims();
  for (size_t d = 0; d < dims.size(); ++d) dims[d] *= reps[d];
  return {{Shape(std::move(dims)), in[0].dtype}};
}

std::vector<Tensor> tileCpu(const OpContext& ctx, const TileAttrs&) {
  const Shape& shape = ctx.inputs[0].shape();
  return {cpuResult(ctx, mapCpu(ctx.inputs[0], ctx.outputs[0].shape, 0.0f,
                                [&](const std::vector<int64_t>& out, std::vector<int64_t>& in) {
                                  for (size_t d = 0; d < out.size(); ++d)
                                    in[d] = out[d] % shape[static_cast<int>(d)];
                                  return true;
                                }))};
}

std::vector<Tensor> tileGl(const OpContext& ctx, const TileAttrs&) {
  std::vector<DimMap> map(static_cast<size_t>(ctx.inputs[0].rank()), DimMap{0, 1, MapMode::Modulo});
  return {indexMapGl(std::string(ctx.op), ctx.inputs[0], ctx.outputs[0], map)};
}

// ---- pad ----

struct PadWindow {
  std::vector<int64_t> before, after;
  MapMode mode = MapMode::Constant;
  float value = 0.0f;
};

PadWindow paddingOf(std::string_view op, const Shape& x, const PadAttrs& attrs) {
  const std::vector<int64_t>& flat = attrs.paddings;
  if (static_cast<int>(flat.size()) != 2 * x.rank())
    fail(op, ": paddings needs [before, after] for each of the ", x.rank(), " dimensions of ", x,
         ", got ", flat.size(), " values");
  PadWindow p;
  p.value = attrs.constantValue;
  p.mode = attrs.mode == PadMode::Reflect
               ? MapMode::Reflect
               : (attrs.mode == PadMode::Symmetric ? MapMode::Symmetric : MapMode::Constant);
  std::string_view mode = attrs.mode == PadMode::Reflect ? "reflect" : "symmetric";
  for (int d = 0; d < x.rank(); ++d) {
    int64_t b = flat[2 * static_cast<size_t>(d)], a = flat[2 * static_cast<size_t>(d) + 1];
    if (b < 0 || a < 0) fail(op, ": paddings must be >= 0, got [", b, ",", a, "] in dimension ", d);
    // Reflection mirrors the input once: at most n - 1 (reflect) or n (symmetric) values.
    int64_t limit = p.mode == MapMode::Reflect ? x[d] - 1 : x[d];
    if (p.mode != MapMode::Constant && (b > limit || a > limit))
      fail(op, ": ", mode, " padding of [", b, ",", a, "] in dimension ", d, " of ", x, " exceeds ",
           limit, " (the input must be mirrored at most once)");
    p.before.push_back(b);
    p.after.push_back(a);
  }
  return p;
}

std::vector<TensorSpec> inferPad(std::string_view op, std::span<const TensorSpec> in,
                                 const PadAttrs& attrs) {
  PadWindow p = paddingOf(op, in[0].shape, attrs);
  std::vector<int64_t> dims = in[0].shape.dims();
  for (size_t d = 0; d < dims.size(); ++d) dims[d] += p.before[d] + p.after[d];
  return {{Shape(std::move(dims)), in[0].dtype}};
}

std::vector<Tensor> padCpu(const OpContext& ctx, const PadAttrs& attrs) {
  const Shape& shape = ctx.inputs[0].shape();
  PadWindow p = paddingOf(ctx.op, shape, attrs);
  return {cpuResult(ctx, mapCpu(ctx.inputs[0], ctx.outputs[0].shape, p.value,
                                [&](const std::vector<int64_t>& out, std::vector<int64_t>& in) {
                                  for (size_t d = 0; d < out.size(); ++d) {
                                    int64_t n = shape[static_cast<int>(d)];
                                    int64_t k = out[d] - p.before[d];
                                    if (k < 0 || k >= n) {
                                      if (p.mode == MapMode::Constant) return false;
                                      bool symmetric = p.mode == MapMode::Symmetric;
                                      k = k < 0 ? (symmetric ? -k - 1 : -k)
                                                : (symmetric ? 2 * n - 1 - k : 2 * (n - 1) - k);
                                    }
                                    in[d] = k;
                                  }
                                  return true;
                                }))};
}

std::vector<Tensor> padGl(const OpContext& ctx, const PadAttrs& attrs) {
  PadWindow p = paddingOf(ctx.op, ctx.inputs[0].shape(), attrs);
  std::vector<DimMap> map;
  for (int64_t b : p.before) map.push_back({-b, 1, p.mode});
  return {indexMapGl(std::string(ctx.op), ctx.inputs[0], ctx.outputs[0], map, p.value)};
}

// Reflect and symmetric padding copy inputs into the border: scattered back.
std::vector<Tensor> padGrad(const GradContext& c, const PadAttrs& attrs) {
  if (attrs.mode != PadMode::Constant) return ops::indexMapGrad(c);
  std::vector<int64_t> begin;
  for (size_t d = 0; d < attrs.paddings.size(); d += 2) begin.push_back(attrs.paddings[d]);
  return {slice(c.outputGrads[0], begin, c.inputs[0].shape().dims())};
}

// ---- broadcastTo ----

std::vector<TensorSpec> inferBroadcastTo(std::string_view op, std::span<const TensorSpec> in,
                                         const BroadcastToAttrs& attrs) {
  Shape target(attrs.shape);
  validateShape(target, std::string(op));
  if (in[0].shape.rank() > target.rank() ||
      broadcastShapes(in[0].shape, target, std::string(op)) != target)
    fail(op, ": cannot broadcast ", in[0].shape, " to ", target);
  return {{target, in[0].dtype}};
}

// x reshaped to the target's rank (leading 1s).
Tensor alignedRank(const Tensor& x, int rank) {
  std::vector<int64_t> dims(static_cast<size_t>(rank - x.rank()), 1);
  dims.insert(dims.end(), x.shape().dims().begin(), x.shape().dims().end());
  return viewAs(x, Shape(std::move(dims)));
}

std::vector<Tensor> broadcastToCpu(const OpContext& ctx, const BroadcastToAttrs&) {
  Tensor x = alignedRank(ctx.inputs[0], ctx.outputs[0].shape.rank());
  const Shape& shape = x.shape();
  return {cpuResult(ctx, mapCpu(x, ctx.outputs[0].shape, 0.0f,
                                [&](const std::vector<int64_t>& out, std::vector<int64_t>& in) {
                                  for (size_t d = 0; d < out.size(); ++d)
                                    in[d] = shape[static_cast<int>(d)] == 1 ? 0 : out[d];
                                  return true;
                                }))};
}

std::vector<Tensor> broadcastToGl(const OpContext& ctx, const BroadcastToAttrs&) {
  Tensor x = alignedRank(ctx.inputs[0], ctx.outputs[0].shape.rank());
  std::vector<DimMap> map;
  for (int64_t n : x.shape().dims()) map.push_back({0, n == 1 ? 0 : 1});
  return {indexMapGl(std::string(ctx.op), x, ctx.outputs[0], map)};
}

// ---- concat and stack ----

// Inputs per concat pass: well under the 16 samplers every GLES 3.0 fragment shader has.
constexpr size_t kConcatInputsPerPass = 8;

int concatAxis(std::string_view op, std::span<const TensorSpec> in, const AxisAttrs& attrs) {
  const Shape& first = in[0].shape;
  if (first.rank() == 0) fail(op, ": cannot concatenate scalars (use stack)");
  int axis = normalizeAxis(attrs.axis, first.rank(), std::string(op));
  for (size_t i = 1; i < in.size(); ++i) {
    const Shape& s = in[i].shape;
    if (in[i].dtype != in[0].dtype)
      fail(op, ": input ", i, " has dtype ", dtypeName(in[i].dtype), ", input 0 has ",
           dtypeName(in[0].dtype));
    bool ok = s.rank() == first.rank();
    for (int d = 0; ok && d < s.rank(); ++d) ok = d == axis || s[d] == first[d];
    if (!ok)
      fail(op, ": input ", i, " has shape ", s, ", which does not match input 0 ", first,
           " outside axis ", axis);
  }
  return axis;
}

std::vector<TensorSpec> inferConcat(std::string_view op, std::span<const TensorSpec> in,
                                    const AxisAttrs& attrs) {
  int axis = concatAxis(op, in, attrs);
  Shape out = in[0].shape;
  for (size_t i = 1; i < in.size(); ++i) out[axis] += in[i].shape[axis];
  return {{out, in[0].dtype}};
}

Tensor concatCpuImpl(const OpContext& ctx, std::span<const Tensor> inputs, int axis) {
  const Shape& out = ctx.outputs[0].shape;
  int64_t inner = 1, outer = 1;
  for (int d = axis + 1; d < out.rank(); ++d) inner *= out[d];
  for (int d = 0; d < axis; ++d) outer *= out[d];
  std::vector<float> y;
  y.reserve(static_cast<size_t>(out.size()));
  for (int64_t o = 0; o < outer; ++o)
    for (const Tensor& t : inputs) {
      const std::vector<float>& v = cpuValues(t);
      int64_t chunk = t.shape()[axis] * inner;
      y.insert(y.end(), v.begin() + o * chunk, v.begin() + (o + 1) * chunk);
    }
  return cpuResult(ctx, std::move(y));
}

std::vector<Tensor> concatCpu(const OpContext& ctx, const AxisAttrs& attrs) {
  return {concatCpuImpl(ctx, ctx.inputs, concatAxis(ctx.op, specsOf(ctx.inputs), attrs))};
}

Tensor concatGlImpl(const std::string& op, std::vector<Tensor> inputs, int axis,
                    const TensorSpec& out) {
  // Empty inputs contribute nothing; more inputs than one pass can bind are merged in groups.
  std::erase_if(inputs, [](const Tensor& t) { return t.size() == 0; });
  if (inputs.size() == 1) return inputs[0];
  if (inputs.size() > kConcatInputsPerPass) {
    std::vector<Tensor> groups;
    for (size_t start = 0; start < inputs.size(); start += kConcatInputsPerPass) {
      std::vector<Tensor> group(inputs.begin() + static_cast<std::ptrdiff_t>(start),
                                inputs.begin() + static_cast<std::ptrdiff_t>(std::min(
                                                     inputs.size(), start + kConcatInputsPerPass)));
      Shape shape = group[0].shape();
      for (size_t i = 1; i < group.size(); ++i) shape[axis] += group[i].shape()[axis];
      groups.push_back(concatGlImpl(op, std::move(group), axis, {shape, out.dtype}));
    }
    return concatGlImpl(op, std::move(groups), axis, out);
  }
  int64_t inner = 1;
  for (int d = axis + 1; d < out.shape.rank(); ++d) inner *= out.shape[d];
  std::vector<int> offsets = {0};
  gl::Pass pass(static_cast<GlBackend&>(inputs[0].backend()), op,
                {gl::shaders::concat, gl::shaders::per_element});
  pass.define("CONCAT_INPUTS", static_cast<int64_t>(inputs.size()));
  for (size_t i = 0; i < inputs.size(); ++i) {
    pass.input(concat("X", i), inputs[i]);
    offsets.push_back(offsets.back() + gl::checkedInt(inputs[i].shape()[axis], op, "size"));
  }
  return pass.uniform("offsets", offsets)
      .uniform("inner", gl::checkedInt(inner, op, "inner size"))
      .run(out);
}

std::vector<Tensor> concatGl(const OpContext& ctx, const AxisAttrs& attrs) {
  int axis = concatAxis(ctx.op, specsOf(ctx.inputs), attrs);
  return {concatGlImpl(std::string(ctx.op), {ctx.inputs.begin(), ctx.inputs.end()}, axis,
                       ctx.outputs[0])};
}

std::vector<Tensor> concatGrad(const GradContext& c, const AxisAttrs& attrs) {
  int axis = normalizeAxis(attrs.axis, c.outputs[0].rank(), std::string(c.op));
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

// stack = expandDims of each input at `axis`, then concat.
int stackAxis(std::string_view op, std::span<const TensorSpec> in, const AxisAttrs& attrs) {
  for (size_t i = 1; i < in.size(); ++i)
    if (in[i].shape != in[0].shape || in[i].dtype != in[0].dtype)
      fail(op, ": input ", i, " is ", in[i].shape, " ", dtypeName(in[i].dtype), ", input 0 is ",
           in[0].shape, " ", dtypeName(in[0].dtype), "; stack needs equal shapes and dtypes");
  return normalizeAxis(attrs.axis, in[0].shape.rank() + 1, std::string(op));
}

Shape insertDim(const Shape& shape, int axis, int64_t size) {
  std::vector<int64_t> dims = shape.dims();
  dims.insert(dims.begin() + axis, size);
  return Shape(std::move(dims));
}

std::vector<TensorSpec> inferStack(std::string_view op, std::span<const TensorSpec> in,
                                   const AxisAttrs& attrs) {
  int axis = stackAxis(op, in, attrs);
  return {{insertDim(in[0].shape, axis, static_cast<int64_t>(in.size())), in[0].dtype}};
}

// Compositions call ops through the public functions (not the kernels above) so that
// observers such as the gradient tape see every step.
std::vector<Tensor> stackKernel(const OpContext& ctx, const AxisAttrs& attrs) {
  int axis = stackAxis(ctx.op, specsOf(ctx.inputs), attrs);
  std::vector<Tensor> expanded;
  for (const Tensor& t : ctx.inputs)
    expanded.push_back(reshape(t, insertDim(t.shape(), axis, 1).dims()));
  return {concat(expanded, axis)};
}

// ---- unstack and split ----

// The sizes along the split axis of split's (or unstack's, unit sizes) outputs.
std::vector<int64_t> splitSizes(std::string_view op, const Shape& x, const SplitAttrs& attrs,
                                int& axis) {
  if (x.rank() == 0) fail(op, ": cannot split a scalar");
  axis = normalizeAxis(attrs.axis, x.rank(), std::string(op));
  int64_t n = x[axis];
  if (attrs.numSplits) {
    int64_t parts = *attrs.numSplits;
    if (parts < 1 || n % parts != 0)
      fail(op, ": numSplits ", parts, " does not divide dimension ", axis, " of ", x, " (", n, ")");
    return std::vector<int64_t>(static_cast<size_t>(parts), n / parts);
  }
  std::vector<int64_t> sizes = *attrs.sizes;
  int inferred = -1;
  int64_t known = 0;
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i] == -1 && inferred < 0) {
      inferred = static_cast<int>(i);
    } else if (sizes[i] < 0) {
      fail(op, ": sizes ", Shape(sizes), " may hold one -1 and otherwise sizes >= 0");
    } else {
      known += sizes[i];
    }
  }
  if (inferred >= 0 && known <= n) sizes[static_cast<size_t>(inferred)] = n - known;
  if (std::accumulate(sizes.begin(), sizes.end(), int64_t{0}) != n || sizes.empty())
    fail(op, ": sizes ", Shape(sizes), " do not add up to dimension ", axis, " of ", x, " (", n,
         ")");
  return sizes;
}

// unstack is split into unit sizes with the axis dropped.
SplitAttrs asSplit(std::string_view op, const Shape& x, const AxisAttrs& attrs) {
  int64_t n = x.rank() == 0 ? 0 : x[normalizeAxis(attrs.axis, x.rank(), std::string(op))];
  return {std::nullopt, std::vector<int64_t>(static_cast<size_t>(n), 1), attrs.axis};
}

std::vector<TensorSpec> splitSpecs(std::string_view op, std::span<const TensorSpec> in,
                                   const SplitAttrs& attrs, bool dropAxis) {
  int axis = 0;
  std::vector<TensorSpec> outs;
  for (int64_t size : splitSizes(op, in[0].shape, attrs, axis)) {
    Shape s = in[0].shape;
    s[axis] = size;
    if (dropAxis) {
      std::vector<bool> drop(static_cast<size_t>(s.rank()), false);
      drop[static_cast<size_t>(axis)] = true;
      s = withoutDims(s, drop);
    }
    outs.push_back({s, in[0].dtype});
  }
  return outs;
}

std::vector<Tensor> splitOutputs(const OpContext& ctx, const SplitAttrs& attrs) {
  const Tensor& x = ctx.inputs[0];
  int axis = 0;
  std::vector<int64_t> sizes = splitSizes(ctx.op, x.shape(), attrs, axis);
  std::vector<Tensor> outs;
  int64_t offset = 0;
  for (size_t i = 0; i < sizes.size(); ++i) {
    std::vector<int64_t> begin(static_cast<size_t>(x.rank()), 0);
    std::vector<int64_t> size = x.shape().dims();
    begin[static_cast<size_t>(axis)] = offset;
    size[static_cast<size_t>(axis)] = sizes[i];
    offset += sizes[i];
    outs.push_back(reshape(slice(x, begin, size), ctx.outputs[i].shape.dims()));
  }
  return outs;
}

// ---- expandDims and squeeze (views) ----

std::vector<TensorSpec> inferExpandDims(std::string_view op, std::span<const TensorSpec> in,
                                        const AxisAttrs& attrs) {
  int axis = normalizeAxis(attrs.axis, in[0].shape.rank() + 1, std::string(op));
  return {{insertDim(in[0].shape, axis, 1), in[0].dtype}};
}

std::vector<TensorSpec> inferSqueeze(std::string_view op, std::span<const TensorSpec> in,
                                     const SqueezeAttrs& attrs) {
  const Shape& x = in[0].shape;
  std::vector<bool> drop(static_cast<size_t>(x.rank()), false);
  if (!attrs.axes) {
    for (int d = 0; d < x.rank(); ++d) drop[static_cast<size_t>(d)] = x[d] == 1;
  } else {
    for (int a : *attrs.axes) {
      int axis = normalizeAxis(a, x.rank(), std::string(op));
      if (x[axis] != 1) fail(op, ": dimension ", axis, " of ", x, " is ", x[axis], ", not 1");
      drop[static_cast<size_t>(axis)] = true;
    }
  }
  return {{withoutDims(x, drop), in[0].dtype}};
}

template <typename A>
std::vector<Tensor> viewKernel(const OpContext& ctx, const A&) {
  return {reshape(ctx.inputs[0], ctx.outputs[0].shape.dims())};
}

// ---- gather ----

std::vector<TensorSpec> inferGather(std::string_view op, std::span<const TensorSpec> in,
                                    const AxisAttrs& attrs) {
  if (in[1].dtype != DType::Int32)
    fail(op, ": indices have dtype ", dtypeName(in[1].dtype), ", expected int32");
  const Shape& x = in[0].shape;
  if (x.rank() == 0) fail(op, ": cannot gather from a scalar");
  int axis = normalizeAxis(attrs.axis, x.rank(), std::string(op));
  std::vector<int64_t> dims(x.dims().begin(), x.dims().begin() + axis);
  dims.insert(dims.end(), in[1].shape.dims().begin(), in[1].shape.dims().end());
  dims.insert(dims.end(), x.dims().begin() + axis + 1, x.dims().end());
  if (static_cast<int>(dims.size()) > kMaxRank)
    fail(op, ": output rank ", dims.size(), " exceeds ", kMaxRank);
  return {{Shape(std::move(dims)), in[0].dtype}};
}

struct GatherDims {
  int64_t outer = 1, axisSize = 1, inner = 1, indexCount = 1;
  int axis = 0;
};

// The table `x` viewed as [outer, axisSize, inner]; indices are input 1.
GatherDims gatherDims(const OpContext& ctx, const Shape& x, int axis) {
  GatherDims g;
  g.axis = normalizeAxis(axis, x.rank(), std::string(ctx.op));
  for (int d = 0; d < g.axis; ++d) g.outer *= x[d];
  for (int d = g.axis + 1; d < x.rank(); ++d) g.inner *= x[d];
  g.axisSize = x[g.axis];
  g.indexCount = ctx.inputs[1].size();
  return g;
}

// Calls fn(table element, gathered element) for every element that gather copies (and
// its gradient adds back); out-of-range indices are skipped.
template <typename Fn>
void forEachGathered(const GatherDims& g, const std::vector<float>& indices, Fn&& fn) {
  for (int64_t o = 0; o < g.outer; ++o)
    for (int64_t j = 0; j < g.indexCount; ++j) {
      auto index = static_cast<int64_t>(indices[static_cast<size_t>(j)]);
      if (index < 0 || index >= g.axisSize) continue;
      for (int64_t r = 0; r < g.inner; ++r)
        fn(static_cast<size_t>((o * g.axisSize + index) * g.inner + r),
           static_cast<size_t>((o * g.indexCount + j) * g.inner + r));
    }
}

// The gather geometry's uniforms (glsl/gather.glsl, glsl/gather_grad.glsl).
gl::Pass& gatherUniforms(gl::Pass& pass, const GatherDims& g, const std::string& op) {
  return pass.uniform("axisSize", gl::checkedInt(g.axisSize, op, "axis size"))
      .uniform("inner", gl::checkedInt(g.inner, op, "inner size"))
      .uniform("indexCount", gl::checkedInt(g.indexCount, op, "index count"));
}

std::vector<Tensor> gatherCpu(const OpContext& ctx, const AxisAttrs& attrs) {
  GatherDims g = gatherDims(ctx, ctx.inputs[0].shape(), attrs.axis);
  const std::vector<float>& x = cpuValues(ctx.inputs[0]);
  std::vector<float> y(static_cast<size_t>(ctx.outputs[0].shape.size()), 0.0f);
  forEachGathered(g, cpuValues(ctx.inputs[1]), [&](size_t from, size_t to) { y[to] = x[from]; });
  return {cpuResult(ctx, std::move(y))};
}

std::vector<Tensor> gatherGl(const OpContext& ctx, const AxisAttrs& attrs) {
  GatherDims g = gatherDims(ctx, ctx.inputs[0].shape(), attrs.axis);
  std::string op(ctx.op);
  auto& backend = static_cast<GlBackend&>(ctx.backend);
  // Gathering along the second-to-last axis copies whole texels; otherwise one element
  // at a time (glsl/per_element.glsl).
  bool rows = g.axis == ctx.inputs[0].rank() - 2;
  gl::Pass pass = rows ? gl::Pass(backend, op, {gl::shaders::gather})
                       : gl::Pass(backend, op, {gl::shaders::gather, gl::shaders::per_element});
  pass.define("GATHER_ROWS", rows ? 1 : 0).input("X", ctx.inputs[0]).input("IDX", ctx.inputs[1]);
  return {gatherUniforms(pass, g, op).run(ctx.outputs[0])};
}

// gather(x, indices) along axis 0 from a split x: each chunk gathers the indices that
// fall inside it (the others give 0) and the partial results are added. (The real case:
// a word-embedding table bigger than one texture.)
std::optional<std::vector<Tensor>> gatherSplit(const OpContext& ctx, const AxisAttrs& attrs) {
  const Tensor& x = ctx.inputs[0];
  const Tensor& indices = ctx.inputs[1];
  auto& backend = static_cast<GlBackend&>(ctx.backend);
  if (!gl::isSplit(x) || gl::isSplit(indices) || attrs.axis != 0 ||
      !gl::fitsOneTexture(ctx.outputs[0].shape, backend.maxTextureSize()))
    return std::nullopt;
  const GlSplitStorage& split = gl::splitStorage(x);
  Tensor total;
  for (size_t k = 0; k < split.chunks().size(); ++k) {
    std::vector<int32_t> offset = {static_cast<int32_t>(k * split.rowsPerChunk())};
    Tensor part = gather(split.chunks()[k], sub(indices, tensorInt32(backend, Shape{}, offset)), 0);
    total = total.defined() ? add(total, part) : part;
  }
  return std::vector<Tensor>{total};
}

// gatherGrad(dy, indices): the gradient of gather(x, indices, axis) with respect to x,
// whose shape is xShape (a scatter-add; out-of-range indices add nothing).
struct GatherGradAttrs {
  int axis = 0;
  std::vector<int64_t> xShape;
  static constexpr auto fields() {
    return attrFields(field("axis", &GatherGradAttrs::axis),
                      requiredField("xShape", &GatherGradAttrs::xShape));
  }
};

std::vector<TensorSpec> inferGatherGrad(std::string_view op, std::span<const TensorSpec> in,
                                        const GatherGradAttrs& attrs) {
  Shape x(attrs.xShape);
  validateShape(x, std::string(op));
  std::vector<TensorSpec> forward =
      inferGather(op, std::vector<TensorSpec>{{x}, in[1]}, AxisAttrs{attrs.axis});
  if (in[0].dtype != DType::Float32 || in[0].shape != forward[0].shape)
    fail(op, ": dy ", in[0].shape, " is not gather's output ", forward[0].shape);
  return {{x, DType::Float32}};
}

std::vector<Tensor> gatherGradCpu(const OpContext& ctx, const GatherGradAttrs& attrs) {
  GatherDims g = gatherDims(ctx, Shape(attrs.xShape), attrs.axis);
  const std::vector<float>& dy = cpuValues(ctx.inputs[0]);
  std::vector<double> dx(static_cast<size_t>(ctx.outputs[0].shape.size()), 0.0);
  forEachGathered(g, cpuValues(ctx.inputs[1]), [&](size_t to, size_t from) { dx[to] += dy[from]; });
  return {cpuResult(ctx, std::vector<float>(dx.begin(), dx.end()))};
}

// A fragment pass writes only its own texel, so the scatter-add is turned into a gather:
// the indices are sorted with their positions (a bitonic sort: log2(P) (log2(P) + 1) / 2
// passes over P = the next power of two >= indexCount rows of (index, position)), then each
// table element binary-searches its run of equal indices and sums their dy. The work is
// the size of dy, not table x indices (the Embedding of a 20,000-word table over 20,000
// ids was 4e8 loop steps per table column). The keys stay float32 even in half-float
// mode: indices and positions must be exact.
std::vector<Tensor> gatherGradGl(const OpContext& ctx, const GatherGradAttrs& attrs) {
  GatherDims g = gatherDims(ctx, Shape(attrs.xShape), attrs.axis);
  std::string op(ctx.op);
  auto& backend = static_cast<GlBackend&>(ctx.backend);
  if (g.indexCount == 0) return {zeros(backend, ctx.outputs[0].shape)};
  int indexCount = gl::checkedInt(g.indexCount, op, "index count");
  int levels = 0;
  while ((int64_t{1} << levels) < g.indexCount) ++levels;
  // Per output element: two binary searches and at most every index in its run (all of
  // them when the indices are all equal); four elements per texel unless whole texels.
  bool rows = g.axis == static_cast<int>(attrs.xShape.size()) - 2;
  gl::checkLoop((rows ? 1 : 4) * (g.indexCount + 2 * (levels + 1)), op, "this many indices");
  TensorSpec keys{Shape{int64_t{1} << levels, 2}, DType::Float32};
  gl::Pass init(backend, op, {gl::shaders::gather_grad_sort});
  init.define("SORT_INIT", 1)
      .input("IDX", ctx.inputs[1])
      .uniform("axisSize", gl::checkedInt(g.axisSize, op, "axis size"))
      .uniform("indexCount", indexCount);
  Tensor sorted = init.run(keys, /*fullPrecision=*/true);
  for (int block = 2; block <= (1 << levels); block <<= 1)
    for (int stride = block / 2; stride > 0; stride /= 2) {
      gl::Pass step(backend, op, {gl::shaders::gather_grad_sort});
      step.define("SORT_INIT", 0)
          .input("KEYS", sorted)
          .uniform("blockSize", block)
          .uniform("stride", stride);
      sorted = step.run(keys, /*fullPrecision=*/true);
    }
  gl::Pass pass = rows
                      ? gl::Pass(backend, op, {gl::shaders::gather_grad})
                      : gl::Pass(backend, op, {gl::shaders::gather_grad, gl::shaders::per_element});
  pass.define("GATHER_ROWS", rows ? 1 : 0).input("DY", ctx.inputs[0]).input("SORTED", sorted);
  return {gatherUniforms(pass, g, op).run(ctx.outputs[0])};
}

// ---- oneHot ----

std::vector<TensorSpec> inferOneHot(std::string_view op, std::span<const TensorSpec> in,
                                    const OneHotAttrs& attrs) {
  if (in[0].dtype != DType::Int32)
    fail(op, ": indices have dtype ", dtypeName(in[0].dtype), ", expected int32");
  return {{insertDim(in[0].shape, in[0].shape.rank(), attrs.depth), attrs.dtype}};
}

// The on and off values as the output dtype stores them.
std::pair<float, float> oneHotValues(const OneHotAttrs& attrs) {
  auto as = [&](float v) {
    if (attrs.dtype == DType::Int32) return std::trunc(v);
    if (attrs.dtype == DType::Bool) return v != 0.0f ? 1.0f : 0.0f;
    return v;
  };
  return {as(attrs.onValue), as(attrs.offValue)};
}

std::vector<Tensor> oneHotCpu(const OpContext& ctx, const OneHotAttrs& attrs) {
  auto [on, off] = oneHotValues(attrs);
  std::vector<float> y;
  for (float index : cpuValues(ctx.inputs[0]))
    for (int64_t j = 0; j < attrs.depth; ++j)
      y.push_back(static_cast<int64_t>(index) == j ? on : off);
  return {cpuResult(ctx, std::move(y))};
}

std::vector<Tensor> oneHotGl(const OpContext& ctx, const OneHotAttrs& attrs) {
  auto [on, off] = oneHotValues(attrs);
  return {
      gl::Pass(static_cast<GlBackend&>(ctx.backend), std::string(ctx.op), {gl::shaders::one_hot})
          .input("IDX", ctx.inputs[0])
          .uniform("onValue", on)
          .uniform("offValue", off)
          .run(ctx.outputs[0])};
}

// ---- cast ----

// Casting to int32 truncates toward zero; NaN becomes 0 and values beyond the exactly
// storable range saturate at +-(2^24 - 1) (docs/ARCHITECTURE.md, "dtypes").
constexpr float kInt32Limit = 16777215.0f;

std::vector<TensorSpec> inferCast(std::string_view, std::span<const TensorSpec> in,
                                  const CastAttrs& attrs) {
  return {{in[0].shape, attrs.dtype}};
}

// Casts that leave the stored values unchanged share the input's storage.
bool castIsView(DType from, DType to) {
  return from == to || to == DType::Float32 || (from == DType::Bool && to == DType::Int32);
}

std::vector<Tensor> castCpu(const OpContext& ctx, const CastAttrs&) {
  const Tensor& x = ctx.inputs[0];
  DType to = ctx.outputs[0].dtype;
  if (castIsView(x.dtype(), to)) return {Tensor(x.backendPtr(), x.shape(), to, x.storage())};
  std::vector<float> y = cpuValues(x);
  for (float& v : y) {
    if (to == DType::Bool)
      v = v != 0.0f ? 1.0f : 0.0f;  // NaN is true
    else
      v = std::isnan(v) ? 0.0f : std::clamp(std::trunc(v), -kInt32Limit, kInt32Limit);
  }
  return {cpuResult(ctx, std::move(y))};
}

std::vector<Tensor> castGl(const OpContext& ctx, const CastAttrs&) {
  const Tensor& x = ctx.inputs[0];
  DType to = ctx.outputs[0].dtype;
  if (castIsView(x.dtype(), to)) return {Tensor(x.backendPtr(), x.shape(), to, x.storage())};
  std::string expression =
      to == DType::Bool ? "compare4(notEqual(x, vec4(0.0)), x, vec4(0.0), true)"
                        : "mix(clamp(trunc(x), -16777215.0, 16777215.0), vec4(0.0), isNan4(x))";
  return {gl::Pass(static_cast<GlBackend&>(ctx.backend), std::string(ctx.op), {gl::shaders::unary})
              .define("UNARY_OP(x)", expression)
              .define("NAN_PASSTHROUGH", 0)
              .input("X", x)
              .run(ctx.outputs[0])};
}

// ---- gradients ----

std::vector<Tensor> reverseGrad(const GradContext& c, const ReverseAttrs& attrs) {
  return {runOp1(c.op, {c.outputGrads[0]}, attrs)};
}

std::vector<Tensor> tileGrad(const GradContext& c, const TileAttrs& attrs) {
  // Sum the copies one dimension at a time: view dy as [outer, reps, n * inner].
  const Shape& x = c.inputs[0].shape();
  Tensor g = c.outputGrads[0];
  std::vector<int64_t> dims = g.shape().dims();
  for (int d = 0; d < x.rank(); ++d) {
    int64_t reps = attrs.reps[static_cast<size_t>(d)];
    if (reps == 1) continue;
    int64_t outer = 1, inner = 1;
    for (int k = 0; k < d; ++k) outer *= dims[static_cast<size_t>(k)];
    for (int k = d + 1; k < x.rank(); ++k) inner *= dims[static_cast<size_t>(k)];
    g = sum(reshape(g, {outer, reps, x[d] * inner}), std::vector<int>{1});
    dims[static_cast<size_t>(d)] = x[d];
    g = reshape(g, dims);
  }
  return {g};
}

std::vector<Tensor> gatherGrad(const GradContext& c, const AxisAttrs& attrs) {
  return {runOp1("gatherGrad", {c.outputGrads[0], c.inputs[1]},
                 GatherGradAttrs{attrs.axis, c.inputs[0].shape().dims()}),
          Tensor()};
}

std::vector<Tensor> castGrad(const GradContext& c, const CastAttrs&) {
  // Only float -> float casts carry a gradient (others have integer or bool inputs).
  return {c.outputs[0].dtype() == DType::Float32 ? c.outputGrads[0] : Tensor()};
}

}  // namespace

Tensor ops::scatterAddFlat(const Tensor& dy, const Tensor& flatIndices, const Shape& shape) {
  Tensor dx = runOp1("gatherGrad", {reshape(dy, {dy.size(), 1}), flatIndices},
                     GatherGradAttrs{0, {shape.size(), 1}});
  return reshape(dx, shape.dims());
}

std::vector<Tensor> ops::indexMapGrad(const GradContext& c) {
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

void StridedSliceAttrs::validate(std::string_view op) const {
  if (ellipsisMask != 0 || newAxisMask != 0)
    fail(op, ": ellipsisMask and newAxisMask are not supported (use expandDims)");
}

void SplitAttrs::validate(std::string_view op) const {
  if (numSplits.has_value() == sizes.has_value()) fail(op, ": give either numSplits or sizes");
}

void OneHotAttrs::validate(std::string_view op) const {
  if (depth < 1) fail(op, ": depth must be >= 1, got ", depth);
}

// A row of this family: data movement keeps its input's dtype, whatever it is.
template <typename A>
OpRow<A> movementRow(OpList& ops, std::string_view name) {
  OpRow<A> row = ops.add<A>(name, "movement");
  row.dtypes(DTypes::any());
  return row;
}

void registerMovementOps(OpList& ops) {
  constexpr int kManyInputs = 1 << 16;
  movementRow<SliceAttrs>(ops, "slice")
      .infer(inferSlice<SliceAttrs>)
      .kernels(sliceCpu<SliceAttrs>, sliceGl<SliceAttrs>)
      .gradient(sliceGrad);
  movementRow<StridedSliceAttrs>(ops, "stridedSlice")
      .infer(inferSlice<StridedSliceAttrs>)
      .kernels(sliceCpu<StridedSliceAttrs>, sliceGl<StridedSliceAttrs>)
      .gradient(
          [](const GradContext& c, const StridedSliceAttrs&) { return ops::indexMapGrad(c); });
  movementRow<ReverseAttrs>(ops, "reverse")
      .infer(inferReverse)
      .kernels(reverseCpu, reverseGl)
      .gradient(reverseGrad);
  movementRow<TileAttrs>(ops, "tile").infer(inferTile).kernels(tileCpu, tileGl).gradient(tileGrad);
  movementRow<PadAttrs>(ops, "pad").infer(inferPad).kernels(padCpu, padGl).gradient(padGrad);
  movementRow<BroadcastToAttrs>(ops, "broadcastTo")
      .infer(inferBroadcastTo)
      .kernels(broadcastToCpu, broadcastToGl)
      .gradient([](const GradContext& c, const BroadcastToAttrs&) {
        return std::vector<Tensor>{ops::unbroadcast(c.outputGrads[0], c.inputs[0].shape())};
      });
  movementRow<AxisAttrs>(ops, "concat")
      .inputs(1, kManyInputs)
      .infer(inferConcat)
      .kernels(concatCpu, concatGl)
      .gradient(concatGrad);
  movementRow<AxisAttrs>(ops, "gather")
      .inputs(2, 2)
      .infer(inferGather)
      .kernels(gatherCpu, gatherGl)
      .splitKernel(gatherSplit, "along axis 0 from a split table")
      .gradient(gatherGrad);
  ops.add<GatherGradAttrs>("gatherGrad", "movement")
      .inputs(2, 2)
      .infer(inferGatherGrad)
      .kernels(gatherGradCpu, gatherGradGl)
      .noGradient("a gradient helper (second derivatives through it are not supported)");
  ops.add<OneHotAttrs>("oneHot", "movement")
      .dtypes(DTypes{false, true, false})
      .infer(inferOneHot)
      .kernels(oneHotCpu, oneHotGl)
      .noGradient("its input is integer indices");
  movementRow<CastAttrs>(ops, "cast")
      .infer(inferCast)
      .kernels(castCpu, castGl)
      .splitKernel(ops::splitRowwise<CastAttrs>(), ops::kRowwiseSplit)
      .gradient(castGrad);
  // Compositions of the ops above: one kernel serves both backends.
  movementRow<AxisAttrs>(ops, "stack")
      .inputs(1, kManyInputs)
      .infer(inferStack)
      .composite(stackKernel);
  movementRow<AxisAttrs>(ops, "unstack")
      .infer([](std::string_view op, std::span<const TensorSpec> in, const AxisAttrs& a) {
        return splitSpecs(op, in, asSplit(op, in[0].shape, a), true);
      })
      .composite([](const OpContext& ctx, const AxisAttrs& a) {
        return splitOutputs(ctx, asSplit(ctx.op, ctx.inputs[0].shape(), a));
      });
  movementRow<SplitAttrs>(ops, "split")
      .infer([](std::string_view op, std::span<const TensorSpec> in, const SplitAttrs& a) {
        return splitSpecs(op, in, a, false);
      })
      .composite(splitOutputs);
  movementRow<AxisAttrs>(ops, "expandDims").infer(inferExpandDims).composite(viewKernel<AxisAttrs>);
  movementRow<SqueezeAttrs>(ops, "squeeze").infer(inferSqueeze).composite(viewKernel<SqueezeAttrs>);
}

// ---- public API ----

Tensor slice(const Tensor& x, const std::vector<int64_t>& begin,
             std::optional<std::vector<int64_t>> size) {
  return runOp1("slice", {x}, SliceAttrs{begin, std::move(size)});
}

Tensor stridedSlice(const Tensor& x, std::vector<int64_t> begin, std::vector<int64_t> end,
                    StridedSliceAttrs attrs) {
  attrs.begin = std::move(begin);
  attrs.end = std::move(end);
  return runOp1("stridedSlice", {x}, attrs);
}

Tensor reverse(const Tensor& x, std::optional<std::vector<int>> axes) {
  return runOp1("reverse", {x}, ReverseAttrs{std::move(axes)});
}

Tensor tile(const Tensor& x, const std::vector<int64_t>& reps) {
  return runOp1("tile", {x}, TileAttrs{reps});
}

namespace {
std::vector<int64_t> flatPaddings(const std::vector<std::array<int64_t, 2>>& paddings) {
  std::vector<int64_t> flat;
  for (auto [before, after] : paddings) flat.insert(flat.end(), {before, after});
  return flat;
}
}  // namespace

Tensor pad(const Tensor& x, const std::vector<std::array<int64_t, 2>>& paddings,
           float constantValue) {
  return runOp1("pad", {x}, PadAttrs{flatPaddings(paddings), PadMode::Constant, constantValue});
}

Tensor mirrorPad(const Tensor& x, const std::vector<std::array<int64_t, 2>>& paddings,
                 PadMode mode) {
  if (mode == PadMode::Constant) fail("mirrorPad: mode must be reflect or symmetric");
  return runOp1("pad", {x}, PadAttrs{flatPaddings(paddings), mode, 0.0f});
}

Tensor broadcastTo(const Tensor& x, const std::vector<int64_t>& shape) {
  return runOp1("broadcastTo", {x}, BroadcastToAttrs{shape});
}

Tensor concat(const std::vector<Tensor>& xs, int axis) {
  return runOp1("concat", xs, AxisAttrs{axis});
}

Tensor stack(const std::vector<Tensor>& xs, int axis) {
  return runOp1("stack", xs, AxisAttrs{axis});
}

std::vector<Tensor> unstack(const Tensor& x, int axis) {
  return runOp("unstack", std::span<const Tensor>(&x, 1), AxisAttrs{axis});
}

std::vector<Tensor> split(const Tensor& x, int numSplits, int axis) {
  return runOp("split", std::span<const Tensor>(&x, 1), SplitAttrs{numSplits, std::nullopt, axis});
}

std::vector<Tensor> split(const Tensor& x, const std::vector<int64_t>& sizes, int axis) {
  return runOp("split", std::span<const Tensor>(&x, 1), SplitAttrs{std::nullopt, sizes, axis});
}

Tensor expandDims(const Tensor& x, int axis) {
  return runOp1("expandDims", {x}, AxisAttrs{axis});
}

Tensor squeeze(const Tensor& x, std::optional<std::vector<int>> axes) {
  return runOp1("squeeze", {x}, SqueezeAttrs{std::move(axes)});
}

Tensor gather(const Tensor& x, const Tensor& indices, int axis) {
  return runOp1("gather", {x, indices}, AxisAttrs{axis});
}

Tensor oneHot(const Tensor& indices, int depth, float onValue, float offValue, DType dtype) {
  return runOp1("oneHot", {indices}, OneHotAttrs{depth, onValue, offValue, dtype});
}

Tensor cast(const Tensor& x, DType dtype) {
  return runOp1("cast", {x}, CastAttrs{dtype});
}

}  // namespace texel
