#include "engine/core/shape.h"

#include <limits>
#include <sstream>

#include "engine/core/error.h"

namespace texel {

int64_t Shape::size() const {
  int64_t count = 1;
  for (int64_t d : dims_) count *= d;
  return count;
}

std::string Shape::toString() const {
  std::ostringstream out;
  out << '[';
  for (size_t i = 0; i < dims_.size(); ++i) out << (i ? "," : "") << dims_[i];
  out << ']';
  return out.str();
}

std::ostream& operator<<(std::ostream& out, const Shape& shape) {
  return out << shape.toString();
}

void validateShape(const Shape& shape, const std::string& context) {
  if (shape.rank() > kMaxRank)
    fail(context, ": shape ", shape, " has rank ", shape.rank(), ", expected rank 0 to ", kMaxRank);
  constexpr int64_t kMaxElements = std::numeric_limits<int32_t>::max();
  int64_t count = 1;
  for (int64_t d : shape.dims()) {
    if (d < 0) fail(context, ": shape ", shape, " has a negative dimension");
    if (d != 0 && count > kMaxElements / d)
      fail(context, ": shape ", shape, " has more than ", kMaxElements, " elements");
    count *= d;
  }
}

int normalizeAxis(int axis, int rank, const std::string& op) {
  int bound = rank == 0 ? 1 : rank;  // a scalar accepts axis 0 / -1 like TF.js
  if (axis < -bound || axis >= bound)
    fail(op, ": axis ", axis, " is out of range for a tensor of rank ", rank, " (expected ", -bound,
         " to ", bound - 1, ")");
  return axis < 0 ? axis + bound : axis;
}

Shape broadcastShapes(const Shape& a, const Shape& b, const std::string& op) {
  int rank = std::max(a.rank(), b.rank());
  std::vector<int64_t> dims(static_cast<size_t>(rank));
  for (int k = 1; k <= rank; ++k) {
    int64_t da = a.fromEnd(k), db = b.fromEnd(k);
    if (da != db && da != 1 && db != 1)
      fail(op, ": shapes ", a, " and ", b, " cannot be broadcast together (dimension ", rank - k,
           ": ", da, " vs ", db, "; expected equal sizes or 1)");
    dims[static_cast<size_t>(rank - k)] = da == 1 ? db : da;
  }
  return Shape(std::move(dims));
}

std::vector<int64_t> broadcastStrides(const Shape& shape, const Shape& target) {
  std::vector<int64_t> strides(static_cast<size_t>(target.rank()), 0);
  int64_t stride = 1;
  for (int k = 1; k <= shape.rank(); ++k) {
    int64_t d = shape.fromEnd(k);
    size_t t = static_cast<size_t>(target.rank() - k);
    strides[t] = (d == 1 && target.fromEnd(k) != 1) ? 0 : stride;
    stride *= d;
  }
  return strides;
}

}  // namespace texel
