#include "engine/gl/gl_backend.h"

#include <algorithm>
#include <cstring>

#include "engine/core/error.h"
#include "engine/core/half.h"
#include "engine/gl/gl_check.h"
#include "engine/gl/gl_objects.h"
#include "engine/gl/program_cache.h"
#include "engine/gl/texture_pool.h"

namespace texel {

using gl::checkGlError;
using gl::drainErrors;

bool GlInfo::hasExtension(const std::string& name) const {
  return std::find(extensions.begin(), extensions.end(), name) != extensions.end();
}

namespace {

std::string glString(GLenum name) {
  const GLubyte* text = glGetString(name);
  return text ? reinterpret_cast<const char*>(text) : "";
}

int glInt(GLenum name) {
  GLint value = 0;
  glGetIntegerv(name, &value);
  return value;
}

// Loads the GL ES entry points through `context` (desktop; Emscripten links GL directly).
void loadEntryPoints(GlContext& context, const char* what) {
#ifndef __EMSCRIPTEN__
  auto load = [](void* userContext, const char* name) {
    return static_cast<GlContext*>(userContext)->procAddress(name);
  };
  if (!gladLoadGLES2UserPtr(reinterpret_cast<GLADuserptrloadfunc>(+load), &context))
    fail(what, ": could not load OpenGL ES entry points through ", context.platformName());
#else
  (void)context;
  (void)what;
#endif
}

}  // namespace

std::shared_ptr<GlBackend> GlBackend::create(std::shared_ptr<GlContext> context,
                                             GlOptions options) {
  if (!context) fail("GlBackend::create: no GL context given");
  if (context->isLost())
    throw ContextLost("GlBackend::create: the GL context is lost; wait until it is restored");
  context->makeCurrent();
  loadEntryPoints(*context, "GlBackend::create");
  auto backend = std::shared_ptr<GlBackend>(new GlBackend(context, options));
  std::weak_ptr<GlBackend> weak = backend;
  backend->listenerToken_ = context->addLossListener([weak](bool lost) {
    auto self = weak.lock();
    if (!self) return;
    if (lost) {
      self->markContextLost("the platform reported it");
      return;
    }
    try {
      self->restoreContext();
    } catch (const Error& e) {
      if (self->contextListener_) self->contextListener_(ContextEvent::RestoreFailed, e.what());
    }
  });
  return backend;
}

int GlInfo::maxBlockTargets() const {
  return std::clamp(std::min(maxDrawBuffers, maxColorAttachments), 1, 8);
}

int GlBackend::blockTargets() const {
  int device = info_.maxBlockTargets();
  return options_.maxBlockTargets > 0 ? std::min(device, options_.maxBlockTargets) : device;
}

struct GlBackend::GlObjects {
  gl::TexturePool pool{0};
  gl::ProgramCache programs;
  gl::FramebufferId framebuffer;
  gl::FramebufferId blockFramebuffer;  // a blocked pass's render targets (drawBlocks)
  gl::VertexArrayId emptyVertexArray;
};
static_assert(GlOptions{}.poolIdleLimit == gl::TexturePool::kDefaultIdleLimit);

void GlBackend::setBudget(uint64_t budgetBytes) {
  gl_->pool.setBudget(budgetBytes);
}
void GlBackend::freePooledTextures() {
  gl_->pool.freePooled();
}
void GlBackend::resetPeak() {
  gl_->pool.resetPeak();
}
gl::ProgramCache& GlBackend::programs() {
  return gl_->programs;
}

namespace {
// The backend whose state cache matches the GL state: several backends may share one
// context (and one thread's current context), so a backend that was not the last to set
// state forgets its cache.
const GlBackend*& glStateOwner() {
  static const GlBackend* owner = nullptr;
  return owner;
}
}  // namespace

GlBackend::GlBackend(std::shared_ptr<GlContext> context, GlOptions options)
    : context_(std::move(context)), options_(options), gl_(std::make_unique<GlObjects>()) {
  drainErrors();
  probe();
  if (options_.forceHalfFloat && !info_.halfFloatRenderable)
    fail("GlBackend::create: forceHalfFloat is set but this context (", info_.renderer,
         ") cannot render to RGBA16F textures");
  halfFloat_ = options_.forceHalfFloat || !info_.floatRenderable;
  maxTextureSize_ = options_.maxTextureSize > 0
                        ? std::min(options_.maxTextureSize, info_.maxTextureSize)
                        : info_.maxTextureSize;
  chooseDeviceBudget();
  gl_->pool.setBudget(options_.budgetBytes.value_or(info_.deviceBudgetBytes));
  gl_->pool.setIdleLimit(options_.poolIdleLimit);
  if (options_.checkErrorsEveryPass) gl_->pool.setSyncCheckBytes(0);
  setPaging(options_.paging);
  gl_->framebuffer = gl::makeFramebuffer();
  gl_->emptyVertexArray = gl::makeVertexArray();
  forgetGlState();
  checkGlError("GlBackend::create");
}

GlBackend::~GlBackend() {
  if (glStateOwner() == this) glStateOwner() = nullptr;
  if (listenerToken_ >= 0) context_->removeLossListener(listenerToken_);
}

void GlBackend::chooseDeviceBudget() {
  constexpr uint64_t kMiB = uint64_t{1} << 20;
  GLint kilobytes[4] = {0, 0, 0, 0};
  // Vendor extensions that report video memory (desktop NVIDIA / AMD); half of it leaves
  // room for the rest of the desktop. WebGL and Mesa expose neither.
  if (info_.hasExtension("GL_NVX_gpu_memory_info")) {
    glGetIntegerv(0x9048, kilobytes);  // GPU_MEMORY_INFO_TOTAL_AVAILABLE_MEMORY_NVX
    info_.deviceBudgetSource = "half of GL_NVX_gpu_memory_info's total";
  } else if (info_.hasExtension("GL_ATI_meminfo")) {
    glGetIntegerv(0x87FC, kilobytes);  // TEXTURE_FREE_MEMORY_ATI
    info_.deviceBudgetSource = "half of GL_ATI_meminfo's free texture memory";
  }
  drainErrors();
  if (kilobytes[0] > 0) {
    info_.deviceBudgetBytes = static_cast<uint64_t>(kilobytes[0]) * 1024 / 2;
    return;
  }
  bool small = info_.maxTextureSize <= 4096;
  info_.deviceBudgetBytes = (small ? 256 : 1024) * kMiB;
  info_.deviceBudgetSource = small ? "256 MiB (texture limit <= 4096: a phone-class device)"
                                   : "1 GiB (no memory query available)";
}

void GlBackend::probe() {
  info_ = GlInfo{};
  info_.platform = context_->platformName();
  info_.version = glString(GL_VERSION);
  info_.renderer = glString(GL_RENDERER);
  info_.vendor = glString(GL_VENDOR);
  info_.shadingLanguage = glString(GL_SHADING_LANGUAGE_VERSION);
  info_.maxTextureSize = glInt(GL_MAX_TEXTURE_SIZE);
  info_.maxTextureImageUnits = glInt(GL_MAX_TEXTURE_IMAGE_UNITS);
  info_.maxDrawBuffers = glInt(GL_MAX_DRAW_BUFFERS);
  info_.maxColorAttachments = glInt(GL_MAX_COLOR_ATTACHMENTS);
  int extensionCount = glInt(GL_NUM_EXTENSIONS);
  for (int i = 0; i < extensionCount; ++i) {
    const GLubyte* name = glGetStringi(GL_EXTENSIONS, static_cast<GLuint>(i));
    if (name) info_.extensions.emplace_back(reinterpret_cast<const char*>(name));
  }
  parallelCompile_ = info_.hasExtension("GL_KHR_parallel_shader_compile");
  checkGlError("GlBackend::create: querying the context");

  // Rendering to float textures is an extension in ES 3.0 / WebGL2 (EXT_color_buffer_float,
  // EXT_color_buffer_half_float): prove it with a real framebuffer instead of trusting
  // the extension strings.
  auto renderable = [](GLenum format) {
    gl::TextureId probeTexture = gl::makeTexture();
    glBindTexture(GL_TEXTURE_2D, probeTexture.id());
    glTexStorage2D(GL_TEXTURE_2D, 1, format, 1, 1);
    gl::FramebufferId probeFramebuffer = gl::makeFramebuffer();
    glBindFramebuffer(GL_FRAMEBUFFER, probeFramebuffer.id());
    glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, probeTexture.id(),
                           0);
    bool complete = glCheckFramebufferStatus(GL_FRAMEBUFFER) == GL_FRAMEBUFFER_COMPLETE;
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    drainErrors();
    return complete;
  };
  info_.floatRenderable = renderable(GL_RGBA32F) && !options_.simulateNoFloatTargets;
  info_.halfFloatRenderable = renderable(GL_RGBA16F);
  if (!info_.floatRenderable && !info_.halfFloatRenderable)
    fail("GlBackend::create: this context (", info_.renderer, ", ", info_.version,
         ") can render to neither RGBA32F nor RGBA16F textures (EXT_color_buffer_float ",
         info_.hasExtension("GL_EXT_color_buffer_float") ? "present but not working" : "missing",
         ", EXT_color_buffer_half_float ",
         info_.hasExtension("GL_EXT_color_buffer_half_float") ? "present but not working"
                                                              : "missing",
         "); use the CPU backend");
}

