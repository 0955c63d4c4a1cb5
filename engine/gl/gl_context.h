#pragma once
// What the engine needs from a platform: a current OpenGL ES 3.0 / WebGL2 context.
// Implementations live in platform/ (egl, glfw, web); the engine never sees their headers.
#include <functional>
#include <map>
#include <string>

namespace texel {

class GlContext {
 public:
  // Called with true when the platform notices the context is lost and with false once
  // it is usable again (GlBackend then rebuilds its GL objects).
  using LossListener = std::function<void(bool lost)>;

  virtual ~GlContext() = default;
  virtual void makeCurrent() = 0;
  // Address of a GL entry point for the desktop loader; nullptr where GL is linked directly
  // (Emscripten).
  virtual void* procAddress(const char* name) = 0;
  virtual std::string platformName() const = 0;  // "egl-surfaceless", "glfw", "webgl2"

  // Context loss. isLost(): the browser's isContextLost(), a robustness reset status, or a
  // context destroyed by loseContext(). loseContext() / restoreContext() do what a GPU
  // reset and its recovery do (tests, apps/memstress): WebGL uses WEBGL_lose_context
  // (restoration is asynchronous: the browser fires webglcontextrestored later); EGL
  // destroys the context and creates a fresh one. Both return false where unsupported.
  virtual bool isLost() { return false; }
  virtual bool loseContext() { return false; }
  virtual bool restoreContext() { return false; }
  // Whether restoreContext() may be called now: WebGL allows it only after the browser
  // has dispatched webglcontextlost (asynchronously, after isLost() turned true).
  virtual bool restorable() { return isLost(); }
  // Called by GlBackend before it rebuilds: re-enable extensions and the like.
  virtual void prepareAfterRestore() {}

  int addLossListener(LossListener listener) {
    listeners_.emplace(nextToken_, std::move(listener));
    return nextToken_++;
  }
  void removeLossListener(int token) { listeners_.erase(token); }

 protected:
  void notifyLoss(bool lost) {
    auto listeners = listeners_;  // a listener may remove itself
    for (auto& [token, listener] : listeners) listener(lost);
  }

 private:
  std::map<int, LossListener> listeners_;
  int nextToken_ = 0;
};

}  // namespace texel
