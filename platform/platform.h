#pragma once
// Ways to get a GL context for texel::GlBackend. Only these platform sources include
// EGL, GLFW or Emscripten headers; the engine sees the GlContext interface alone.
#include <memory>
#include <string>

#include "engine/gl/gl_context.h"

namespace texel::platform {

// Desktop, no window and no X server: EGL on Mesa's surfaceless platform (falling back to
// the default display with a 1x1 pbuffer). For CI, servers and tests.
std::shared_ptr<GlContext> createHeadlessContext();

// Desktop window with an OpenGL ES 3.0 context created through EGL (GLFW; needs a display,
// e.g. Xvfb). The window is hidden when `visible` is false.
class WindowContext : public GlContext {
 public:
  virtual bool shouldClose() = 0;
  virtual void swapBuffers() = 0;
  virtual void pollEvents() = 0;
};
std::shared_ptr<WindowContext> createWindowContext(int width, int height, const std::string& title,
                                                   bool visible = true);

// Browser: a WebGL2 context on the canvas matching `selector` (e.g. "#canvas"), with
// EXT_color_buffer_float enabled. Only in Emscripten builds.
std::shared_ptr<GlContext> createWebContext(const std::string& selector);

// The natural default: headless EGL on desktop, "#canvas" in the browser.
std::shared_ptr<GlContext> createDefaultContext();

}  // namespace texel::platform
