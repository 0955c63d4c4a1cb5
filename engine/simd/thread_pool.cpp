#include "engine/simd/thread_pool.h"

#include <algorithm>

namespace texel::simd {

#if defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__)
constexpr bool kThreadsBuilt = false;
#else
constexpr bool kThreadsBuilt = true;
#endif

int ThreadPool::available() {
  if (!kThreadsBuilt) return 1;
  int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
#ifdef __EMSCRIPTEN__
  // The pthread workers made at start-up (CMakeLists.txt: PTHREAD_POOL_SIZE, at most 8);
  // a thread beyond them would wait for the caller's event loop, which a fork-join never
  // returns to.
  cores = std::min(cores, 8);
#endif
  return cores;
}

ThreadPool::ThreadPool(int threads) : threads_(std::clamp(threads, 1, available())) {
  for (int i = 1; i < threads_; ++i) workers_.emplace_back([this] { workerLoop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& worker : workers_) worker.join();
}

// Takes parts until none are left; the caller and the workers all run this.
void ThreadPool::runParts() {
  std::unique_lock lock(mutex_);
  while (next_ < parts_) {
    int64_t part = next_++;
    lock.unlock();
    try {
      (*work_)(part);
    } catch (...) {
      lock.lock();
      if (!error_) error_ = std::current_exception();
      lock.unlock();
    }
    lock.lock();
    if (++finished_ == parts_) done_.notify_all();
  }
}

void ThreadPool::workerLoop() {
  uint64_t seen = 0;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
      if (stopping_) return;
      seen = generation_;
    }
    runParts();
  }
}

void ThreadPool::parallelFor(int64_t parts, const std::function<void(int64_t)>& work) {
  if (parts <= 0) return;
  if (threads_ == 1 || parts == 1) {
    for (int64_t part = 0; part < parts; ++part) work(part);
    return;
  }
  std::lock_guard turn(callMutex_);
  {
    std::lock_guard lock(mutex_);
    work_ = &work;
    parts_ = parts;
    next_ = finished_ = 0;
    error_ = nullptr;
    ++generation_;
  }
  wake_.notify_all();
  runParts();
  std::unique_lock lock(mutex_);
  done_.wait(lock, [&] { return finished_ == parts_; });
  work_ = nullptr;
  parts_ = 0;  // late workers find nothing to take
  if (error_) std::rethrow_exception(error_);
}

}  // namespace texel::simd
