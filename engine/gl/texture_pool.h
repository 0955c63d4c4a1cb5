#pragma once
// Pool of RGBA float textures.
//  - Size buckets: a request is rounded up per side to the next of 8 steps per octave
//    (sides up to 16 stay exact), so inputs of changing size reuse textures instead of
//    growing the pool with every new shape; a released texture serves any later request
//    of the same bucket and format.
//  - Byte budget on live + pooled bytes: an allocation that would exceed it first frees
//    pooled textures (least recently released first), then asks the owner to reclaim
//    live textures (the GL backend pages tensors out to host memory), and only then
//    throws texel::OutOfMemory. A driver GL_OUT_OF_MEMORY is retried once with an empty
//    pool, then becomes the same error.
//  - Error checks: glGetError waits for the GPU (in browsers a round trip to the GPU
//    process), so allocations below `syncCheckBytes` are checked with the next readback
//    instead (uncheckedAllocations()); only big ones, where a driver runs out of memory,
//    are checked (and retried) at once.
//  - LRU trimming: pooled textures not reused within `idleLimit` acquisitions are freed.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "engine/gl/gl_objects.h"

namespace texel::gl {

struct Texture {
  TextureId id;
  int width = 0;  // allocated size: the bucket, at least the layout's size
  int height = 0;
  GLenum internalFormat = 0;
  uint64_t bytes = 0;
  bool renderTargetChecked = false;  // framebuffer completeness verified once per texture
  uint64_t releasedAt = 0;           // the pool's acquisition clock when last released
};

class TexturePool {
 public:
  // Frees live bytes for an allocation that does not fit: returns false when nothing
  // more can be freed.
  using Reclaim = std::function<bool()>;
  static constexpr uint64_t kDefaultIdleLimit = 8192;

  explicit TexturePool(uint64_t budgetBytes) : budgetBytes_(budgetBytes) {}
  TexturePool(const TexturePool&) = delete;
  TexturePool& operator=(const TexturePool&) = delete;

  // The side a request of `size` texels is rounded up to (never beyond `limit`).
  static int bucketSide(int size, int limit);
  static uint64_t bytesPerTexel(GLenum internalFormat);
  // Bytes of the bucketed texture a width x height request gets.
  static uint64_t bucketBytes(int width, int height, GLenum internalFormat, int limit);

  void setReclaim(Reclaim reclaim) { reclaim_ = std::move(reclaim); }
  // A texture of at least width x height (bucketed). `op` names the requester in errors.
  std::unique_ptr<Texture> acquire(int width, int height, GLenum internalFormat, int limit,
                                   const std::string& op);
  void release(std::unique_ptr<Texture> texture);
  // Deletes a live texture instead of pooling it (its tensor was paged out, or its
  // context was lost: then its stale id makes the delete a no-op, gl_objects.h).
  void discard(std::unique_ptr<Texture> texture);
  void freePooled();  // deletes every pooled texture (after a context loss: forgets them)
  // 0 means no budget. Lowering it below the pooled bytes frees pooled textures now.
  void setBudget(uint64_t budgetBytes);
  void setIdleLimit(uint64_t acquisitions) { idleLimit_ = acquisitions; }
  // Allocations of at least this many bytes are checked with glGetError at once (0: all).
  void setSyncCheckBytes(uint64_t bytes) { syncCheckBytes_ = bytes; }
  static constexpr uint64_t kDefaultSyncCheckBytes = uint64_t{16} << 20;
  // True (once) when textures were allocated without an error check since the last call:
  // the caller's next glGetError covers them.
  bool takeUncheckedAllocations() { return std::exchange(unchecked_, false); }
  void resetPeak() { peakBytes_ = peakLiveBytes_ = liveBytes_; }

  uint64_t budgetBytes() const { return budgetBytes_; }
  uint64_t liveBytes() const { return liveBytes_; }
  int64_t liveTextures() const { return liveTextures_; }
  uint64_t pooledBytes() const { return pooledBytes_; }
  int64_t pooledTextures() const { return static_cast<int64_t>(pooled_.size()); }
  uint64_t peakBytes() const { return peakBytes_; }
  uint64_t peakLiveBytes() const { return peakLiveBytes_; }
  int64_t allocations() const { return allocations_; }
  int64_t hits() const { return hits_; }
  int64_t trimmed() const { return trimmed_; }

 private:
  std::unique_ptr<Texture> allocate(int width, int height, GLenum internalFormat, uint64_t bytes,
                                    const std::string& op);
  void makeRoom(uint64_t bytes, const std::string& op, int width, int height);
  // Frees pooled textures, oldest first, until `bytes` more fit the budget.
  void evictUntilFits(uint64_t bytes);
  void evictOldest();
  void trimIdle();
  void countLive(uint64_t bytes);

  uint64_t budgetBytes_;
  Reclaim reclaim_;
  std::deque<std::unique_ptr<Texture>> pooled_;  // oldest release first
  uint64_t clock_ = 0;                           // acquisitions so far
  uint64_t idleLimit_ = kDefaultIdleLimit;
  uint64_t syncCheckBytes_ = kDefaultSyncCheckBytes;
  bool unchecked_ = false;
  uint64_t liveBytes_ = 0;
  int64_t liveTextures_ = 0;
  uint64_t pooledBytes_ = 0;
  uint64_t peakBytes_ = 0;
  uint64_t peakLiveBytes_ = 0;
  int64_t allocations_ = 0;
  int64_t hits_ = 0;
  int64_t trimmed_ = 0;
};

}  // namespace texel::gl
