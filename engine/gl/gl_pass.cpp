#include "engine/gl/gl_pass.h"

#include <cctype>
#include <limits>

#include "engine/core/error.h"
#include "engine/gl/gl_check.h"
#include "engine/gl/gl_objects.h"
#include "engine/gl/program_cache.h"
#include "engine/gl/texture_pool.h"

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

Pass::Pass(GlBackend& backend, std::string op, std::initializer_list<Shader> shaders)
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

Pass& Pass::addUniform(Uniform u) {
  for (const Uniform& existing : uniforms_)
    if (existing.name == u.name) fail(op_, ": internal error: uniform '", u.name, "' set twice");
  uniforms_.push_back(std::move(u));
  return *this;
}

Pass& Pass::uniform(std::string_view name, int value) {
  return addUniform({std::string(name), Uniform::Kind::Int, {value}, 0.0f});
}

Pass& Pass::uniform(std::string_view name, float value) {
  return addUniform({std::string(name), Uniform::Kind::Float, {}, value});
}

Pass& Pass::uniform(std::string_view name, std::span<const int> values) {
  if (values.empty()) fail(op_, ": internal error: uniform array '", name, "' is empty");
  return addUniform(
      {std::string(name), Uniform::Kind::IntArray, {values.begin(), values.end()}, 0.0f});
}

std::string Pass::source(const TextureLayout& outputLayout, Block block) const {
  std::string text =
      "#version 300 es\n"
      "precision highp float;\n"
      "precision highp int;\n"
      "precision highp sampler2D;\n";
  text += concat("#define OUT_ALIGNED ", outputLayout.aligned ? 1 : 0, '\n');
  text += concat("#define OUT_BLOCK ", block.rows * block.slices, "\n#define OUT_BLOCK_ROWS ",
                 block.rows, "\n#define OUT_BLOCK_SLICES ", block.slices, '\n');
  text += defines_;
  for (const auto& [name, tensor] : inputs_)
    text += concat("#define ", name, "_ALIGNED ",
                   tensor.storageAs<GlStorage>().layout().aligned ? 1 : 0, '\n');
  // The output's layout (glsl/prelude.glsl), each input's sampler and layout
  // (glsl/input.glsl), then the pass's own uniforms.
  text +=
      "uniform int out_width;\nuniform int out_slices;\nuniform int out_last;\n"
      "uniform int out_texels;\n";
  if (block.rows * block.slices > 1)
    text += "uniform int out_blockHeight;\nuniform int out_blockWidth;\n";
  for (const auto& [name, tensor] : inputs_)
    text += concat("uniform highp sampler2D ", name, ";\nuniform int ", name,
                   "_width;\nuniform int ", name, "_slices;\nuniform int ", name, "_last;\n");
  for (const Uniform& u : uniforms_) {
    switch (u.kind) {
      case Uniform::Kind::Int:
        text += concat("uniform int ", u.name, ";\n");
        break;
      case Uniform::Kind::Float:
        text += concat("uniform float ", u.name, ";\n");
        break;
      case Uniform::Kind::IntArray:
        text += concat("uniform int ", u.name, "[", u.ints.size(), "];\n");
        break;
    }
  }
  text += shaderSource(shaders::prelude);
  std::string_view inputTemplate = shaderSource(shaders::input);
  for (const auto& [name, tensor] : inputs_) {
    for (char c : inputTemplate) {
      if (c == '$')
        text += name;
      else
        text += c;
    }
  }
  for (Shader shader : shaders_) text += shaderSource(shader);
  return text;
}

namespace {

// Whether `word` occurs in `text` as a whole identifier.
bool mentions(std::string_view text, std::string_view word) {
  auto identifier = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  for (size_t at = text.find(word); at != std::string_view::npos; at = text.find(word, at + 1)) {
    bool before = at > 0 && identifier(text[at - 1]);
    bool after = at + word.size() < text.size() && identifier(text[at + word.size()]);
    if (!before && !after) return true;
  }
  return false;
}

}  // namespace

void Pass::checkUniformsUsed() const {
  for (const Uniform& u : uniforms_) {
    bool used = mentions(defines_, u.name);
    for (Shader shader : shaders_) used = used || mentions(shaderSource(shader), u.name);
    if (used) continue;
    std::string files;
    for (Shader shader : shaders_) files += concat(files.empty() ? "" : ", ", shaderName(shader));
    fail(op_, ": uniform '", u.name, "' is set but none of the pass's shaders (", files,
         ") uses it");
  }
}

std::string Pass::signature(bool outputAligned, Block block) const {
  // Everything source() depends on, in a few dozen bytes instead of the kilobytes of source.
  std::string key;
  key.reserve(64 + defines_.size());
  for (Shader shader : shaders_) key += concat(shader.index, ',');
  key += concat(outputAligned ? "A" : "U", block.rows, 'x', block.slices, '|');
  for (const auto& [name, tensor] : inputs_)
    key += concat(name, tensor.storageAs<GlStorage>().layout().aligned ? "+" : "-", ',');
  key += '|';
  for (const Uniform& u : uniforms_)
    key += concat(u.name, ':', static_cast<int>(u.kind), ':',
                  u.kind == Uniform::Kind::IntArray ? u.ints.size() : 0, ',');
  key += '|';
  key += defines_;
  return key;
}

