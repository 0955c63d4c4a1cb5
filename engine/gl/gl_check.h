#pragma once
// Turning GL error flags into texel::Error.
#include <string>

#include "engine/gl/gl_api.h"

namespace texel::gl {

// Error codes of a lost context: ES 3.2 / KHR_robustness, and WebGL's.
inline constexpr GLenum kGlContextLost = 0x0507;
inline constexpr GLenum kWebGlContextLost = 0x9242;

const char* glErrorName(GLenum error);
// Clears pending error flags (a context may hold several).
void drainErrors();
// Throws texel::Error (texel::OutOfMemory for GL_OUT_OF_MEMORY, texel::ContextLost for a
// lost context) naming `what` if GL
// recorded an error.
void checkGlError(const std::string& what);

}  // namespace texel::gl
