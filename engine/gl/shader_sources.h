#pragma once
// GLSL sources from glsl/, embedded into the binary at build time (scripts/embed_glsl.cmake).
// Each file is named by a generated constant, gl::shaders::<file name> (engine/gl/shaders.h),
// so only files that exist can be asked for.
#include <string_view>

namespace texel::gl {

struct Shader {
  int index;
};
std::string_view shaderSource(Shader shader);
std::string_view shaderName(Shader shader);  // the file name without ".glsl"

}  // namespace texel::gl
