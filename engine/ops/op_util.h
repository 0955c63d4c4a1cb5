#pragma once
// Helpers shared by op families: input checks for inference, and N-D index walking for
// the CPU reference kernels.
#include <cstdint>
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

inline std::vector<TensorSpec> specsOf(std::span<const Tensor> tensors) {
  std::vector<TensorSpec> specs;
  for (const Tensor& t : tensors) specs.push_back({t.shape(), t.dtype()});
  return specs;
}

// resizeBilinear's interpolation along one axis (0: height, 1: width) of `images` as a
// row-major [out, in] matrix: the op is the product of the two (its gradient uses them).
std::vector<float> bilinearResizeMatrix(std::string_view op, const Shape& images,
                                        const Attrs& attrs, int axis);

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

// The GLSL expression (of vec4 x and float param0) and the CPU reference of a unary
// elementwise op, for kernels that fuse one (engine/ops/elementwise.cpp's table).
std::string_view unaryGlsl(std::string_view name);
double unaryReference(std::string_view name, double x, double param0);

// Whether `name` is an elementwise op of the unary or binary tables, or where.
bool isElementwise(std::string_view name);

// The axes list of a reduction attribute: "axes" missing means every axis. Sorted,
// unique, non-negative; throws naming `op` on out-of-range or repeated axes.
std::vector<int> reductionAxes(std::string_view op, const Attrs& attrs, int rank);

}  // namespace texel::ops
