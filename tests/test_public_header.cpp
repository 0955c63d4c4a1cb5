// engine/texel.h is the whole engine API and nothing more: no GL loader header (glad,
// GLES3) comes through it, so users' code cannot come to depend on one by accident.
#include "engine/texel.h"

#if defined(GL_TEXTURE_2D) || defined(GLAD_GLES2_H_) || defined(__gl3_h_)
#error "engine/texel.h exposes a GL header"
#endif

#include "tests/test_support.h"

namespace texel::test {
namespace {

TEST_CASE("engine/texel.h compiles without any GL header and runs an op") {
  CHECK(matMul(tensor(cpu(), {1, 2}, {1, 2}), tensor(cpu(), {2, 1}, {3, 4})).data() ==
        std::vector<float>{11});
}

}  // namespace
}  // namespace texel::test