unsigned GlBackend::storageFormat(DType dtype, bool uploaded, bool fullPrecision) const {
  if (dtype == DType::Float32 && !fullPrecision) return halfFloat_ ? GL_RGBA16F : GL_RGBA32F;
  // Integers need 24 bits of mantissa; textures that are only sampled may always be RGBA32F.
  return uploaded || info_.floatRenderable ? GL_RGBA32F : GL_RGBA16F;
}

gl::TextureLayout GlBackend::layoutOf(const Shape& shape, const std::string& op) const {
  return gl::layoutFor(shape, maxTextureSize_, op.c_str());
}

Tensor GlBackend::allocate(const TensorSpec& spec, const std::string& op, bool uploaded,
                           bool fullPrecision) {
  auto self = std::static_pointer_cast<GlBackend>(shared_from_this());
  if (spec.shape.size() == 0)
    return Tensor(self, spec.shape, spec.dtype,
                  std::make_shared<GlStorage>(self, nullptr, gl::TextureLayout{}, std::string()));
  gl::TextureLayout layout = layoutOf(spec.shape, op);
  auto texture =
      gl_->pool.acquire(layout.width, layout.height,
                        storageFormat(spec.dtype, uploaded, fullPrecision), maxTextureSize_, op);
  std::string owner = options_.trackOwners ? concat(op, " ", spec.shape) : std::string();
  return Tensor(self, spec.shape, spec.dtype,
                std::make_shared<GlStorage>(self, std::move(texture), layout, std::move(owner)));
}

