#pragma once
// The public op API (TF.js names and semantics). Each function validates its inputs,
// throwing texel::Error that names the op, the shapes and what was expected, and runs
// on the backend its inputs live on (all inputs must share one backend).
#include <array>
#include <optional>
#include <string>
#include <vector>

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
Tensor leakyRelu(const Tensor& x, float alpha = 0.2f);
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
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);
Tensor mod(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor notEqual(const Tensor& a, const Tensor& b);
Tensor pow(const Tensor& a, const Tensor& b);
Tensor prelu(const Tensor& a, const Tensor& b);
Tensor squaredDifference(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
// where(condition (bool), a, b): a where the condition holds, else b; all three broadcast.
Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b);

// a: [..., M, K] (or [..., K, M] with transposeA), b: [..., K, N] (or [..., N, K]);
// batch dimensions broadcast. Rank-1 and rank-0 operands are rejected, as in TF.js.
Tensor matMul(const Tensor& a, const Tensor& b, bool transposeA = false, bool transposeB = false);

// Bias and activation applied in the same pass as the product (TF.js tf.fused.*).
// activation: "linear", "relu", "relu6", "elu", "sigmoid", "tanh" or "leakyrelu"; the
// bias broadcasts to the output (one value per output channel is fused into the pass,
// other shapes take an extra pass).
struct FusedOptions {
  std::optional<Tensor> bias;
  std::string activation = "linear";
  float leakyreluAlpha = 0.2f;
  bool transposeA = false;  // fusedMatMul only
  bool transposeB = false;
};
Tensor fusedMatMul(const Tensor& a, const Tensor& b, const FusedOptions& options = {});
// Vector-vector (scalar), matrix-vector, vector-matrix or matrix-matrix product.
Tensor dot(const Tensor& a, const Tensor& b);
// a: [m], b: [n] -> [m, n].
Tensor outerProduct(const Tensor& a, const Tensor& b);

enum class Padding { Valid, Same };

struct Conv2DOptions {
  std::array<int, 2> strides{1, 1};
  Padding padding = Padding::Valid;
  std::array<int, 2> dilations{1, 1};
};
// x: [N, H, W, C] (or [H, W, C]), filter: [KH, KW, C, CO]; output [N, OH, OW, CO].
Tensor conv2d(const Tensor& x, const Tensor& filter, const Conv2DOptions& options = {});

Tensor fusedConv2d(const Tensor& x, const Tensor& filter, const Conv2DOptions& options,
                   const FusedOptions& fused);
// filter: [KH, KW, C, M]; output channel c * M + m convolves input channel c only.
Tensor depthwiseConv2d(const Tensor& x, const Tensor& filter, const Conv2DOptions& options = {});
// depthwiseConv2d, then a 1x1 conv2d with pointwiseFilter [1, 1, C * M, CO].
Tensor separableConv2d(const Tensor& x, const Tensor& depthwiseFilter,
                       const Tensor& pointwiseFilter, const Conv2DOptions& options = {});
// The transpose (input gradient) of conv2d: x [N, H, W, CI], filter [KH, KW, CO, CI];
// outputShape [N, OH, OW, CO] must be an input that conv2d with these strides and
// padding maps to x's height and width.
Tensor conv2dTranspose(const Tensor& x, const Tensor& filter,
                       const std::vector<int64_t>& outputShape, std::array<int, 2> strides = {1, 1},
                       Padding padding = Padding::Valid);
// x: [N, W, C] (or [W, C]), filter: [KW, C, CO].
Tensor conv1d(const Tensor& x, const Tensor& filter, int stride = 1,
              Padding padding = Padding::Valid, int dilation = 1);
// Mean / max over height and width: [N, H, W, C] -> [N, C] ([H, W, C] -> [C]).
Tensor globalAvgPool(const Tensor& x);
Tensor globalMaxPool(const Tensor& x);

struct Pool2DOptions {
  std::array<int, 2> filterSize{2, 2};
  std::array<int, 2> strides{2, 2};
  Padding padding = Padding::Valid;
};
// x: [N, H, W, C] (or [H, W, C]). avgPool averages the window's in-bounds elements only.
Tensor maxPool(const Tensor& x, const Pool2DOptions& options = {});
Tensor avgPool(const Tensor& x, const Pool2DOptions& options = {});

// (x - mean) / sqrt(variance + varianceEpsilon) * scale + offset; every parameter
// broadcasts to x (per-channel [C] parameters run as one pass).
Tensor batchNorm(const Tensor& x, const Tensor& mean, const Tensor& variance,
                 std::optional<Tensor> offset = std::nullopt,
                 std::optional<Tensor> scale = std::nullopt, float varianceEpsilon = 0.001f);

// Image resampling (TF.js tf.image), NHWC images [N, H, W, C] or [H, W, C].
struct ResizeOptions {
  bool alignCorners = false;      // corner pixels map onto corner pixels
  bool halfPixelCenters = false;  // sample at pixel centres (what most models expect)
};
Tensor resizeBilinear(const Tensor& images, std::array<int64_t, 2> size,
                      const ResizeOptions& options = {});
Tensor resizeNearestNeighbor(const Tensor& images, std::array<int64_t, 2> size,
                             const ResizeOptions& options = {});
// Crops boxes [numBoxes, 4] (y1, x1, y2, x2, normalised to [0, 1]) out of images
// [N, H, W, C] picked by boxInd (int32 [numBoxes]) and resamples each to cropSize.
// Samples outside the image, and boxes whose index is outside the batch, take
// extrapolationValue.
Tensor cropAndResize(const Tensor& image, const Tensor& boxes, const Tensor& boxInd,
                     std::array<int64_t, 2> cropSize, bool nearest = false,
                     float extrapolationValue = 0.0f);

// One dimension may be -1 (inferred). Free (no pass) when the last dimension is unchanged.
Tensor reshape(const Tensor& x, const std::vector<int64_t>& shape);
// Default permutation reverses the dimensions.
Tensor transpose(const Tensor& x, std::optional<std::vector<int>> perm = std::nullopt);

// Data movement (any dtype; the output keeps it).
// slice: `size` entries of -1 (or a missing `size`) run to the end of the dimension.
Tensor slice(const Tensor& x, const std::vector<int64_t>& begin,
             std::optional<std::vector<int64_t>> size = std::nullopt);
struct StridedSliceOptions {
  std::vector<int64_t> strides;  // empty: all 1
  int beginMask = 0;             // bit d set: ignore begin[d] (start of the dimension)
  int endMask = 0;               // bit d set: ignore end[d] (end of the dimension)
  int shrinkAxisMask = 0;        // bit d set: take index begin[d] and drop dimension d
};
// Python slicing per dimension: negative indices count from the end, out-of-range ones
// clamp, negative strides walk backwards.
Tensor stridedSlice(const Tensor& x, const std::vector<int64_t>& begin,
                    const std::vector<int64_t>& end, const StridedSliceOptions& options = {});
Tensor reverse(const Tensor& x, std::optional<std::vector<int>> axes = std::nullopt);
Tensor tile(const Tensor& x, const std::vector<int64_t>& reps);
// paddings: [before, after] per dimension.
Tensor pad(const Tensor& x, const std::vector<std::array<int64_t, 2>>& paddings,
           float constantValue = 0.0f);
enum class MirrorPadMode { Reflect, Symmetric };
// Reflect mirrors without repeating the edge (pad <= size - 1), symmetric repeats it
// (pad <= size).
Tensor mirrorPad(const Tensor& x, const std::vector<std::array<int64_t, 2>>& paddings,
                 MirrorPadMode mode);
Tensor broadcastTo(const Tensor& x, const std::vector<int64_t>& shape);
Tensor concat(const std::vector<Tensor>& xs, int axis = 0);
Tensor stack(const std::vector<Tensor>& xs, int axis = 0);
std::vector<Tensor> unstack(const Tensor& x, int axis = 0);
std::vector<Tensor> split(const Tensor& x, int numSplits, int axis = 0);
// sizes may hold one -1, inferred from the rest.
std::vector<Tensor> split(const Tensor& x, const std::vector<int64_t>& sizes, int axis = 0);
Tensor expandDims(const Tensor& x, int axis = 0);
// No axes: drops every dimension of size 1.
Tensor squeeze(const Tensor& x, std::optional<std::vector<int>> axes = std::nullopt);
// indices: int32. Output shape x.shape[:axis] + indices.shape + x.shape[axis+1:].
// Indices outside [0, x.shape[axis]) give 0 on every backend (as TF does on GPUs).
Tensor gather(const Tensor& x, const Tensor& indices, int axis = 0);
// indices: int32 -> float32 [..., depth]; out-of-range indices give a row of offValue.
Tensor oneHot(const Tensor& indices, int depth, float onValue = 1.0f, float offValue = 0.0f);
// To int32: truncation toward zero, NaN -> 0, saturating at +-(2^24 - 1). To bool: x != 0
// (NaN is true). Casts that keep the stored values (int32/bool -> float32, bool -> int32)
// share the input's storage.
Tensor cast(const Tensor& x, DType dtype);

// softmax and logSoftmax along any axis (default the last). A row holding NaN or an
// infinite maximum is NaN throughout, as exp(x - max) / sum gives.
Tensor softmax(const Tensor& logits, int axis = -1);
Tensor logSoftmax(const Tensor& logits, int axis = -1);

// Running sum along `axis`; exclusive leaves out the element itself, reverse sums from
// the end.
Tensor cumsum(const Tensor& x, int axis = 0, bool exclusive = false, bool reverse = false);
// The k largest entries of each row of the last axis, in descending order (NaN counts
// as the largest; equal values keep their order). indices are int32.
struct TopK {
  Tensor values;
  Tensor indices;
};
TopK topK(const Tensor& x, int k = 1);

// Reductions: no axes (nullopt) reduces every axis; negative axes count from the end.
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

}  // namespace texel
