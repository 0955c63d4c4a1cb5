#include "tests/test_support.h"

#include <algorithm>
#include <numeric>

namespace texel::test {
namespace {

TEST_CASE("creation: ones, zerosLike, onesLike, range, linspace, eye") {
  for (Backend* b : {static_cast<Backend*>(&cpu()), static_cast<Backend*>(&gl())}) {
    CHECK(ones(*b, {2, 3}).data() == std::vector<float>(6, 1.0f));
    std::vector<int32_t> ints = {1, 2, 3};
    Tensor i = tensorInt32(*b, {3}, ints);
    Tensor z = zerosLike(i);
    CHECK(z.dtype() == DType::Int32);
    CHECK(z.data() == std::vector<float>(3, 0.0f));
    CHECK(onesLike(tensor(*b, {2}, {5, 6})).data() == std::vector<float>{1, 1});
    CHECK(range(*b, 0, 5).data() == std::vector<float>{0, 1, 2, 3, 4});
    CHECK(range(*b, 5, 0, -2).data() == std::vector<float>{5, 3, 1});
    CHECK(range(*b, 1, 1).shape() == Shape{0});
    CHECK(range(*b, 0, 3, 1, DType::Int32).dtype() == DType::Int32);
    CHECK(linspace(*b, 0, 1, 5).data() == std::vector<float>{0, 0.25f, 0.5f, 0.75f, 1});
    CHECK(linspace(*b, 2, 9, 1).data() == std::vector<float>{2});
    CHECK(eye(*b, 2, 3).data() == std::vector<float>{1, 0, 0, 0, 1, 0});
  }
  CHECK_THROWS_WITH_AS(range(cpu(), 0, 1, 0), doctest::Contains("non-zero step"), Error);
  CHECK_THROWS_WITH_AS(range(cpu(), 0, 1, 0.5, DType::Int32), doctest::Contains("not an integer"),
                       Error);
  CHECK_THROWS_WITH_AS(linspace(cpu(), 0, 1, 0), doctest::Contains("count must be >= 1"), Error);
}

TEST_CASE("random tensors are seeded, identical on every backend, and have the right law") {
  const Shape shape{100, 100};
  for (auto make : std::vector<std::function<Tensor(Backend&, uint64_t)>>{
           [&](Backend&b, uint64_t s) { return randomUniform(b, shape, -2, 3, s); },
           [&](Backend&b, uint64_t s) { return randomNormal(b, shape, 1, 2, s); },
           [&](Backend&b, uint64_t s) { return truncatedNormal(b, shape, 1, 2, s); }}) {
    std::vector<float> a = make(cpu(), 42).data();
    CHECK(make(gl(), 42).data() == a);
    CHECK(make(cpu(), 42).data() == a);
    CHECK(make(cpu(), 43).data() != a);
  }
  auto moments = [](const std::vector<float>& v) {
    double mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
    double var = 0;
    for (float x : v) var += (x - mean) * (x - mean);
    return std::pair{mean, std::sqrt(var / static_cast<double>(v.size()))};
  };
  // 10,000 draws: the sample mean is within 4 standard errors (0.04 sigma) of the law's.
  std::vector<float> u = randomUniform(cpu(), shape, -2, 3, 1).data();
  CHECK(*std::min_element(u.begin(), u.end()) >= -2.0f);
  CHECK(*std::max_element(u.begin(), u.end()) < 3.0f);
  auto [uMean, uStd] = moments(u);
  CHECK(uMean == doctest::Approx(0.5).epsilon(0.06));
  CHECK(uStd == doctest::Approx(5.0 / std::sqrt(12.0)).epsilon(0.03));
  auto [nMean, nStd] = moments(randomNormal(cpu(), shape, 1, 2, 1).data());
  CHECK(std::fabs(nMean - 1.0) < 0.08);
  CHECK(nStd == doctest::Approx(2.0).epsilon(0.03));
  std::vector<float> t = truncatedNormal(cpu(), shape, 1, 2, 1).data();
  CHECK(*std::min_element(t.begin(), t.end()) >= -3.0f);
  CHECK(*std::max_element(t.begin(), t.end()) <= 5.0f);
  // A normal truncated at 2 sigma has standard deviation 0.8796 sigma.
  CHECK(moments(t).second == doctest::Approx(2.0 * 0.8796).epsilon(0.03));
}

}  // namespace
}  // namespace texel::test