// Scope of one top-level op, upload or readback: checks the context, and advances the
// use clock so that paging never evicts a texture the running op has touched.
class OpScope {
 public:
  OpScope(GlBackend& backend, const std::string& op) : backend_(backend) {
    if (backend_.opDepth_ == 0) {
      backend_.checkContext(op);
      ++backend_.useClock_;
    }
    ++backend_.opDepth_;
  }
  ~OpScope() { --backend_.opDepth_; }
  OpScope(const OpScope&) = delete;
  OpScope& operator=(const OpScope&) = delete;

 private:
  GlBackend& backend_;
};

GlStorage::GlStorage(std::shared_ptr<GlBackend> backend, std::unique_ptr<gl::Texture> texture,
                     gl::TextureLayout layout, std::string owner)
    : backend_(std::move(backend)),
      texture_(std::move(texture)),
      layout_(layout),
      empty_(texture_ == nullptr),
      owner_(std::move(owner)) {
  if (empty_) return;
  format_ = texture_->internalFormat;
  backend_->track(*this);
}

GlStorage::~GlStorage() {
  if (empty_) return;
  backend_->untrack(*this);
  if (texture_) backend_->gl_->pool.release(std::move(texture_));
}

gl::Texture* GlStorage::texture() {
  if (empty_) return nullptr;
  backend_->makeResident(*this);
  return texture_.get();
}

void GlBackend::track(GlStorage& storage) {
  storage.lastUse_ = useClock_;
  storage.entry_ = storages_.insert(storages_.end(), &storage);
}

void GlBackend::untrack(GlStorage& storage) {
  storages_.erase(storage.entry_);
}

void GlBackend::makeResident(GlStorage& storage) {
  storage.lastUse_ = useClock_;
  if (storage.texture_) return;
  if (storage.lost_)
    throw ContextLost(concat("a tensor", storage.owner_.empty() ? "" : " made by " + storage.owner_,
                             " lost its values with the GL context (a GPU result without a host "
                             "copy); compute it again"));
  OpScope scope(*this, "paging a tensor back in");
  auto texture = gl_->pool.acquire(storage.layout_.width, storage.layout_.height, storage.format_,
                                   maxTextureSize_, "paging a tensor back in");
  writeTexels(*texture, storage.layout_, storage.host_, "paging a tensor back in");
  storage.texture_ = std::move(texture);
  ++pageIns_;
}

void GlBackend::setPaging(bool enabled) {
  options_.paging = enabled;
  gl_->pool.setReclaim(enabled
                           ? gl::TexturePool::Reclaim([this] { return pageOutLeastRecentlyUsed(); })
                           : gl::TexturePool::Reclaim());
}

bool GlBackend::pageOutLeastRecentlyUsed() {
  GlStorage* victim = nullptr;
  for (GlStorage* storage : storages_)
    if (storage->texture_ && storage->lastUse_ < useClock_ &&
        (!victim || storage->lastUse_ < victim->lastUse_))
      victim = storage;
  if (!victim) return false;
  if (victim->host_.empty())
    victim->host_ = readTexels(*victim->texture_, victim->layout_, "paging a tensor out");
  gl_->pool.discard(std::move(victim->texture_));
  ++pageOuts_;
  return true;
}

uint64_t GlBackend::storageBytes(const Shape& shape, DType dtype) const {
  if (shape.size() == 0) return 0;
  if (!gl::fitsOneTexture(shape, maxTextureSize_)) {
    int64_t per = gl::rowsPerChunk(shape, maxTextureSize_);
    if (per < 1) return 0;  // cannot be stored at all
    uint64_t total = 0;
    for (int64_t begin = 0; begin < shape[0]; begin += per) {
      Shape chunk = shape;
      chunk[0] = std::min(per, shape[0] - begin);
      total += storageBytes(chunk, dtype);
    }
    return total;
  }
  gl::TextureLayout layout = gl::layoutFor(shape, maxTextureSize_);
  return gl::TexturePool::bucketBytes(layout.width, layout.height, storageFormat(dtype, true),
                                      maxTextureSize_);
}

std::vector<LiveAllocation> GlBackend::liveAllocations() const {
  std::vector<LiveAllocation> result;
  for (const GlStorage* storage : storages_) {
    LiveAllocation a;
    a.owner = storage->owner_;
    a.width = gl::TexturePool::bucketSide(storage->layout_.width, maxTextureSize_);
    a.height = gl::TexturePool::bucketSide(storage->layout_.height, maxTextureSize_);
    a.bytes = gl::TexturePool::bucketBytes(storage->layout_.width, storage->layout_.height,
                                           storage->format_, maxTextureSize_);
    a.resident = storage->texture_ != nullptr;
    a.hostCopy = !storage->host_.empty();
    result.push_back(std::move(a));
  }
  return result;
}

