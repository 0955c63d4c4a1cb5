#pragma once
// The GL backend: every tensor is an RGBA32F texture in the C4 layout (layout.h), every
// op one or more full-screen fragment passes (gl_pass.h), textures come from a budgeted
// pool (texture_pool.h) and programs from a cache keyed by source (program_cache.h).
#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/core/backend.h"
#include "engine/core/registry.h"
#include "engine/gl/gl_context.h"
#include "engine/gl/layout.h"
#include "engine/gl/split.h"

// No GL header comes through here (engine/texel.h includes this file): the GL objects
// live behind forward declarations and GLenum values travel as unsigned.
namespace texel::gl {
class Fence;
class ProgramCache;
class TexturePool;
struct Texture;
}  // namespace texel::gl

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
  int maxColorAttachments = 0;
  // Render targets one pass may write: min(maxDrawBuffers, maxColorAttachments), at
  // most 8 (blocked kernels, gl_pass.h).
  int maxBlockTargets() const;
  std::vector<std::string> extensions;
  bool floatRenderable = false;      // RGBA32F colour attachments are framebuffer-complete
  bool halfFloatRenderable = false;  // RGBA16F colour attachments are framebuffer-complete
  // The budget used when GlOptions::budgetBytes is unset, and where it came from: half of
  // the memory GL_NVX_gpu_memory_info / GL_ATI_meminfo report, else (WebGL, Mesa) 256 MiB
  // on devices whose texture limit is 4096 or less (phones) and 1 GiB elsewhere.
  uint64_t deviceBudgetBytes = 0;
  std::string deviceBudgetSource;
  bool hasExtension(const std::string& name) const;
};

struct GlOptions {
  // Live + pooled texture bytes. Unset: derived from the device (GlInfo::deviceBudgetBytes);
  // 0: no budget.
  std::optional<uint64_t> budgetBytes;
  // Over the budget, page the least recently used tensors that the running op does not
  // use out to host memory (re-uploaded on their next use) instead of failing.
  bool paging = true;
  // Pooled textures not reused within this many texture acquisitions are freed.
  uint64_t poolIdleLimit = 8192;  // gl::TexturePool::kDefaultIdleLimit
  // Keep the host values of uploaded tensors (model weights, inputs): paging them out is
  // free and they survive a context loss. Costs their size in host memory.
  bool keepUploadsOnHost = true;
  // Record which op made each texture, for liveAllocations() (leak hunting).
  bool trackOwners = false;
  // Caps the texture side below the device's MAX_TEXTURE_SIZE (0 = device limit). Tests
  // use a small value to exercise folded layouts without huge tensors.
  int maxTextureSize = 0;
  // Caps the render targets of a blocked pass (several output texels per fragment,
  // gl_pass.h) below the device's (0 = device limit; 1 = no blocked passes). Tests use
  // it to run every block shape, the benchmark to compare.
  int maxBlockTargets = 0;
  // Outputs smaller than this many texel products (rows x slices x the inner length)
  // take plain passes: the blocked pass's copies cost more than it saves there
  // (engine/ops/fused.cpp, productBlock). Tests set 0 to block their small cases.
  int64_t minBlockProducts = int64_t{1} << 18;
  // glGetError after every pass (errors are always checked after allocation,
  // compilation, framebuffer setup and readback). Costly in browsers, where each check
  // is a round trip to the GPU process.
  bool checkErrorsEveryPass = false;
  // Fail a pass that sets a uniform none of its shaders mentions (a misspelt or stale
  // name; gl_pass.h). Checked once per program; on in debug builds and in the tests.
#ifdef NDEBUG
  bool checkUniforms = false;
#else
  bool checkUniforms = true;
#endif
  // Store float32 tensors as RGBA16F even where RGBA32F is renderable (the automatic
  // fallback where it is not). See docs/ARCHITECTURE.md, "Precision".
  bool forceHalfFloat = false;
  // Behave as a device whose RGBA32F textures cannot be rendered to (tests the automatic
  // fallback on machines that have them).
  bool simulateNoFloatTargets = false;
};

class GlStorage;

// One live texture-backed tensor storage, for leak reports.
struct LiveAllocation {
  std::string owner;  // "op [shape]" with GlOptions::trackOwners, else empty
  int width = 0;      // allocated texture size (the size bucket)
  int height = 0;
  uint64_t bytes = 0;
  bool resident = false;  // on the GPU now (false: paged out to host memory)
  bool hostCopy = false;
};

