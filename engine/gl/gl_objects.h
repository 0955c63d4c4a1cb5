#pragma once
// RAII owners for GL objects: each deletes its object exactly once, can be moved, never copied.
#include <cstdint>
#include <utility>

#include "engine/gl/gl_api.h"

namespace texel::gl {

// Bumped when a context is lost: objects made before then died with it, so their owners
// must not delete them (the ids may already name objects of a new context).
inline uint32_t& contextGeneration() {
  static uint32_t generation = 0;
  return generation;
}

template <void (*Delete)(GLuint)>
class Object {
 public:
  Object() = default;
  explicit Object(GLuint id) : id_(id) {}
  ~Object() { reset(); }
  Object(Object&& other) noexcept
      : id_(std::exchange(other.id_, 0)), generation_(other.generation_) {}
  Object& operator=(Object&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, 0);
      generation_ = other.generation_;
    }
    return *this;
  }
  Object(const Object&) = delete;
  Object& operator=(const Object&) = delete;

  GLuint id() const { return id_; }
  explicit operator bool() const { return id_ != 0; }
  void reset() {
    GLuint id = std::exchange(id_, 0);
    if (id && generation_ == contextGeneration()) Delete(id);
  }

 private:
  GLuint id_ = 0;
  uint32_t generation_ = contextGeneration();
};

// Counts texture creations and deletions: a deleted texture leaves the units it was bound
// to, and a new one may reuse its id, so cached binding state is stale once it moves.
inline uint64_t& textureChurn() {
  static uint64_t churn = 0;
  return churn;
}

inline void deleteTexture(GLuint id) {
  glDeleteTextures(1, &id);
  ++textureChurn();
}
inline void deleteFramebuffer(GLuint id) {
  glDeleteFramebuffers(1, &id);
}
inline void deleteBuffer(GLuint id) {
  glDeleteBuffers(1, &id);
}
inline void deleteVertexArray(GLuint id) {
  glDeleteVertexArrays(1, &id);
}
inline void deleteShader(GLuint id) {
  glDeleteShader(id);
}
inline void deleteProgram(GLuint id) {
  glDeleteProgram(id);
}

using TextureId = Object<deleteTexture>;
using FramebufferId = Object<deleteFramebuffer>;
using BufferId = Object<deleteBuffer>;
using VertexArrayId = Object<deleteVertexArray>;
using ShaderId = Object<deleteShader>;
using ProgramId = Object<deleteProgram>;

inline TextureId makeTexture() {
  GLuint id = 0;
  glGenTextures(1, &id);
  ++textureChurn();
  return TextureId(id);
}
inline FramebufferId makeFramebuffer() {
  GLuint id = 0;
  glGenFramebuffers(1, &id);
  return FramebufferId(id);
}
inline BufferId makeBuffer() {
  GLuint id = 0;
  glGenBuffers(1, &id);
  return BufferId(id);
}
inline VertexArrayId makeVertexArray() {
  GLuint id = 0;
  glGenVertexArrays(1, &id);
  return VertexArrayId(id);
}

// A fence; GLsync is a pointer, not a GLuint name.
class Fence {
 public:
  Fence() = default;
  explicit Fence(GLsync sync) : sync_(sync) {}
  ~Fence() { reset(); }
  Fence(Fence&& other) noexcept
      : sync_(std::exchange(other.sync_, nullptr)), generation_(other.generation_) {}
  Fence& operator=(Fence&& other) noexcept {
    if (this != &other) {
      reset();
      sync_ = std::exchange(other.sync_, nullptr);
      generation_ = other.generation_;
    }
    return *this;
  }
  Fence(const Fence&) = delete;
  Fence& operator=(const Fence&) = delete;
  GLsync get() const { return sync_; }
  void reset() {
    GLsync sync = std::exchange(sync_, nullptr);
    if (sync && generation_ == contextGeneration()) glDeleteSync(sync);
  }

 private:
  GLsync sync_ = nullptr;
  uint32_t generation_ = contextGeneration();
};

}  // namespace texel::gl
