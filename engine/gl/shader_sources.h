#pragma once
// GLSL sources from glsl/, embedded into the binary at build time (scripts/embed_glsl.cmake).
#include <string_view>

namespace texel::gl {

// Throws texel::Error for an unknown name. `name` is the file name without ".glsl".
std::string_view shaderSource(std::string_view name);

}  // namespace texel::gl
