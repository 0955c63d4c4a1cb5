#pragma once
// The CPU backends: tensors are row-major std::vector<float>. The reference backend's
// kernels are the plain, obviously-correct references every other kernel is tested
// against; the SIMD backend (CpuOptions::simd) runs an op's vectorised, multithreaded
// kernel where it has one (engine/simd) and the reference kernel otherwise, on the same
// storage, so the fallback costs nothing.
#include <memory>
#include <vector>

#include "engine/core/backend.h"
#include "engine/core/registry.h"

namespace texel {

class CpuStorage : public Storage {
 public:
  CpuStorage(std::shared_ptr<std::size_t> liveBytes, std::vector<float> values);
  ~CpuStorage() override;
  std::vector<float> values;

 private:
  std::shared_ptr<std::size_t> liveBytes_;
};

namespace simd {
class ThreadPool;
}

struct CpuOptions {
  bool simd = false;  // the ops' SIMD kernels where they have one
  int threads = 0;    // SIMD kernels' threads, the caller's included; 0: every core
  // Natively (glibc), with simd: freed tensor memory stays in the process's heap for the
  // next tensor instead of going back to the system, as a buffer pool would. Without it
  // every large tensor is fresh mmap'd pages that fault in one by one: a Kim CNN
  // training step spent more time in page faults than in arithmetic (1350 ms -> 497 ms).
  // The cost: the heap does not shrink while the process lives. Process-wide.
  bool retainFreedMemory = true;
};

class CpuBackend : public Backend {
 public:
  static std::shared_ptr<CpuBackend> create(CpuOptions options = {});
  ~CpuBackend() override;

  BackendKind kind() const override { return BackendKind::Cpu; }
  std::string name() const override { return simd() ? "cpu-simd" : "cpu"; }
  bool simd() const { return pool_ != nullptr; }
  bool simdKernels() const override { return simd(); }
  // The SIMD kernels' threads (1 on the reference backend).
  int threads() const;
  simd::ThreadPool& pool() const { return *pool_; }
  std::shared_ptr<Storage> upload(const Shape& shape, DType dtype, std::span<const float> values,
                                  std::string_view what) override;
  std::vector<float> download(const Tensor& tensor) override;
  PendingRead downloadAsync(const Tensor& tensor) override;
  bool canShareStorage(const Shape&, const Shape&) const override { return true; }
  MemoryStats stats() const override;
  void resetPeak() override { peakBytes_ = *liveBytes_; }
  uint64_t storageBytes(const Shape& shape, DType) const override {
    return static_cast<uint64_t>(shape.size()) * sizeof(float);
  }

  // For kernels: a new tensor owning `values`.
  Tensor make(const TensorSpec& spec, std::vector<float> values);

 private:
  explicit CpuBackend(CpuOptions options);
  std::unique_ptr<simd::ThreadPool> pool_;
  std::shared_ptr<std::size_t> liveBytes_ = std::make_shared<std::size_t>(0);
  std::size_t peakBytes_ = 0;
};

// The process-wide SIMD CPU backend, every core (CpuBackend::create for other counts).
CpuBackend& cpuSimd();

// Helpers for CPU kernels.
inline const std::vector<float>& cpuValues(const Tensor& tensor) {
  return tensor.storageAs<CpuStorage>().values;
}
// The SIMD backend's threads, for its kernels.
inline simd::ThreadPool& cpuPool(const OpContext& ctx) {
  return static_cast<CpuBackend&>(ctx.backend).pool();
}
inline Tensor cpuResult(const OpContext& ctx, std::vector<float> values, size_t output = 0) {
  return static_cast<CpuBackend&>(ctx.backend).make(ctx.outputs[output], std::move(values));
}

}  // namespace texel
