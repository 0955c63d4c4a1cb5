#pragma once
// Errors thrown by texel. Every failure a user can cause (bad shapes, exhausted memory,
// GL failures) surfaces as a texel::Error with a message naming the op, the shapes
// involved and what was expected; nothing in the engine asserts or aborts on user input.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>

namespace texel {

class Error : public std::exception {
 public:
  explicit Error(std::string message) : message_(std::move(message)) {}
  const char* what() const noexcept override { return message_.c_str(); }

 private:
  std::string message_;
};

// An allocation would exceed the configured byte budget, or the driver itself
// reported GL_OUT_OF_MEMORY. The engine stays usable after it is thrown.
class OutOfMemory : public Error {
 public:
  OutOfMemory(std::string message, uint64_t requestedBytes, uint64_t inUseBytes,
              uint64_t budgetBytes)
      : Error(std::move(message)),
        requestedBytes_(requestedBytes),
        inUseBytes_(inUseBytes),
        budgetBytes_(budgetBytes) {}
  uint64_t requestedBytes() const { return requestedBytes_; }
  uint64_t inUseBytes() const { return inUseBytes_; }
  uint64_t budgetBytes() const { return budgetBytes_; }

 private:
  uint64_t requestedBytes_;
  uint64_t inUseBytes_;
  uint64_t budgetBytes_;
};

// The GL context was lost (a GPU reset, the browser's webglcontextlost, a destroyed
// context). Ops fail with it until the context is restored; tensors whose contents lived
// only on the GPU fail with it for good (see docs/ARCHITECTURE.md, "Context loss").
class ContextLost : public Error {
 public:
  using Error::Error;
};

// Small helper so call sites read as sentences: fail("matMul: ...", ...).
template <typename... Parts>
[[noreturn]] void fail(const Parts&... parts);

std::string concat();
template <typename First, typename... Rest>
std::string concat(const First& first, const Rest&... rest);

}  // namespace texel

#include "engine/core/error_inl.h"
