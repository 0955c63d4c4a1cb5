#include "engine/gl/gl_backend.h"

#include <algorithm>
#include <cstring>

#include "engine/core/error.h"
#include "engine/gl/gl_check.h"
#include "engine/gl/half.h"

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

#ifndef __EMSCRIPTEN__
void* loadProc(void* context, const char* name) {
  return static_cast<GlContext*>(context)->procAddress(name);
}
#endif

}  // namespace

std::shared_ptr<GlBackend> GlBackend::create(std::shared_ptr<GlContext> context,
                                             GlOptions options) {
  if (!context) fail("GlBackend::create: no GL context given");
  context->makeCurrent();
#ifndef __EMSCRIPTEN__
  if (!gladLoadGLES2UserPtr(reinterpret_cast<GLADuserptrloadfunc>(&loadProc), context.get()))
    fail("GlBackend::create: could not load OpenGL ES entry points through ",
         context->platformName());
#endif
  return std::shared_ptr<GlBackend>(new GlBackend(std::move(context), options));
}

GlBackend::GlBackend(std::shared_ptr<GlContext> context, GlOptions options)
    : context_(std::move(context)), options_(options), pool_(options.budgetBytes) {
  drainErrors();
  probe();
  if (options_.forceHalfFloat && !info_.halfFloatRenderable)
    fail("GlBackend::create: forceHalfFloat is set but this context (", info_.renderer,
         ") cannot render to RGBA16F textures");
  halfFloat_ = options_.forceHalfFloat || !info_.floatRenderable;
  maxTextureSize_ = options_.maxTextureSize > 0
                        ? std::min(options_.maxTextureSize, info_.maxTextureSize)
                        : info_.maxTextureSize;
  framebuffer_ = gl::makeFramebuffer();
  emptyVertexArray_ = gl::makeVertexArray();
  checkGlError("GlBackend::create");
}

GlBackend::~GlBackend() = default;

void GlBackend::probe() {
  info_.platform = context_->platformName();
  info_.version = glString(GL_VERSION);
  info_.renderer = glString(GL_RENDERER);
  info_.vendor = glString(GL_VENDOR);
  info_.shadingLanguage = glString(GL_SHADING_LANGUAGE_VERSION);
  info_.maxTextureSize = glInt(GL_MAX_TEXTURE_SIZE);
  info_.maxTextureImageUnits = glInt(GL_MAX_TEXTURE_IMAGE_UNITS);
  info_.maxDrawBuffers = glInt(GL_MAX_DRAW_BUFFERS);
  int extensionCount = glInt(GL_NUM_EXTENSIONS);
  for (int i = 0; i < extensionCount; ++i) {
    const GLubyte* name = glGetStringi(GL_EXTENSIONS, static_cast<GLuint>(i));
    if (name) info_.extensions.emplace_back(reinterpret_cast<const char*>(name));
  }
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

GLenum GlBackend::storageFormat(DType dtype, bool uploaded, bool fullPrecision) const {
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
                  std::make_shared<GlStorage>(self, nullptr, gl::TextureLayout{}));
  gl::TextureLayout layout = layoutOf(spec.shape, op);
  auto texture = pool_.acquire(layout.width, layout.height,
                               storageFormat(spec.dtype, uploaded, fullPrecision), op);
  return Tensor(self, spec.shape, spec.dtype,
                std::make_shared<GlStorage>(self, std::move(texture), layout));
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
  Tensor tensor = allocate({shape, dtype}, std::string(what), true);
  auto& storage = tensor.storageAs<GlStorage>();
  if (!storage.texture()) return tensor.storage();
  const gl::TextureLayout& layout = storage.layout();
  std::vector<float> texels(static_cast<size_t>(layout.capacityTexels()) * 4);
  gl::packTexels(layout, values, texels);
  glBindTexture(GL_TEXTURE_2D, storage.texture()->id.id());
  glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
  if (storage.texture()->internalFormat == GL_RGBA16F) {
    // Rounded here (to nearest even) rather than by the driver, whose rounding varies.
    std::vector<uint16_t> halves(texels.size());
    for (size_t i = 0; i < texels.size(); ++i) halves[i] = gl::floatToHalf(texels[i]);
    glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, layout.width, layout.height, GL_RGBA, GL_HALF_FLOAT,
                    halves.data());
  } else {
    glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, layout.width, layout.height, GL_RGBA, GL_FLOAT,
                    texels.data());
  }
  checkGlError(concat(what, ": uploading a tensor of shape ", shape));
  return tensor.storage();
}

