#pragma once
// Compiled and linked fragment programs, cached by their complete source text: the
// source already carries every specialisation (defines, input layouts), so equal source
// means an equal program. Shapes are uniforms, never part of the source.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/gl/gl_objects.h"

namespace texel::gl {

class Program {
 public:
  explicit Program(ProgramId id) : id_(std::move(id)) {}
  GLuint id() const { return id_.id(); }
  // -1 for uniforms the compiler removed (used only in code a define turned off);
  // setting those is a harmless no-op.
  GLint uniformLocation(const std::string& name);
  // Set a uniform of this program (which must be in use), skipping the GL call when it
  // already holds the value: uniform values are program state, so they outlive passes.
  void setInt(GLint location, int value) { setInts(location, std::span<const int>(&value, 1)); }
  void setInts(GLint location, std::span<const int> values);
  void setFloat(GLint location, float value);

 private:
  struct Value {
    bool known = false;
    std::vector<int> ints;
    float value = 0.0f;
  };
  Value* cached(GLint location);
  ProgramId id_;
  std::unordered_map<std::string, GLint> locations_;
  std::vector<Value> values_;  // by location
};

// A program as one pass signature uses it: the locations of the uniforms that pass sets,
// in the order it sets them, so a pass never looks a location up by name again.
class ProgramUse {
 public:
  explicit ProgramUse(Program& program) : program_(&program) {}
  Program& program() const { return *program_; }
  // The location of the pass's slot-th uniform; `name()` is asked only the first time.
  template <typename Name>
  GLint location(size_t slot, Name&& name) {
    if (slot >= locations_.size()) locations_.resize(slot + 1, kUnknown);
    if (locations_[slot] == kUnknown) locations_[slot] = program_->uniformLocation(name());
    return locations_[slot];
  }

 private:
  static constexpr GLint kUnknown = -2;
  Program* program_;
  std::vector<GLint> locations_;
};

class ProgramCache {
 public:
  // The program of a pass signature (a compact key of its shaders, defines, inputs and
  // uniforms: everything its source depends on), or null before its first use; building
  // and hashing the full source on every pass cost more than the GL calls of a small pass.
  ProgramUse* findUse(const std::string& key) {
    auto it = uses_.find(key);
    return it == uses_.end() ? nullptr : &it->second;
  }
  ProgramUse& addUse(const std::string& key, Program& program) {
    return uses_.emplace(key, ProgramUse(program)).first->second;
  }
  // Returns the program for this fragment source, compiling and linking it on first use.
  // Throws texel::Error naming `op` with the driver's info log on failure.
  Program& get(const std::string& fragmentSource, const std::string& op);
  // Starts compiling and linking a program without asking for its status, so the driver
  // (KHR_parallel_shader_compile) or the browser's GPU process works on many at once and
  // the caller does not wait. It becomes usable through get() or finishPending().
  void start(const std::string& fragmentSource, const std::string& op);
  size_t pendingCount() const { return pending_.size(); }
  // Without waiting: whether every started program has finished compiling and linking,
  // asked with GL_COMPLETION_STATUS_KHR (callers without the extension must not ask).
  bool pendingComplete() const;
  // Checks every started program (waiting for those still compiling); throws the first
  // failure as get() would.
  void finishPending();
  bool contains(const std::string& fragmentSource) const {
    return programs_.count(fragmentSource) > 0;
  }
  int64_t compileCount() const { return compileCount_; }
  std::size_t size() const { return programs_.size(); }
  // Forgets every program (after a context loss they are gone; they rebuild on next use).
  void clear() {
    pending_.clear();
    uses_.clear();
    programs_.clear();
    vertexShader_.reset();
  }

 private:
  std::unordered_map<std::string, ProgramUse> uses_;
  ShaderId vertexShader_;
  std::unordered_map<std::string, std::unique_ptr<Program>> programs_;
  // Started programs whose compile and link status nobody has checked yet.
  struct Pending {
    ShaderId fragment;
    std::string op;
    const std::string* source;  // the key in programs_ (map keys do not move)
  };
  std::unordered_map<Program*, Pending> pending_;
  Program& link(const std::string& fragmentSource, const std::string& op);
  void check(Program& program);
  int64_t compileCount_ = 0;
};

}  // namespace texel::gl
