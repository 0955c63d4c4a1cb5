#pragma once
// Helpers of the gradient functions that the op families' rows declare: each computes
// with ordinary ops, so on the GL backend a backward pass never leaves the GPU.
#include "engine/core/registry.h"
#include "engine/core/tensor.h"

namespace texel::ops {

// A float32 scalar on `like`'s backend.
Tensor scalarLike(const Tensor& like, float value);
// The gradient of a broadcast operand: `g` summed over the dimensions `shape` was
// broadcast along, then given `shape`.
Tensor unbroadcast(const Tensor& g, const Shape& shape);
// g where the condition holds, else 0.
Tensor maskWhere(const Tensor& condition, const Tensor& g);

// A tensor of `shape` whose flat element i is the sum of the dy values whose entry in
// flatIndices (int32, one per dy element) is i (engine/ops/movement.cpp, gatherGrad).
Tensor scatterAddFlat(const Tensor& dy, const Tensor& flatIndices, const Shape& shape);
// The gradient of ops that only move data (every output element a copy of one input
// element): the op run on the CPU over the input's flat indices says which element each
// output copied; dy is scatter-added there (engine/ops/movement.cpp).
std::vector<Tensor> indexMapGrad(const GradContext& c);

}  // namespace texel::ops
