// Shapes that run into the GL backend's limits: llvmpipe silently stops any shader loop
// after 65535 iterations, so every kernel must split long work into passes or reject it.
// The extreme values sit at the very end, where a cut-short loop would miss them.
#include "engine/core/half.h"
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

namespace texel::test {
namespace {

// glFolded() caps textures at 32x32 = 1024 texels, so these modest shapes are split.
Tensor onBoth(Backend& b, const Shape& shape, uint64_t seed, DType dtype = DType::Float32) {
  std::vector<float> v = randomValues(shape.size(), seed, {-3.0f, 3.0f});
  if (dtype == DType::Bool) {
    std::vector<uint8_t> flags(v.size());
    for (size_t i = 0; i < v.size(); ++i) flags[i] = v[i] > 0;
    return tensorBool(b, shape, flags);
  }
  return tensor(b, shape, v);
}

void expectSame(const Tensor& gl, const Tensor& cpu, double tolerance = 1e-5) {
  CHECK(gl.shape() == cpu.shape());
  CHECK(gl.dtype() == cpu.dtype());
  Comparison c = compare(gl.data(), cpu.data());
  CHECK_MESSAGE(c.within(tolerance), "max rel error ", c.maxRel);
}

TEST_CASE("tensors beyond one texture are split by rows and work in the ops that allow it") {
  GlBackend& small = glFolded();
  const Shape big{300, 16};  // 1200 texels > 1024
  Tensor x = onBoth(small, big, 1);
  CHECK(gl::isSplit(x));
  CHECK(x.data() == onBoth(cpu(), big, 1).data());
  PendingRead pending = x.dataAsync();
  CHECK(pending.take() == onBoth(cpu(), big, 1).data());

  auto both = [&](auto&& fn) { expectSame(fn(small), fn(cpu())); };
  both([&](Backend& b) { return relu(onBoth(b, big, 1)); });
  both([&](Backend& b) { return add(onBoth(b, big, 1), onBoth(b, {16}, 2)); });
  both([&](Backend& b) { return mul(onBoth(b, big, 1), onBoth(b, big, 3)); });
  both([&](Backend& b) { return mul(onBoth(b, big, 1), onBoth(b, {300, 1}, 4)); });
  both([&](Backend& b) {
    return where(onBoth(b, big, 5, DType::Bool), onBoth(b, big, 1), onBoth(b, {}, 6));
  });
  both([&](Backend& b) { return cast(onBoth(b, big, 1), DType::Int32); });
  both([&](Backend& b) { return softmax(onBoth(b, big, 1)); });
  // matMul by row blocks, with an output that fits ([300, 8]) and one that is split too.
  both([&](Backend& b) { return matMul(onBoth(b, big, 1), onBoth(b, {16, 8}, 7)); });
  both([&](Backend& b) {
    return fusedMatMul(onBoth(b, big, 1), onBoth(b, {16, 16}, 8), {.activation = Activation::Relu},
                       onBoth(b, {16}, 9));
  });
  // An op result bigger than one texture from small inputs.
  both([&](Backend& b) { return add(onBoth(b, {300, 1}, 4), onBoth(b, {16}, 2)); });

  // gather along axis 0 from a split embedding table, indices in every chunk.
  const Shape table{3000, 4};  // 3000 texels: three chunks
  std::vector<int32_t> idx = {0, 1023, 1024, 2047, 2999, 1500, 3000, -1};
  both([&](Backend& b) { return gather(onBoth(b, table, 10), tensorInt32(b, {8}, idx)); });
}

TEST_CASE("ops that cannot work on split tensors say so") {
  GlBackend& small = glFolded();
  Tensor x = zeros(small, {300, 16});
  CHECK_THROWS_WITH_AS(transpose(x), doctest::Contains("split over several textures"), Error);
  CHECK_THROWS_WITH_AS(sum(x), doctest::Contains("does not support"), Error);
  // One row of the leading dimension bigger than a texture cannot be split at all.
  CHECK_THROWS_WITH_AS(zeros(small, {1, 5000}), doctest::Contains("more than one"), Error);
}

}  // namespace
}  // namespace texel::test

namespace texel::test {
namespace {

#ifndef __EMSCRIPTEN__  // 480 MB of host values: natively only
TEST_CASE("gather from a 400,000 x 300 embedding table stored in half floats") {
  GlBackend* half = glHalf();
  if (!half) return;
  const int64_t rows = 400000, dim = 300;
  std::vector<float> table(static_cast<size_t>(rows * dim));
  auto value = [](int64_t r, int64_t c) {  // distinct per row; f16 keeps 11 bits of it
    return roundToHalf(static_cast<float>(r / 1024) + static_cast<float>(c) / 512.0f);
  };
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < dim; ++c) table[static_cast<size_t>(r * dim + c)] = value(r, c);
  Tensor embeddings = tensor(*half, {rows, dim}, table);
  table = {};
  std::vector<int32_t> words = {0, 399999, 123456, 262144, 77};
  std::vector<float> got = gather(embeddings, tensorInt32(*half, {5}, words)).data();
  for (size_t i = 0; i < words.size(); ++i)
    for (int64_t c = 0; c < dim; c += 61)
      CHECK(got[i * dim + static_cast<size_t>(c)] == value(words[i], c));
  MESSAGE("table texture: ", half->stats().liveBytes / (1 << 20), " MiB in RGBA16F");
}
#endif

}  // namespace
}  // namespace texel::test