enum class ContextEvent { Lost, Restored, RestoreFailed };

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
  std::vector<Tensor> runKernel(const KernelFn& kernel, const OpContext& ctx) override;
  MemoryStats stats() const override;
  void finish() override;
  void setCompileOnly(bool on) override;
  bool compileOnly() const override { return compileOnly_; }
  bool programsReady() override;
  void finishPrograms() override;
  // Compile status is polled with KHR_parallel_shader_compile's COMPLETION_STATUS_KHR;
  // without it, with a fence behind the last started link.
  bool parallelCompile() const { return parallelCompile_; }

  const GlInfo& info() const { return info_; }
  // True when float32 tensors are stored as half floats (forced or as the fallback).
  bool halfFloat() const { return halfFloat_; }
  // The texture format of a tensor of `dtype`: float32 -> RGBA16F in half-float mode
  // (unless `fullPrecision`: intermediate results that must not be rounded); int32 and
  // bool stay RGBA32F where that is renderable (uploads always, so indices are exact),
  // else RGBA16F (exact for |x| <= 2048).
  unsigned storageFormat(DType dtype, bool uploaded, bool fullPrecision = false) const;
  int maxTextureSize() const { return maxTextureSize_; }
  void setBudget(uint64_t budgetBytes);
  void setPaging(bool enabled);
  void freePooledTextures();
  // Starts a new peak: stats().peakBytes / peakLiveBytes restart from what is live now.
  void resetPeak() override;
  uint64_t storageBytes(const Shape& shape, DType dtype) const override;
  std::vector<LiveAllocation> liveAllocations() const;

  // Context loss. The backend notices a lost context (the platform's event, a GL
  // context-lost error, or the context reporting itself lost at the start of an op),
  // tells the listener, and fails every op with texel::ContextLost until the platform
  // restores the context; then it rebuilds its GL objects (programs compile again on
  // use) and tells the listener. Tensors with a host copy (uploads, paged-out tensors)
  // are re-uploaded on their next use; GPU-only results are lost for good.
  using ContextListener = std::function<void(ContextEvent, const std::string& detail)>;
  void setContextListener(ContextListener listener) { contextListener_ = std::move(listener); }
  bool contextLost() const { return lost_; }
  // Called by the platform's restore notification; public for platforms that have none.
  void restoreContext();
  // Called by the platform's loss notification (and by the backend itself when it notices).
  void markContextLost(const std::string& reason);

  // For kernels (engine/gl/gl_pass.h) and storage.
  gl::TextureLayout layoutOf(const Shape& shape, const std::string& op) const;
  Tensor allocate(const TensorSpec& spec, const std::string& op, bool uploaded = false,
                  bool fullPrecision = false);
  gl::ProgramCache& programs();
  bool checkUniforms() const { return options_.checkUniforms; }
  // Render targets a blocked pass may use: the device's, capped by the options.
  int blockTargets() const;
  int64_t minBlockProducts() const { return options_.minBlockProducts; }
  // Draws the bound program into `output`'s texture (one full-screen triangle).
  void drawInto(const Tensor& output, const std::string& op);
  // Call after issuing GL calls of your own on texel's context (binding textures,
  // framebuffers, programs): texel caches the state its passes set and would not
  // rebind what it believes is still bound.
  void forgetGlState();
  // GL state a pass sets, each call skipped when the state already holds (a pass costs
  // few GL calls; in browsers each is a trip through the command buffer).
  void useProgram(unsigned program);
  void bindInputTexture(int unit, unsigned texture);
  // Draws the bound program into `targets` at once (multiple render targets), each
  // `block` texels of the output, then copies each into its place in `output`: target
  // r * blockSlices + c holds output rows [r * blockHeight, +blockHeight) and slices
  // [c * blockWidth, +blockWidth) (glBlitFramebuffer, no shader pass).
  struct BlockGeometry {
    int blockRows = 1, blockSlices = 1;   // targets per fragment: rows x slices
    int blockHeight = 0, blockWidth = 0;  // each target's size in texels
  };
  void drawBlocks(const Tensor& output, std::span<const Tensor> targets,
                  const BlockGeometry& geometry, const std::string& op);
  // Binds `texture` as the framebuffer's colour attachment, verifying completeness.
  void bindFramebuffer(gl::Texture& texture, const std::string& op);

 private:
  friend class GlStorage;
  friend class OpScope;
  GlBackend(std::shared_ptr<GlContext> context, GlOptions options);
  void probe();
  void chooseDeviceBudget();
  void checkContext(const std::string& op);
  // GlStorage bookkeeping: registration, use and paging.
  void track(GlStorage& storage);
  void untrack(GlStorage& storage);
  void makeResident(GlStorage& storage);
  bool needsCompletenessCheck(const gl::Texture& texture) const;
  bool pageOutLeastRecentlyUsed();
  std::vector<float> readTexels(gl::Texture& texture, const gl::TextureLayout& layout,
                                const std::string& what);
  void writeTexels(gl::Texture& texture, const gl::TextureLayout& layout,
                   std::span<const float> texels, const std::string& what);

  std::shared_ptr<GlContext> context_;  // destroyed last: everything below needs it
  GlOptions options_;
  GlInfo info_;
  int maxTextureSize_ = 0;
  bool halfFloat_ = false;
  struct GlObjects;  // the texture pool, program cache, framebuffer and vertex array
  std::unique_ptr<GlObjects> gl_;
  int64_t passCount_ = 0;
  int64_t blockedPassCount_ = 0;
  // Cached GL state (see useProgram); forgotten whenever something else may have touched
  // it: another backend on the context, texture churn (gl::textureChurn), a context loss,
  // forgetGlState().
  struct StateCache {
    unsigned program = 0;
    std::vector<unsigned> textures;  // per unit; ~0u: unknown
    int activeUnit = -1;
    unsigned attached = ~0u;  // the main framebuffer's colour attachment
    int viewportWidth = -1, viewportHeight = -1;
    bool fixedState = false;              // blend, depth and scissor tests off, vertex array bound
    unsigned framebuffer = ~0u;           // bound to GL_FRAMEBUFFER (draw and read)
    std::vector<unsigned> blockAttached;  // the block framebuffer's colour attachments
    int blockDrawBuffers = 0;
    bool packAlignment = false;  // GL_PACK_ALIGNMENT set to 4
    uint64_t churn = 0;
  } state_;
  void syncState();  // call before using state_
  void setFixedState();
  void useFramebuffer(unsigned framebuffer);
  void setViewport(int width, int height);
  // GL errors are checked once per readback (before its glReadPixels) rather than per
  // pass or upload: set when work was issued since that check.
  bool errorsUnchecked_ = false;
  bool compileOnly_ = false;
  bool parallelCompile_ = false;
  std::unique_ptr<gl::Fence> compileFence_;  // signalled once started links were processed
  std::list<GlStorage*> storages_;           // every storage that has (or had) a texture
  uint64_t useClock_ = 0;                    // advanced once per top-level op, upload or readback
  int opDepth_ = 0;  // ops run inside other ops' kernels share their clock tick
  int64_t pageOuts_ = 0;
  int64_t pageIns_ = 0;
  bool lost_ = false;
  int64_t contextLosses_ = 0;
  int listenerToken_ = -1;
  ContextListener contextListener_;
};

// A tensor's texture. Several tensors (free reshapes) may share one. While paged out
// (or after a context loss) the values wait in host memory and texture() uploads them
// again; tensors are immutable, so a host copy never goes stale.
class GlStorage : public Storage {
 public:
  GlStorage(std::shared_ptr<GlBackend> backend, std::unique_ptr<gl::Texture> texture,
            gl::TextureLayout layout, std::string owner);
  ~GlStorage() override;
  // The texture (uploaded again first if paged out); null for empty tensors. Throws
  // texel::ContextLost when the values died with a lost context.
  gl::Texture* texture();
  const gl::TextureLayout& layout() const { return layout_; }
  bool resident() const { return texture_ != nullptr; }

 private:
  friend class GlBackend;
  std::shared_ptr<GlBackend> backend_;
  std::unique_ptr<gl::Texture> texture_;
  gl::TextureLayout layout_;
  unsigned format_ = 0;  // GLenum
  bool empty_ = false;
  bool lost_ = false;
  std::vector<float> host_;  // layout capacity x 4 floats, when a host copy exists
  uint64_t lastUse_ = 0;
  std::string owner_;
  std::list<GlStorage*>::iterator entry_;
};

}  // namespace texel