void GlBackend::checkContext(const std::string& op) {
  if (!lost_ && context_->isLost()) markContextLost(concat("noticed by ", op));
  if (lost_)
    throw ContextLost(concat(op,
                             ": the GL context is lost; ops fail until the platform restores "
                             "it (tensors with host copies come back, GPU-only results do not)"));
}

void GlBackend::markContextLost(const std::string& reason) {
  if (lost_) return;
  lost_ = true;
  ++contextLosses_;
  ++gl::contextGeneration();  // every GL object made so far died with the context
  gl_->programs.clear();
  compileFence_.reset();
  compileOnly_ = false;
  gl_->pool.freePooled();  // stale ids from here on: these "deletes" delete nothing
  for (GlStorage* storage : storages_) {
    if (!storage->texture_) continue;
    gl_->pool.discard(std::move(storage->texture_));
    if (storage->host_.empty()) storage->lost_ = true;
  }
  gl_->framebuffer.reset();
  gl_->blockFramebuffer.reset();
  gl_->emptyVertexArray.reset();
  forgetGlState();
  if (contextListener_) contextListener_(ContextEvent::Lost, reason);
}

void GlBackend::restoreContext() {
  if (!lost_) return;
  if (context_->isLost())
    throw ContextLost("restoreContext: the platform has not restored the GL context yet");
  context_->makeCurrent();
  context_->prepareAfterRestore();
  loadEntryPoints(*context_, "restoreContext");
  drainErrors();
  bool wasHalfFloat = halfFloat_;
  probe();
  chooseDeviceBudget();
  if (wasHalfFloat != (options_.forceHalfFloat || !info_.floatRenderable))
    fail("restoreContext: the restored context (", info_.renderer,
         ") stores float textures differently from the lost one; create a new backend");
  gl_->framebuffer = gl::makeFramebuffer();
  gl_->emptyVertexArray = gl::makeVertexArray();
  forgetGlState();
  checkGlError("restoreContext");
  lost_ = false;
  if (contextListener_) contextListener_(ContextEvent::Restored, info_.renderer);
}

std::shared_ptr<Storage> GlBackend::upload(const Shape& shape, DType dtype,
                                           std::span<const float> values, std::string_view what) {
  if (static_cast<int64_t>(values.size()) != shape.size())
    fail(what, ": shape ", shape, " needs ", shape.size(), " values, got ", values.size());
  if (shape.size() > 0 && !gl::fitsOneTexture(shape, maxTextureSize_)) {
    // Too big for one texture: chunks of whole rows of the leading dimension.
    int64_t per = gl::rowsPerChunk(shape, maxTextureSize_);
    if (per < 1) layoutOf(shape, std::string(what));  // throws: not even one row fits
    auto self = std::static_pointer_cast<GlBackend>(shared_from_this());
    int64_t rowSize = shape.size() / shape[0];
    std::vector<Tensor> chunks;
    for (int64_t begin = 0; begin < shape[0]; begin += per) {
      Shape chunkShape = shape;
      chunkShape[0] = std::min(per, shape[0] - begin);
      auto part = values.subspan(static_cast<size_t>(begin * rowSize),
                                 static_cast<size_t>(chunkShape.size()));
      chunks.emplace_back(self, chunkShape, dtype, upload(chunkShape, dtype, part, what));
    }
    return std::make_shared<GlSplitStorage>(std::move(chunks), per);
  }
  OpScope scope(*this, std::string(what));
  Tensor tensor = allocate({shape, dtype}, std::string(what), true);
  auto& storage = tensor.storageAs<GlStorage>();
  if (storage.empty_) return tensor.storage();
  const gl::TextureLayout& layout = storage.layout();
  std::vector<float> texels(static_cast<size_t>(layout.capacityTexels()) * 4);
  gl::packTexels(layout, values, texels);
  // The host copy must hold what the texture holds: binary16 values in half-float mode.
  if (storage.format_ == GL_RGBA16F)
    for (float& v : texels) v = roundToHalf(v);
  writeTexels(*storage.texture(), layout, texels,
              concat(what, ": uploading a tensor of shape ", shape));
  if (options_.keepUploadsOnHost) storage.host_ = std::move(texels);
  return tensor.storage();
}

void GlBackend::writeTexels(gl::Texture& texture, const gl::TextureLayout& layout,
                            std::span<const float> texels, const std::string& what) {
  syncState();
  glBindTexture(GL_TEXTURE_2D, texture.id.id());
  if (state_.activeUnit >= 0 && static_cast<size_t>(state_.activeUnit) < state_.textures.size())
    state_.textures[static_cast<size_t>(state_.activeUnit)] = texture.id.id();
  else
    std::fill(state_.textures.begin(), state_.textures.end(), ~0u);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
  if (texture.internalFormat == GL_RGBA16F) {
    // Rounded here (to nearest even) rather than by the driver, whose rounding varies.
    std::vector<uint16_t> halves(texels.size());
    for (size_t i = 0; i < texels.size(); ++i) halves[i] = floatToHalf(texels[i]);
    glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, layout.width, layout.height, GL_RGBA, GL_HALF_FLOAT,
                    halves.data());
  } else {
    glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, layout.width, layout.height, GL_RGBA, GL_FLOAT,
                    texels.data());
  }
  // Checked by the next readback with the passes (glGetError is a round trip to the GPU
  // process in browsers: one per readback, not one per upload).
  if (options_.checkErrorsEveryPass)
    checkGlError(what);
  else
    errorsUnchecked_ = true;
}

