#include "engine/gl/program_cache.h"

#include <algorithm>
#include <cstring>
#include <sstream>

#include "engine/core/error.h"
#include "engine/gl/gl_check.h"
#include "engine/gl/shaders.h"

namespace texel::gl {

namespace {

std::string withLineNumbers(const std::string& source) {
  std::istringstream in(source);
  std::ostringstream out;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) out << n << ": " << line << '\n';
  return out.str();
}

ShaderId compileShader(GLenum type, const std::string& source, const std::string& op) {
  ShaderId shader(glCreateShader(type));
  if (!shader) fail(op, ": glCreateShader failed (GL error ", glErrorName(glGetError()), ")");
  const char* text = source.c_str();
  glShaderSource(shader.id(), 1, &text, nullptr);
  glCompileShader(shader.id());
  GLint ok = GL_FALSE;
  glGetShaderiv(shader.id(), GL_COMPILE_STATUS, &ok);
  if (ok != GL_TRUE) {
    GLint length = 0;
    glGetShaderiv(shader.id(), GL_INFO_LOG_LENGTH, &length);
    std::string log(static_cast<size_t>(std::max(length, 1)), '\0');
    glGetShaderInfoLog(shader.id(), length, nullptr, log.data());
    checkGlError(op + ": compiling a shader");  // a lost context fails compiles: ContextLost
    fail(op, ": ", type == GL_VERTEX_SHADER ? "vertex" : "fragment", " shader failed to compile:\n",
         log.c_str(), "\n--- source ---\n", withLineNumbers(source));
  }
  return shader;
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
  if (it != programs_.end()) return *it->second;

  if (!vertexShader_)  // shared by every program: one full-screen triangle
    vertexShader_ = compileShader(
        GL_VERTEX_SHADER, std::string(shaderSource(shaders::fullscreen_vert)), "shader setup");

  ShaderId fragment = compileShader(GL_FRAGMENT_SHADER, fragmentSource, op);
  ProgramId program(glCreateProgram());
  glAttachShader(program.id(), vertexShader_.id());
  glAttachShader(program.id(), fragment.id());
  glLinkProgram(program.id());
  GLint ok = GL_FALSE;
  glGetProgramiv(program.id(), GL_LINK_STATUS, &ok);
  if (ok != GL_TRUE) {
    GLint length = 0;
    glGetProgramiv(program.id(), GL_INFO_LOG_LENGTH, &length);
    std::string log(static_cast<size_t>(std::max(length, 1)), '\0');
    glGetProgramInfoLog(program.id(), length, nullptr, log.data());
    checkGlError(op + ": linking a shader program");
    fail(op, ": shader program failed to link:\n", log.c_str(), "\n--- fragment source ---\n",
         withLineNumbers(fragmentSource));
  }
  glDetachShader(program.id(), vertexShader_.id());
  glDetachShader(program.id(), fragment.id());
  checkGlError(op + ": building a shader program");
  ++compileCount_;
  auto [inserted, _] =
      programs_.emplace(fragmentSource, std::make_unique<Program>(std::move(program)));
  return *inserted->second;
}

}  // namespace texel::gl
