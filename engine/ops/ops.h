#pragma once
// The public op API (TF.js names and semantics). Each function validates its inputs,
// throwing texel::Error that names the op, the shapes and what was expected, and runs
// on the backend its inputs live on (all inputs must share one backend).
#include <array>
#include <optional>
#include <vector>

#include "engine/core/tensor.h"

namespace texel {

// Elementwise, with NumPy broadcasting for the binary ops.
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor relu(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor tanh(const Tensor& x);
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor neg(const Tensor& x);
Tensor sqrt(const Tensor& x);

// a: [..., M, K] (or [..., K, M] with transposeA), b: [..., K, N] (or [..., N, K]);
// batch dimensions broadcast. Rank-1 and rank-0 operands are rejected, as in TF.js.
Tensor matMul(const Tensor& a, const Tensor& b, bool transposeA = false, bool transposeB = false);

enum class Padding { Valid, Same };

struct Conv2DOptions {
  std::array<int, 2> strides{1, 1};
  Padding padding = Padding::Valid;
  std::array<int, 2> dilations{1, 1};
};
// x: [N, H, W, C] (or [H, W, C]), filter: [KH, KW, C, CO]; output [N, OH, OW, CO].
Tensor conv2d(const Tensor& x, const Tensor& filter, const Conv2DOptions& options = {});

struct Pool2DOptions {
  std::array<int, 2> filterSize{2, 2};
  std::array<int, 2> strides{2, 2};
  Padding padding = Padding::Valid;
};
// x: [N, H, W, C] (or [H, W, C]). avgPool averages the window's in-bounds elements only.
Tensor maxPool(const Tensor& x, const Pool2DOptions& options = {});
Tensor avgPool(const Tensor& x, const Pool2DOptions& options = {});

// One dimension may be -1 (inferred). Free (no pass) when the last dimension is unchanged.
Tensor reshape(const Tensor& x, const std::vector<int64_t>& shape);
// Default permutation reverses the dimensions.
Tensor transpose(const Tensor& x, std::optional<std::vector<int>> perm = std::nullopt);

// Softmax along the last axis (axis must be -1 or rank-1).
Tensor softmax(const Tensor& logits, int axis = -1);

// Reductions: no axes (nullopt) reduces every axis; negative axes count from the end.
Tensor sum(const Tensor& x, std::optional<std::vector<int>> axes = std::nullopt,
           bool keepDims = false);
Tensor mean(const Tensor& x, std::optional<std::vector<int>> axes = std::nullopt,
            bool keepDims = false);
Tensor max(const Tensor& x, std::optional<std::vector<int>> axes = std::nullopt,
           bool keepDims = false);
// Index of the first maximum along `axis`; int32 output.
Tensor argMax(const Tensor& x, int axis = 0);

}  // namespace texel
