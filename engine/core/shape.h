#pragma once
// Logical tensor shapes: rank 0 (scalar) to kMaxRank, every dimension >= 0.
#include <cstdint>
#include <initializer_list>
#include <ostream>
#include <span>
#include <string>
#include <vector>

namespace texel {

inline constexpr int kMaxRank = 6;

class Shape {
 public:
  Shape() = default;
  Shape(std::initializer_list<int64_t> dims) : dims_(dims) {}
  explicit Shape(std::vector<int64_t> dims) : dims_(std::move(dims)) {}
  explicit Shape(std::span<const int64_t> dims) : dims_(dims.begin(), dims.end()) {}

  int rank() const { return static_cast<int>(dims_.size()); }
  int64_t operator[](int axis) const { return dims_[static_cast<size_t>(axis)]; }
  int64_t& operator[](int axis) { return dims_[static_cast<size_t>(axis)]; }
  // Dimension counted from the end: fromEnd(1) is the last dimension, 1 for scalars.
  int64_t fromEnd(int k) const { return rank() >= k ? dims_[dims_.size() - k] : 1; }
  const std::vector<int64_t>& dims() const { return dims_; }
  // Number of elements (1 for a scalar). Valid only for shapes that passed validate().
  int64_t size() const;
  bool operator==(const Shape&) const = default;
  std::string toString() const;  // "[2,3,4]"

 private:
  std::vector<int64_t> dims_;
};

std::ostream& operator<<(std::ostream& out, const Shape& shape);

// Throws texel::Error naming `context` when the rank exceeds kMaxRank, a dimension is
// negative, or the element count overflows what a tensor can hold (2^31 - 1 elements).
void validateShape(const Shape& shape, const std::string& context);

// Resolves a possibly negative axis against `rank`; throws naming `op` when out of range.
int normalizeAxis(int axis, int rank, const std::string& op);

// NumPy broadcasting of two shapes; throws naming `op` when incompatible.
Shape broadcastShapes(const Shape& a, const Shape& b, const std::string& op);

// Row-major strides of a shape (elements), with 0 for broadcast dimensions when the
// shape is right-aligned against `target` and has size 1 where target does not.
std::vector<int64_t> broadcastStrides(const Shape& shape, const Shape& target);

}  // namespace texel
