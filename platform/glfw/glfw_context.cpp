// A desktop window with an OpenGL ES 3.0 context created through EGL, via GLFW.
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>

#include "engine/core/error.h"
#include "platform/platform.h"

namespace texel::platform {
namespace {

std::string lastGlfwError() {
  const char* description = nullptr;
  int code = glfwGetError(&description);
  return concat("GLFW error 0x", std::hex, code, ": ", description ? description : "none");
}

class GlfwWindowContext : public WindowContext {
 public:
  GlfwWindowContext(int width, int height, const std::string& title, bool visible) {
    if (!glfwInit()) fail("GLFW window: glfwInit failed (", lastGlfwError(), "); is DISPLAY set?");
    glfwDefaultWindowHints();
    glfwWindowHint(GLFW_CLIENT_API, GLFW_OPENGL_ES_API);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
    glfwWindowHint(GLFW_CONTEXT_CREATION_API, GLFW_EGL_CONTEXT_API);
    glfwWindowHint(GLFW_VISIBLE, visible ? GLFW_TRUE : GLFW_FALSE);
    window_ = glfwCreateWindow(width, height, title.c_str(), nullptr, nullptr);
    if (!window_) {
      std::string error = lastGlfwError();
      glfwTerminate();
      fail("GLFW window: could not create an OpenGL ES 3.0 window (", error, ")");
    }
    makeCurrent();
  }

  ~GlfwWindowContext() override {
    glfwDestroyWindow(window_);
    glfwTerminate();
  }

  void makeCurrent() override { glfwMakeContextCurrent(window_); }
  void* procAddress(const char* name) override {
    return reinterpret_cast<void*>(glfwGetProcAddress(name));
  }
  std::string platformName() const override { return "glfw"; }
  bool shouldClose() override { return glfwWindowShouldClose(window_); }
  void swapBuffers() override { glfwSwapBuffers(window_); }
  void pollEvents() override { glfwPollEvents(); }

 private:
  GLFWwindow* window_ = nullptr;
};

}  // namespace

std::shared_ptr<WindowContext> createWindowContext(int width, int height, const std::string& title,
                                                   bool visible) {
  return std::make_shared<GlfwWindowContext>(width, height, title, visible);
}

}  // namespace texel::platform
