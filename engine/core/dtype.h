#pragma once
#include <string_view>

namespace texel {

// Element types. GL textures always hold float32 texels: int32 tensors are stored as floats
// and are exact for |x| < 2^24 (tensorInt32 rejects larger values; every index the engine
// produces is smaller); bool tensors hold exactly 0 or 1.
enum class DType { Float32, Int32, Bool };

constexpr std::string_view dtypeName(DType dtype) {
  switch (dtype) {
    case DType::Float32:
      return "float32";
    case DType::Int32:
      return "int32";
    case DType::Bool:
      return "bool";
  }
  return "?";
}

}  // namespace texel
