#include "engine/gl/texture_pool.h"

#include <algorithm>

#include "engine/core/error.h"
#include "engine/gl/gl_check.h"

namespace texel::gl {

namespace {
std::string megabytes(std::size_t bytes) {
  return concat(bytes, " bytes (", static_cast<double>(bytes) / (1024.0 * 1024.0), " MiB)");
}
}  // namespace

TexturePool::~TexturePool() = default;

std::size_t TexturePool::bytesPerTexel(GLenum internalFormat) {
  switch (internalFormat) {
    case GL_RGBA32F:
      return 16;
    case GL_RGBA16F:
      return 8;
    default:
      return 16;
  }
}

std::unique_ptr<Texture> TexturePool::acquire(int width, int height, GLenum internalFormat,
                                              const std::string& op) {
  // Most recently released first: it is the likeliest to still be warm in caches.
  for (auto it = pooled_.rbegin(); it != pooled_.rend(); ++it) {
    Texture& t = **it;
    if (t.width == width && t.height == height && t.internalFormat == internalFormat) {
      std::unique_ptr<Texture> texture = std::move(*it);
      pooled_.erase(std::next(it).base());
      pooledBytes_ -= texture->bytes;
      liveBytes_ += texture->bytes;
      ++liveTextures_;
      ++hits_;
      return texture;
    }
  }
  std::size_t bytes = static_cast<std::size_t>(width) * static_cast<std::size_t>(height) *
                      bytesPerTexel(internalFormat);
  if (budgetBytes_ != 0) {
    evictUntilFits(bytes);
    if (liveBytes_ + bytes > budgetBytes_)
      throw OutOfMemory(concat(op, ": out of GPU memory budget: requested ", megabytes(bytes),
                               " for a ", width, "x", height, " texture, ", megabytes(liveBytes_),
                               " in use by live tensors, budget ", megabytes(budgetBytes_)),
                        bytes, liveBytes_, budgetBytes_);
  }
  return allocate(width, height, internalFormat, bytes, op);
}

std::unique_ptr<Texture> TexturePool::allocate(int width, int height, GLenum internalFormat,
                                               std::size_t bytes, const std::string& op) {
  drainErrors();
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto texture = std::make_unique<Texture>();
    texture->id = makeTexture();
    glBindTexture(GL_TEXTURE_2D, texture->id.id());
    glTexStorage2D(GL_TEXTURE_2D, 1, internalFormat, width, height);
    GLenum error = glGetError();
    if (error == GL_NO_ERROR) {
      glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
      glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
      glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
      glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
      texture->width = width;
      texture->height = height;
      texture->internalFormat = internalFormat;
      texture->bytes = bytes;
      liveBytes_ += bytes;
      ++liveTextures_;
      ++allocations_;
      peakBytes_ = std::max(peakBytes_, liveBytes_ + pooledBytes_);
      return texture;
    }
    drainErrors();
    if (error != GL_OUT_OF_MEMORY)
      fail(op, ": allocating a ", width, "x", height, " texture failed with GL error ",
           glErrorName(error));
    if (attempt == 0 && !pooled_.empty()) {
      freePooled();  // the driver is out of memory: give it back everything idle, retry once
      continue;
    }
    throw OutOfMemory(concat(op, ": the GL driver is out of memory (GL_OUT_OF_MEMORY) allocating ",
                             megabytes(bytes), " for a ", width, "x", height, " texture; ",
                             megabytes(liveBytes_), " in use by live tensors, budget ",
                             budgetBytes_ ? megabytes(budgetBytes_) : std::string("none")),
                      bytes, liveBytes_, budgetBytes_);
  }
  fail(op, ": internal error in texture allocation");
}

void TexturePool::release(std::unique_ptr<Texture> texture) {
  if (!texture) return;
  liveBytes_ -= texture->bytes;
  --liveTextures_;
  pooledBytes_ += texture->bytes;
  pooled_.push_back(std::move(texture));
  if (budgetBytes_ != 0)
    while (!pooled_.empty() && liveBytes_ + pooledBytes_ > budgetBytes_) evictOldest();
}

void TexturePool::evictOldest() {
  pooledBytes_ -= pooled_.front()->bytes;
  pooled_.erase(pooled_.begin());
}

void TexturePool::evictUntilFits(std::size_t bytes) {
  while (!pooled_.empty() && liveBytes_ + pooledBytes_ + bytes > budgetBytes_) evictOldest();
}

void TexturePool::freePooled() {
  pooled_.clear();
  pooledBytes_ = 0;
}

void TexturePool::setBudget(std::size_t budgetBytes) {
  budgetBytes_ = budgetBytes;
  if (budgetBytes_ != 0)
    while (!pooled_.empty() && liveBytes_ + pooledBytes_ > budgetBytes_) evictOldest();
}

}  // namespace texel::gl
