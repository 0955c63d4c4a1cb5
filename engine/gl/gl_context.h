#pragma once
// What the engine needs from a platform: a current OpenGL ES 3.0 / WebGL2 context.
// Implementations live in platform/ (egl, glfw, web); the engine never sees their headers.
#include <string>

namespace texel {

class GlContext {
 public:
  virtual ~GlContext() = default;
  virtual void makeCurrent() = 0;
  // Address of a GL entry point for the desktop loader; nullptr where GL is linked directly
  // (Emscripten).
  virtual void* procAddress(const char* name) = 0;
  virtual std::string platformName() const = 0;  // "egl-surfaceless", "glfw", "webgl2"
};

}  // namespace texel
