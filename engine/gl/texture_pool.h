#pragma once
// Pool of RGBA float textures. Released textures are kept and handed out again for the
// same (width, height, format); a byte budget caps live + pooled bytes: an allocation
// that would exceed it first frees pooled textures (least recently released first), and
// if that is not enough throws texel::OutOfMemory. A driver GL_OUT_OF_MEMORY becomes the
// same error, after one retry with an empty pool.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/gl/gl_objects.h"

namespace texel::gl {

struct Texture {
  TextureId id;
  int width = 0;
  int height = 0;
  GLenum internalFormat = 0;
  std::size_t bytes = 0;
  bool renderTargetChecked = false;  // framebuffer completeness verified once per texture
};

class TexturePool {
 public:
  explicit TexturePool(std::size_t budgetBytes) : budgetBytes_(budgetBytes) {}
  ~TexturePool();
  TexturePool(const TexturePool&) = delete;
  TexturePool& operator=(const TexturePool&) = delete;

  // `op` names the requester in error messages.
  std::unique_ptr<Texture> acquire(int width, int height, GLenum internalFormat,
                                   const std::string& op);
  void release(std::unique_ptr<Texture> texture);
  void freePooled();  // deletes every pooled texture
  // 0 means no budget. Lowering it below the pooled bytes frees pooled textures now.
  void setBudget(std::size_t budgetBytes);

  std::size_t budgetBytes() const { return budgetBytes_; }
  std::size_t liveBytes() const { return liveBytes_; }
  int64_t liveTextures() const { return liveTextures_; }
  std::size_t pooledBytes() const { return pooledBytes_; }
  int64_t pooledTextures() const { return static_cast<int64_t>(pooled_.size()); }
  std::size_t peakBytes() const { return peakBytes_; }
  int64_t allocations() const { return allocations_; }
  int64_t hits() const { return hits_; }

  static std::size_t bytesPerTexel(GLenum internalFormat);

 private:
  std::unique_ptr<Texture> allocate(int width, int height, GLenum internalFormat, std::size_t bytes,
                                    const std::string& op);
  void evictUntilFits(std::size_t bytes);
  void evictOldest();

  std::size_t budgetBytes_;
  std::vector<std::unique_ptr<Texture>> pooled_;  // oldest release first
  std::size_t liveBytes_ = 0;
  int64_t liveTextures_ = 0;
  std::size_t pooledBytes_ = 0;
  std::size_t peakBytes_ = 0;
  int64_t allocations_ = 0;
  int64_t hits_ = 0;
};

}  // namespace texel::gl
