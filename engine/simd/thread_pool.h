#pragma once
// The SIMD CPU backend's workers: a fixed set of threads that split one loop at a time
// (fork-join). With one thread, or in a wasm build without pthreads, loops run inline.
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace texel::simd {

class ThreadPool {
 public:
  // `threads` counts the calling thread: 1 runs everything inline.
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int threads() const { return threads_; }
  // Calls work(part) for part in [0, parts), spread over the threads; returns when all
  // are done. The first exception thrown by a part is rethrown here. Calls from several
  // threads take turns; a part must not call parallelFor on the same pool.
  void parallelFor(int64_t parts, const std::function<void(int64_t part)>& work);

  // Threads this build can run (1 in a wasm build without pthreads).
  static int available();

 private:
  void workerLoop();
  void runParts();

  int threads_;
  std::vector<std::thread> workers_;
  std::mutex callMutex_;  // one loop at a time
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  const std::function<void(int64_t)>* work_ = nullptr;
  int64_t parts_ = 0, next_ = 0, finished_ = 0;
  uint64_t generation_ = 0;
  bool stopping_ = false;
  std::exception_ptr error_;
};

}  // namespace texel::simd
