#include "engine/gl/gl_pass.h"

#include <limits>

#include "engine/core/error.h"
#include "engine/gl/gl_check.h"
#include "engine/gl/shader_sources.h"

namespace texel::gl {

int checkedInt(int64_t value, const std::string& op, const char* what) {
  if (value > std::numeric_limits<int32_t>::max() || value < std::numeric_limits<int32_t>::min())
    fail(op, ": ", what, " ", value, " does not fit the shaders' 32-bit integers");
  return static_cast<int>(value);
}

void checkLoop(int64_t iterations, const std::string& op, const char* what) {
  if (iterations > kMaxLoopIterations)
    fail(op, ": ", what, " needs a shader loop of ", iterations,
         " steps; the GL backend allows at most ", kMaxLoopIterations,
         " (llvmpipe cuts longer loops short); run this op on the CPU backend");
}

Pass::Pass(GlBackend& backend, std::string op, std::initializer_list<std::string_view> shaders)
    : backend_(backend), op_(std::move(op)), shaders_(shaders) {}

Pass& Pass::define(std::string_view name, int64_t value) {
  return define(name, std::to_string(value));
}

Pass& Pass::define(std::string_view name, std::string_view text) {
  defines_ += concat("#define ", name, ' ', text, '\n');
  return *this;
}

Pass& Pass::input(std::string_view name, const Tensor& tensor) {
  if (&tensor.backend() != &backend_) fail(op_, ": input '", name, "' is not on this GL backend");
  if (isSplit(tensor))
    fail(op_, ": input of shape ", tensor.shape(),
         " is split over several textures; this kernel reads one texture per input");
  auto& storage = tensor.storageAs<GlStorage>();
  if (!storage.texture()) fail(op_, ": internal error: input '", name, "' has no texture");
  inputs_.emplace_back(std::string(name), tensor);
  return *this;
}

Pass& Pass::uniform(std::string_view name, int value) {
  uniforms_.push_back({std::string(name), Uniform::Kind::Int, {value}, 0.0f});
  return *this;
}

Pass& Pass::uniform(std::string_view name, float value) {
  uniforms_.push_back({std::string(name), Uniform::Kind::Float, {}, value});
  return *this;
}

Pass& Pass::uniform(std::string_view name, std::span<const int> values) {
  uniforms_.push_back(
      {std::string(name), Uniform::Kind::IntArray, {values.begin(), values.end()}, 0.0f});
  return *this;
}

std::string Pass::source(const TextureLayout& outputLayout) const {
  std::string text =
      "#version 300 es\n"
      "precision highp float;\n"
      "precision highp int;\n"
      "precision highp sampler2D;\n";
  text += concat("#define OUT_ALIGNED ", outputLayout.aligned ? 1 : 0, '\n');
  text += defines_;
  text += shaderSource("prelude");
  std::string_view inputTemplate = shaderSource("input");
  for (const auto& [name, tensor] : inputs_) {
    const TextureLayout& layout = tensor.storageAs<GlStorage>().layout();
    text += concat("#define ", name, "_ALIGNED ", layout.aligned ? 1 : 0, '\n');
    for (char c : inputTemplate) {
      if (c == '$')
        text += name;
      else
        text += c;
    }
  }
  for (std::string_view shader : shaders_) text += shaderSource(shader);
  return text;
}

Tensor Pass::run(const TensorSpec& output, bool fullPrecision) {
  if (static_cast<int>(inputs_.size()) > backend_.info().maxTextureImageUnits)
    fail(op_, ": needs ", inputs_.size(), " input textures, the device allows ",
         backend_.info().maxTextureImageUnits);
  Tensor result = backend_.allocate(output, op_, false, fullPrecision);
  const TextureLayout& outLayout = result.storageAs<GlStorage>().layout();
  Program& program = backend_.programs().get(source(outLayout), op_);
  glUseProgram(program.id());

  int unit = 0;
  for (const auto& [name, tensor] : inputs_) {
    auto& storage = tensor.storageAs<GlStorage>();
    const TextureLayout& layout = storage.layout();
    glActiveTexture(static_cast<GLenum>(GL_TEXTURE0 + unit));
    glBindTexture(GL_TEXTURE_2D, storage.texture()->id.id());
    glUniform1i(program.uniformLocation(name), unit);
    glUniform1i(program.uniformLocation(name + "_width"), layout.width);
    glUniform1i(program.uniformLocation(name + "_slices"), layout.slices);
    glUniform1i(program.uniformLocation(name + "_last"), layout.last);
    ++unit;
  }
  glUniform1i(program.uniformLocation("out_width"), outLayout.width);
  glUniform1i(program.uniformLocation("out_slices"), outLayout.slices);
  glUniform1i(program.uniformLocation("out_last"), outLayout.last);
  glUniform1i(program.uniformLocation("out_texels"),
              checkedInt(outLayout.texels(), op_, "output texel count"));
  for (const Uniform& u : uniforms_) {
    GLint location = program.uniformLocation(u.name);
    switch (u.kind) {
      case Uniform::Kind::Int:
        glUniform1i(location, u.ints[0]);
        break;
      case Uniform::Kind::Float:
        glUniform1f(location, u.value);
        break;
      case Uniform::Kind::IntArray:
        glUniform1iv(location, static_cast<GLsizei>(u.ints.size()), u.ints.data());
        break;
    }
  }
  backend_.drawInto(result, op_);
  return result;
}

}  // namespace texel::gl
