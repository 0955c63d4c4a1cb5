#include "tests/test_support.h"

namespace texel::test {
namespace {

// Runs `fn` on the CPU and GL backends and checks both against hand-computed values.
void expectOnBothBackends(const std::function<Tensor(Backend&)>& fn, const Shape& shape,
                          const std::vector<float>& want) {
  for (Backend* backend : {static_cast<Backend*>(&cpu()), static_cast<Backend*>(&gl()),
                           static_cast<Backend*>(&glFolded())}) {
    Tensor y = fn(*backend);
    CHECK_MESSAGE(y.shape() == shape, backend->name(), ": shape ", y.shape());
    std::vector<float> got = y.data();
    CHECK_MESSAGE(compare(got, want).within(0.0), backend->name(), ": values differ");
  }
}

std::vector<float> iota(int n) {
  std::vector<float> v(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) v[static_cast<size_t>(i)] = static_cast<float>(i);
  return v;
}

TEST_CASE("slice and stridedSlice pick the documented elements") {
  auto x = [](Backend& b) { return tensor(b, {3, 4}, iota(12)); };
  expectOnBothBackends(
      [&](Backend& b) {
        return slice(x(b), {1, 1}, std::vector<int64_t>{2, -1});
      },
      {2, 3}, {5, 6, 7, 9, 10, 11});
  // Python x[::-1, 1::2]
  expectOnBothBackends(
      [&](Backend& b) {
        return stridedSlice(x(b), {0, 1}, {0, 4},
                            {.strides = {-1, 2}, .beginMask = 1, .endMask = 1});
      },
      {3, 2}, {9, 11, 5, 7, 1, 3});
  // x[1, -3:] with the first axis shrunk away.
  expectOnBothBackends(
      [&](Backend& b) {
        return stridedSlice(x(b), {1, -3}, {2, 100}, {.strides = {1, 1}, .shrinkAxisMask = 1});
      },
      {3}, {5, 6, 7});
  expectOnBothBackends([&](Backend& b) { return stridedSlice(x(b), {0, 3}, {3, 3}); }, {3, 0}, {});
}

TEST_CASE("pad: constant, reflect and symmetric modes") {
  auto x = [](Backend& b) { return tensor(b, {3}, {1, 2, 3}); };
  expectOnBothBackends(
      [&](Backend& b) {
        return pad(x(b), {{2, 1}}, 9.0f);
      },
      {6}, {9, 9, 1, 2, 3, 9});
  expectOnBothBackends(
      [&](Backend& b) {
        return mirrorPad(x(b), {{2, 2}}, PadMode::Reflect);
      },
      {7}, {3, 2, 1, 2, 3, 2, 1});
  expectOnBothBackends(
      [&](Backend& b) {
        return mirrorPad(x(b), {{2, 3}}, PadMode::Symmetric);
      },
      {8}, {2, 1, 1, 2, 3, 3, 2, 1});
  CHECK_THROWS_WITH_AS(mirrorPad(x(cpu()), {{3, 0}}, PadMode::Reflect),
                       doctest::Contains("exceeds 2"), Error);
}

TEST_CASE("tile, reverse, broadcastTo, concat, stack, unstack, split") {
  auto x = [](Backend& b) { return tensor(b, {2, 3}, iota(6)); };
  expectOnBothBackends(
      [&](Backend& b) {
        return tile(x(b), {1, 2});
      },
      {2, 6}, {0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5});
  expectOnBothBackends([&](Backend& b) { return reverse(x(b), std::vector<int>{1}); }, {2, 3},
                       {2, 1, 0, 5, 4, 3});
  expectOnBothBackends(
      [&](Backend& b) {
        return broadcastTo(tensor(b, {2, 1}, {7, 8}), {2, 2, 3});
      },
      {2, 2, 3}, {7, 7, 7, 8, 8, 8, 7, 7, 7, 8, 8, 8});
  expectOnBothBackends(
      [&](Backend& b) {
        return concat({x(b), tensor(b, {2, 1}, {9, 9})}, 1);
      },
      {2, 4}, {0, 1, 2, 9, 3, 4, 5, 9});
  expectOnBothBackends(
      [&](Backend& b) {
        return stack({x(b), x(b)}, 2);
      },
      {2, 3, 2}, {0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5});
  for (Backend* b : {static_cast<Backend*>(&cpu()), static_cast<Backend*>(&gl())}) {
    std::vector<Tensor> columns = unstack(x(*b), 1);
    REQUIRE(columns.size() == 3);
    CHECK(columns[2].shape() == Shape{2});
    CHECK(columns[2].data() == std::vector<float>{2, 5});
    std::vector<Tensor> parts = split(x(*b), std::vector<int64_t>{1, -1}, 1);
    REQUIRE(parts.size() == 2);
    CHECK(parts[1].shape() == Shape{2, 2});
    CHECK(parts[1].data() == std::vector<float>{1, 2, 4, 5});
  }
  CHECK(expandDims(x(gl()), 1).shape() == Shape{2, 1, 3});
  CHECK(squeeze(tensor(gl(), {1, 3, 1}, {1, 2, 3})).shape() == Shape{3});
}

TEST_CASE("gather: rows of an embedding table, any axis, out-of-range indices give 0") {
  std::vector<float> table = iota(20);  // [5, 4]
  auto indices = [](Backend& b) {
    std::vector<int32_t> idx = {4, 0, -1, 5, 2};
    return tensorInt32(b, {5}, idx);
  };
  expectOnBothBackends(
      [&](Backend& b) {
        return gather(tensor(b, {5, 4}, table), indices(b));
      },
      {5, 4}, {16, 17, 18, 19, 0, 1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, 8, 9, 10, 11});
  expectOnBothBackends(
      [&](Backend& b) {
        std::vector<int32_t> idx = {3, 1};
        return gather(tensor(b, {5, 4}, table), tensorInt32(b, {2}, idx), 1);
      },
      {5, 2}, {3, 1, 7, 5, 11, 9, 15, 13, 19, 17});
  CHECK_THROWS_WITH_AS(gather(tensor(cpu(), {5, 4}, table), tensor(cpu(), {1}, {1.0f})),
                       doctest::Contains("expected int32"), Error);
}

TEST_CASE("gather from a large embedding table (folded texture)") {
  // 20000 x 300: more rows than a 16384-texel texture side, so the table is folded.
  const int64_t rows = 20000, dim = 300;
  std::vector<float> table = randomValues(rows * dim, 7);
  std::vector<int32_t> idx = {0, 19999, 12345, 16384, 7};
  Tensor y = gather(tensor(gl(), {rows, dim}, table), tensorInt32(gl(), {5}, idx));
  std::vector<float> got = y.data();
  for (size_t i = 0; i < idx.size(); ++i)
    for (int64_t j = 0; j < dim; j += 37)
      CHECK(got[i * dim + static_cast<size_t>(j)] == table[static_cast<size_t>(idx[i] * dim + j)]);
}

TEST_CASE("oneHot and cast") {
  expectOnBothBackends(
      [](Backend& b) {
        std::vector<int32_t> idx = {2, 0, 7, -1};
        return oneHot(tensorInt32(b, {4}, idx), 3);
      },
      {4, 3}, {0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0});
  std::vector<float> x = {-1.7f, 2.5f, NAN, 1e9f, -0.0f, -INFINITY};
  expectOnBothBackends([&](Backend& b) { return cast(tensor(b, {6}, x), DType::Int32); }, {6},
                       {-1, 2, 0, 16777215, 0, -16777215});
  expectOnBothBackends([&](Backend& b) { return cast(tensor(b, {6}, x), DType::Bool); }, {6},
                       {1, 1, 1, 1, 0, 1});
  Tensor flags = cast(tensor(gl(), {6}, x), DType::Bool);
  CHECK(flags.dtype() == DType::Bool);
  CHECK(cast(flags, DType::Float32).storage() == flags.storage());  // a view, no pass
}

TEST_CASE("data movement passes NaN, Inf and -0 through unchanged") {
  std::vector<float> x = {NAN, INFINITY, -INFINITY, -0.0f, 1.0f, -2.0f};
  for (Backend* b : {static_cast<Backend*>(&cpu()), static_cast<Backend*>(&gl())}) {
    Tensor t = tensor(*b, {2, 3}, x);
    std::vector<float> y = transpose(reverse(tile(pad(t, {{0, 0}, {1, 1}}), {1, 2}))).data();
    int nans = 0, negativeZeros = 0;
    for (float v : y) {
      nans += std::isnan(v);
      negativeZeros += v == 0.0f && std::signbit(v);
    }
    CHECK(nans == 2);
    CHECK(negativeZeros == 2);
  }
}

TEST_CASE("data movement rejects bad arguments with clear errors") {
  Tensor x = tensor(cpu(), {2, 3}, iota(6));
  CHECK_THROWS_WITH_AS(slice(x, {1, 2}, std::vector<int64_t>{2, 1}), doctest::Contains("bounds"),
                       Error);
  CHECK_THROWS_WITH_AS(concat({x, tensor(cpu(), {3, 3}, iota(9))}, 1),
                       doctest::Contains("does not match input 0"), Error);
  CHECK_THROWS_WITH_AS(split(x, 2, 1), doctest::Contains("does not divide"), Error);
  CHECK_THROWS_WITH_AS(tile(x, {2}), doctest::Contains("one entry per dimension"), Error);
  CHECK_THROWS_WITH_AS(squeeze(x, std::vector<int>{0}), doctest::Contains("not 1"), Error);
  CHECK_THROWS_WITH_AS(broadcastTo(x, {3, 3}), doctest::Contains("cannot be broadcast"), Error);
  CHECK_THROWS_WITH_AS(stridedSlice(x, {0}, {1}, {.strides = {0}}), doctest::Contains("zero"),
                       Error);
  CHECK_THROWS_WITH_AS(oneHot(x, 3), doctest::Contains("expected int32"), Error);
}

}  // namespace
}  // namespace texel::test
