// WebGL2 on a canvas, through Emscripten's HTML5 API.
#include <emscripten/html5.h>

#include "engine/core/error.h"
#include "platform/platform.h"

namespace texel::platform {
namespace {

class WebContext : public GlContext {
 public:
  explicit WebContext(const std::string& selector) {
    EmscriptenWebGLContextAttributes attributes;
    emscripten_webgl_init_context_attributes(&attributes);
    attributes.majorVersion = 2;
    attributes.minorVersion = 0;
    attributes.alpha = false;
    attributes.depth = false;
    attributes.stencil = false;
    attributes.antialias = false;
    attributes.premultipliedAlpha = false;
    attributes.preserveDrawingBuffer = false;
    attributes.powerPreference = EM_WEBGL_POWER_PREFERENCE_HIGH_PERFORMANCE;
    context_ = emscripten_webgl_create_context(selector.c_str(), &attributes);
    if (context_ <= 0)
      fail("WebGL2 is not available on canvas '", selector, "' (error ", context_, ")");
    makeCurrent();
    // Rendering to float textures needs this extension in WebGL2; GlBackend verifies it.
    emscripten_webgl_enable_extension(context_, "EXT_color_buffer_float");
    emscripten_webgl_enable_extension(context_, "EXT_color_buffer_half_float");
  }
  ~WebContext() override { emscripten_webgl_destroy_context(context_); }

  void makeCurrent() override {
    if (emscripten_webgl_make_context_current(context_) != EMSCRIPTEN_RESULT_SUCCESS)
      fail("WebGL2: could not make the context current");
  }
  void* procAddress(const char*) override { return nullptr; }
  std::string platformName() const override { return "webgl2"; }

 private:
  EMSCRIPTEN_WEBGL_CONTEXT_HANDLE context_ = 0;
};

}  // namespace

std::shared_ptr<GlContext> createWebContext(const std::string& selector) {
  return std::make_shared<WebContext>(selector);
}

std::shared_ptr<GlContext> createHeadlessContext() {
  return createWebContext("#canvas");
}

std::shared_ptr<WindowContext> createWindowContext(int, int, const std::string&, bool) {
  fail("createWindowContext: desktop windows do not exist in the browser build");
}

std::shared_ptr<GlContext> createDefaultContext() {
  return createWebContext("#canvas");
}

}  // namespace texel::platform