void Pass::bindProgram(const TextureLayout& outLayout, Block block, int blockHeight,
                       int blockWidth) {
  if (static_cast<int>(inputs_.size()) > backend_.info().maxTextureImageUnits)
    fail(op_, ": needs ", inputs_.size(), " input textures, the device allows ",
         backend_.info().maxTextureImageUnits);
  ProgramCache& programs = backend_.programs();
  std::string key = signature(outLayout.aligned, block);
  ProgramUse* use = programs.findUse(key);
  if (!use) {
    std::string text = source(outLayout, block);
    if (backend_.checkUniforms() && !programs.contains(text)) checkUniformsUsed();
    use = &programs.addUse(key, programs.get(text, op_));
  }
  Program& program = use->program();
  backend_.useProgram(program.id());

  // Uniform slots in a fixed order per signature: four per input, four (six when
  // blocked) for the output, then the pass's own.
  size_t slot = 0;
  int unit = 0;
  for (const auto& [name, tensor] : inputs_) {
    auto& storage = tensor.storageAs<GlStorage>();
    const TextureLayout& layout = storage.layout();
    const std::string& n = name;
    backend_.bindInputTexture(unit, storage.texture()->id.id());
    program.setInt(use->location(slot++, [&] { return n; }), unit);
    program.setInt(use->location(slot++, [&] { return n + "_width"; }), layout.width);
    program.setInt(use->location(slot++, [&] { return n + "_slices"; }), layout.slices);
    program.setInt(use->location(slot++, [&] { return n + "_last"; }), layout.last);
    ++unit;
  }
  program.setInt(use->location(slot++, [] { return std::string("out_width"); }), outLayout.width);
  program.setInt(use->location(slot++, [] { return std::string("out_slices"); }), outLayout.slices);
  program.setInt(use->location(slot++, [] { return std::string("out_last"); }), outLayout.last);
  program.setInt(use->location(slot++, [] { return std::string("out_texels"); }),
                 checkedInt(outLayout.texels(), op_, "output texel count"));
  if (block.rows * block.slices > 1) {
    program.setInt(use->location(slot++, [] { return std::string("out_blockHeight"); }),
                   blockHeight);
    program.setInt(use->location(slot++, [] { return std::string("out_blockWidth"); }), blockWidth);
  }
  for (const Uniform& u : uniforms_) {
    GLint location = use->location(slot++, [&] { return u.name; });
    switch (u.kind) {
      case Uniform::Kind::Int:
      case Uniform::Kind::IntArray:
        program.setInts(location, u.ints);
        break;
      case Uniform::Kind::Float:
        program.setFloat(location, u.value);
        break;
    }
  }
}

void Pass::startProgram(const TextureLayout& outLayout, Block block) {
  ProgramCache& programs = backend_.programs();
  if (programs.findUse(signature(outLayout.aligned, block))) return;
  std::string text = source(outLayout, block);
  if (programs.contains(text)) return;
  if (backend_.checkUniforms()) checkUniformsUsed();
  programs.start(text, op_);
}

Tensor Pass::run(const TensorSpec& output, bool fullPrecision) {
  Tensor result = backend_.allocate(output, op_, false, fullPrecision);
  if (backend_.compileOnly()) {
    startProgram(result.storageAs<GlStorage>().layout(), {});
    return result;
  }
  bindProgram(result.storageAs<GlStorage>().layout(), {}, 0, 0);
  backend_.drawInto(result, op_);
  return result;
}

Tensor Pass::runBlocked(const TensorSpec& output, Block block) {
  int count = block.rows * block.slices;
  if (block.rows == 1 && block.slices == 1) return run(output);
  if (block.rows < 1 || block.slices < 1 || (count != 2 && count != 4 && count != 8) ||
      count > backend_.blockTargets())
    fail(op_, ": internal error: a ", block.rows, "x", block.slices,
         " output block needs 2, 4 or 8 render targets, the backend allows ",
         backend_.blockTargets());
  Tensor result = backend_.allocate(output, op_);
  const TextureLayout& layout = result.storageAs<GlStorage>().layout();
  if (!layout.aligned || isSplit(result))
    fail(op_, ": internal error: a blocked pass needs an output in one aligned texture");
  if (backend_.compileOnly()) {
    startProgram(layout, block);
    return result;
  }
  GlBackend::BlockGeometry geometry{block.rows, block.slices,
                                    static_cast<int>((layout.rows + block.rows - 1) / block.rows),
                                    (layout.slices + block.slices - 1) / block.slices};
  // The render targets: pooled textures (reused by the next blocked pass of this size),
  // released once their contents are copied.
  std::vector<Tensor> targets;
  targets.reserve(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i)
    targets.push_back(backend_.allocate(
        {Shape{geometry.blockHeight, int64_t{geometry.blockWidth} * 4}, output.dtype}, op_));
  bindProgram(layout, block, geometry.blockHeight, geometry.blockWidth);
  backend_.drawBlocks(result, targets, geometry, op_);
  return result;
}

}  // namespace texel::gl
