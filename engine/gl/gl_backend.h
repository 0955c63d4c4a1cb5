#pragma once
// The GL backend: every tensor is an RGBA32F texture in the C4 layout (layout.h), every
// op one or more full-screen fragment passes (gl_pass.h), textures come from a budgeted
// pool (texture_pool.h) and programs from a cache keyed by source (program_cache.h).
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "engine/core/backend.h"
#include "engine/core/registry.h"
#include "engine/gl/gl_context.h"
#include "engine/gl/gl_objects.h"
#include "engine/gl/layout.h"
#include "engine/gl/program_cache.h"
#include "engine/gl/split.h"
#include "engine/gl/texture_pool.h"

namespace texel {

struct GlInfo {
  std::string platform;  // from the GlContext: "egl-surfaceless", "glfw", "webgl2"
  std::string version;
  std::string renderer;
  std::string vendor;
  std::string shadingLanguage;
  int maxTextureSize = 0;        // the device's limit
  int maxTextureImageUnits = 0;  // samplers per fragment shader
  int maxDrawBuffers = 0;
  std::vector<std::string> extensions;
  bool floatRenderable = false;      // RGBA32F colour attachments are framebuffer-complete
  bool halfFloatRenderable = false;  // RGBA16F colour attachments are framebuffer-complete
  bool hasExtension(const std::string& name) const;
};

struct GlOptions {
  std::size_t budgetBytes = 0;  // live + pooled texture bytes; 0 = no budget
  // Caps the texture side below the device's MAX_TEXTURE_SIZE (0 = device limit). Tests
  // use a small value to exercise folded layouts without huge tensors.
  int maxTextureSize = 0;
  // glGetError after every pass (errors are always checked after allocation,
  // compilation, framebuffer setup and readback). Costly in browsers, where each check
  // is a round trip to the GPU process.
  bool checkErrorsEveryPass = false;
  // Store float32 tensors as RGBA16F even where RGBA32F is renderable (the automatic
  // fallback where it is not). See docs/ARCHITECTURE.md, "Precision".
  bool forceHalfFloat = false;
  // Behave as a device whose RGBA32F textures cannot be rendered to (tests the automatic
  // fallback on machines that have them).
  bool simulateNoFloatTargets = false;
};

class GlBackend : public Backend {
 public:
  // Makes `context` current and keeps it alive as long as the backend or any of its
  // tensors lives. Uses RGBA16F storage when RGBA32F cannot be rendered to (or when
  // forced); throws texel::Error when neither can.
  static std::shared_ptr<GlBackend> create(std::shared_ptr<GlContext> context,
                                           GlOptions options = {});
  ~GlBackend() override;

  BackendKind kind() const override { return BackendKind::Gl; }
  std::string name() const override { return "gl"; }
  std::shared_ptr<Storage> upload(const Shape& shape, DType dtype, std::span<const float> values,
                                  std::string_view what) override;
  std::vector<float> download(const Tensor& tensor) override;
  PendingRead downloadAsync(const Tensor& tensor) override;
  bool canShareStorage(const Shape& from, const Shape& to) const override;
  // Splits op calls over tensors too big for one texture (engine/gl/split.h).
  std::vector<Tensor> runKernel(KernelFn kernel, const OpContext& ctx) override;
  MemoryStats stats() const override;
  void finish() override;

  const GlInfo& info() const { return info_; }
  // True when float32 tensors are stored as half floats (forced or as the fallback).
  bool halfFloat() const { return halfFloat_; }
  // The texture format of a tensor of `dtype`: float32 -> RGBA16F in half-float mode
  // (unless `fullPrecision`: intermediate results that must not be rounded); int32 and
  // bool stay RGBA32F where that is renderable (uploads always, so indices are exact),
  // else RGBA16F (exact for |x| <= 2048).
  GLenum storageFormat(DType dtype, bool uploaded, bool fullPrecision = false) const;
  int maxTextureSize() const { return maxTextureSize_; }
  void setBudget(std::size_t budgetBytes) { pool_.setBudget(budgetBytes); }
  void freePooledTextures() { pool_.freePooled(); }

  // For kernels (engine/gl/gl_pass.h) and storage.
  gl::TextureLayout layoutOf(const Shape& shape, const std::string& op) const;
  Tensor allocate(const TensorSpec& spec, const std::string& op, bool uploaded = false,
                  bool fullPrecision = false);
  gl::ProgramCache& programs() { return programs_; }
  // Draws the bound program into `output`'s texture (one full-screen triangle).
  void drawInto(const Tensor& output, const std::string& op);
  void releaseTexture(std::unique_ptr<gl::Texture> texture) { pool_.release(std::move(texture)); }
  // Binds `texture` as the framebuffer's colour attachment, verifying completeness.
  void bindFramebuffer(gl::Texture& texture, const std::string& op);

 private:
  GlBackend(std::shared_ptr<GlContext> context, GlOptions options);
  void probe();

  std::shared_ptr<GlContext> context_;  // destroyed last: everything below needs it
  GlOptions options_;
  GlInfo info_;
  int maxTextureSize_ = 0;
  bool halfFloat_ = false;
  gl::TexturePool pool_;
  gl::ProgramCache programs_;
  gl::FramebufferId framebuffer_;
  gl::VertexArrayId emptyVertexArray_;
  int64_t passCount_ = 0;
};

// A tensor's texture. Several tensors (free reshapes) may share one.
class GlStorage : public Storage {
 public:
  GlStorage(std::shared_ptr<GlBackend> backend, std::unique_ptr<gl::Texture> texture,
            gl::TextureLayout layout)
      : backend_(std::move(backend)), texture_(std::move(texture)), layout_(layout) {}
  ~GlStorage() override {
    if (texture_) backend_->releaseTexture(std::move(texture_));
  }
  gl::Texture* texture() const { return texture_.get(); }  // null for empty tensors
  const gl::TextureLayout& layout() const { return layout_; }

 private:
  std::shared_ptr<GlBackend> backend_;
  std::unique_ptr<gl::Texture> texture_;
  gl::TextureLayout layout_;
};

}  // namespace texel
