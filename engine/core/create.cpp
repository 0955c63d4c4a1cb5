#include "engine/core/create.h"

#include <cmath>
#include <cstdlib>
#include <random>
#include <vector>

#include "engine/core/error.h"

namespace texel {

namespace {
Tensor make(Backend& backend, const Shape& shape, DType dtype, std::span<const float> values,
            const char* what) {
  validateShape(shape, what);
  if (static_cast<int64_t>(values.size()) != shape.size())
    fail(what, ": shape ", shape, " needs ", shape.size(), " values, got ", values.size());
  return Tensor(backend.shared_from_this(), shape, dtype,
                backend.upload(shape, dtype, values, what));
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

Tensor ones(Backend& backend, const Shape& shape) {
  return fill(backend, shape, 1.0f);
}

namespace {
Tensor filledLike(const Tensor& like, float value) {
  if (!like.defined()) fail("zerosLike/onesLike: empty tensor handle");
  std::vector<float> values(static_cast<size_t>(like.size()), value);
  return make(like.backend(), like.shape(), like.dtype(), values, "zerosLike/onesLike");
}
}  // namespace

Tensor zerosLike(const Tensor& like) {
  return filledLike(like, 0.0f);
}

Tensor onesLike(const Tensor& like) {
  return filledLike(like, 1.0f);
}

Tensor range(Backend& backend, double start, double stop, double step, DType dtype) {
  if (step == 0 || !std::isfinite(start) || !std::isfinite(stop) || !std::isfinite(step))
    fail("range: start ", start, ", stop ", stop, " and step ", step,
         " must be finite with a non-zero step");
  if (dtype == DType::Bool) fail("range: dtype must be float32 or int32, got bool");
  double span = std::ceil((stop - start) / step);
  if (span > double{1 << 30}) fail("range: ", span, " values are too many for one tensor");
  int64_t count = span > 0 ? static_cast<int64_t>(span) : 0;
  std::vector<float> values(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    double v = start + static_cast<double>(i) * step;
    if (dtype == DType::Int32 && (v != std::trunc(v) || std::fabs(v) >= 16777216.0))
      fail("range: int32 value ", v, " is not an integer below 2^24 in magnitude");
    values[static_cast<size_t>(i)] = static_cast<float>(v);
  }
  return make(backend, Shape{count}, dtype, values, "range");
}

Tensor linspace(Backend& backend, double start, double stop, int64_t count) {
  if (count < 1) fail("linspace: count must be >= 1, got ", count);
  validateShape(Shape{count}, "linspace");
  std::vector<float> values(static_cast<size_t>(count));
  double step = count > 1 ? (stop - start) / static_cast<double>(count - 1) : 0.0;
  for (int64_t i = 0; i < count; ++i)
    values[static_cast<size_t>(i)] = static_cast<float>(start + step * static_cast<double>(i));
  if (count > 1) values.back() = static_cast<float>(stop);  // exact end point
  return make(backend, Shape{count}, DType::Float32, values, "linspace");
}

Tensor eye(Backend& backend, int64_t rows, int64_t columns) {
  if (columns < 0) columns = rows;
  Shape shape{rows, columns};
  validateShape(shape, "eye");
  std::vector<float> values(static_cast<size_t>(shape.size()), 0.0f);
  for (int64_t i = 0; i < std::min(rows, columns); ++i)
    values[static_cast<size_t>(i * columns + i)] = 1.0f;
  return make(backend, shape, DType::Float32, values, "eye");
}

namespace {

// mt19937_64 is specified bit for bit; the distributions are written out because the
// standard library's differ between implementations.
class SeededRandom {
 public:
  explicit SeededRandom(uint64_t seed) : engine_(seed) {}
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }  // [0, 1)
  double normal() {                                                              // Box-Muller
    double u = 1.0 - uniform();                                                  // (0, 1]
    double v = uniform();
    return std::sqrt(-2.0 * std::log(u)) * std::cos(2.0 * 3.14159265358979323846 * v);
  }

 private:
  std::mt19937_64 engine_;
};

template <typename Draw>
Tensor randomTensor(Backend& backend, const Shape& shape, const char* what, Draw&& draw) {
  validateShape(shape, what);
  std::vector<float> values(static_cast<size_t>(shape.size()));
  for (float& v : values) v = static_cast<float>(draw());
  return make(backend, shape, DType::Float32, values, what);
}

void requireFinite(const char* what, float a, float b) {
  if (!std::isfinite(a) || !std::isfinite(b)) fail(what, ": parameters must be finite");
}

}  // namespace

Tensor randomUniform(Backend& backend, const Shape& shape, float minValue, float maxValue,
                     uint64_t seed) {
  requireFinite("randomUniform", minValue, maxValue);
  if (!(minValue < maxValue))
    fail("randomUniform: minValue ", minValue, " must be below maxValue ", maxValue);
  SeededRandom random(seed);
  return randomTensor(backend, shape, "randomUniform", [&] {
    double v = minValue + (double{maxValue} - minValue) * random.uniform();
    return std::min(v, std::nextafter(double{maxValue}, double{minValue}));
  });
}

Tensor randomNormal(Backend& backend, const Shape& shape, float mean, float stdDev, uint64_t seed) {
  requireFinite("randomNormal", mean, stdDev);
  if (stdDev < 0) fail("randomNormal: stdDev must be >= 0, got ", stdDev);
  SeededRandom random(seed);
  return randomTensor(backend, shape, "randomNormal",
                      [&] { return mean + stdDev * random.normal(); });
}

Tensor truncatedNormal(Backend& backend, const Shape& shape, float mean, float stdDev,
                       uint64_t seed) {
  requireFinite("truncatedNormal", mean, stdDev);
  if (stdDev < 0) fail("truncatedNormal: stdDev must be >= 0, got ", stdDev);
  SeededRandom random(seed);
  return randomTensor(backend, shape, "truncatedNormal", [&] {
    double z;
    do z = random.normal();
    while (std::fabs(z) > 2.0);
    return mean + stdDev * z;
  });
}

}  // namespace texel
