// Data movement: slice, stridedSlice, reverse, tile, pad, broadcastTo (one index-map
// kernel on GL), concat, gather, oneHot, cast, and the views and compositions built on
// them: expandDims, squeeze, stack, unstack, split. Every op keeps its input's dtype
// unless it says otherwise.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "engine/cpu/cpu_backend.h"
#include "engine/gl/gl_pass.h"
#include "engine/ops/gl_helpers.h"
#include "engine/ops/op_util.h"
#include "engine/ops/ops.h"

namespace texel {
namespace {

// ---- shared helpers ----

std::vector<int64_t> intsOr(const Attrs& attrs, const char* key, std::vector<int64_t> fallback,
                            std::string_view op) {
  return attrs.getIntsOr(key, std::move(fallback), op);
}

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
  return gl::Pass(backend, op, {"index_map"})
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

Window sliceWindow(std::string_view op, const Shape& x, const Attrs& attrs) {
  std::vector<int64_t> begin = attrs.getInts("begin", op);
  std::vector<int64_t> size = intsOr(attrs, "size", std::vector<int64_t>(begin.size(), -1), op);
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

Window stridedWindow(std::string_view op, const Shape& x, const Attrs& attrs) {
  int rank = x.rank();
  std::vector<int64_t> begin = attrs.getInts("begin", op);
  std::vector<int64_t> end = attrs.getInts("end", op);
  std::vector<int64_t> strides =
      intsOr(attrs, "strides", std::vector<int64_t>(begin.size(), 1), op);
  int64_t beginMask = attrs.getIntOr("beginMask", 0, op);
  int64_t endMask = attrs.getIntOr("endMask", 0, op);
  int64_t shrinkMask = attrs.getIntOr("shrinkAxisMask", 0, op);
  if (attrs.getIntOr("ellipsisMask", 0, op) != 0 || attrs.getIntOr("newAxisMask", 0, op) != 0)
    fail(op, ": ellipsisMask and newAxisMask are not supported (use expandDims)");
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

Window windowFor(std::string_view op, const Shape& x, const Attrs& attrs) {
  return op == "slice" ? sliceWindow(op, x, attrs) : stridedWindow(op, x, attrs);
}

std::vector<TensorSpec> inferSlice(std::string_view op, std::span<const TensorSpec> in,
                                   const Attrs& attrs) {
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

std::vector<Tensor> sliceCpu(const OpContext& ctx) {
  return {windowCpu(ctx, windowFor(ctx.op, ctx.inputs[0].shape(), ctx.attrs))};
}

std::vector<Tensor> sliceGl(const OpContext& ctx) {
  return {windowGl(std::string(ctx.op), ctx.inputs[0],
                   windowFor(ctx.op, ctx.inputs[0].shape(), ctx.attrs))};
}

// Slice on either backend, for the compositions below.
Tensor sliceAny(const Tensor& x, std::vector<int64_t> begin, std::vector<int64_t> size) {
  Attrs attrs;
  attrs.setInts("begin", std::move(begin)).setInts("size", std::move(size));
  return runOp1("slice", {x}, attrs);
}

// ---- reverse ----

std::vector<int> reverseAxes(std::string_view op, const Shape& x, const Attrs& attrs) {
  std::vector<int64_t> all(static_cast<size_t>(x.rank()));
  std::iota(all.begin(), all.end(), 0);
  std::vector<int> axes;
  std::vector<bool> seen(static_cast<size_t>(x.rank()), false);
  for (int64_t a : intsOr(attrs, "axes", all, op)) {
    int axis = normalizeAxis(static_cast<int>(a), x.rank(), std::string(op));
    if (seen[static_cast<size_t>(axis)]) fail(op, ": axis ", a, " is listed twice");
    seen[static_cast<size_t>(axis)] = true;
    axes.push_back(axis);
  }
  return axes;
}

std::vector<TensorSpec> inferSameShape(std::string_view op, std::span<const TensorSpec> in,
                                       const Attrs& attrs) {
  reverseAxes(op, in[0].shape, attrs);
  return {in[0]};
}

std::vector<Tensor> reverseCpu(const OpContext& ctx) {
  const Shape& shape = ctx.inputs[0].shape();
  std::vector<bool> flip(static_cast<size_t>(shape.rank()), false);
  for (int a : reverseAxes(ctx.op, shape, ctx.attrs)) flip[static_cast<size_t>(a)] = true;
  return {cpuResult(ctx, mapCpu(ctx.inputs[0], shape, 0.0f,
                                [&](const std::vector<int64_t>& out, std::vector<int64_t>& in) {
                                  for (size_t d = 0; d < out.size(); ++d)
                                    in[d] =
                                        flip[d] ? shape[static_cast<int>(d)] - 1 - out[d] : out[d];
                                  return true;
                                }))};
}

std::vector<Tensor> reverseGl(const OpContext& ctx) {
  const Shape& shape = ctx.inputs[0].shape();
  std::vector<DimMap> map(static_cast<size_t>(shape.rank()));
  for (int a : reverseAxes(ctx.op, shape, ctx.attrs))
    map[static_cast<size_t>(a)] = {shape[a] - 1, -1};
  return {indexMapGl(std::string(ctx.op), ctx.inputs[0], ctx.outputs[0], map)};
}

// ---- tile ----

std::vector<int64_t> tileReps(std::string_view op, const Shape& x, const Attrs& attrs) {
  std::vector<int64_t> reps = attrs.getInts("reps", op);
  if (static_cast<int>(reps.size()) != x.rank())
    fail(op, ": reps ", Shape(reps), " needs one entry per dimension of ", x);
  for (int64_t r : reps)
    if (r < 0) fail(op, ": reps ", Shape(reps), " has a negative entry");
  return reps;
}

std::vector<TensorSpec> inferTile(std::string_view op, std::span<const TensorSpec> in,
                                  const Attrs& attrs) {
  std::vector<int64_t> reps = tileReps(op, in[0].shape, attrs);
  std::vector<int64_t> dims = in[0].shape.dims();
  for (size_t d = 0; d < dims.size(); ++d) dims[d] *= reps[d];
  return {{Shape(std::move(dims)), in[0].dtype}};
}

std::vector<Tensor> tileCpu(const OpContext& ctx) {
  const Shape& shape = ctx.inputs[0].shape();
  return {cpuResult(ctx, mapCpu(ctx.inputs[0], ctx.outputs[0].shape, 0.0f,
                                [&](const std::vector<int64_t>& out, std::vector<int64_t>& in) {
                                  for (size_t d = 0; d < out.size(); ++d)
                                    in[d] = out[d] % shape[static_cast<int>(d)];
                                  return true;
                                }))};
}

std::vector<Tensor> tileGl(const OpContext& ctx) {
  std::vector<DimMap> map(static_cast<size_t>(ctx.inputs[0].rank()), DimMap{0, 1, MapMode::Modulo});
  return {indexMapGl(std::string(ctx.op), ctx.inputs[0], ctx.outputs[0], map)};
}

// ---- pad ----

struct Padding {
  std::vector<int64_t> before, after;
  MapMode mode = MapMode::Constant;
  float value = 0.0f;
};

Padding paddingOf(std::string_view op, const Shape& x, const Attrs& attrs) {
  std::vector<int64_t> flat = attrs.getInts("paddings", op);
  if (static_cast<int>(flat.size()) != 2 * x.rank())
    fail(op, ": paddings needs [before, after] for each of the ", x.rank(), " dimensions of ", x,
         ", got ", flat.size(), " values");
  std::string mode = attrs.getStringOr("mode", "constant", op);
  Padding p;
  p.value = static_cast<float>(attrs.getFloatOr("constantValue", 0.0, op));
  if (mode == "reflect")
    p.mode = MapMode::Reflect;
  else if (mode == "symmetric")
    p.mode = MapMode::Symmetric;
  else if (mode != "constant")
    fail(op, ": mode must be 'constant', 'reflect' or 'symmetric', got '", mode, "'");
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
                                 const Attrs& attrs) {
  Padding p = paddingOf(op, in[0].shape, attrs);
  std::vector<int64_t> dims = in[0].shape.dims();
  for (size_t d = 0; d < dims.size(); ++d) dims[d] += p.before[d] + p.after[d];
  return {{Shape(std::move(dims)), in[0].dtype}};
}

std::vector<Tensor> padCpu(const OpContext& ctx) {
  const Shape& shape = ctx.inputs[0].shape();
  Padding p = paddingOf(ctx.op, shape, ctx.attrs);
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

std::vector<Tensor> padGl(const OpContext& ctx) {
  Padding p = paddingOf(ctx.op, ctx.inputs[0].shape(), ctx.attrs);
  std::vector<DimMap> map;
  for (int64_t b : p.before) map.push_back({-b, 1, p.mode});
  return {indexMapGl(std::string(ctx.op), ctx.inputs[0], ctx.outputs[0], map, p.value)};
}

// ---- broadcastTo ----

std::vector<TensorSpec> inferBroadcastTo(std::string_view op, std::span<const TensorSpec> in,
                                         const Attrs& attrs) {
  Shape target(attrs.getInts("shape", op));
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

std::vector<Tensor> broadcastToCpu(const OpContext& ctx) {
  Tensor x = alignedRank(ctx.inputs[0], ctx.outputs[0].shape.rank());
  const Shape& shape = x.shape();
  return {cpuResult(ctx, mapCpu(x, ctx.outputs[0].shape, 0.0f,
                                [&](const std::vector<int64_t>& out, std::vector<int64_t>& in) {
                                  for (size_t d = 0; d < out.size(); ++d)
                                    in[d] = shape[static_cast<int>(d)] == 1 ? 0 : out[d];
                                  return true;
                                }))};
}

std::vector<Tensor> broadcastToGl(const OpContext& ctx) {
  Tensor x = alignedRank(ctx.inputs[0], ctx.outputs[0].shape.rank());
  std::vector<DimMap> map;
  for (int64_t n : x.shape().dims()) map.push_back({0, n == 1 ? 0 : 1});
  return {indexMapGl(std::string(ctx.op), x, ctx.outputs[0], map)};
}

// ---- concat and stack ----

// Inputs per concat pass: well under the 16 samplers every GLES 3.0 fragment shader has.
constexpr size_t kConcatInputsPerPass = 8;

int concatAxis(std::string_view op, std::span<const TensorSpec> in, const Attrs& attrs) {
  const Shape& first = in[0].shape;
  if (first.rank() == 0) fail(op, ": cannot concatenate scalars (use stack)");
  int axis =
      normalizeAxis(static_cast<int>(attrs.getIntOr("axis", 0, op)), first.rank(), std::string(op));
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
                                    const Attrs& attrs) {
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

std::vector<Tensor> concatCpu(const OpContext& ctx) {
  return {concatCpuImpl(ctx, ctx.inputs, concatAxis(ctx.op, ops::specsOf(ctx.inputs), ctx.attrs))};
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
  gl::Pass pass(static_cast<GlBackend&>(inputs[0].backend()), op, {"concat", "per_element"});
  pass.define("CONCAT_INPUTS", static_cast<int64_t>(inputs.size()));
  for (size_t i = 0; i < inputs.size(); ++i) {
    pass.input(concat("X", i), inputs[i]);
    offsets.push_back(offsets.back() + gl::checkedInt(inputs[i].shape()[axis], op, "size"));
  }
  return pass.uniform("offsets", offsets)
      .uniform("inner", gl::checkedInt(inner, op, "inner size"))
      .run(out);
}

std::vector<Tensor> concatGl(const OpContext& ctx) {
  int axis = concatAxis(ctx.op, ops::specsOf(ctx.inputs), ctx.attrs);
  return {concatGlImpl(std::string(ctx.op), {ctx.inputs.begin(), ctx.inputs.end()}, axis,
                       ctx.outputs[0])};
}

// stack = expandDims of each input at `axis`, then concat.
int stackAxis(std::string_view op, std::span<const TensorSpec> in, const Attrs& attrs) {
  for (size_t i = 1; i < in.size(); ++i)
    if (in[i].shape != in[0].shape || in[i].dtype != in[0].dtype)
      fail(op, ": input ", i, " is ", in[i].shape, " ", dtypeName(in[i].dtype), ", input 0 is ",
           in[0].shape, " ", dtypeName(in[0].dtype), "; stack needs equal shapes and dtypes");
  return normalizeAxis(static_cast<int>(attrs.getIntOr("axis", 0, op)), in[0].shape.rank() + 1,
                       std::string(op));
}

Shape insertDim(const Shape& shape, int axis, int64_t size) {
  std::vector<int64_t> dims = shape.dims();
  dims.insert(dims.begin() + axis, size);
  return Shape(std::move(dims));
}

std::vector<TensorSpec> inferStack(std::string_view op, std::span<const TensorSpec> in,
                                   const Attrs& attrs) {
  int axis = stackAxis(op, in, attrs);
  return {{insertDim(in[0].shape, axis, static_cast<int64_t>(in.size())), in[0].dtype}};
}

// Compositions call ops through runOp (not the kernels above) so that observers such as
// the gradient tape see every step.
Tensor reshapeOp(const Tensor& x, const Shape& shape) {
  return runOp1("reshape", {x}, Attrs().setInts("shape", shape.dims()));
}

std::vector<Tensor> stackKernel(const OpContext& ctx) {
  int axis = stackAxis(ctx.op, ops::specsOf(ctx.inputs), ctx.attrs);
  std::vector<Tensor> expanded;
  for (const Tensor& t : ctx.inputs)
    expanded.push_back(reshapeOp(t, insertDim(t.shape(), axis, 1)));
  return {runOp1("concat", expanded, Attrs().setInt("axis", axis))};
}

// ---- unstack and split ----

std::vector<int64_t> splitSizes(std::string_view op, const Shape& x, const Attrs& attrs,
                                int& axis) {
  if (x.rank() == 0) fail(op, ": cannot split a scalar");
  axis = normalizeAxis(static_cast<int>(attrs.getIntOr("axis", 0, op)), x.rank(), std::string(op));
  int64_t n = x[axis];
  if (op == "unstack") return std::vector<int64_t>(static_cast<size_t>(n), 1);
  if (attrs.has("numSplits")) {
    int64_t parts = attrs.getInt("numSplits", op);
    if (parts < 1 || n % parts != 0)
      fail(op, ": numSplits ", parts, " does not divide dimension ", axis, " of ", x, " (", n, ")");
    return std::vector<int64_t>(static_cast<size_t>(parts), n / parts);
  }
  std::vector<int64_t> sizes = attrs.getInts("sizes", op);
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

std::vector<TensorSpec> inferSplit(std::string_view op, std::span<const TensorSpec> in,
                                   const Attrs& attrs) {
  int axis = 0;
  std::vector<TensorSpec> outs;
  for (int64_t size : splitSizes(op, in[0].shape, attrs, axis)) {
    Shape s = in[0].shape;
    s[axis] = size;
    if (op == "unstack") {
      std::vector<bool> drop(static_cast<size_t>(s.rank()), false);
      drop[static_cast<size_t>(axis)] = true;
      s = withoutDims(s, drop);
    }
    outs.push_back({s, in[0].dtype});
  }
  return outs;
}

std::vector<Tensor> splitKernel(const OpContext& ctx) {
  const Tensor& x = ctx.inputs[0];
  int axis = 0;
  std::vector<int64_t> sizes = splitSizes(ctx.op, x.shape(), ctx.attrs, axis);
  std::vector<Tensor> outs;
  int64_t offset = 0;
  for (size_t i = 0; i < sizes.size(); ++i) {
    std::vector<int64_t> begin(static_cast<size_t>(x.rank()), 0);
    std::vector<int64_t> size = x.shape().dims();
    begin[static_cast<size_t>(axis)] = offset;
    size[static_cast<size_t>(axis)] = sizes[i];
    offset += sizes[i];
    outs.push_back(reshapeOp(sliceAny(x, begin, size), ctx.outputs[i].shape));
  }
  return outs;
}

// ---- expandDims and squeeze (views) ----

std::vector<TensorSpec> inferExpandDims(std::string_view op, std::span<const TensorSpec> in,
                                        const Attrs& attrs) {
  int axis = normalizeAxis(static_cast<int>(attrs.getIntOr("axis", 0, op)), in[0].shape.rank() + 1,
                           std::string(op));
  return {{insertDim(in[0].shape, axis, 1), in[0].dtype}};
}

std::vector<TensorSpec> inferSqueeze(std::string_view op, std::span<const TensorSpec> in,
                                     const Attrs& attrs) {
  const Shape& x = in[0].shape;
  std::vector<bool> drop(static_cast<size_t>(x.rank()), false);
  if (!attrs.has("axes")) {
    for (int d = 0; d < x.rank(); ++d) drop[static_cast<size_t>(d)] = x[d] == 1;
  } else {
    for (int64_t a : attrs.getInts("axes", op)) {
      int axis = normalizeAxis(static_cast<int>(a), x.rank(), std::string(op));
      if (x[axis] != 1) fail(op, ": dimension ", axis, " of ", x, " is ", x[axis], ", not 1");
      drop[static_cast<size_t>(axis)] = true;
    }
  }
  return {{withoutDims(x, drop), in[0].dtype}};
}

std::vector<Tensor> viewKernel(const OpContext& ctx) {
  return {reshapeOp(ctx.inputs[0], ctx.outputs[0].shape)};
}

// ---- gather ----

std::vector<TensorSpec> inferGather(std::string_view op, std::span<const TensorSpec> in,
                                    const Attrs& attrs) {
  if (in[1].dtype != DType::Int32)
    fail(op, ": indices have dtype ", dtypeName(in[1].dtype), ", expected int32");
  const Shape& x = in[0].shape;
  if (x.rank() == 0) fail(op, ": cannot gather from a scalar");
  int axis =
      normalizeAxis(static_cast<int>(attrs.getIntOr("axis", 0, op)), x.rank(), std::string(op));
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
GatherDims gatherDims(const OpContext& ctx, const Shape& x) {
  GatherDims g;
  g.axis = normalizeAxis(static_cast<int>(ctx.attrs.getIntOr("axis", 0, ctx.op)), x.rank(),
                         std::string(ctx.op));
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

std::vector<Tensor> gatherCpu(const OpContext& ctx) {
  GatherDims g = gatherDims(ctx, ctx.inputs[0].shape());
  const std::vector<float>& x = cpuValues(ctx.inputs[0]);
  std::vector<float> y(static_cast<size_t>(ctx.outputs[0].shape.size()), 0.0f);
  forEachGathered(g, cpuValues(ctx.inputs[1]), [&](size_t from, size_t to) { y[to] = x[from]; });
  return {cpuResult(ctx, std::move(y))};
}

std::vector<Tensor> gatherGl(const OpContext& ctx) {
  GatherDims g = gatherDims(ctx, ctx.inputs[0].shape());
  std::string op(ctx.op);
  auto& backend = static_cast<GlBackend&>(ctx.backend);
  // Gathering along the second-to-last axis copies whole texels; otherwise one element
  // at a time (glsl/per_element.glsl).
  bool rows = g.axis == ctx.inputs[0].rank() - 2;
  gl::Pass pass =
      rows ? gl::Pass(backend, op, {"gather"}) : gl::Pass(backend, op, {"gather", "per_element"});
  pass.define("GATHER_ROWS", rows ? 1 : 0).input("X", ctx.inputs[0]).input("IDX", ctx.inputs[1]);
  return {gatherUniforms(pass, g, op).run(ctx.outputs[0])};
}

// gatherGrad(dy, indices): the gradient of gather(x, indices, axis) with respect to x,
// whose shape is the attribute xShape (a scatter-add; out-of-range indices add nothing).
std::vector<TensorSpec> inferGatherGrad(std::string_view op, std::span<const TensorSpec> in,
                                        const Attrs& attrs) {
  Shape x(attrs.getInts("xShape", op));
  std::vector<TensorSpec> forward = inferGather(op, std::vector<TensorSpec>{{x}, in[1]}, attrs);
  if (in[0].dtype != DType::Float32 || in[0].shape != forward[0].shape)
    fail(op, ": dy ", in[0].shape, " is not gather's output ", forward[0].shape);
  return {{x, DType::Float32}};
}

std::vector<Tensor> gatherGradCpu(const OpContext& ctx) {
  GatherDims g = gatherDims(ctx, Shape(ctx.attrs.getInts("xShape", ctx.op)));
  const std::vector<float>& dy = cpuValues(ctx.inputs[0]);
  std::vector<double> dx(static_cast<size_t>(ctx.outputs[0].shape.size()), 0.0);
  forEachGathered(g, cpuValues(ctx.inputs[1]), [&](size_t to, size_t from) { dx[to] += dy[from]; });
  return {cpuResult(ctx, std::vector<float>(dx.begin(), dx.end()))};
}

std::vector<Tensor> gatherGradGl(const OpContext& ctx) {
  GatherDims g = gatherDims(ctx, Shape(ctx.attrs.getInts("xShape", ctx.op)));
  std::string op(ctx.op);
  gl::checkLoop(4 * g.indexCount, op, "this many indices");
  gl::Pass pass(static_cast<GlBackend&>(ctx.backend), op, {"gather_grad", "per_element"});
  pass.input("DY", ctx.inputs[0]).input("IDX", ctx.inputs[1]);
  return {gatherUniforms(pass, g, op).run(ctx.outputs[0])};
}

// ---- oneHot ----

std::vector<TensorSpec> inferOneHot(std::string_view op, std::span<const TensorSpec> in,
                                    const Attrs& attrs) {
  if (in[0].dtype != DType::Int32)
    fail(op, ": indices have dtype ", dtypeName(in[0].dtype), ", expected int32");
  int64_t depth = attrs.getInt("depth", op);
  if (depth < 1) fail(op, ": depth must be >= 1, got ", depth);
  return {{insertDim(in[0].shape, in[0].shape.rank(), depth), DType::Float32}};
}

std::vector<Tensor> oneHotCpu(const OpContext& ctx) {
  int64_t depth = ctx.attrs.getInt("depth", ctx.op);
  auto on = static_cast<float>(ctx.attrs.getFloatOr("onValue", 1.0, ctx.op));
  auto off = static_cast<float>(ctx.attrs.getFloatOr("offValue", 0.0, ctx.op));
  std::vector<float> y;
  for (float index : cpuValues(ctx.inputs[0]))
    for (int64_t j = 0; j < depth; ++j) y.push_back(static_cast<int64_t>(index) == j ? on : off);
  return {cpuResult(ctx, std::move(y))};
}

std::vector<Tensor> oneHotGl(const OpContext& ctx) {
  return {
      gl::Pass(static_cast<GlBackend&>(ctx.backend), std::string(ctx.op), {"one_hot"})
          .input("IDX", ctx.inputs[0])
          .uniform("onValue", static_cast<float>(ctx.attrs.getFloatOr("onValue", 1.0, ctx.op)))
          .uniform("offValue", static_cast<float>(ctx.attrs.getFloatOr("offValue", 0.0, ctx.op)))
          .run(ctx.outputs[0])};
}

// ---- cast ----

// Casting to int32 truncates toward zero; NaN becomes 0 and values beyond the exactly
// storable range saturate at +-(2^24 - 1) (docs/ARCHITECTURE.md, "dtypes").
constexpr float kInt32Limit = 16777215.0f;

DType parseDtype(std::string_view op, const std::string& name) {
  if (name == "float32") return DType::Float32;
  if (name == "int32") return DType::Int32;
  if (name == "bool") return DType::Bool;
  fail(op, ": dtype must be 'float32', 'int32' or 'bool', got '", name, "'");
}

std::vector<TensorSpec> inferCast(std::string_view op, std::span<const TensorSpec> in,
                                  const Attrs& attrs) {
  return {{in[0].shape, parseDtype(op, attrs.getStringOr("dtype", "", op))}};
}

// Casts that leave the stored values unchanged share the input's storage.
bool castIsView(DType from, DType to) {
  return from == to || to == DType::Float32 || (from == DType::Bool && to == DType::Int32);
}

std::vector<Tensor> castCpu(const OpContext& ctx) {
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

std::vector<Tensor> castGl(const OpContext& ctx) {
  const Tensor& x = ctx.inputs[0];
  DType to = ctx.outputs[0].dtype;
  if (castIsView(x.dtype(), to)) return {Tensor(x.backendPtr(), x.shape(), to, x.storage())};
  std::string expression =
      to == DType::Bool ? "compare4(notEqual(x, vec4(0.0)), x, vec4(0.0), true)"
                        : "mix(clamp(trunc(x), -16777215.0, 16777215.0), vec4(0.0), isNan4(x))";
  return {gl::Pass(static_cast<GlBackend&>(ctx.backend), std::string(ctx.op), {"unary"})
              .define("UNARY_OP(x)", expression)
              .define("NAN_PASSTHROUGH", 0)
              .input("X", x)
              .uniform("param0", 0.0f)
              .uniform("param1", 0.0f)
              .run(ctx.outputs[0])};
}

}  // namespace

void registerMovementOps(std::vector<OpDef>& ops) {
  constexpr int kManyInputs = 1 << 16;
  ops.push_back({"slice", 1, 1, inferSlice, sliceCpu, sliceGl});
  ops.push_back({"stridedSlice", 1, 1, inferSlice, sliceCpu, sliceGl});
  ops.push_back({"reverse", 1, 1, inferSameShape, reverseCpu, reverseGl});
  ops.push_back({"tile", 1, 1, inferTile, tileCpu, tileGl});
  ops.push_back({"pad", 1, 1, inferPad, padCpu, padGl});
  ops.push_back({"broadcastTo", 1, 1, inferBroadcastTo, broadcastToCpu, broadcastToGl});
  ops.push_back({"concat", 1, kManyInputs, inferConcat, concatCpu, concatGl});
  ops.push_back({"gather", 2, 2, inferGather, gatherCpu, gatherGl});
  ops.push_back({"gatherGrad", 2, 2, inferGatherGrad, gatherGradCpu, gatherGradGl});
  ops.push_back({"oneHot", 1, 1, inferOneHot, oneHotCpu, oneHotGl});
  ops.push_back({"cast", 1, 1, inferCast, castCpu, castGl});
  // Compositions of the ops above: one kernel serves both backends.
  ops.push_back({"stack", 1, kManyInputs, inferStack, stackKernel, stackKernel, true});
  ops.push_back({"unstack", 1, 1, inferSplit, splitKernel, splitKernel, true});
  ops.push_back({"split", 1, 1, inferSplit, splitKernel, splitKernel, true});
  ops.push_back({"expandDims", 1, 1, inferExpandDims, viewKernel, viewKernel, true});
  ops.push_back({"squeeze", 1, 1, inferSqueeze, viewKernel, viewKernel, true});
}

// ---- public API ----

namespace {
std::vector<int64_t> toInt64(const std::vector<int>& v) {
  return {v.begin(), v.end()};
}
}  // namespace

Tensor slice(const Tensor& x, const std::vector<int64_t>& begin,
             std::optional<std::vector<int64_t>> size) {
  Attrs attrs;
  attrs.setInts("begin", begin);
  if (size) attrs.setInts("size", *size);
  return runOp1("slice", {x}, attrs);
}

Tensor stridedSlice(const Tensor& x, const std::vector<int64_t>& begin,
                    const std::vector<int64_t>& end, const StridedSliceOptions& options) {
  Attrs attrs;
  attrs.setInts("begin", begin).setInts("end", end);
  if (!options.strides.empty()) attrs.setInts("strides", options.strides);
  attrs.setInt("beginMask", options.beginMask)
      .setInt("endMask", options.endMask)
      .setInt("shrinkAxisMask", options.shrinkAxisMask);
  return runOp1("stridedSlice", {x}, attrs);
}

Tensor reverse(const Tensor& x, std::optional<std::vector<int>> axes) {
  Attrs attrs;
  if (axes) attrs.setInts("axes", toInt64(*axes));
  return runOp1("reverse", {x}, attrs);
}

Tensor tile(const Tensor& x, const std::vector<int64_t>& reps) {
  return runOp1("tile", {x}, Attrs().setInts("reps", reps));
}

Tensor pad(const Tensor& x, const std::vector<std::array<int64_t, 2>>& paddings,
           float constantValue) {
  std::vector<int64_t> flat;
  for (auto [before, after] : paddings) flat.insert(flat.end(), {before, after});
  return runOp1("pad", {x},
                Attrs().setInts("paddings", flat).setFloat("constantValue", constantValue));
}

Tensor mirrorPad(const Tensor& x, const std::vector<std::array<int64_t, 2>>& paddings,
                 MirrorPadMode mode) {
  std::vector<int64_t> flat;
  for (auto [before, after] : paddings) flat.insert(flat.end(), {before, after});
  return runOp1("pad", {x},
                Attrs()
                    .setInts("paddings", flat)
                    .setString("mode", mode == MirrorPadMode::Reflect ? "reflect" : "symmetric"));
}

Tensor broadcastTo(const Tensor& x, const std::vector<int64_t>& shape) {
  return runOp1("broadcastTo", {x}, Attrs().setInts("shape", shape));
}

Tensor concat(const std::vector<Tensor>& xs, int axis) {
  return runOp1("concat", xs, Attrs().setInt("axis", axis));
}

Tensor stack(const std::vector<Tensor>& xs, int axis) {
  return runOp1("stack", xs, Attrs().setInt("axis", axis));
}

std::vector<Tensor> unstack(const Tensor& x, int axis) {
  return runOp("unstack", std::span<const Tensor>(&x, 1), Attrs().setInt("axis", axis));
}

std::vector<Tensor> split(const Tensor& x, int numSplits, int axis) {
  return runOp("split", std::span<const Tensor>(&x, 1),
               Attrs().setInt("numSplits", numSplits).setInt("axis", axis));
}

std::vector<Tensor> split(const Tensor& x, const std::vector<int64_t>& sizes, int axis) {
  return runOp("split", std::span<const Tensor>(&x, 1),
               Attrs().setInts("sizes", sizes).setInt("axis", axis));
}

Tensor expandDims(const Tensor& x, int axis) {
  return runOp1("expandDims", {x}, Attrs().setInt("axis", axis));
}

Tensor squeeze(const Tensor& x, std::optional<std::vector<int>> axes) {
  Attrs attrs;
  if (axes) attrs.setInts("axes", toInt64(*axes));
  return runOp1("squeeze", {x}, attrs);
}

Tensor gather(const Tensor& x, const Tensor& indices, int axis) {
  return runOp1("gather", {x, indices}, Attrs().setInt("axis", axis));
}

Tensor oneHot(const Tensor& indices, int depth, float onValue, float offValue) {
  return runOp1(
      "oneHot", {indices},
      Attrs().setInt("depth", depth).setFloat("onValue", onValue).setFloat("offValue", offValue));
}

Tensor cast(const Tensor& x, DType dtype) {
  return runOp1("cast", {x}, Attrs().setString("dtype", std::string(dtypeName(dtype))));
}

}  // namespace texel
