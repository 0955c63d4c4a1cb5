// WebGL2 on a canvas, through Emscripten's HTML5 API.
#include <emscripten/em_js.h>
#include <emscripten/html5.h>

#include "engine/core/error.h"
#include "platform/platform.h"

namespace texel::platform {
namespace {

// WEBGL_lose_context on the context behind an Emscripten handle (tests and memstress):
// mode 0 fetches the extension (while the context is alive: getExtension returns null
// once it is lost), 1 loses the context, 2 asks the browser to restore it.
EM_JS(int, texel_lose_context, (int handle, int mode), {
  var context = GL.getContext(handle);
  if (!context) return 0;
  if (!context.texelLoseContext)
    context.texelLoseContext = context.GLctx.getExtension('WEBGL_lose_context');
  var extension = context.texelLoseContext;
  if (!extension) return 0;
  if (mode == 1) extension.loseContext();
  if (mode == 2) extension.restoreContext();
  return 1;
});

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
    enableExtensions();
    texel_lose_context(context_, 0);
    // Claiming webglcontextlost (preventDefault, by returning true) is what allows the
    // browser to restore the context later. OffscreenCanvas targets have no such events.
    emscripten_set_webglcontextlost_callback(selector.c_str(), this, false, &onLost);
    emscripten_set_webglcontextrestored_callback(selector.c_str(), this, false, &onRestored);
    selector_ = selector;
  }
  ~WebContext() override {
    emscripten_set_webglcontextlost_callback(selector_.c_str(), nullptr, false, nullptr);
    emscripten_set_webglcontextrestored_callback(selector_.c_str(), nullptr, false, nullptr);
    emscripten_webgl_destroy_context(context_);
  }

  bool isLost() override { return emscripten_is_webgl_context_lost(context_); }
  bool loseContext() override { return texel_lose_context(context_, 1) != 0; }
  bool restoreContext() override { return texel_lose_context(context_, 2) != 0; }
  bool restorable() override { return lossEventSeen_ && isLost(); }
  void prepareAfterRestore() override { enableExtensions(); }

  void makeCurrent() override {
    if (emscripten_webgl_make_context_current(context_) != EMSCRIPTEN_RESULT_SUCCESS)
      fail("WebGL2: could not make the context current");
  }
  void* procAddress(const char*) override { return nullptr; }
  std::string platformName() const override { return "webgl2"; }

 private:
  // Rendering to float textures needs these in WebGL2 (again after a restore); GlBackend
  // verifies that they work. KHR_parallel_shader_compile (where the browser has it) lets
  // warmup poll COMPLETION_STATUS_KHR instead of waiting for each program.
  void enableExtensions() {
    emscripten_webgl_enable_extension(context_, "EXT_color_buffer_float");
    emscripten_webgl_enable_extension(context_, "EXT_color_buffer_half_float");
    emscripten_webgl_enable_extension(context_, "KHR_parallel_shader_compile");
  }
  static EM_BOOL onLost(int, const void*, void* self) {
    static_cast<WebContext*>(self)->lossEventSeen_ = true;
    static_cast<WebContext*>(self)->notifyLoss(true);
    return EM_TRUE;
  }
  static EM_BOOL onRestored(int, const void*, void* self) {
    static_cast<WebContext*>(self)->lossEventSeen_ = false;
    static_cast<WebContext*>(self)->notifyLoss(false);
    return EM_TRUE;
  }

  EMSCRIPTEN_WEBGL_CONTEXT_HANDLE context_ = 0;
  std::string selector_;
  bool lossEventSeen_ = false;
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
