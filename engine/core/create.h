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
Tensor ones(Backend& backend, const Shape& shape);
// Same backend, shape and dtype as `like`.
Tensor zerosLike(const Tensor& like);
Tensor onesLike(const Tensor& like);
// start, start + step, ... up to but excluding stop (TF.js tf.range). float32 or int32.
Tensor range(Backend& backend, double start, double stop, double step = 1.0,
             DType dtype = DType::Float32);
// `count` evenly spaced values from start to stop inclusive (count >= 1).
Tensor linspace(Backend& backend, double start, double stop, int64_t count);
// rows x columns (columns defaults to rows) with ones on the diagonal.
Tensor eye(Backend& backend, int64_t rows, int64_t columns = -1);

// Seeded random tensors. The values are generated on the host from mt19937_64 with
// hand-written distributions, so one seed gives bit-identical tensors on every backend
// and platform (the GL backend uploads what the CPU generated).
Tensor randomUniform(Backend& backend, const Shape& shape, float minValue = 0.0f,
                     float maxValue = 1.0f, uint64_t seed = 0);
Tensor randomNormal(Backend& backend, const Shape& shape, float mean = 0.0f, float stdDev = 1.0f,
                    uint64_t seed = 0);
// Normal values re-drawn until they lie within two standard deviations of the mean.
Tensor truncatedNormal(Backend& backend, const Shape& shape, float mean = 0.0f, float stdDev = 1.0f,
                       uint64_t seed = 0);

}  // namespace texel
