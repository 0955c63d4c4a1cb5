#pragma once
#include <string_view>

namespace texel {

// Element types. GL textures always hold float32 texels; int32 tensors are stored as
// floats there and are exact for |x| < 2^24 (every index the engine produces is).
enum class DType { Float32, Int32 };

constexpr std::string_view dtypeName(DType dtype) {
  return dtype == DType::Float32 ? "float32" : "int32";
}

}  // namespace texel
