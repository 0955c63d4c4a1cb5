#pragma once
// Building and running one fragment pass. A kernel names its shader files, declares its
// inputs and uniforms and calls run(); the pass assembles the final source
//   #version 300 es, precision, defines, glsl/prelude.glsl, one glsl/input.glsl block
//   per input (with $ replaced by the input's name), then the kernel's shader files
// fetches the program from the cache (compiling on first use), binds, and draws.
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/tensor.h"
#include "engine/gl/gl_backend.h"

namespace texel::gl {

class Pass {
 public:
  // `op` names the op in errors; `shaders` are glsl/ file names without ".glsl".
  Pass(GlBackend& backend, std::string op, std::initializer_list<std::string_view> shaders);

  Pass& define(std::string_view name, int64_t value);
  Pass& define(std::string_view name, std::string_view text);
  // Binds `tensor` as sampler `name` with its layout uniforms name_width, name_slices,
  // name_last and the define name_ALIGNED.
  Pass& input(std::string_view name, const Tensor& tensor);
  Pass& uniform(std::string_view name, int value);
  Pass& uniform(std::string_view name, float value);
  Pass& uniform(std::string_view name, std::span<const int> values);  // int array uniform
  Pass& uniform(std::string_view name, std::initializer_list<int> values) {
    return uniform(name, std::span<const int>(values.begin(), values.size()));
  }

  // Allocates the output, draws one full-screen triangle into it and returns it.
  // fullPrecision: keep a float32 output in RGBA32F even in half-float mode (for
  // intermediate results whose rounding would compound, like scan steps).
  Tensor run(const TensorSpec& output, bool fullPrecision = false);
  // The fragment source run() would compile for an output of `layout` (for tests).
  std::string source(const TextureLayout& outputLayout) const;

 private:
  struct Uniform {
    std::string name;
    enum class Kind { Int, Float, IntArray } kind;
    std::vector<int> ints;
    float value = 0.0f;
  };
  GlBackend& backend_;
  std::string op_;
  std::vector<std::string_view> shaders_;
  std::string defines_;
  std::vector<std::pair<std::string, Tensor>> inputs_;
  std::vector<Uniform> uniforms_;
};

// Static checks shared by kernels.
int checkedInt(int64_t value, const std::string& op, const char* what);

// llvmpipe silently stops a fragment-shader loop after 65535 iterations (counted over
// every entry of the loop in one invocation), so a kernel whose loop would run longer
// gives wrong values there. Kernels keep their loops below this (scans use log-step
// passes, reductions split into stages) or reject the input with a clear error.
inline constexpr int64_t kMaxLoopIterations = 65535;
// Throws naming `op` and `what` when a shader loop would run `iterations` times.
void checkLoop(int64_t iterations, const std::string& op, const char* what);

}  // namespace texel::gl
