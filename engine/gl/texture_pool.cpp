#include "engine/gl/texture_pool.h"

#include <algorithm>
#include <bit>

#include "engine/core/error.h"
#include "engine/gl/gl_check.h"

namespace texel::gl {

namespace {
std::string megabytes(uint64_t bytes) {
  return concat(bytes, " bytes (", static_cast<double>(bytes) / (1024.0 * 1024.0), " MiB)");
}
}  // namespace

int TexturePool::bucketSide(int size, int limit) {
  if (size <= 16) return size;
  // 8 steps per octave: at most 12.5% more texels per side.
  int step = static_cast<int>(std::bit_floor(static_cast<unsigned>(size)) >> 3);
  int rounded = (size + step - 1) / step * step;
  return std::max(size, std::min(rounded, limit));
}

uint64_t TexturePool::bytesPerTexel(GLenum internalFormat) {
  switch (internalFormat) {
    case GL_RGBA32F:
      return 16;
    case GL_RGBA16F:
      return 8;
    default:
      return 16;
  }
}

uint64_t TexturePool::bucketBytes(int width, int height, GLenum internalFormat, int limit) {
  return static_cast<uint64_t>(bucketSide(width, limit)) *
         static_cast<uint64_t>(bucketSide(height, limit)) * bytesPerTexel(internalFormat);
}

std::unique_ptr<Texture> TexturePool::acquire(int width, int height, GLenum internalFormat,
                                              int limit, const std::string& op) {
  ++clock_;
  trimIdle();
  int bucketWidth = bucketSide(width, limit);
  int bucketHeight = bucketSide(height, limit);
  // Most recently released first: it is the likeliest to still be warm in caches.
  for (auto it = pooled_.rbegin(); it != pooled_.rend(); ++it) {
    Texture& t = **it;
    if (t.width == bucketWidth && t.height == bucketHeight && t.internalFormat == internalFormat) {
      std::unique_ptr<Texture> texture = std::move(*it);
      pooled_.erase(std::next(it).base());
      pooledBytes_ -= texture->bytes;
      countLive(texture->bytes);
      ++hits_;
      return texture;
    }
  }
  uint64_t bytes = bucketBytes(width, height, internalFormat, limit);
  makeRoom(bytes, op, bucketWidth, bucketHeight);
  return allocate(bucketWidth, bucketHeight, internalFormat, bytes, op);
}

void TexturePool::makeRoom(uint64_t bytes, const std::string& op, int width, int height) {
  if (budgetBytes_ == 0) return;
  evictUntilFits(bytes);
  while (liveBytes_ + bytes > budgetBytes_ && reclaim_ && reclaim_()) {
  }
  if (liveBytes_ + bytes > budgetBytes_)
    throw OutOfMemory(
        concat(op, ": out of GPU memory budget: requested ", megabytes(bytes), " for a ", width,
               "x", height, " texture, ", megabytes(liveBytes_), " in use by live tensors",
               reclaim_ ? " that this op needs (nothing left to page out)" : " (paging is off)",
               ", budget ", megabytes(budgetBytes_)),
        bytes, liveBytes_, budgetBytes_);
}

void TexturePool::countLive(uint64_t bytes) {
  liveBytes_ += bytes;
  ++liveTextures_;
  peakBytes_ = std::max(peakBytes_, liveBytes_ + pooledBytes_);
  peakLiveBytes_ = std::max(peakLiveBytes_, liveBytes_);
}

std::unique_ptr<Texture> TexturePool::allocate(int width, int height, GLenum internalFormat,
                                               uint64_t bytes, const std::string& op) {
  bool checkNow = bytes >= syncCheckBytes_;
  // Errors still pending are an earlier call's: reported as such, not blamed on this one.
  if (checkNow) checkGlError(op + ": before allocating a texture (an earlier GL call failed)");
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto texture = std::make_unique<Texture>();
    texture->id = makeTexture();
    glBindTexture(GL_TEXTURE_2D, texture->id.id());
    glTexStorage2D(GL_TEXTURE_2D, 1, internalFormat, width, height);
    GLenum error = checkNow ? glGetError() : GL_NO_ERROR;
    unchecked_ = unchecked_ || !checkNow;
    if (error == GL_NO_ERROR) {
      glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
      glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
      glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
      glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
      texture->width = width;
      texture->height = height;
      texture->internalFormat = internalFormat;
      texture->bytes = bytes;
      countLive(bytes);
      ++allocations_;
      return texture;
    }
    drainErrors();
    if (error == kGlContextLost || error == kWebGlContextLost)
      throw ContextLost(concat(op, ": the GL context was lost (", glErrorName(error),
                               ") while allocating a texture"));
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
  texture->releasedAt = clock_;
  pooled_.push_back(std::move(texture));
  if (budgetBytes_ != 0) evictUntilFits(0);
}

void TexturePool::discard(std::unique_ptr<Texture> texture) {
  if (!texture) return;
  liveBytes_ -= texture->bytes;
  --liveTextures_;
}

void TexturePool::evictUntilFits(uint64_t bytes) {
  while (!pooled_.empty() && liveBytes_ + pooledBytes_ + bytes > budgetBytes_) evictOldest();
}

void TexturePool::evictOldest() {
  pooledBytes_ -= pooled_.front()->bytes;
  pooled_.pop_front();
}

void TexturePool::trimIdle() {
  while (!pooled_.empty() && clock_ - pooled_.front()->releasedAt > idleLimit_) {
    evictOldest();
    ++trimmed_;
  }
}

void TexturePool::freePooled() {
  pooled_.clear();
  pooledBytes_ = 0;
}

void TexturePool::setBudget(uint64_t budgetBytes) {
  budgetBytes_ = budgetBytes;
  if (budgetBytes_ != 0) evictUntilFits(0);
}

}  // namespace texel::gl
