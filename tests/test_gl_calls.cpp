// The GL calls a pass makes: cached state (program, bindings, uniforms, viewport) is set
// only when it changes, and glGetError, a round trip to the GPU process in browsers, runs
// once per readback instead of once per pass or upload. Natively the glad entry points
// are wrapped to count calls; the browser's counts come from the benchmark
// (apps/bench/web/gl_calls.js).
#include <cmath>
#include <cstring>
#include <type_traits>

#include "engine/gl/gl_api.h"
#include "tests/test_support.h"

namespace texel::test {
namespace {

std::shared_ptr<GlBackend> productionBackend() {
  return GlBackend::create(context(), GlOptions{});  // errors checked as in release
}

#ifndef __EMSCRIPTEN__
struct CallCounts {
  int64_t calls = 0;               // every wrapped entry point, glGetError included
  int64_t getErrors = 0;           // glGetError alone
  int64_t completenessChecks = 0;  // glCheckFramebufferStatus, also a round trip
};
CallCounts g_counts;

template <auto& Slot, typename Fn = std::remove_reference_t<decltype(Slot)>>
struct Counted;
template <auto& Slot, typename R, typename... A>
struct Counted<Slot, R (*)(A...)> {
  static inline R (*original)(A...) = nullptr;
  static R call(A... args) {
    ++g_counts.calls;
    if (static_cast<const void*>(&Slot) == static_cast<const void*>(&glad_glGetError))
      ++g_counts.getErrors;
    if (static_cast<const void*>(&Slot) == static_cast<const void*>(&glad_glCheckFramebufferStatus))
      ++g_counts.completenessChecks;
    return original(args...);
  }
  static void install() {
    original = Slot;
    Slot = &call;
  }
  static void uninstall() { Slot = original; }
};

// Counts, while alive, the entry points a pass, an upload or a readback may use.
template <typename... Entry>
class Counting {
 public:
  Counting() {
    g_counts = {};
    (Entry::install(), ...);
  }
  ~Counting() { (Entry::uninstall(), ...); }
  Counting(const Counting&) = delete;
  Counting& operator=(const Counting&) = delete;
  CallCounts counts() const { return g_counts; }
};
using CountGlCalls =
    Counting<Counted<glad_glUseProgram>, Counted<glad_glActiveTexture>, Counted<glad_glBindTexture>,
             Counted<glad_glUniform1i>, Counted<glad_glUniform1iv>, Counted<glad_glUniform1f>,
             Counted<glad_glBindFramebuffer>, Counted<glad_glFramebufferTexture2D>,
             Counted<glad_glCheckFramebufferStatus>, Counted<glad_glViewport>,
             Counted<glad_glDisable>, Counted<glad_glBindVertexArray>, Counted<glad_glDrawArrays>,
             Counted<glad_glGetUniformLocation>, Counted<glad_glPixelStorei>,
             Counted<glad_glReadPixels>, Counted<glad_glTexSubImage2D>, Counted<glad_glGetError>,
             Counted<glad_glTexStorage2D>>;

TEST_CASE("a chained pass costs three GL calls and no glGetError; a readback one check") {
  auto backend = productionBackend();
  std::vector<float> xs = randomValues(33 * 7, 1), ys = randomValues(33 * 7, 2);
  Tensor x = tensor(*backend, {33, 7}, xs), y = tensor(*backend, {33, 7}, ys);
  Tensor z = add(x, y);
  // The program, its uniforms and both pooled textures exist after these (a texture's
  // creation forgets the cached bindings).
  for (int i = 0; i < 2; ++i) z = add(z, y);
  z.data();
  constexpr int kPasses = 20;
  CountGlCalls counter;
  for (int i = 0; i < kPasses; ++i) z = add(z, y);
  CallCounts passes = counter.counts();
  // Per pass: the output's attachment, the changed input's binding, the draw. Program,
  // viewport, the other input, uniforms and fixed state are already set.
  CHECK(passes.calls <= 3 * kPasses);
  CHECK(passes.getErrors == 0);
  std::vector<float> values = z.data();
  CallCounts read = counter.counts();
  CHECK(read.getErrors == 1);  // the passes' errors, checked before glReadPixels
  CHECK(read.calls - passes.calls <= 3);
  z.data();  // nothing ran since: no check at all
  CHECK(counter.counts().getErrors == 1);
  for (size_t i = 0; i < values.size(); ++i) {
    float expected = xs[i];
    for (int k = 0; k < kPasses + 3; ++k) expected += ys[i];
    REQUIRE(values[i] == doctest::Approx(expected).epsilon(1e-4));
  }
}

TEST_CASE("an upload is checked by the next readback, not by a glGetError of its own") {
  auto backend = productionBackend();
  tensor(*backend, {5}, randomValues(5, 3)).data();  // leaves its texture in the pool
  CountGlCalls counter;
  Tensor t = tensor(*backend, {5}, randomValues(5, 4));
  CHECK(counter.counts().getErrors == 0);  // the pooled texture is reused: no allocation
  t.data();
  CHECK(counter.counts().getErrors == 1);
}

TEST_CASE("new textures wait for no glGetError or completeness check; the readback checks them") {
  auto backend = productionBackend();
  auto run = [&](int64_t rows, int64_t cols) {
    Tensor x = tensor(*backend, {rows, cols}, randomValues(rows * cols, 7));
    return matMul(relu(neg(x)), tensor(*backend, {cols, 3}, randomValues(cols * 3, 8)));
  };
  run(5, 6).data();  // compiles the programs (compiles are checked at once)
  MemoryStats before = backend->stats();
  CountGlCalls counter;
  // Shapes no texture of the pool fits: every tensor here, input and pass output, is a
  // texture created through the driver.
  Tensor z = run(37, 41);
  MemoryStats after = backend->stats();
  CHECK(after.compileCount == before.compileCount);
  CHECK(after.textureAllocations - before.textureAllocations == 5);
  CHECK(counter.counts().getErrors == 0);
  CHECK(counter.counts().completenessChecks == 0);
  z.data();
  CHECK(counter.counts().getErrors == 1);
}

TEST_CASE("a texture of at least 16 MiB is checked at once: a driver out of memory is retried") {
  auto backend = productionBackend();
  CountGlCalls counter;
  Tensor big = zeros(*backend, {1024, 1024 * 4});  // 1024 x 1024 RGBA32F texels: 16 MiB
  CHECK(counter.counts().getErrors >= 1);
  CHECK(big.shape() == Shape({1024, 4096}));
}
#endif

TEST_CASE("a GL error left before a texture's creation surfaces at the next readback") {
  auto backend = productionBackend();
  glActiveTexture(0);  // GL_INVALID_ENUM, pending when the allocation runs
  Tensor x = tensor(*backend, {43, 47}, randomValues(43 * 47, 9));  // a new texture
  CHECK_THROWS_WITH_AS(x.data(), doctest::Contains("GL_INVALID_ENUM"), Error);
  CHECK(neg(neg(x)).data() == x.data());  // reported once; the backend goes on
}

TEST_CASE("a GL error from a pass surfaces at the next readback, naming it") {
  auto backend = productionBackend();
  Tensor x = tensor(*backend, {3, 5}, randomValues(15, 5));
  Tensor y = neg(x);
  glActiveTexture(0);  // GL_INVALID_ENUM, as a failing pass would leave it
  CHECK_THROWS_WITH_AS(y.data(), doctest::Contains("GL_INVALID_ENUM"), Error);
  std::vector<float> values = neg(y).data();  // reported once; the backend goes on
  CHECK(values == x.data());
}

TEST_CASE("a tensor holding the readback sentinel's bits reads back unharmed") {
  auto backend = productionBackend();
  const uint32_t bits = 0x7fa5c3e1u;
  float sentinel = 0.0f;
  std::memcpy(&sentinel, &bits, sizeof sentinel);
  Tensor t = tensor(*backend, {4}, {1.0f, 2.0f, 3.0f, sentinel});
  t.data();                              // the upload's check
  std::vector<float> values = t.data();  // only the sentinel asks glGetError here
  CHECK(values[2] == 3.0f);
  CHECK(std::isnan(values[3]));
}

TEST_CASE("forgetGlState: texel's passes work after the caller's own GL calls") {
  auto backend = productionBackend();
  std::vector<float> xs = randomValues(6 * 9, 6);
  Tensor x = tensor(*backend, {6, 9}, xs);
  Tensor y = neg(x);
  y.data();
  // The caller draws with its own state: no program, other bindings and viewport.
  glUseProgram(0);
  glActiveTexture(GL_TEXTURE0);
  glBindTexture(GL_TEXTURE_2D, 0);
  glBindFramebuffer(GL_FRAMEBUFFER, 0);
  glViewport(0, 0, 1, 1);
  backend->forgetGlState();
  std::vector<float> values = neg(neg(y)).data();
  for (size_t i = 0; i < xs.size(); ++i) REQUIRE(values[i] == -xs[i]);
}

}  // namespace
}  // namespace texel::test
