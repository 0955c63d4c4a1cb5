#pragma once
// Compiled and linked fragment programs, cached by their complete source text: the
// source already carries every specialisation (defines, input layouts), so equal source
// means an equal program. Shapes are uniforms, never part of the source.
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "engine/gl/gl_objects.h"

namespace texel::gl {

class Program {
 public:
  explicit Program(ProgramId id) : id_(std::move(id)) {}
  GLuint id() const { return id_.id(); }
  // -1 for uniforms the compiler removed (used only in code a define turned off);
  // setting those is a harmless no-op.
  GLint uniformLocation(const std::string& name);

 private:
  ProgramId id_;
  std::unordered_map<std::string, GLint> locations_;
};

class ProgramCache {
 public:
  // Returns the program for this fragment source, compiling and linking it on first use.
  // Throws texel::Error naming `op` with the driver's info log on failure.
  Program& get(const std::string& fragmentSource, const std::string& op);
  bool contains(const std::string& fragmentSource) const {
    return programs_.count(fragmentSource) > 0;
  }
  int64_t compileCount() const { return compileCount_; }
  std::size_t size() const { return programs_.size(); }
  // Forgets every program (after a context loss they are gone; they rebuild on next use).
  void clear() {
    programs_.clear();
    vertexShader_.reset();
  }

 private:
  ShaderId vertexShader_;
  std::unordered_map<std::string, std::unique_ptr<Program>> programs_;
  int64_t compileCount_ = 0;
};

}  // namespace texel::gl
