#pragma once
// Turning GL error flags into texel::Error.
#include <string>

#include "engine/gl/gl_api.h"

namespace texel::gl {

const char* glErrorName(GLenum error);
// Clears pending error flags (a context may hold several).
void drainErrors();
// Throws texel::Error (texel::OutOfMemory for GL_OUT_OF_MEMORY) naming `what` if GL
// recorded an error.
void checkGlError(const std::string& what);

}  // namespace texel::gl
