#pragma once
// Helpers shared by op families: input checks for inference, N-D index walking for the
// CPU reference kernels, and the split plan of row-wise ops.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "engine/core/error.h"
#include "engine/core/registry.h"

namespace texel::ops {

inline void requireFloat(std::string_view op, std::span<const TensorSpec> inputs) {
  for (size_t i = 0; i < inputs.size(); ++i)
    if (inputs[i].dtype != DType::Float32)
      fail(op, ": input ", i, " has dtype ", dtypeName(inputs[i].dtype), ", expected float32");
}

inline void requireRank(std::string_view op, const char* what, const Shape& shape, int rank) {
  if (shape.rank() != rank) fail(op, ": ", what, " must have rank ", rank, ", got shape ", shape);
}

// Row-major strides (elements) of `shape`.
inline std::vector<int64_t> stridesOf(const Shape& shape) {
  std::vector<int64_t> strides(static_cast<size_t>(shape.rank()));
  int64_t stride = 1;
  for (int d = shape.rank() - 1; d >= 0; --d) {
    strides[static_cast<size_t>(d)] = stride;
    stride *= shape[d];
  }
  return strides;
}

// Advances a row-major multi-index over `shape`; returns false after the last index.
inline bool nextIndex(std::vector<int64_t>& index, const Shape& shape) {
  for (int d = shape.rank() - 1; d >= 0; --d) {
    if (++index[static_cast<size_t>(d)] < shape[d]) return true;
    index[static_cast<size_t>(d)] = 0;
  }
  return false;
}

// Normalised, sorted, unique axes of a reduction (nullopt: every axis); throws naming
// `op` on out-of-range or repeated axes.
std::vector<int> reductionAxes(std::string_view op, const std::optional<std::vector<int>>& axes,
                               int rank);

// Running a call with tensors split over several textures (engine/gl/split.h) chunk by
// chunk along the output's leading dimension: per input, whether it follows the chunks
// or is passed whole to each. An empty plan: the op cannot run this call so.
enum class SplitInput { Rows, Whole };
using SplitPlan = std::vector<SplitInput>;
std::optional<std::vector<Tensor>> runByRowChunks(const OpContext& ctx, const SplitPlan& plan);

// A row's split kernel from a plan function plan(inputs, output, attrs).
template <typename A, typename PlanFn>
auto splitByRows(PlanFn plan) {
  return [plan](const OpContext& ctx, const A& attrs) -> std::optional<std::vector<Tensor>> {
    if (ctx.outputs.size() != 1 || ctx.outputs[0].shape.rank() == 0) return std::nullopt;
    return runByRowChunks(ctx, plan(specsOf(ctx.inputs), ctx.outputs[0], attrs));
  };
}
// The plan of row-wise ops (elementwise, cast): inputs that share the output's rank and
// leading dimension follow its chunks, the others (broadcast along it) go whole.
SplitPlan rowwisePlan(std::span<const TensorSpec> inputs, const TensorSpec& output);
template <typename A>
auto splitRowwise() {
  return splitByRows<A>([](std::span<const TensorSpec> in, const TensorSpec& out, const A&) {
    return rowwisePlan(in, out);
  });
}
inline constexpr std::string_view kRowwiseSplit = "by rows";

}  // namespace texel::ops
