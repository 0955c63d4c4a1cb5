// Shapes that run into the GL backend's limits: llvmpipe silently stops any shader loop
// after 65535 iterations, so every kernel must split long work into passes or reject it.
// The extreme values sit at the very end, where a cut-short loop would miss them.
#include "engine/gl/gl_pass.h"
#include "tests/test_support.h"

namespace texel::test {
namespace {

TEST_CASE("long rows and long reduced axes give exact results past the loop limit") {
  const int64_t n = 200000;  // 50,000 texels a row; 70,000 rows below
  std::vector<float> row(static_cast<size_t>(n), 1.0f);
  row.back() = 5.0f;
  Tensor x = tensor(gl(), {n}, row);
  CHECK(argMax(x).dataInt32() == std::vector<int32_t>{static_cast<int32_t>(n - 1)});
  CHECK(max(x).data() == std::vector<float>{5.0f});
  CHECK(sum(x).data() == std::vector<float>{static_cast<float>(n + 4)});
  CHECK(cumsum(x).data().back() == static_cast<float>(n + 4));
  CHECK(topK(x, 2).indices.dataInt32() == std::vector<int32_t>{static_cast<int32_t>(n - 1), 0});
  std::vector<float> p = softmax(x).data();
  CHECK(p.back() == doctest::Approx(std::exp(4.0) / (std::exp(4.0) + (n - 1))).epsilon(1e-4));

  const int64_t rows = 70000;
  std::vector<float> column(static_cast<size_t>(rows * 2), 1.0f);
  column[static_cast<size_t>(rows * 2 - 1)] = 3.0f;  // last row, second column
  Tensor tall = tensor(gl(), {rows, 2}, column);
  CHECK(sum(tall, std::vector<int>{0}).data() ==
        std::vector<float>{static_cast<float>(rows), static_cast<float>(rows + 2)});
  CHECK(argMax(tall, 0).dataInt32() == std::vector<int32_t>{0, static_cast<int32_t>(rows - 1)});
  CHECK(cumsum(tall, 0).data().back() == static_cast<float>(rows + 2));
  Tensor product = matMul(tensor(gl(), {1, rows}, std::vector<float>(rows, 1.0f)), tall);
  CHECK(product.data() ==
        std::vector<float>{static_cast<float>(rows), static_cast<float>(rows + 2)});
}

TEST_CASE("work beyond what one shader loop may do is a clear error, not a wrong value") {
  const int64_t n = 4 * gl::kMaxLoopIterations + 8;  // a row of more texels than the limit
  Tensor x = zeros(gl(), {1, n});
  CHECK_THROWS_WITH_AS(softmax(x), doctest::Contains("shader loop"), Error);
  CHECK_THROWS_WITH_AS(topK(x, 1), doctest::Contains("shader loop"), Error);
  CHECK_THROWS_WITH_AS(matMul(x, zeros(gl(), {n, 1})), doctest::Contains("shader loop"), Error);
  CHECK(sum(x).data() == std::vector<float>{0.0f});  // reductions split into stages instead
  CHECK(cumsum(x, 1).shape() == Shape{1, n});        // scans use log-step passes
}

}  // namespace
}  // namespace texel::test
