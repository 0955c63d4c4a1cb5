#include "engine/cpu/cpu_backend.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "engine/core/error.h"
#include "engine/simd/thread_pool.h"

namespace texel {

CpuStorage::CpuStorage(std::shared_ptr<std::size_t> liveBytes, std::vector<float> v)
    : values(std::move(v)), liveBytes_(std::move(liveBytes)) {
  *liveBytes_ += values.size() * sizeof(float);
}

CpuStorage::~CpuStorage() {
  *liveBytes_ -= values.size() * sizeof(float);
}

CpuBackend::CpuBackend(CpuOptions options) {
  if (options.threads < 0)
    fail("CpuBackend: threads must be >= 0 (0: every core), got ", options.threads);
#if defined(__GLIBC__)
  if (options.simd && options.retainFreedMemory) {
    // Blocks up to glibc's largest threshold (32 MiB on 64-bit) come from the heap, not
    // mmap, and the heap is never trimmed.
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, -1);
  }
#endif
  if (options.simd)
    pool_ = std::make_unique<simd::ThreadPool>(options.threads == 0 ? simd::ThreadPool::available()
                                                                    : options.threads);
}

CpuBackend::~CpuBackend() = default;

std::shared_ptr<CpuBackend> CpuBackend::create(CpuOptions options) {
  return std::shared_ptr<CpuBackend>(new CpuBackend(options));
}

int CpuBackend::threads() const {
  return pool_ ? pool_->threads() : 1;
}

std::shared_ptr<Storage> CpuBackend::upload(const Shape& shape, DType,
                                            std::span<const float> values, std::string_view what) {
  if (static_cast<int64_t>(values.size()) != shape.size())
    fail(what, ": shape ", shape, " needs ", shape.size(), " values, got ", values.size());
  auto storage =
      std::make_shared<CpuStorage>(liveBytes_, std::vector<float>(values.begin(), values.end()));
  peakBytes_ = std::max(peakBytes_, *liveBytes_);
  return storage;
}

std::vector<float> CpuBackend::download(const Tensor& tensor) {
  return cpuValues(tensor);
}

namespace {
class ReadyRead : public PendingRead::Job {
 public:
  explicit ReadyRead(std::vector<float> values) : values_(std::move(values)) {}
  bool poll() override { return true; }
  std::vector<float> take() override { return std::move(values_); }

 private:
  std::vector<float> values_;
};
}  // namespace

PendingRead CpuBackend::downloadAsync(const Tensor& tensor) {
  return PendingRead(std::make_unique<ReadyRead>(cpuValues(tensor)));
}

MemoryStats CpuBackend::stats() const {
  MemoryStats stats;
  stats.liveTensors = liveTensors();
  stats.liveBytes = *liveBytes_;
  stats.peakBytes = peakBytes_;
  stats.peakLiveBytes = peakBytes_;
  return stats;
}

Tensor CpuBackend::make(const TensorSpec& spec, std::vector<float> values) {
  if (static_cast<int64_t>(values.size()) != spec.shape.size())
    fail("cpu kernel: internal error: ", values.size(), " values for shape ", spec.shape);
  auto storage = std::make_shared<CpuStorage>(liveBytes_, std::move(values));
  peakBytes_ = std::max(peakBytes_, *liveBytes_);
  return Tensor(shared_from_this(), spec.shape, spec.dtype, std::move(storage));
}

Backend& cpu() {
  static std::shared_ptr<CpuBackend> backend = CpuBackend::create();
  return *backend;
}

CpuBackend& cpuSimd() {
  static std::shared_ptr<CpuBackend> backend = CpuBackend::create({.simd = true});
  return *backend;
}

}  // namespace texel
