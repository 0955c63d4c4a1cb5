#pragma once
// Making tensors from host values.
#include <cstdint>
#include <initializer_list>
#include <span>

#include "engine/core/backend.h"
#include "engine/core/tensor.h"

namespace texel {

// `values` holds shape.size() floats in row-major order.
Tensor tensor(Backend& backend, const Shape& shape, std::span<const float> values);
Tensor tensor(Backend& backend, const Shape& shape, std::initializer_list<float> values);
// int32 tensors; values must satisfy |x| < 2^24 so that GL float texels hold them exactly.
Tensor tensorInt32(Backend& backend, const Shape& shape, std::span<const int32_t> values);
// Any non-zero byte is true; stored as 0/1, read back with data() or dataInt32().
Tensor tensorBool(Backend& backend, const Shape& shape, std::span<const uint8_t> values);
Tensor scalar(Backend& backend, float value);
Tensor zeros(Backend& backend, const Shape& shape);
Tensor fill(Backend& backend, const Shape& shape, float value);

}  // namespace texel
