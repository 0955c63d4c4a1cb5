#pragma once
// The interface every backend implements: making storage from host values, reading it
// back, and reporting memory. Ops do not live here: they are looked up in the op
// registry (engine/core/registry.h), which holds a CPU and a GL kernel per op.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "engine/core/tensor.h"

namespace texel {

enum class BackendKind { Cpu, Gl };
struct OpContext;  // engine/core/registry.h
using KernelFn = std::function<std::vector<Tensor>(const OpContext& ctx)>;

struct MemoryStats {
  int64_t liveTensors = 0;     // tensor handles' distinct objects alive on this backend
  int64_t liveTextures = 0;    // textures owned by live tensors (GL only)
  uint64_t liveBytes = 0;      // bytes held by live tensors
  int64_t pooledTextures = 0;  // released textures kept for reuse (GL only)
  uint64_t pooledBytes = 0;
  uint64_t peakBytes = 0;          // highest live + pooled bytes seen
  uint64_t peakLiveBytes = 0;      // highest live bytes seen (GL: since resetPeak())
  uint64_t budgetBytes = 0;        // 0 means no budget
  int64_t textureAllocations = 0;  // textures created through the driver
  int64_t poolHits = 0;            // acquisitions served from the pool
  int64_t compileCount = 0;        // shader programs compiled and linked
  int64_t passCount = 0;           // fragment passes drawn
  int64_t blockedPassCount = 0;    // ... of which wrote several render targets (GL only)
  int64_t trimmedTextures = 0;     // pooled textures freed after sitting idle
  int64_t pagedOutTensors = 0;     // storages whose values wait in host memory now
  uint64_t pagedOutBytes = 0;      // their texture bytes
  int64_t pageOuts = 0;            // textures paged out to host memory so far
  int64_t pageIns = 0;             // ... and uploaded again
  int64_t contextLosses = 0;
};

class Backend : public std::enable_shared_from_this<Backend> {
 public:
  virtual ~Backend() = default;
  Backend(const Backend&) = delete;
  Backend& operator=(const Backend&) = delete;

  virtual BackendKind kind() const = 0;
  virtual std::string name() const = 0;
  // A CPU backend that runs the ops' SIMD kernels (engine/simd) where they have one.
  virtual bool simdKernels() const { return false; }

  // Storage holding `values` (row-major, shape.size() of them) of a tensor of `dtype`,
  // laid out for this backend. `what` names the requester in errors.
  virtual std::shared_ptr<Storage> upload(const Shape& shape, DType dtype,
                                          std::span<const float> values, std::string_view what) = 0;
  virtual std::vector<float> download(const Tensor& tensor) = 0;
  virtual PendingRead downloadAsync(const Tensor& tensor) = 0;
  // Can a tensor of shape `from` be viewed as `to` without moving data?
  virtual bool canShareStorage(const Shape& from, const Shape& to) const = 0;
  virtual MemoryStats stats() const = 0;
  // Starts a new peak: peakLiveBytes (and on GL peakBytes) restart from the live bytes.
  virtual void resetPeak() = 0;
  // Bytes a tensor of this shape and dtype occupies here (GL: its size-bucketed texture).
  virtual uint64_t storageBytes(const Shape& shape, DType dtype) const = 0;
  // Waits until all submitted work has finished (glFinish on GL).
  virtual void finish() {}
  // Warmup's first step (see WarmupJob): while compile-only, ops start compiling the
  // programs they need without waiting for them, draw nothing and read back zeros, so
  // many programs compile at once and the caller's thread never waits for a compiler.
  virtual void setCompileOnly(bool) {}
  virtual bool compileOnly() const { return false; }
  // Without blocking: whether every program started while compile-only has compiled.
  virtual bool programsReady() { return true; }
  // Waits for and checks every started program; throws the first failure, naming its op.
  virtual void finishPrograms() {}
  // Runs `kernel` for an op call whose inputs and outputs passed inference. The GL
  // backend overrides it to split work over tensors too big for one texture.
  virtual std::vector<Tensor> runKernel(const KernelFn& kernel, const OpContext& ctx) {
    return kernel(ctx);
  }

  // Called by tensor handles so stats().liveTensors is exact.
  void noteTensorCreated() { ++liveTensors_; }
  void noteTensorDestroyed() { --liveTensors_; }

 protected:
  Backend() = default;
  int64_t liveTensors() const { return liveTensors_; }

 private:
  int64_t liveTensors_ = 0;
};

// The process-wide CPU backend: the plain C++ reference every GL kernel is tested against.
Backend& cpu();

}  // namespace texel
