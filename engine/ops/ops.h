#pragma once
// The public op API (TF.js names and semantics). Each function validates its inputs,
// throwing texel::Error that names the op, the shapes and what was expected, and runs
// on the backend its inputs live on (all inputs must share one backend).
//
// Ops with attributes take them as one typed struct, <Op>Attrs, as TF.js's kernels do:
// the same struct the op's registry row parses from an attribute bag (model files, warmup
// signatures, test cases), so the field names below are the bag's keys. Layers take
// <Layer>LayerArgs (engine/layers/layers.h).
#include <array>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/op_attrs.h"
#include "engine/core/tensor.h"

namespace texel {

// Elementwise (TF.js semantics; NaN and Inf propagate as in IEEE). Binary ops broadcast
// like NumPy. Comparisons take two tensors of one dtype and return bool; logical ops take
// and return bool; isNaN/isInf return bool.
Tensor abs(const Tensor& x);
Tensor acos(const Tensor& x);
Tensor asin(const Tensor& x);
Tensor atan(const Tensor& x);
Tensor ceil(const Tensor& x);
Tensor cos(const Tensor& x);
Tensor cosh(const Tensor& x);
Tensor elu(const Tensor& x);
Tensor erf(const Tensor& x);
Tensor exp(const Tensor& x);
Tensor expm1(const Tensor& x);
Tensor floor(const Tensor& x);
Tensor gelu(const Tensor& x);
Tensor hardSigmoid(const Tensor& x);  // max(0, min(1, 0.2 x + 0.5)), Keras's hard_sigmoid
Tensor isInf(const Tensor& x);
Tensor isNaN(const Tensor& x);
Tensor log(const Tensor& x);
Tensor log1p(const Tensor& x);
Tensor logicalNot(const Tensor& x);
Tensor neg(const Tensor& x);
Tensor reciprocal(const Tensor& x);
Tensor relu(const Tensor& x);
Tensor relu6(const Tensor& x);
Tensor round(const Tensor& x);
Tensor rsqrt(const Tensor& x);
Tensor selu(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor sign(const Tensor& x);
Tensor sin(const Tensor& x);
Tensor sinh(const Tensor& x);
Tensor softplus(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor square(const Tensor& x);
Tensor tan(const Tensor& x);
Tensor tanh(const Tensor& x);

struct LeakyReluAttrs {
  float alpha = 0.2f;
  static constexpr auto fields() { return attrFields(field("alpha", &LeakyReluAttrs::alpha)); }
};
Tensor leakyRelu(const Tensor& x, float alpha = 0.2f);
struct ClipByValueAttrs {
  float clipValueMin = 0.0f;
  float clipValueMax = 0.0f;
  static constexpr auto fields() {
    return attrFields(requiredField("clipValueMin", &ClipByValueAttrs::clipValueMin),
                      requiredField("clipValueMax", &ClipByValueAttrs::clipValueMax));
  }
  void validate(std::string_view op) const;
};
Tensor clipByValue(const Tensor& x, float clipValueMin, float clipValueMax);
Tensor add(const Tensor& a, const Tensor& b);
Tensor atan2(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor equal(const Tensor& a, const Tensor& b);
Tensor floorDiv(const Tensor& a, const Tensor& b);
Tensor greater(const Tensor& a, const Tensor& b);
Tensor greaterEqual(const Tensor& a, const Tensor& b);
Tensor less(const Tensor& a, const Tensor& b);
Tensor lessEqual(const Tensor& a, const Tensor& b);
Tensor logicalAnd(const Tensor& a, const Tensor& b);
Tensor logicalOr(const Tensor& a, const Tensor& b);
Tensor logicalXor(const Tensor& a, const Tensor& b);
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);
Tensor mod(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor notEqual(const Tensor& a, const Tensor& b);
Tensor pow(const Tensor& a, const Tensor& b);
Tensor prelu(const Tensor& a, const Tensor& b);
// dy where y > 0, else 0: relu's gradient (y its input or output; NaN y gives 0).
Tensor reluGrad(const Tensor& y, const Tensor& dy);
Tensor squaredDifference(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
// where(condition (bool), a, b): a where the condition holds, else b; all three broadcast.
Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b);

// ---- matmul family ----

// a: [..., M, K] (or [..., K, M] with transposeA), b: [..., K, N] (or [..., N, K]);
// batch dimensions broadcast. Rank-1 and rank-0 operands are rejected, as in TF.js.
struct MatMulAttrs {
  bool transposeA = false;
  bool transposeB = false;
  static constexpr auto fields() {
    return attrFields(field("transposeA", &MatMulAttrs::transposeA),
                      field("transposeB", &MatMulAttrs::transposeB));
  }
};
Tensor matMul(const Tensor& a, const Tensor& b, bool transposeA = false, bool transposeB = false);

// The activations that fused ops apply in the same pass as their product (TF.js
// tf.fused.*; the bag spells leakyRelu "leakyrelu" as TF.js does).
enum class Activation { Linear, Relu, Relu6, Elu, Sigmoid, Tanh, LeakyRelu };
template <>
struct EnumNames<Activation> {
  static constexpr std::array<std::pair<Activation, std::string_view>, 8> values = {
      {{Activation::Linear, "linear"},
       {Activation::Relu, "relu"},
       {Activation::Relu6, "relu6"},
       {Activation::Elu, "elu"},
       {Activation::Sigmoid, "sigmoid"},
       {Activation::Tanh, "tanh"},
       {Activation::LeakyRelu, "leakyrelu"},
       {Activation::LeakyRelu, "leakyRelu"}}};
  static constexpr std::string_view hint = "apply prelu as its own op";
};

// matMul, then + bias and the activation in the same pass. The bias broadcasts to the
// output (one value per output column is fused into the pass, other shapes take an
// extra pass).
struct FusedMatMulAttrs {
  bool transposeA = false;
  bool transposeB = false;
  Activation activation = Activation::Linear;
  float leakyreluAlpha = 0.2f;
  static constexpr auto fields() {
    return attrFields(field("transposeA", &FusedMatMulAttrs::transposeA),
                      field("transposeB", &FusedMatMulAttrs::transposeB),
                      field("activation", &FusedMatMulAttrs::activation),
                      field("leakyreluAlpha", &FusedMatMulAttrs::leakyreluAlpha));
  }
};
Tensor fusedMatMul(const Tensor& a, const Tensor& b, const FusedMatMulAttrs& attrs = {},
                   const std::optional<Tensor>& bias = std::nullopt);
// Vector-vector (scalar), matrix-vector, vector-matrix or matrix-matrix product.
Tensor dot(const Tensor& a, const Tensor& b);
// a: [m], b: [n] -> [m, n].
Tensor outerProduct(const Tensor& a, const Tensor& b);

// ---- conv family ----

enum class Padding { Valid, Same };
template <>
struct EnumNames<Padding> {
  static constexpr std::array<std::pair<Padding, std::string_view>, 2> values = {
      {{Padding::Valid, "valid"}, {Padding::Same, "same"}}};
};

// Window strides and dilations are [height, width], each >= 1.
struct Conv2DAttrs {
  std::array<int, 2> strides{1, 1};
  Padding padding = Padding::Valid;
  std::array<int, 2> dilations{1, 1};
  static constexpr auto fields() {
    return attrFields(field("strides", &Conv2DAttrs::strides),
                      field("padding", &Conv2DAttrs::padding),
                      field("dilations", &Conv2DAttrs::dilations));
  }
  void validate(std::string_view op) const;
};
// x: [N, H, W, C] (or [H, W, C]), filter: [KH, KW, C, CO]; output [N, OH, OW, CO].
Tensor conv2d(const Tensor& x, const Tensor& filter, const Conv2DAttrs& attrs = {});

// conv2d, then + bias (one value per output channel fuses into the pass) and the
// activation. The bag holds conv2d's fields beside the activation's.
struct FusedConv2DAttrs {
  Conv2DAttrs conv;
  Activation activation = Activation::Linear;
  float leakyreluAlpha = 0.2f;
  static constexpr auto fields() {
    return attrFields(group(&FusedConv2DAttrs::conv),
                      field("activation", &FusedConv2DAttrs::activation),
                      field("leakyreluAlpha", &FusedConv2DAttrs::leakyreluAlpha));
  }
  void validate(std::string_view op) const { conv.validate(op); }
};
Tensor fusedConv2d(const Tensor& x, const Tensor& filter, const FusedConv2DAttrs& attrs = {},
                   const std::optional<Tensor>& bias = std::nullopt);
// filter: [KH, KW, C, M]; output channel c * M + m convolves input channel c only.
Tensor depthwiseConv2d(const Tensor& x, const Tensor& filter, const Conv2DAttrs& attrs = {});
// depthwiseConv2d, then a 1x1 conv2d with pointwiseFilter [1, 1, C * M, CO].
Tensor separableConv2d(const Tensor& x, const Tensor& depthwiseFilter,
                       const Tensor& pointwiseFilter, const Conv2DAttrs& attrs = {});

// The transpose (input gradient) of conv2d: x [N, H, W, CI], filter [KH, KW, CO, CI];
// outputShape [N, OH, OW, CO] must be an input that conv2d with these strides, padding
// (and dilations) maps to x's height and width.
struct Conv2DTransposeAttrs {
  std::vector<int64_t> outputShape;
  Conv2DAttrs conv;  // the forward conv2d's window
  static constexpr auto fields() {
    return attrFields(requiredField("outputShape", &Conv2DTransposeAttrs::outputShape),
                      group(&Conv2DTransposeAttrs::conv));
  }
  void validate(std::string_view op) const { conv.validate(op); }
};
Tensor conv2dTranspose(const Tensor& x, const Tensor& filter, const Conv2DTransposeAttrs& attrs);

// x: [N, W, C] (or [W, C]), filter: [KW, C, CO].
struct Conv1DAttrs {
  int stride = 1;
  Padding padding = Padding::Valid;
  int dilation = 1;
  static constexpr auto fields() {
    return attrFields(field("stride", &Conv1DAttrs::stride),
                      field("padding", &Conv1DAttrs::padding),
                      field("dilation", &Conv1DAttrs::dilation));
  }
  void validate(std::string_view op) const;
};
Tensor conv1d(const Tensor& x, const Tensor& filter, const Conv1DAttrs& attrs = {});

// Mean / max over height and width: [N, H, W, C] -> [N, C] ([H, W, C] -> [C]).
Tensor globalAvgPool(const Tensor& x);
Tensor globalMaxPool(const Tensor& x);

// x: [N, H, W, C] (or [H, W, C]). avgPool averages the window's in-bounds elements only.
// A bag must give filterSize and strides (TF.js's maxPool has no defaults for them).
struct Pool2DAttrs {
  std::array<int, 2> filterSize{2, 2};
  std::array<int, 2> strides{2, 2};
  Padding padding = Padding::Valid;
  static constexpr auto fields() {
    return attrFields(requiredField("filterSize", &Pool2DAttrs::filterSize),
                      requiredField("strides", &Pool2DAttrs::strides),
                      field("padding", &Pool2DAttrs::padding));
  }
  void validate(std::string_view op) const;
};
Tensor maxPool(const Tensor& x, const Pool2DAttrs& attrs = {});
Tensor avgPool(const Tensor& x, const Pool2DAttrs& attrs = {});

// ---- norm family ----

// (x - mean) / sqrt(variance + varianceEpsilon) * scale + offset; every parameter
// broadcasts to x (per-channel [C] parameters run as one pass). The inputs are x, mean,
// variance, then offset when hasOffset, then scale when hasScale.
struct BatchNormAttrs {
  bool hasOffset = false;
  bool hasScale = false;
  float varianceEpsilon = 0.001f;
  static constexpr auto fields() {
    return attrFields(field("hasOffset", &BatchNormAttrs::hasOffset),
                      field("hasScale", &BatchNormAttrs::hasScale),
                      field("varianceEpsilon", &BatchNormAttrs::varianceEpsilon));
  }
  void validate(std::string_view op) const;
};
Tensor batchNorm(const Tensor& x, const Tensor& mean, const Tensor& variance,
                 std::optional<Tensor> offset = std::nullopt,
                 std::optional<Tensor> scale = std::nullopt, float varianceEpsilon = 0.001f);

// ---- image family (TF.js tf.image), NHWC images [N, H, W, C] or [H, W, C] ----

// size: [newHeight, newWidth]. alignCorners: corner pixels map onto corner pixels;
// halfPixelCenters: sample at pixel centres (what most models expect); not both.
struct ResizeAttrs {
  std::array<int64_t, 2> size{1, 1};
  bool alignCorners = false;
  bool halfPixelCenters = false;
  static constexpr auto fields() {
    return attrFields(requiredField("size", &ResizeAttrs::size),
                      field("alignCorners", &ResizeAttrs::alignCorners),
                      field("halfPixelCenters", &ResizeAttrs::halfPixelCenters));
  }
  void validate(std::string_view op) const;
};
// size replaces attrs.size.
Tensor resizeBilinear(const Tensor& images, std::array<int64_t, 2> size, ResizeAttrs attrs = {});
Tensor resizeNearestNeighbor(const Tensor& images, std::array<int64_t, 2> size,
                             ResizeAttrs attrs = {});

enum class ResizeMethod { Bilinear, Nearest };
template <>
struct EnumNames<ResizeMethod> {
  static constexpr std::array<std::pair<ResizeMethod, std::string_view>, 2> values = {
      {{ResizeMethod::Bilinear, "bilinear"}, {ResizeMethod::Nearest, "nearest"}}};
};
// Crops boxes [numBoxes, 4] (y1, x1, y2, x2, normalised to [0, 1]) out of images
// [N, H, W, C] picked by boxInd (int32 [numBoxes]) and resamples each to cropSize.
// Samples outside the image, and boxes whose index is outside the batch, take
// extrapolationValue.
struct CropAndResizeAttrs {
  std::array<int64_t, 2> cropSize{1, 1};
  ResizeMethod method = ResizeMethod::Bilinear;
  float extrapolationValue = 0.0f;
  static constexpr auto fields() {
    return attrFields(requiredField("cropSize", &CropAndResizeAttrs::cropSize),
                      field("method", &CropAndResizeAttrs::method),
                      field("extrapolationValue", &CropAndResizeAttrs::extrapolationValue));
  }
  void validate(std::string_view op) const;
};
// cropSize replaces attrs.cropSize.
Tensor cropAndResize(const Tensor& image, const Tensor& boxes, const Tensor& boxInd,
                     std::array<int64_t, 2> cropSize, CropAndResizeAttrs attrs = {});

// ---- shape_ops family ----

// One dimension may be -1 (inferred). Free (no pass) when the last dimension is unchanged.
struct ReshapeAttrs {
  std::vector<int64_t> shape;
  static constexpr auto fields() {
    return attrFields(requiredField("shape", &ReshapeAttrs::shape));
  }
};
Tensor reshape(const Tensor& x, const std::vector<int64_t>& shape);
// No perm: the dimensions reversed.
struct TransposeAttrs {
  std::optional<std::vector<int>> perm;
  static constexpr auto fields() { return attrFields(field("perm", &TransposeAttrs::perm)); }
};
Tensor transpose(const Tensor& x, std::optional<std::vector<int>> perm = std::nullopt);

// ---- movement family (any dtype; the output keeps it) ----

// `size` entries of -1 (or no `size`) run to the end of the dimension.
struct SliceAttrs {
  std::vector<int64_t> begin;
  std::optional<std::vector<int64_t>> size;
  static constexpr auto fields() {
    return attrFields(requiredField("begin", &SliceAttrs::begin), field("size", &SliceAttrs::size));
  }
};
Tensor slice(const Tensor& x, const std::vector<int64_t>& begin,
             std::optional<std::vector<int64_t>> size = std::nullopt);
// Python slicing per dimension: negative indices count from the end, out-of-range ones
// clamp, negative strides walk backwards. Bit d of beginMask / endMask: ignore begin[d]
// / end[d] (the start / end of the dimension); of shrinkAxisMask: take index begin[d]
// and drop dimension d. ellipsisMask and newAxisMask must be 0 (use expandDims).
struct StridedSliceAttrs {
  std::vector<int64_t> begin;
  std::vector<int64_t> end;
  std::vector<int64_t> strides;  // empty: all 1
  int beginMask = 0;
  int endMask = 0;
  int shrinkAxisMask = 0;
  int ellipsisMask = 0;
  int newAxisMask = 0;
  static constexpr auto fields() {
    return attrFields(requiredField("begin", &StridedSliceAttrs::begin),
                      requiredField("end", &StridedSliceAttrs::end),
                      field("strides", &StridedSliceAttrs::strides),
                      field("beginMask", &StridedSliceAttrs::beginMask),
                      field("endMask", &StridedSliceAttrs::endMask),
                      field("shrinkAxisMask", &StridedSliceAttrs::shrinkAxisMask),
                      field("ellipsisMask", &StridedSliceAttrs::ellipsisMask),
                      field("newAxisMask", &StridedSliceAttrs::newAxisMask));
  }
  void validate(std::string_view op) const;
};
// begin and end replace attrs.begin / attrs.end.
Tensor stridedSlice(const Tensor& x, std::vector<int64_t> begin, std::vector<int64_t> end,
                    StridedSliceAttrs attrs = {});
// No axes: every axis.
struct ReverseAttrs {
  std::optional<std::vector<int>> axes;
  static constexpr auto fields() { return attrFields(field("axes", &ReverseAttrs::axes)); }
};
Tensor reverse(const Tensor& x, std::optional<std::vector<int>> axes = std::nullopt);
struct TileAttrs {
  std::vector<int64_t> reps;
  static constexpr auto fields() { return attrFields(requiredField("reps", &TileAttrs::reps)); }
};
Tensor tile(const Tensor& x, const std::vector<int64_t>& reps);
// Reflect mirrors without repeating the edge (pad <= size - 1), symmetric repeats it
// (pad <= size).
enum class PadMode { Constant, Reflect, Symmetric };
template <>
struct EnumNames<PadMode> {
  static constexpr std::array<std::pair<PadMode, std::string_view>, 3> values = {
      {{PadMode::Constant, "constant"},
       {PadMode::Reflect, "reflect"},
       {PadMode::Symmetric, "symmetric"}}};
};
// paddings: [before, after] for each dimension, flattened.
struct PadAttrs {
  std::vector<int64_t> paddings;
  PadMode mode = PadMode::Constant;
  float constantValue = 0.0f;
  static constexpr auto fields() {
    return attrFields(requiredField("paddings", &PadAttrs::paddings),
                      field("mode", &PadAttrs::mode),
                      field("constantValue", &PadAttrs::constantValue));
  }
};
Tensor pad(const Tensor& x, const std::vector<std::array<int64_t, 2>>& paddings,
           float constantValue = 0.0f);
Tensor mirrorPad(const Tensor& x, const std::vector<std::array<int64_t, 2>>& paddings,
                 PadMode mode);
struct BroadcastToAttrs {
  std::vector<int64_t> shape;
  static constexpr auto fields() {
    return attrFields(requiredField("shape", &BroadcastToAttrs::shape));
  }
};
Tensor broadcastTo(const Tensor& x, const std::vector<int64_t>& shape);
// One axis (negative: from the end): concat, stack, unstack, expandDims, gather.
struct AxisAttrs {
  int axis = 0;
  static constexpr auto fields() { return attrFields(field("axis", &AxisAttrs::axis)); }
};
Tensor concat(const std::vector<Tensor>& xs, int axis = 0);
Tensor stack(const std::vector<Tensor>& xs, int axis = 0);
std::vector<Tensor> unstack(const Tensor& x, int axis = 0);
// Either numSplits equal parts or the given sizes (which may hold one -1, inferred).
struct SplitAttrs {
  std::optional<int> numSplits;
  std::optional<std::vector<int64_t>> sizes;
  int axis = 0;
  static constexpr auto fields() {
    return attrFields(field("numSplits", &SplitAttrs::numSplits),
                      field("sizes", &SplitAttrs::sizes), field("axis", &SplitAttrs::axis));
  }
  void validate(std::string_view op) const;
};
std::vector<Tensor> split(const Tensor& x, int numSplits, int axis = 0);
std::vector<Tensor> split(const Tensor& x, const std::vector<int64_t>& sizes, int axis = 0);
Tensor expandDims(const Tensor& x, int axis = 0);
// No axes: drops every dimension of size 1.
struct SqueezeAttrs {
  std::optional<std::vector<int>> axes;
  static constexpr auto fields() { return attrFields(field("axes", &SqueezeAttrs::axes)); }
};
Tensor squeeze(const Tensor& x, std::optional<std::vector<int>> axes = std::nullopt);
// indices: int32. Output shape x.shape[:axis] + indices.shape + x.shape[axis+1:].
// Indices outside [0, x.shape[axis]) give 0 on every backend (as TF does on GPUs).
Tensor gather(const Tensor& x, const Tensor& indices, int axis = 0);
// indices: int32 -> [..., depth] of dtype (TF.js's default int32; float32 for losses);
// out-of-range indices give a row of offValue. Int32 and bool outputs take the values
// truncated toward zero / as value != 0.
struct OneHotAttrs {
  int depth = 1;
  float onValue = 1.0f;
  float offValue = 0.0f;
  DType dtype = DType::Int32;
  static constexpr auto fields() {
    return attrFields(
        requiredField("depth", &OneHotAttrs::depth), field("onValue", &OneHotAttrs::onValue),
        field("offValue", &OneHotAttrs::offValue), field("dtype", &OneHotAttrs::dtype));
  }
  void validate(std::string_view op) const;
};
Tensor oneHot(const Tensor& indices, int depth, float onValue = 1.0f, float offValue = 0.0f,
              DType dtype = DType::Int32);
// To int32: truncation toward zero, NaN -> 0, saturating at +-(2^24 - 1). To bool: x != 0
// (NaN is true). Casts that keep the stored values (int32/bool -> float32, bool -> int32)
// share the input's storage.
struct CastAttrs {
  DType dtype = DType::Float32;
  static constexpr auto fields() { return attrFields(requiredField("dtype", &CastAttrs::dtype)); }
};
Tensor cast(const Tensor& x, DType dtype);

// ---- softmax family ----

// softmax and logSoftmax along any axis (default the last). A row holding NaN or an
// infinite maximum is NaN throughout, as exp(x - max) / sum gives.
struct SoftmaxAttrs {
  int axis = -1;
  static constexpr auto fields() { return attrFields(field("axis", &SoftmaxAttrs::axis)); }
};
Tensor softmax(const Tensor& logits, int axis = -1);
Tensor logSoftmax(const Tensor& logits, int axis = -1);
// Softmax cross-entropy from logits per example: labels and logits [N, C] -> [N],
// -sum_c labels * logSoftmax(logits) over each row (labels need not be one-hot nor sum to
// 1). One GL pass, and one for its gradient (never forming the softmax as a tensor).
Tensor softmaxCrossEntropyWithLogits(const Tensor& labels, const Tensor& logits);

// ---- scan family ----

// Running sum along `axis`; exclusive leaves out the element itself, reverse sums from
// the end.
struct CumsumAttrs {
  int axis = 0;
  bool exclusive = false;
  bool reverse = false;
  static constexpr auto fields() {
    return attrFields(field("axis", &CumsumAttrs::axis),
                      field("exclusive", &CumsumAttrs::exclusive),
                      field("reverse", &CumsumAttrs::reverse));
  }
};
Tensor cumsum(const Tensor& x, int axis = 0, bool exclusive = false, bool reverse = false);
// The k largest entries of each row of the last axis, in descending order (NaN counts
// as the largest; equal values keep their order). indices are int32.
struct TopKAttrs {
  int k = 1;
  static constexpr auto fields() { return attrFields(field("k", &TopKAttrs::k)); }
};
struct TopK {
  Tensor values;
  Tensor indices;
};
TopK topK(const Tensor& x, int k = 1);

// ---- reduce family ----

// No axes (nullopt) reduces every axis; negative axes count from the end.
struct ReduceAttrs {
  std::optional<std::vector<int>> axes;
  bool keepDims = false;
  static constexpr auto fields() {
    return attrFields(field("axes", &ReduceAttrs::axes), field("keepDims", &ReduceAttrs::keepDims));
  }
};
Tensor sum(const Tensor& x, std::optional<std::vector<int>> axes = std::nullopt,
           bool keepDims = false);
Tensor mean(const Tensor& x, std::optional<std::vector<int>> axes = std::nullopt,
            bool keepDims = false);
Tensor max(const Tensor& x, std::optional<std::vector<int>> axes = std::nullopt,
           bool keepDims = false);
Tensor min(const Tensor& x, std::optional<std::vector<int>> axes = std::nullopt,
           bool keepDims = false);
Tensor prod(const Tensor& x, std::optional<std::vector<int>> axes = std::nullopt,
            bool keepDims = false);
Tensor logSumExp(const Tensor& x, std::optional<std::vector<int>> axes = std::nullopt,
                 bool keepDims = false);
// all / any: bool in, bool out.
Tensor all(const Tensor& x, std::optional<std::vector<int>> axes = std::nullopt,
           bool keepDims = false);
Tensor any(const Tensor& x, std::optional<std::vector<int>> axes = std::nullopt,
           bool keepDims = false);
// Index of the first minimum / maximum along `axis` (NaN never wins); int32 output.
Tensor argMin(const Tensor& x, int axis = 0);
Tensor argMax(const Tensor& x, int axis = 0);

// ---- optimizer_step family: one variable's whole update as one op ----

// Inputs: the variable, its gradient and the rule's state tensors; outputs: the new
// variable and states. c0..c5 are the rule's coefficients (engine/train/optimizer.cpp).
enum class OptimizerRule {
  Sgd,
  Momentum,
  Nesterov,
  Adagrad,
  Adadelta,
  Adam,
  Adamax,
  Rmsprop,
  RmspropCentered
};
template <>
struct EnumNames<OptimizerRule> {
  static constexpr std::array<std::pair<OptimizerRule, std::string_view>, 9> values = {
      {{OptimizerRule::Sgd, "sgd"},
       {OptimizerRule::Momentum, "momentum"},
       {OptimizerRule::Nesterov, "nesterov"},
       {OptimizerRule::Adagrad, "adagrad"},
       {OptimizerRule::Adadelta, "adadelta"},
       {OptimizerRule::Adam, "adam"},
       {OptimizerRule::Adamax, "adamax"},
       {OptimizerRule::Rmsprop, "rmsprop"},
       {OptimizerRule::RmspropCentered, "rmspropCentered"}}};
};
struct ApplyOptimizerAttrs {
  OptimizerRule rule = OptimizerRule::Sgd;
  float c0 = 0, c1 = 0, c2 = 0, c3 = 0, c4 = 0, c5 = 0;
  static constexpr auto fields() {
    return attrFields(requiredField("rule", &ApplyOptimizerAttrs::rule),
                      field("c0", &ApplyOptimizerAttrs::c0), field("c1", &ApplyOptimizerAttrs::c1),
                      field("c2", &ApplyOptimizerAttrs::c2), field("c3", &ApplyOptimizerAttrs::c3),
                      field("c4", &ApplyOptimizerAttrs::c4), field("c5", &ApplyOptimizerAttrs::c5));
  }
};
std::vector<Tensor> applyOptimizer(std::span<const Tensor> inputs,
                                   const ApplyOptimizerAttrs& attrs);

}  // namespace texel
