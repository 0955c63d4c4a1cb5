#include "engine/gl/program_cache.h"

#include <algorithm>
#include <cstring>
#include <sstream>

#include "engine/core/error.h"
#include "engine/gl/gl_check.h"
#include "engine/gl/shaders.h"

namespace texel::gl {

namespace {

constexpr GLenum kCompletionStatus = 0x91B1;  // GL_COMPLETION_STATUS_KHR

std::string withLineNumbers(const std::string& source) {
  std::istringstream in(source);
  std::ostringstream out;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) out << n << ": " << line << '\n';
  return out.str();
}

ShaderId startShader(GLenum type, const std::string& source, const std::string& op) {
  ShaderId shader(glCreateShader(type));
  if (!shader) fail(op, ": glCreateShader failed (GL error ", glErrorName(glGetError()), ")");
  const char* text = source.c_str();
  glShaderSource(shader.id(), 1, &text, nullptr);
  glCompileShader(shader.id());
  return shader;
}

void checkShader(const ShaderId& shader, GLenum type, const std::string& source,
                 const std::string& op) {
  GLint ok = GL_FALSE;
  glGetShaderiv(shader.id(), GL_COMPILE_STATUS, &ok);
  if (ok == GL_TRUE) return;
  GLint length = 0;
  glGetShaderiv(shader.id(), GL_INFO_LOG_LENGTH, &length);
  std::string log(static_cast<size_t>(std::max(length, 1)), '\0');
  glGetShaderInfoLog(shader.id(), length, nullptr, log.data());
  checkGlError(op + ": compiling a shader");  // a lost context fails compiles: ContextLost
  fail(op, ": ", type == GL_VERTEX_SHADER ? "vertex" : "fragment", " shader failed to compile:\n",
       log.c_str(), "\n--- source ---\n", withLineNumbers(source));
}

}  // namespace

GLint Program::uniformLocation(const std::string& name) {
  auto it = locations_.find(name);
  if (it != locations_.end()) return it->second;
  GLint location = glGetUniformLocation(id_.id(), name.c_str());
  locations_.emplace(name, location);
  return location;
}

Program::Value* Program::cached(GLint location) {
  constexpr GLint kMaxCached = 4096;  // locations are small indices on every driver seen
  if (location < 0 || location >= kMaxCached) return nullptr;
  if (static_cast<size_t>(location) >= values_.size())
    values_.resize(static_cast<size_t>(location) + 1);
  return &values_[static_cast<size_t>(location)];
}

void Program::setInts(GLint location, std::span<const int> values) {
  if (location < 0) return;
  Value* v = cached(location);
  if (v && v->known && std::equal(v->ints.begin(), v->ints.end(), values.begin(), values.end()))
    return;
  if (values.size() == 1)
    glUniform1i(location, values[0]);
  else
    glUniform1iv(location, static_cast<GLsizei>(values.size()), values.data());
  if (v) {
    v->ints.assign(values.begin(), values.end());
    v->known = true;
  }
}

void Program::setFloat(GLint location, float value) {
  if (location < 0) return;
  Value* v = cached(location);
  // Compared bit for bit: NaN uniforms are legitimate values (fill, clip bounds).
  if (v && v->known && std::memcmp(&v->value, &value, sizeof value) == 0) return;
  glUniform1f(location, value);
  if (v) {
    v->value = value;
    v->known = true;
  }
}

Program& ProgramCache::get(const std::string& fragmentSource, const std::string& op) {
  auto it = programs_.find(fragmentSource);
  Program& program = it != programs_.end() ? *it->second : link(fragmentSource, op);
  if (pending_.count(&program)) check(program);
  return program;
}

void ProgramCache::start(const std::string& fragmentSource, const std::string& op) {
  if (!programs_.count(fragmentSource)) link(fragmentSource, op);
}

Program& ProgramCache::link(const std::string& fragmentSource, const std::string& op) {
  if (!vertexShader_) {  // shared by every program: one full-screen triangle
    std::string source(shaderSource(shaders::fullscreen_vert));
    vertexShader_ = startShader(GL_VERTEX_SHADER, source, "shader setup");
    checkShader(vertexShader_, GL_VERTEX_SHADER, source, "shader setup");
  }
  ShaderId fragment = startShader(GL_FRAGMENT_SHADER, fragmentSource, op);
  ProgramId program(glCreateProgram());
  glAttachShader(program.id(), vertexShader_.id());
  glAttachShader(program.id(), fragment.id());
  glLinkProgram(program.id());
  auto [inserted, _] =
      programs_.emplace(fragmentSource, std::make_unique<Program>(std::move(program)));
  pending_.emplace(inserted->second.get(), Pending{std::move(fragment), op, &inserted->first});
  return *inserted->second;
}

bool ProgramCache::pendingComplete() const {
  for (const auto& [program, _] : pending_) {
    GLint done = GL_FALSE;
    glGetProgramiv(program->id(), kCompletionStatus, &done);
    if (done != GL_TRUE) return false;
  }
  return true;
}

void ProgramCache::finishPending() {
  while (!pending_.empty()) check(*pending_.begin()->first);
}

// Asking for the status waits for the compile; a failed program is forgotten so that the
// next use reports the same error instead of drawing with it.
void ProgramCache::check(Program& program) {
  auto node = pending_.extract(&program);
  Pending& pending = node.mapped();
  const std::string& source = *pending.source;
  try {
    checkShader(pending.fragment, GL_FRAGMENT_SHADER, source, pending.op);
    GLint ok = GL_FALSE;
    glGetProgramiv(program.id(), GL_LINK_STATUS, &ok);
    if (ok != GL_TRUE) {
      GLint length = 0;
      glGetProgramiv(program.id(), GL_INFO_LOG_LENGTH, &length);
      std::string log(static_cast<size_t>(std::max(length, 1)), '\0');
      glGetProgramInfoLog(program.id(), length, nullptr, log.data());
      checkGlError(pending.op + ": linking a shader program");
      fail(pending.op, ": shader program failed to link:\n", log.c_str(),
           "\n--- fragment source ---\n", withLineNumbers(source));
    }
    glDetachShader(program.id(), vertexShader_.id());
    glDetachShader(program.id(), pending.fragment.id());
    checkGlError(pending.op + ": building a shader program");
  } catch (...) {
    programs_.erase(programs_.find(source));  // nothing refers to the program yet
    throw;
  }
  ++compileCount_;
}

}  // namespace texel::gl
