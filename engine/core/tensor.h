#pragma once
// texel::Tensor: a value-semantics handle to an immutable tensor. Copies share the
// storage; when the last handle goes away the storage (a pooled GL texture or a host
// buffer) is returned to its backend at once, so C++ code needs no tidy()/dispose().
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "engine/core/dtype.h"
#include "engine/core/shape.h"

namespace texel {

class Backend;
class PendingRead;

// Backend-specific data behind a tensor. Several tensors may share one storage
// (a free reshape), so storage never carries the logical shape.
class Storage {
 public:
  virtual ~Storage() = default;
};

class Tensor {
 public:
  Tensor() = default;  // an empty handle; defined() is false
  // For backends: wraps freshly made storage. Users create tensors with the functions
  // in engine/core/create.h or with ops.
  Tensor(std::shared_ptr<Backend> backend, Shape shape, DType dtype,
         std::shared_ptr<Storage> storage);

  bool defined() const { return impl_ != nullptr; }
  const Shape& shape() const;
  int rank() const { return shape().rank(); }
  int64_t size() const { return shape().size(); }
  DType dtype() const;
  Backend& backend() const;
  std::shared_ptr<Backend> backendPtr() const;

  // Blocking readback of all values in row-major order (int32 tensors are returned as
  // exact floats; use dataInt32 for integers).
  std::vector<float> data() const;
  std::vector<int32_t> dataInt32() const;
  // Non-blocking readback: on GL it starts a copy into a pixel-buffer object guarded by
  // a fence; poll PendingRead::ready() from your frame loop, then take the values.
  PendingRead dataAsync() const;
  // The same values on another backend (a copy; returns *this when already there).
  Tensor to(Backend& target) const;
  // Same storage under another shape; only for backends whose layout allows it.
  Tensor withShape(Shape shape) const;

  const std::shared_ptr<Storage>& storage() const;
  // Identifies the tensor value: equal for copies of one handle, distinct otherwise.
  const void* id() const { return impl_.get(); }
  template <typename T>
  T& storageAs() const {
    return static_cast<T&>(*storage());
  }

 private:
  struct Impl;
  std::shared_ptr<const Impl> impl_;
};

// The result of Tensor::dataAsync(). Move-only; dropping it cancels the read and frees
// the pixel buffer.
class PendingRead {
 public:
  class Job {
   public:
    virtual ~Job() = default;
    virtual bool poll() = 0;                // true once the values can be taken without waiting
    virtual std::vector<float> take() = 0;  // blocks if the GPU has not finished yet
  };
  explicit PendingRead(std::unique_ptr<Job> job) : job_(std::move(job)) {}
  PendingRead(PendingRead&&) = default;
  PendingRead& operator=(PendingRead&&) = default;

  // Non-blocking: has the GPU finished the copy? In the browser the answer can only
  // change after control returns to the event loop.
  bool ready();
  // The values (row-major). Blocks until the copy is done if ready() was not yet true.
  // Can be called once.
  std::vector<float> take();

 private:
  std::unique_ptr<Job> job_;
};

}  // namespace texel