std::vector<float> GlBackend::readTexels(gl::Texture& texture, const gl::TextureLayout& layout,
                                         const std::string& what) {
  std::vector<float> texels(static_cast<size_t>(layout.capacityTexels()) * 4);
  bindFramebuffer(texture, what);
  // The passes, uploads and small allocations since the last readback.
  if (gl_->pool.takeUncheckedAllocations() || errorsUnchecked_) {
    checkGlError(concat(what, ": a pass, upload or allocation since the last readback failed"));
    errorsUnchecked_ = false;
  }
  if (!state_.packAlignment) {
    glPixelStorei(GL_PACK_ALIGNMENT, 4);
    state_.packAlignment = true;
  }
  // A failed glReadPixels writes nothing, so a sentinel (a NaN payload no arithmetic
  // produces) left in the last texel tells when to ask glGetError; the values GL wrote
  // need no second round trip. A tensor that really holds the sentinel costs one check.
  // (memcpy for the bits: Emscripten's libc++ 14 has no std::bit_cast.)
  constexpr uint32_t kSentinel = 0x7fa5c3e1u;
  std::memcpy(&texels.back(), &kSentinel, sizeof kSentinel);
  glReadPixels(0, 0, layout.width, layout.height, GL_RGBA, GL_FLOAT, texels.data());
  uint32_t last = 0;
  std::memcpy(&last, &texels.back(), sizeof last);
  if (options_.checkErrorsEveryPass || last == kSentinel) checkGlError(what);
  return texels;
}

void GlBackend::forgetGlState() {
  state_ = StateCache{};
  state_.textures.assign(static_cast<size_t>(std::max(info_.maxTextureImageUnits, 1)), ~0u);
  state_.churn = gl::textureChurn();
  if (glStateOwner() == this) glStateOwner() = nullptr;
}

void GlBackend::syncState() {
  if (glStateOwner() != this) {
    forgetGlState();
    glStateOwner() = this;
  }
  if (state_.churn == gl::textureChurn()) return;
  std::fill(state_.textures.begin(), state_.textures.end(), ~0u);
  state_.activeUnit = -1;
  state_.attached = ~0u;
  std::fill(state_.blockAttached.begin(), state_.blockAttached.end(), ~0u);
  state_.churn = gl::textureChurn();
}

void GlBackend::useProgram(unsigned program) {
  syncState();
  if (state_.program == program) return;
  glUseProgram(program);
  state_.program = program;
}

void GlBackend::bindInputTexture(int unit, unsigned texture) {
  syncState();
  size_t u = static_cast<size_t>(unit);
  if (u < state_.textures.size() && state_.textures[u] == texture) return;
  if (state_.activeUnit != unit) {
    glActiveTexture(static_cast<GLenum>(GL_TEXTURE0 + unit));
    state_.activeUnit = unit;
  }
  glBindTexture(GL_TEXTURE_2D, texture);
  if (u < state_.textures.size()) state_.textures[u] = texture;
}

void GlBackend::setFixedState() {
  if (state_.fixedState) return;
  glDisable(GL_BLEND);
  glDisable(GL_DEPTH_TEST);
  glDisable(GL_SCISSOR_TEST);
  glBindVertexArray(gl_->emptyVertexArray.id());
  state_.fixedState = true;
}

void GlBackend::useFramebuffer(unsigned framebuffer) {
  if (state_.framebuffer == framebuffer) return;
  glBindFramebuffer(GL_FRAMEBUFFER, framebuffer);
  state_.framebuffer = framebuffer;
}

void GlBackend::setViewport(int width, int height) {
  if (state_.viewportWidth == width && state_.viewportHeight == height) return;
  glViewport(0, 0, width, height);
  state_.viewportWidth = width;
  state_.viewportHeight = height;
}

namespace {
void checkComplete(GLenum target, const gl::Texture& texture, const std::string& op) {
  GLenum status = glCheckFramebufferStatus(target);
  if (status != GL_FRAMEBUFFER_COMPLETE)
    fail(op, ": framebuffer with a ", texture.width, "x", texture.height,
         texture.internalFormat == GL_RGBA16F ? " RGBA16F" : " RGBA32F",
         " texture is incomplete (status 0x", std::hex, status, ")");
}
}  // namespace

bool GlBackend::needsCompletenessCheck(const gl::Texture& texture) const {
  if (texture.renderTargetChecked) return false;
  // create() proved these formats renderable; glCheckFramebufferStatus waits for the GPU
  // (a round trip to the GPU process in browsers), so it is asked only for the others.
  bool proven = (texture.internalFormat == GL_RGBA32F && info_.floatRenderable) ||
                (texture.internalFormat == GL_RGBA16F && info_.halfFloatRenderable);
  return !proven || options_.checkErrorsEveryPass;
}