void GlBackend::bindFramebuffer(gl::Texture& texture, const std::string& op) {
  glBindFramebuffer(GL_FRAMEBUFFER, framebuffer_.id());
  glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, texture.id.id(), 0);
  if (!texture.renderTargetChecked) {
    GLenum status = glCheckFramebufferStatus(GL_FRAMEBUFFER);
    if (status != GL_FRAMEBUFFER_COMPLETE)
      fail(op, ": framebuffer with a ", texture.width, "x", texture.height,
           texture.internalFormat == GL_RGBA16F ? " RGBA16F" : " RGBA32F",
           " texture is incomplete (status 0x", std::hex, status, ")");
    texture.renderTargetChecked = true;
  }
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
  if (!storage.texture()) return values;
  const gl::TextureLayout& layout = storage.layout();
  std::vector<float> texels(static_cast<size_t>(layout.capacityTexels()) * 4);
  bindFramebuffer(*storage.texture(), "data()");
  glPixelStorei(GL_PACK_ALIGNMENT, 4);
  glReadPixels(0, 0, layout.width, layout.height, GL_RGBA, GL_FLOAT, texels.data());
  checkGlError(concat("data(): reading back a tensor of shape ", tensor.shape()));
  gl::unpackTexels(layout, texels, values);
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
    GLenum status = glClientWaitSync(fence_.get(), 0, 0);
    if (status == GL_WAIT_FAILED) fail("dataAsync: waiting for the GPU failed");
    return status == GL_ALREADY_SIGNALED || status == GL_CONDITION_SATISFIED;
  }

  std::vector<float> take() override {
    std::vector<float> values(count_);
    if (!buffer_) return values;
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
  std::shared_ptr<GlBackend> backend_;  // keeps the context alive for the deletes
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
  if (!storage.texture())
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
  return layoutOf(from, "reshape") == layoutOf(to, "reshape");
}

MemoryStats GlBackend::stats() const {
  MemoryStats stats;
  stats.liveTensors = liveTensors();
  stats.liveTextures = pool_.liveTextures();
  stats.liveBytes = pool_.liveBytes();
  stats.pooledTextures = pool_.pooledTextures();
  stats.pooledBytes = pool_.pooledBytes();
  stats.peakBytes = pool_.peakBytes();
  stats.budgetBytes = pool_.budgetBytes();
  stats.textureAllocations = pool_.allocations();
  stats.poolHits = pool_.hits();
  stats.compileCount = programs_.compileCount();
  stats.passCount = passCount_;
  return stats;
}

std::vector<Tensor> GlBackend::runKernel(KernelFn kernel, const OpContext& ctx) {
  bool split = false;
  for (const Tensor& t : ctx.inputs) split = split || gl::isSplit(t);
  for (const TensorSpec& s : ctx.outputs)
    split = split || (s.shape.size() > 0 && !gl::fitsOneTexture(s.shape, maxTextureSize_));
  return split ? gl::runSplit(*this, ctx) : kernel(ctx);
}

void GlBackend::finish() {
  glFinish();
#ifdef __EMSCRIPTEN__
  // WebGL's finish() returns before the GPU process has run the commands. Reading one
  // texel of the last pass's target (still attached to our framebuffer) waits for it.
  glBindFramebuffer(GL_FRAMEBUFFER, framebuffer_.id());
  if (glCheckFramebufferStatus(GL_FRAMEBUFFER) == GL_FRAMEBUFFER_COMPLETE) {
    float texel[4];
    glReadPixels(0, 0, 1, 1, GL_RGBA, GL_FLOAT, texel);
  }
#endif
  checkGlError("finish");
}

void GlBackend::drawInto(const Tensor& output, const std::string& op) {
  auto& storage = output.storageAs<GlStorage>();
  gl::Texture& texture = *storage.texture();
  bindFramebuffer(texture, op);
  glViewport(0, 0, texture.width, texture.height);
  glDisable(GL_BLEND);
  glDisable(GL_DEPTH_TEST);
  glDisable(GL_SCISSOR_TEST);
  glBindVertexArray(emptyVertexArray_.id());
  glDrawArrays(GL_TRIANGLES, 0, 3);
  ++passCount_;
  if (options_.checkErrorsEveryPass) checkGlError(op + ": drawing a pass");
}

}  // namespace texel
