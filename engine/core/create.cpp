#include "engine/core/create.h"

#include <cstdlib>
#include <vector>

#include "engine/core/error.h"

namespace texel {

namespace {
Tensor make(Backend& backend, const Shape& shape, DType dtype, std::span<const float> values,
            const char* what) {
  validateShape(shape, what);
  if (static_cast<int64_t>(values.size()) != shape.size())
    fail(what, ": shape ", shape, " needs ", shape.size(), " values, got ", values.size());
  return Tensor(backend.shared_from_this(), shape, dtype, backend.upload(shape, values));
}
}  // namespace

Tensor tensor(Backend& backend, const Shape& shape, std::span<const float> values) {
  return make(backend, shape, DType::Float32, values, "tensor");
}

Tensor tensor(Backend& backend, const Shape& shape, std::initializer_list<float> values) {
  return tensor(backend, shape, std::span<const float>(values.begin(), values.size()));
}

Tensor tensorInt32(Backend& backend, const Shape& shape, std::span<const int32_t> values) {
  constexpr int32_t kExactLimit = 1 << 24;
  std::vector<float> asFloat(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    if (std::abs(static_cast<int64_t>(values[i])) >= kExactLimit)
      fail("tensorInt32: value ", values[i], " at index ", i,
           " cannot be stored exactly (expected |x| < 2^24 = 16777216)");
    asFloat[i] = static_cast<float>(values[i]);
  }
  return make(backend, shape, DType::Int32, asFloat, "tensorInt32");
}

Tensor tensorBool(Backend& backend, const Shape& shape, std::span<const uint8_t> values) {
  std::vector<float> asFloat(values.size());
  for (size_t i = 0; i < values.size(); ++i) asFloat[i] = values[i] ? 1.0f : 0.0f;
  return make(backend, shape, DType::Bool, asFloat, "tensorBool");
}

Tensor scalar(Backend& backend, float value) {
  return tensor(backend, Shape{}, {value});
}

Tensor zeros(Backend& backend, const Shape& shape) {
  return fill(backend, shape, 0.0f);
}

Tensor fill(Backend& backend, const Shape& shape, float value) {
  validateShape(shape, "fill");
  std::vector<float> values(static_cast<size_t>(shape.size()), value);
  return make(backend, shape, DType::Float32, values, "fill");
}

}  // namespace texel
