// Headless OpenGL ES 3.0 through EGL: Mesa's surfaceless platform needs no X server and
// no surface at all (EGL_KHR_surfaceless_context); other drivers get a 1x1 pbuffer.
#include <EGL/egl.h>
#include <EGL/eglext.h>

#include <cstring>

#include "engine/core/error.h"
#include "platform/platform.h"

namespace texel::platform {
namespace {

std::string eglErrorText() {
  return concat("EGL error 0x", std::hex, eglGetError());
}

bool hasClientExtension(const char* name) {
  const char* list = eglQueryString(EGL_NO_DISPLAY, EGL_EXTENSIONS);
  return list && std::strstr(list, name) != nullptr;
}

class EglContext : public GlContext {
 public:
  EglContext() {
    if (hasClientExtension("EGL_MESA_platform_surfaceless")) {
      auto getPlatformDisplay = reinterpret_cast<PFNEGLGETPLATFORMDISPLAYEXTPROC>(
          eglGetProcAddress("eglGetPlatformDisplayEXT"));
      if (getPlatformDisplay) {
        display_ = getPlatformDisplay(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, nullptr);
        platform_ = "egl-surfaceless";
      }
    }
    if (display_ == EGL_NO_DISPLAY) {
      display_ = eglGetDisplay(EGL_DEFAULT_DISPLAY);
      platform_ = "egl-pbuffer";
    }
    if (display_ == EGL_NO_DISPLAY) fail("headless EGL: no display (", eglErrorText(), ")");
    if (!eglInitialize(display_, nullptr, nullptr))
      fail("headless EGL: eglInitialize failed (", eglErrorText(), ")");
    if (!eglBindAPI(EGL_OPENGL_ES_API))
      fail("headless EGL: OpenGL ES is not available (", eglErrorText(), ")");

    const EGLint configAttributes[] = {EGL_RENDERABLE_TYPE, EGL_OPENGL_ES3_BIT, EGL_SURFACE_TYPE,
                                       EGL_PBUFFER_BIT, EGL_NONE};
    EGLint count = 0;
    if (!eglChooseConfig(display_, configAttributes, &config_, 1, &count) || count == 0)
      fail("headless EGL: no OpenGL ES 3 config (", eglErrorText(), ")");
    createContext();
    const char* displayExtensions = eglQueryString(display_, EGL_EXTENSIONS);
    bool surfaceless =
        displayExtensions && std::strstr(displayExtensions, "EGL_KHR_surfaceless_context");
    if (!surfaceless) {
      const EGLint pbufferAttributes[] = {EGL_WIDTH, 1, EGL_HEIGHT, 1, EGL_NONE};
      surface_ = eglCreatePbufferSurface(display_, config_, pbufferAttributes);
      if (surface_ == EGL_NO_SURFACE)
        fail("headless EGL: could not create a pbuffer (", eglErrorText(), ")");
    }
    makeCurrent();
  }

  ~EglContext() override {
    eglMakeCurrent(display_, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
    if (surface_ != EGL_NO_SURFACE) eglDestroySurface(display_, surface_);
    if (context_ != EGL_NO_CONTEXT) eglDestroyContext(display_, context_);
    eglTerminate(display_);
  }

  bool isLost() override {
    if (context_ == EGL_NO_CONTEXT) return true;
    // A real GPU reset: only drivers that honour the reset notification strategy say so.
    return resetStatus_ && resetStatus_() != 0;
  }

  // Destroys the context as a GPU reset would; every GL object dies with it.
  bool loseContext() override {
    if (context_ == EGL_NO_CONTEXT) return true;
    eglMakeCurrent(display_, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
    eglDestroyContext(display_, context_);
    context_ = EGL_NO_CONTEXT;
    notifyLoss(true);
    return true;
  }

  bool restoreContext() override {
    if (context_ != EGL_NO_CONTEXT) return true;
    createContext();
    makeCurrent();
    notifyLoss(false);
    return true;
  }

  void makeCurrent() override {
    if (context_ == EGL_NO_CONTEXT) fail("headless EGL: the context was lost (destroyed)");
    if (!eglMakeCurrent(display_, surface_, surface_, context_))
      fail("headless EGL: eglMakeCurrent failed (", eglErrorText(), ")");
  }

  void* procAddress(const char* name) override {
    return reinterpret_cast<void*>(eglGetProcAddress(name));
  }

  std::string platformName() const override { return platform_; }

 private:
  // An OpenGL ES 3.0 context; with EGL_EXT_create_context_robustness it asks to be told
  // about GPU resets (glGetGraphicsResetStatusEXT), falling back to a plain context.
  void createContext() {
    const char* displayExtensions = eglQueryString(display_, EGL_EXTENSIONS);
    if (displayExtensions && std::strstr(displayExtensions, "EGL_EXT_create_context_robustness")) {
      const EGLint robustAttributes[] = {EGL_CONTEXT_MAJOR_VERSION,
                                         3,
                                         EGL_CONTEXT_MINOR_VERSION,
                                         0,
                                         EGL_CONTEXT_OPENGL_RESET_NOTIFICATION_STRATEGY_EXT,
                                         EGL_LOSE_CONTEXT_ON_RESET_EXT,
                                         EGL_NONE};
      context_ = eglCreateContext(display_, config_, EGL_NO_CONTEXT, robustAttributes);
    }
    if (context_ == EGL_NO_CONTEXT) {
      const EGLint contextAttributes[] = {EGL_CONTEXT_MAJOR_VERSION, 3, EGL_CONTEXT_MINOR_VERSION,
                                          0, EGL_NONE};
      context_ = eglCreateContext(display_, config_, EGL_NO_CONTEXT, contextAttributes);
    } else {
      resetStatus_ =
          reinterpret_cast<ResetStatusFn>(eglGetProcAddress("glGetGraphicsResetStatusEXT"));
    }
    if (context_ == EGL_NO_CONTEXT)
      fail("headless EGL: could not create an OpenGL ES 3.0 context (", eglErrorText(), ")");
  }

  using ResetStatusFn = unsigned (*)();
  ResetStatusFn resetStatus_ = nullptr;
  EGLConfig config_ = nullptr;
  EGLDisplay display_ = EGL_NO_DISPLAY;
  EGLContext context_ = EGL_NO_CONTEXT;
  EGLSurface surface_ = EGL_NO_SURFACE;
  std::string platform_;
};

}  // namespace

std::shared_ptr<GlContext> createHeadlessContext() {
  return std::make_shared<EglContext>();
}

std::shared_ptr<GlContext> createWebContext(const std::string&) {
  fail("createWebContext: WebGL contexts exist only in Emscripten builds");
}

std::shared_ptr<GlContext> createDefaultContext() {
  return createHeadlessContext();
}

}  // namespace texel::platform