void GlBackend::bindFramebuffer(gl::Texture& texture, const std::string& op) {
  syncState();
  setFixedState();
  useFramebuffer(gl_->framebuffer.id());
  if (state_.attached != texture.id.id()) {
    glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, texture.id.id(), 0);
    state_.attached = texture.id.id();
  }
  if (needsCompletenessCheck(texture)) {
    checkComplete(GL_FRAMEBUFFER, texture, op);
    texture.renderTargetChecked = true;
  }
}

void GlBackend::drawBlocks(const Tensor& output, std::span<const Tensor> targets,
                           const BlockGeometry& geometry, const std::string& op) {
  syncState();
  setFixedState();
  if (!gl_->blockFramebuffer) gl_->blockFramebuffer = gl::makeFramebuffer();
  useFramebuffer(gl_->blockFramebuffer.id());
  size_t count = targets.size();
  if (state_.blockAttached.size() < count) state_.blockAttached.resize(count, ~0u);
  bool check = false;
  for (size_t i = 0; i < state_.blockAttached.size(); ++i) {
    // Slots past `count` are emptied: a texture left there could be sampled by a later
    // blocked pass while attached (a feedback loop).
    gl::Texture* texture = i < count ? targets[i].storageAs<GlStorage>().texture() : nullptr;
    unsigned id = texture ? texture->id.id() : 0;
    if (state_.blockAttached[i] != id) {
      glFramebufferTexture2D(GL_FRAMEBUFFER, static_cast<GLenum>(GL_COLOR_ATTACHMENT0 + i),
                             GL_TEXTURE_2D, id, 0);
      state_.blockAttached[i] = id;
    }
    check = check || (texture && needsCompletenessCheck(*texture));
  }
  if (state_.blockDrawBuffers != static_cast<int>(count)) {
    GLenum buffers[8];
    for (size_t i = 0; i < count; ++i) buffers[i] = static_cast<GLenum>(GL_COLOR_ATTACHMENT0 + i);
    glDrawBuffers(static_cast<GLsizei>(count), buffers);
    state_.blockDrawBuffers = static_cast<int>(count);
  }
  if (check) {
    checkComplete(GL_FRAMEBUFFER, *targets[0].storageAs<GlStorage>().texture(), op);
    for (const Tensor& t : targets) t.storageAs<GlStorage>().texture()->renderTargetChecked = true;
  }
  setViewport(geometry.blockWidth, geometry.blockHeight);
  glDrawArrays(GL_TRIANGLES, 0, 3);
  ++passCount_;
  ++blockedPassCount_;
  errorsUnchecked_ = true;

  // The merge: each target's valid part into its rectangle of the output.
  auto& storage = output.storageAs<GlStorage>();
  gl::Texture& texture = *storage.texture();
  const gl::TextureLayout& layout = storage.layout();
  glBindFramebuffer(GL_DRAW_FRAMEBUFFER, gl_->framebuffer.id());
  if (state_.attached != texture.id.id()) {
    glFramebufferTexture2D(GL_DRAW_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D,
                           texture.id.id(), 0);
    state_.attached = texture.id.id();
  }
  if (!texture.renderTargetChecked) {
    checkComplete(GL_DRAW_FRAMEBUFFER, texture, op);
    texture.renderTargetChecked = true;
  }
  for (int r = 0; r < geometry.blockRows; ++r) {
    int y0 = r * geometry.blockHeight;
    int height = std::min(geometry.blockHeight, layout.height - y0);
    for (int c = 0; c < geometry.blockSlices; ++c) {
      int x0 = c * geometry.blockWidth;
      int width = std::min(geometry.blockWidth, layout.width - x0);
      if (height <= 0 || width <= 0) continue;
      glReadBuffer(static_cast<GLenum>(GL_COLOR_ATTACHMENT0 + r * geometry.blockSlices + c));
      glBlitFramebuffer(0, 0, width, height, x0, y0, x0 + width, y0 + height, GL_COLOR_BUFFER_BIT,
                        GL_NEAREST);
    }
  }
  // Both bindings back on the main framebuffer, as every other pass expects.
  glBindFramebuffer(GL_FRAMEBUFFER, gl_->framebuffer.id());
  state_.framebuffer = gl_->framebuffer.id();
  if (options_.checkErrorsEveryPass) checkGlError(op + ": drawing a blocked pass");
}

std::vector<float> GlBackend::download(const Tensor& tensor) {
  if (gl::isSplit(tensor)) {
    std::vector<float> values;
    for (const Tensor& chunk : static_cast<const GlSplitStorage&>(*tensor.storage()).chunks()) {
      std::vector<float> part = download(chunk);
      values.insert(values.end(), part.begin(), part.end());
    }
    return values;
  }
  std::vector<float> values(static_cast<size_t>(tensor.size()));
  auto& storage = tensor.storageAs<GlStorage>();
  if (storage.empty_ || compileOnly_) return values;  // compile-only: nothing was drawn
  if (!storage.resident() && !storage.host_.empty()) {
    // Paged out (or waiting for a lost context): the host copy answers, no GL needed.
    gl::unpackTexels(storage.layout(), storage.host_, values);
    return values;
  }
  OpScope scope(*this, "data()");
  std::vector<float> texels =
      readTexels(*storage.texture(), storage.layout(),
                 concat("data(): reading back a tensor of shape ", tensor.shape()));
  gl::unpackTexels(storage.layout(), texels, values);
  return values;
}

