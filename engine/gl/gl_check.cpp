#include "engine/gl/gl_check.h"

#include "engine/core/error.h"

namespace texel::gl {

const char* glErrorName(GLenum error) {
  switch (error) {
    case GL_NO_ERROR:
      return "GL_NO_ERROR";
    case GL_INVALID_ENUM:
      return "GL_INVALID_ENUM";
    case GL_INVALID_VALUE:
      return "GL_INVALID_VALUE";
    case GL_INVALID_OPERATION:
      return "GL_INVALID_OPERATION";
    case GL_INVALID_FRAMEBUFFER_OPERATION:
      return "GL_INVALID_FRAMEBUFFER_OPERATION";
    case GL_OUT_OF_MEMORY:
      return "GL_OUT_OF_MEMORY";
    case kGlContextLost:
      return "GL_CONTEXT_LOST";
    case kWebGlContextLost:
      return "CONTEXT_LOST_WEBGL";
    default:
      return "unknown GL error";
  }
}

void drainErrors() {
  for (int i = 0; i < 16 && glGetError() != GL_NO_ERROR; ++i) {
  }
}

void checkGlError(const std::string& what) {
  GLenum error = glGetError();
  if (error == GL_NO_ERROR) return;
  drainErrors();
  if (error == kGlContextLost || error == kWebGlContextLost)
    throw ContextLost(concat(what, ": the GL context was lost (", glErrorName(error), ")"));
  if (error == GL_OUT_OF_MEMORY)
    throw OutOfMemory(concat(what, ": the GL driver reported GL_OUT_OF_MEMORY"), 0, 0, 0);
  fail(what, ": GL error ", glErrorName(error));
}

}  // namespace texel::gl
