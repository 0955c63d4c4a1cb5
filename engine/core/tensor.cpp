#include "engine/core/tensor.h"

#include <cmath>

#include "engine/core/backend.h"
#include "engine/core/error.h"

namespace texel {

struct Tensor::Impl {
  Impl(std::shared_ptr<Backend> b, Shape s, DType d, std::shared_ptr<Storage> st)
      : backend(std::move(b)), shape(std::move(s)), dtype(d), storage(std::move(st)) {
    backend->noteTensorCreated();
  }
  ~Impl() { backend->noteTensorDestroyed(); }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  // Declared first so it is destroyed last: the storage's release needs the backend.
  std::shared_ptr<Backend> backend;
  Shape shape;
  DType dtype;
  std::shared_ptr<Storage> storage;
};

Tensor::Tensor(std::shared_ptr<Backend> backend, Shape shape, DType dtype,
               std::shared_ptr<Storage> storage)
    : impl_(std::make_shared<const Impl>(std::move(backend), std::move(shape), dtype,
                                         std::move(storage))) {}

namespace {
void requireDefined(const void* impl, const char* what) {
  if (!impl) fail(what, ": the tensor handle is empty (default-constructed)");
}
}  // namespace

const Shape& Tensor::shape() const {
  requireDefined(impl_.get(), "Tensor::shape");
  return impl_->shape;
}
DType Tensor::dtype() const {
  requireDefined(impl_.get(), "Tensor::dtype");
  return impl_->dtype;
}
Backend& Tensor::backend() const {
  requireDefined(impl_.get(), "Tensor::backend");
  return *impl_->backend;
}
std::shared_ptr<Backend> Tensor::backendPtr() const {
  requireDefined(impl_.get(), "Tensor::backend");
  return impl_->backend;
}
const std::shared_ptr<Storage>& Tensor::storage() const {
  requireDefined(impl_.get(), "Tensor::storage");
  return impl_->storage;
}

std::vector<float> Tensor::data() const {
  requireDefined(impl_.get(), "Tensor::data");
  return impl_->backend->download(*this);
}

std::vector<int32_t> Tensor::dataInt32() const {
  std::vector<float> values = data();
  std::vector<int32_t> ints(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    float v = values[i];
    if (!std::isfinite(v) || std::nearbyint(v) != v)
      fail("Tensor::dataInt32: element ", i, " is ", v, ", not an integer (tensor of shape ",
           shape(), ", dtype ", dtypeName(dtype()), ")");
    ints[i] = static_cast<int32_t>(v);
  }
  return ints;
}

PendingRead Tensor::dataAsync() const {
  requireDefined(impl_.get(), "Tensor::dataAsync");
  return impl_->backend->downloadAsync(*this);
}

Tensor Tensor::to(Backend& target) const {
  requireDefined(impl_.get(), "Tensor::to");
  if (&target == impl_->backend.get()) return *this;
  std::vector<float> values = data();
  return Tensor(target.shared_from_this(), impl_->shape, impl_->dtype,
                target.upload(impl_->shape, impl_->dtype, values, "Tensor::to"));
}

Tensor Tensor::withShape(Shape shape) const {
  requireDefined(impl_.get(), "Tensor::withShape");
  if (shape.size() != size() || !impl_->backend->canShareStorage(impl_->shape, shape))
    fail("Tensor::withShape: cannot view ", impl_->shape, " as ", shape, " without a copy");
  return Tensor(impl_->backend, std::move(shape), impl_->dtype, impl_->storage);
}

bool PendingRead::ready() {
  if (!job_) fail("PendingRead::ready: the values were already taken");
  return job_->poll();
}

std::vector<float> PendingRead::take() {
  if (!job_) fail("PendingRead::take: the values were already taken");
  std::vector<float> values = job_->take();
  job_.reset();
  return values;
}

}  // namespace texel