namespace {

// dataAsync(): glReadPixels into a pixel-pack buffer, a fence, and polling. The buffer
// and fence are deleted with the job, whether or not the values were taken.
class GlPendingRead : public PendingRead::Job {
 public:
  GlPendingRead(std::shared_ptr<GlBackend> backend, gl::TextureLayout layout, size_t count,
                gl::BufferId buffer, gl::Fence fence)
      : backend_(std::move(backend)),
        layout_(layout),
        count_(count),
        buffer_(std::move(buffer)),
        fence_(std::move(fence)) {}

  bool poll() override {
    if (!fence_.get()) return true;
    if (backend_->contextLost() || generation_ != gl::contextGeneration())
      throw ContextLost("dataAsync: the GL context was lost before the read finished");
    GLenum status = glClientWaitSync(fence_.get(), 0, 0);
    if (status == GL_WAIT_FAILED) fail("dataAsync: waiting for the GPU failed");
    return status == GL_ALREADY_SIGNALED || status == GL_CONDITION_SATISFIED;
  }

  std::vector<float> take() override {
    std::vector<float> values(count_);
    if (!buffer_) return values;
    if (backend_->contextLost() || generation_ != gl::contextGeneration())
      throw ContextLost("dataAsync: the GL context was lost before the read finished");
    std::vector<float> texels(static_cast<size_t>(layout_.capacityTexels()) * 4);
    GLsizeiptr bytes = static_cast<GLsizeiptr>(texels.size() * sizeof(float));
    glBindBuffer(GL_PIXEL_PACK_BUFFER, buffer_.id());
#ifdef __EMSCRIPTEN__
    // WebGL cannot wait on a fence with a timeout; getBufferSubData waits if it must.
    glGetBufferSubData(GL_PIXEL_PACK_BUFFER, 0, bytes, texels.data());
#else
    while (!poll()) glClientWaitSync(fence_.get(), GL_SYNC_FLUSH_COMMANDS_BIT, 1000000000);
    void* mapped = glMapBufferRange(GL_PIXEL_PACK_BUFFER, 0, bytes, GL_MAP_READ_BIT);
    if (!mapped) {
      glBindBuffer(GL_PIXEL_PACK_BUFFER, 0);
      checkGlError("dataAsync: mapping the pixel buffer");
      fail("dataAsync: mapping the pixel buffer failed");
    }
    std::memcpy(texels.data(), mapped, static_cast<size_t>(bytes));
    glUnmapBuffer(GL_PIXEL_PACK_BUFFER);
#endif
    glBindBuffer(GL_PIXEL_PACK_BUFFER, 0);
    gl::checkGlError("dataAsync: reading the pixel buffer");
    gl::unpackTexels(layout_, texels, values);
    fence_.reset();
    buffer_.reset();
    return values;
  }

 private:
  std::shared_ptr<GlBackend> backend_;             // keeps the context alive for the deletes
  uint32_t generation_ = gl::contextGeneration();  // a loss since then voids the read
  gl::TextureLayout layout_;
  size_t count_;
  gl::BufferId buffer_;
  gl::Fence fence_;
};

}  // namespace

namespace {
// dataAsync() of a split tensor: one read per chunk, ready when all are.
class SplitPendingRead : public PendingRead::Job {
 public:
  explicit SplitPendingRead(std::vector<PendingRead> parts) : parts_(std::move(parts)) {}
  bool poll() override {
    bool all = true;
    for (PendingRead& part : parts_) all = part.ready() && all;
    return all;
  }
  std::vector<float> take() override {
    std::vector<float> values;
    for (PendingRead& part : parts_) {
      std::vector<float> chunk = part.take();
      values.insert(values.end(), chunk.begin(), chunk.end());
    }
    return values;
  }

 private:
  std::vector<PendingRead> parts_;
};
}  // namespace

PendingRead GlBackend::downloadAsync(const Tensor& tensor) {
  if (gl::isSplit(tensor)) {
    std::vector<PendingRead> parts;
    for (const Tensor& chunk : static_cast<const GlSplitStorage&>(*tensor.storage()).chunks())
      parts.push_back(downloadAsync(chunk));
    return PendingRead(std::make_unique<SplitPendingRead>(std::move(parts)));
  }
  auto self = std::static_pointer_cast<GlBackend>(shared_from_this());
  auto& storage = tensor.storageAs<GlStorage>();
  size_t count = static_cast<size_t>(tensor.size());
  OpScope scope(*this, "dataAsync");
  if (storage.empty_ || compileOnly_)
    return PendingRead(std::make_unique<GlPendingRead>(self, gl::TextureLayout{}, count,
                                                       gl::BufferId{}, gl::Fence{}));
  const gl::TextureLayout& layout = storage.layout();
  gl::BufferId buffer = gl::makeBuffer();
  glBindBuffer(GL_PIXEL_PACK_BUFFER, buffer.id());
  glBufferData(GL_PIXEL_PACK_BUFFER, static_cast<GLsizeiptr>(layout.capacityTexels() * 16), nullptr,
               GL_STREAM_READ);
  bindFramebuffer(*storage.texture(), "dataAsync");
  glReadPixels(0, 0, layout.width, layout.height, GL_RGBA, GL_FLOAT, nullptr);
  glBindBuffer(GL_PIXEL_PACK_BUFFER, 0);
  gl::Fence fence(glFenceSync(GL_SYNC_GPU_COMMANDS_COMPLETE, 0));
  glFlush();  // without a flush the fence may never be submitted, and polling never ends
  // Errors of the read surface in take() (its own check); none here: glGetError would
  // make the asynchronous path wait for the GPU process.
  if (options_.checkErrorsEveryPass)
    checkGlError(concat("dataAsync: starting the read of a tensor of shape ", tensor.shape()));
  return PendingRead(
      std::make_unique<GlPendingRead>(self, layout, count, std::move(buffer), std::move(fence)));
}

