#pragma once
// Building and running one fragment pass. A kernel names its shader files (generated
// constants, gl::shaders::<file>), declares its inputs and uniforms and calls run(); the
// pass assembles the final source
//   #version 300 es, precision, defines, the uniform declarations, glsl/prelude.glsl,
//   one glsl/input.glsl block per input ($ replaced by the input's name), the shaders
// fetches the program from the cache (compiling on first use), binds, and draws.
// Uniforms are declared once, here, from the C++ values and their types: glsl/ files use
// them without declaring them, so a name the C++ side does not set fails to compile, and
// with GlOptions::checkUniforms a set uniform that no shader of the pass mentions is an
// error too.
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/tensor.h"
#include "engine/gl/gl_backend.h"
#include "engine/gl/shaders.h"

namespace texel::gl {

class Pass {
 public:
  // `op` names the op in errors.
  Pass(GlBackend& backend, std::string op, std::initializer_list<Shader> shaders);

  Pass& define(std::string_view name, int64_t value);
  Pass& define(std::string_view name, std::string_view text);
  // Binds `tensor` as sampler `name` with its layout uniforms name_width, name_slices,
  // name_last and the define name_ALIGNED.
  Pass& input(std::string_view name, const Tensor& tensor);
  // `uniform int name;`, `uniform float name;`, `uniform int name[N];`.
  Pass& uniform(std::string_view name, int value);
  Pass& uniform(std::string_view name, float value);
  Pass& uniform(std::string_view name, std::span<const int> values);
  Pass& uniform(std::string_view name, std::initializer_list<int> values) {
    return uniform(name, std::span<const int>(values.begin(), values.size()));
  }

  // Allocates the output, draws one full-screen triangle into it and returns it.
  // fullPrecision: keep a float32 output in RGBA32F even in half-float mode (for
  // intermediate results whose rounding would compound, like scan steps).
  Tensor run(const TensorSpec& output, bool fullPrecision = false);
  // The same with several output texels per fragment (register blocking): each fragment
  // computes block.rows x block.slices texels, written to that many render targets and
  // copied into the output (GlBackend::drawBlocks). The shaders define
  //   void texelBlock(int row, int slice, out vec4 block[OUT_BLOCK])
  // computing rows row + r * out_blockHeight and slices slice + c * out_blockWidth into
  // block[r * OUT_BLOCK_SLICES + c] (r < OUT_BLOCK_ROWS, c < OUT_BLOCK_SLICES). The output
  // must fit one aligned texture; rows x slices must be 2, 4 or 8 and at most
  // GlBackend::blockTargets(). A 1 x 1 block is run(): texelValue, one target.
  struct Block {
    int rows = 1;
    int slices = 1;
  };
  Tensor runBlocked(const TensorSpec& output, Block block);
  // The fragment source run() would compile for an output of `layout` (for tests).
  std::string source(const TextureLayout& outputLayout, Block block = Block{1, 1}) const;

 private:
  struct Uniform {
    std::string name;
    enum class Kind { Int, Float, IntArray } kind;
    std::vector<int> ints;
    float value = 0.0f;
  };
  Pass& addUniform(Uniform u);
  // The program cache's key for this pass: what the source depends on, compactly.
  std::string signature(bool outputAligned, Block block) const;
  // Finds or builds the program, binds it and the inputs and sets the uniforms.
  void bindProgram(const TextureLayout& outLayout, Block block, int blockHeight, int blockWidth);
  // Compile-only (warmup): the program starts compiling, nothing is bound or drawn.
  void startProgram(const TextureLayout& outLayout, Block block);
  // Throws naming the op when a set uniform appears in none of the pass's shaders.
  void checkUniformsUsed() const;

  GlBackend& backend_;
  std::string op_;
  std::vector<Shader> shaders_;
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