bool GlBackend::canShareStorage(const Shape& from, const Shape& to) const {
  if (from.size() != to.size()) return false;
  if (from.size() == 0) return true;
  // Split tensors are views only of their own shape.
  if (!gl::fitsOneTexture(from, maxTextureSize_) || !gl::fitsOneTexture(to, maxTextureSize_))
    return from == to;
  return layoutOf(from, "view") == layoutOf(to, "view");
}

MemoryStats GlBackend::stats() const {
  MemoryStats stats;
  stats.liveTensors = liveTensors();
  stats.liveTextures = gl_->pool.liveTextures();
  stats.liveBytes = gl_->pool.liveBytes();
  stats.pooledTextures = gl_->pool.pooledTextures();
  stats.pooledBytes = gl_->pool.pooledBytes();
  stats.peakBytes = gl_->pool.peakBytes();
  stats.peakLiveBytes = gl_->pool.peakLiveBytes();
  stats.trimmedTextures = gl_->pool.trimmed();
  for (const GlStorage* storage : storages_) {
    if (storage->texture_ || storage->lost_) continue;
    ++stats.pagedOutTensors;
    stats.pagedOutBytes += gl::TexturePool::bucketBytes(
        storage->layout_.width, storage->layout_.height, storage->format_, maxTextureSize_);
  }
  stats.pageOuts = pageOuts_;
  stats.pageIns = pageIns_;
  stats.contextLosses = contextLosses_;
  stats.budgetBytes = gl_->pool.budgetBytes();
  stats.textureAllocations = gl_->pool.allocations();
  stats.poolHits = gl_->pool.hits();
  stats.compileCount = gl_->programs.compileCount();
  stats.passCount = passCount_;
  stats.blockedPassCount = blockedPassCount_;
  return stats;
}

std::vector<Tensor> GlBackend::runKernel(const KernelFn& kernel, const OpContext& ctx) {
  OpScope scope(*this, std::string(ctx.op));
  bool split = false;
  for (const Tensor& t : ctx.inputs) split = split || gl::isSplit(t);
  for (const TensorSpec& s : ctx.outputs)
    split = split || (s.shape.size() > 0 && !gl::fitsOneTexture(s.shape, maxTextureSize_));
  return split ? gl::runSplit(*this, ctx) : kernel(ctx);
}

void GlBackend::finish() {
  if (lost_) throw ContextLost("finish: the GL context is lost");
  glFinish();
#ifdef __EMSCRIPTEN__
  // WebGL's finish() returns before the GPU process has run the commands. Reading one
  // texel of the last pass's target (still attached to our framebuffer) waits for it.
  syncState();
  useFramebuffer(gl_->framebuffer.id());
  if (glCheckFramebufferStatus(GL_FRAMEBUFFER) == GL_FRAMEBUFFER_COMPLETE) {
    float texel[4];
    glReadPixels(0, 0, 1, 1, GL_RGBA, GL_FLOAT, texel);
  }
#endif
  checkGlError("finish");
}

void GlBackend::setCompileOnly(bool on) {
  if (on == compileOnly_) return;
  compileOnly_ = on;
  if (on || lost_ || gl_->programs.pendingCount() == 0) return;
  // Submit the started compiles now; without the extension a fence tells when the GPU
  // process (or driver) has got through them, since asking a program would wait for it.
  if (!parallelCompile_)
    compileFence_ = std::make_unique<gl::Fence>(glFenceSync(GL_SYNC_GPU_COMMANDS_COMPLETE, 0));
  glFlush();
}

bool GlBackend::programsReady() {
  if (lost_ || gl_->programs.pendingCount() == 0) return true;  // finishPrograms reports a loss
  if (parallelCompile_) return gl_->programs.pendingComplete();
  if (!compileFence_ || !compileFence_->get()) return true;
  GLenum status = glClientWaitSync(compileFence_->get(), 0, 0);
  return status != GL_TIMEOUT_EXPIRED;  // signalled, or failed: finishPrograms tells which
}

void GlBackend::finishPrograms() {
  if (lost_) throw ContextLost("warmup: the GL context is lost");
  compileFence_.reset();
  gl_->programs.finishPending();
}

void GlBackend::drawInto(const Tensor& output, const std::string& op) {
  auto& storage = output.storageAs<GlStorage>();
  gl::Texture& texture = *storage.texture();
  bindFramebuffer(texture, op);
  setViewport(storage.layout().width, storage.layout().height);
  glDrawArrays(GL_TRIANGLES, 0, 3);
  ++passCount_;
  errorsUnchecked_ = true;
  if (options_.checkErrorsEveryPass) checkGlError(op + ": drawing a pass");
}

}  // namespace texel
