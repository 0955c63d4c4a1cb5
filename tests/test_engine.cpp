// The engine around the ops: texture layout, the pool and its budget, warmup, readback,
// tensor lifetime and error handling.
#include <algorithm>
#include <chrono>

#include "engine/gl/layout.h"
#include "engine/gl/program_cache.h"
#include "engine/gl/texture_pool.h"
#include "tests/test_support.h"

namespace texel::test {
namespace {

TEST_CASE("C4 layout: rows x ceil(last/4) texels, folded only beyond the texture limit") {
  gl::TextureLayout a = gl::layoutFor({2, 3, 5}, 16384);
  CHECK(a.rows == 6);
  CHECK(a.slices == 2);
  CHECK(a.aligned);
  CHECK(a.width == 2);
  CHECK(a.height == 6);
  gl::TextureLayout scalar = gl::layoutFor({}, 16384);
  CHECK((scalar.width == 1 && scalar.height == 1 && scalar.last == 1));
  gl::TextureLayout wide = gl::layoutFor({100000}, 8192);  // 25000 texels in one row
  CHECK_FALSE(wide.aligned);
  CHECK(wide.width == 159);
  CHECK(wide.height == 158);
  CHECK(wide.capacityTexels() >= wide.texels());
  gl::TextureLayout tall = gl::layoutFor({20000, 3}, 8192);
  CHECK_FALSE(tall.aligned);
  CHECK(tall.texels() == 20000);
  CHECK_THROWS_WITH_AS(gl::layoutFor({8193, 8193 * 4}, 8192, "zeros"),
                       "zeros: tensor of shape [8193,32772] needs 67125249 RGBA texels, more than "
                       "one 8192x8192 texture holds (MAX_TEXTURE_SIZE 8192)",
                       Error);
}

TEST_CASE("pack and unpack round-trip with zero padding") {
  gl::TextureLayout layout = gl::layoutFor({3, 5}, 16384);
  std::vector<float> values = randomValues(15, 9);
  std::vector<float> texels(static_cast<size_t>(layout.capacityTexels()) * 4, 123.0f);
  gl::packTexels(layout, values, texels);
  CHECK(texels[5] == 0.0f);  // row 0, lanes 5..7 are padding
  CHECK(texels[7] == 0.0f);
  std::vector<float> back(15);
  gl::unpackTexels(layout, texels, back);
  CHECK(back == values);
}

TEST_CASE("upload and readback are exact, aligned and folded, every size") {
  for (const Shape& shape :
       std::vector<Shape>{{}, {1}, {3}, {5}, {4097}, {3, 5}, {3, 200}, {40, 7}, {2, 3, 4, 5}}) {
    std::vector<float> values = randomValues(shape.size(), 11);
    CHECK(tensor(gl(), shape, values).data() == values);
    if (shape.size() <= kFoldedMaxTextureSize * kFoldedMaxTextureSize)
      CHECK(tensor(glFolded(), shape, values).data() == values);
  }
  // Past a texture's capacity tensors are split by rows of their leading dimension...
  Tensor split = zeros(glFolded(), {33 * 32 + 1, 4});
  CHECK(gl::isSplit(split));
  CHECK(split.data() == std::vector<float>(static_cast<size_t>(split.size()), 0.0f));
  // ...and rejected up front, with the limit named, when one such row is already too big.
  CHECK_THROWS_WITH_AS(zeros(glFolded(), {1, 33 * 32 * 4}),
                       doctest::Contains("more than one 32x32 texture holds"), Error);
}

TEST_CASE("a released texture goes back to the pool at once and is reused") {
  glFolded().freePooledTextures();
  MemoryStats before = glFolded().stats();
  {
    Tensor a = zeros(glFolded(), {10, 10});
    MemoryStats live = glFolded().stats();
    CHECK(live.liveTensors == before.liveTensors + 1);
    CHECK(live.liveTextures == before.liveTextures + 1);
    CHECK(live.liveBytes == before.liveBytes + 3 * 10 * 16);
    Tensor b = a;  // a copy shares the texture
    CHECK(glFolded().stats().liveTextures == live.liveTextures);
  }
  MemoryStats released = glFolded().stats();
  CHECK(released.liveTensors == before.liveTensors);
  CHECK(released.liveBytes == before.liveBytes);
  CHECK(released.pooledTextures == before.pooledTextures + 1);
  CHECK(released.pooledBytes == 3 * 10 * 16);
  Tensor again = zeros(glFolded(), {10, 10});
  MemoryStats reused = glFolded().stats();
  CHECK(reused.textureAllocations == released.textureAllocations);
  CHECK(reused.poolHits == released.poolHits + 1);
  CHECK(reused.pooledTextures == before.pooledTextures);
  CHECK(reused.peakBytes >= reused.liveBytes);
}

TEST_CASE("without paging the byte budget drops pooled textures first, then throws OutOfMemory") {
  auto backend = GlBackend::create(context(), GlOptions{.budgetBytes = 64 * 1024, .paging = false});
  Tensor a = zeros(*backend, {64, 128});           // 32 KiB
  { Tensor pooled = zeros(*backend, {32, 128}); }  // 16 KiB, released into the pool
  CHECK(backend->stats().pooledBytes == 16 * 1024);
  Tensor b = zeros(*backend, {48, 128});  // 24 KiB: fits only once the pool is emptied
  CHECK(backend->stats().pooledBytes == 0);
  CHECK(backend->stats().liveBytes == 56 * 1024);
  try {
    Tensor c = zeros(*backend, {32, 128});
    FAIL("expected OutOfMemory");
  } catch (const OutOfMemory& e) {
    CHECK(e.requestedBytes() == 16 * 1024);
    CHECK(e.inUseBytes() == 56 * 1024);
    CHECK(e.budgetBytes() == 64 * 1024);
    CHECK(std::string(e.what()) ==
          "fill: out of GPU memory budget: requested 16384 bytes (0.015625 MiB) for a 32x32 "
          "texture, 57344 bytes (0.0546875 MiB) in use by live tensors (paging is off), budget "
          "65536 bytes (0.0625 MiB)");
  }
  // An op whose output does not fit fails the same way, and nothing is leaked.
  CHECK_THROWS_AS(add(a, a), OutOfMemory);
  CHECK(backend->stats().liveBytes == 56 * 1024);
  b = Tensor();  // release, then the engine works again
  Tensor sumOfA = add(a, a);
  CHECK(sumOfA.data()[0] == 0.0f);
  backend->setBudget(0);
  Tensor big = zeros(*backend, {256, 256});
  CHECK(backend->stats().budgetBytes == 0);
}

TEST_CASE("the default budget comes from the device and is reported") {
  auto backend = GlBackend::create(context());
  CHECK(backend->info().deviceBudgetBytes >= 256u << 20);
  CHECK_FALSE(backend->info().deviceBudgetSource.empty());
  CHECK(backend->stats().budgetBytes == backend->info().deviceBudgetBytes);
  MESSAGE("default budget " << backend->info().deviceBudgetBytes
                            << " bytes: " << backend->info().deviceBudgetSource);
}

TEST_CASE("size buckets: sides round up by at most 1/8, so changing sizes reuse textures") {
  CHECK(gl::TexturePool::bucketSide(1, 16384) == 1);
  CHECK(gl::TexturePool::bucketSide(16, 16384) == 16);
  CHECK(gl::TexturePool::bucketSide(17, 16384) == 18);
  CHECK(gl::TexturePool::bucketSide(100, 16384) == 104);
  CHECK(gl::TexturePool::bucketSide(4097, 16384) == 4608);
  CHECK(gl::TexturePool::bucketSide(4097, 4100) == 4100);  // never beyond the limit
  for (int n = 1; n < 20000; n += 7) {
    int b = gl::TexturePool::bucketSide(n, 1 << 20);
    REQUIRE(b >= n);
    REQUIRE(b <= n + n / 8 + 1);
  }
  auto backend = GlBackend::create(context(), GlOptions{.budgetBytes = 0});
  { Tensor first = zeros(*backend, {100, 4}); }  // rows 100 -> bucket 104
  int64_t allocations = backend->stats().textureAllocations;
  for (int rows = 97; rows <= 104; ++rows) {
    std::vector<float> values = randomValues(rows * 4, rows);
    Tensor t = tensor(*backend, {rows, 4}, values);
    REQUIRE(neg(neg(t)).data() == values);  // padding rows of the bucket are never read
  }
  // Eight sizes, one upload and one result texture each time: at most 2 new textures.
  CHECK(backend->stats().textureAllocations - allocations <= 2);
}

TEST_CASE("pooled textures idle for too long are trimmed, least recently used first") {
  auto backend = GlBackend::create(context(), GlOptions{.budgetBytes = 0, .poolIdleLimit = 10});
  { Tensor idle = zeros(*backend, {40, 40}); }
  CHECK(backend->stats().pooledTextures == 1);
  for (int i = 0; i < 9; ++i) Tensor busy = zeros(*backend, {3, 3});
  CHECK(backend->stats().pooledTextures == 2);  // not yet idle for 10 acquisitions
  for (int i = 0; i < 3; ++i) Tensor busy = zeros(*backend, {3, 3});
  CHECK(backend->stats().pooledTextures == 1);  // the 40x40 went, the busy one stays
  CHECK(backend->stats().trimmedTextures == 1);
  CHECK(backend->stats().pooledBytes == 3 * 16);
}

TEST_CASE("paging: over the budget, least recently used tensors wait in host memory") {
  auto backend = GlBackend::create(
      context(),
      GlOptions{.budgetBytes = 48 * 1024, .keepUploadsOnHost = false, .trackOwners = true});
  std::vector<Tensor> results;
  std::vector<std::vector<float>> expected;
  for (int i = 0; i < 6; ++i) {  // six 16 KiB results: 96 KiB, twice the budget
    std::vector<float> values = randomValues(32 * 128, 100 + i);
    Tensor x = tensor(*backend, {32, 128}, values);
    results.push_back(mul(x, scalar(*backend, 2.0f)));
    for (float& v : values) v *= 2.0f;
    expected.push_back(values);
  }
  MemoryStats paged = backend->stats();
  CHECK(paged.pageOuts >= 3);
  CHECK(paged.pagedOutTensors >= 3);
  CHECK(paged.liveBytes <= 48 * 1024);
  CHECK(paged.peakBytes <= 48 * 1024);
  // Reading a paged-out tensor needs no upload; using it in an op pages it back in.
  CHECK(results[0].data() == expected[0]);
  Tensor both = add(results[0], results[5]);
  CHECK(backend->stats().pageIns >= 1);
  std::vector<float> sum(expected[0].size());
  for (size_t i = 0; i < sum.size(); ++i) sum[i] = expected[0][i] + expected[5][i];
  CHECK(both.data() == sum);
  for (int i = 0; i < 6; ++i) CHECK(results[i].data() == expected[i]);
  // Owners name the op and shape that made each texture.
  std::vector<LiveAllocation> live = backend->liveAllocations();
  CHECK(live.size() == 7);
  int byMul = 0;
  for (const LiveAllocation& a : live) byMul += a.owner == "mul [32,128]";
  CHECK(byMul == 6);
  // One op whose inputs and output cannot fit together still throws, and work goes on.
  Tensor huge = zeros(*backend, {32, 384});  // 48 KiB: the whole budget
  CHECK_THROWS_WITH_AS(add(huge, huge), doctest::Contains("nothing left to page out"), OutOfMemory);
  huge = Tensor();
  CHECK(add(results[1], results[2]).data()[0] == expected[1][0] + expected[2][0]);
  results.clear();
  both = Tensor();
  CHECK(backend->stats().liveBytes == 0);
  CHECK(backend->stats().pagedOutTensors == 0);
  CHECK(backend->liveAllocations().empty());
}

TEST_CASE("paging in half-float mode: a paged-out tensor reads back the stored binary16 values") {
  if (!gl().info().halfFloatRenderable) return;
  auto backend =
      GlBackend::create(context(), GlOptions{.budgetBytes = 3 * 2048, .forceHalfFloat = true});
  std::vector<float> values = randomValues(16 * 64, 31);
  for (float& v : values) v /= 3.0f;              // not representable in binary16
  Tensor x = tensor(*backend, {16, 64}, values);  // 16 x 16 RGBA16F texels: 2 KiB
  std::vector<float> resident = x.data();
  CHECK(resident != values);
  Tensor a = zeros(*backend, {16, 64}), b = zeros(*backend, {16, 64}),
         c = zeros(*backend, {16, 64});
  CHECK(backend->stats().pagedOutTensors >= 1);
  CHECK(x.data() == resident);            // from the host copy...
  CHECK(neg(neg(x)).data() == resident);  // ...and after paging back in
}

TEST_CASE("warmup compiles every program up front; the first real call compiles nothing") {
  auto backend = GlBackend::create(context());
  std::vector<OpSignature> signatures = {
      {"conv2d", {{{1, 28, 28, 1}}, {{3, 3, 1, 8}}}, Attrs().setString("padding", "valid")},
      {"relu", {{{1, 26, 26, 8}}}, {}},
      {"maxPool",
       {{{1, 26, 26, 8}}},
       Attrs().setInts("filterSize", {2, 2}).setInts("strides", {2, 2})},
      {"matMul", {{{1, 400}}, {{400, 10}}}, {}},
      {"add", {{{1, 10}}, {{10}}}, {}},
      {"softmax", {{{1, 10}}}, {}},
      {"argMax", {{{1, 10}}}, Attrs().setInt("axis", 1)},
  };
  WarmupReport report = warmup(*backend, signatures);
  CHECK(report.opsRun == 7);
  CHECK(report.programsBuilt == backend->stats().compileCount);
  CHECK(report.programsBuilt >= 7);  // one per op at least (softmax over 10 classes: one)
  CHECK(report.milliseconds > 0.0);
  MESSAGE("warmup built " << report.programsBuilt << " programs in " << report.milliseconds
                          << " ms");

  int64_t compiles = backend->stats().compileCount;
  Tensor x = tensor(*backend, {1, 28, 28, 1}, randomValues(784, 1));
  Tensor h = maxPool(relu(conv2d(x, tensor(*backend, {3, 3, 1, 8}, randomValues(72, 2)))),
                     {{2, 2}, {2, 2}, Padding::Valid});
  Tensor logits = add(matMul(tensor(*backend, {1, 400}, randomValues(400, 3)),
                             tensor(*backend, {400, 10}, randomValues(4000, 4))),
                      tensor(*backend, {10}, randomValues(10, 5)));
  Tensor best = argMax(softmax(logits), 1);
  best.data();
  CHECK(backend->stats().compileCount == compiles);
  // Shapes are uniforms: the same signature at another size compiles nothing either.
  Tensor other = relu(tensor(*backend, {3, 17, 9, 8}, randomValues(3 * 17 * 9 * 8, 6)));
  other.data();
  CHECK(backend->stats().compileCount == compiles);
  // A new op does compile, and is counted.
  sub(logits, logits).data();
  CHECK(backend->stats().compileCount == compiles + 1);
}

TEST_CASE("a WarmupJob starts its compiles without drawing or waiting; finish() checks and runs") {
  auto backend = GlBackend::create(context());
  std::vector<float> xValues = randomValues(2 * 9 * 9 * 3, 31);
  std::vector<float> wValues = randomValues(3 * 3 * 3 * 5, 32);
  Tensor x = tensor(*backend, {2, 9, 9, 3}, xValues);
  Tensor w = tensor(*backend, {3, 3, 3, 5}, wValues);
  auto network = [](const Tensor& in, const Tensor& filter) {
    return softmax(relu(conv2d(in, filter, {{1, 1}, Padding::Same})));
  };
  std::vector<float> seen;
  int runs = 0;
  int64_t passes = backend->stats().passCount;
  WarmupJob job(*backend, [&] {
    ++runs;
    seen = network(x, w).data();
    return int64_t{3};
  });
  // Started, not waited for: no draw, no status asked, zeros read back.
  CHECK(runs == 1);
  CHECK(backend->stats().passCount == passes);
  CHECK(backend->programs().pendingCount() >= 3);
  CHECK(backend->stats().compileCount == 0);
  CHECK(std::all_of(seen.begin(), seen.end(), [](float v) { return v == 0.0f; }));
  CHECK_FALSE(backend->compileOnly());
  MESSAGE("parallel compile (KHR_parallel_shader_compile): " << backend->parallelCompile());

  auto start = std::chrono::steady_clock::now();
  int polls = 0;
  while (!job.ready()) {
    ++polls;
    yieldToEventLoop();
    REQUIRE(std::chrono::steady_clock::now() - start < std::chrono::seconds(60));
  }
  MESSAGE("programs ready after " << polls << " polls");
  WarmupReport report = job.finish();
  CHECK(runs == 2);
  CHECK(report.opsRun == 3);
  CHECK(report.programsBuilt == backend->stats().compileCount);
  CHECK(report.programsBuilt >= 3);
  CHECK(backend->programs().pendingCount() == 0);
  CHECK(backend->stats().passCount > passes);
  Comparison c = compare(
      seen,
      network(tensor(cpu(), {2, 9, 9, 3}, xValues), tensor(cpu(), {3, 3, 3, 5}, wValues)).data());
  CHECK(c.within(1e-5));
  CHECK_THROWS_WITH_AS(job.finish(), "warmup: finish() was already called", Error);
  // Everything was compiled by the job: the same work again compiles nothing.
  int64_t compiles = backend->stats().compileCount;
  network(x, w).data();
  CHECK(backend->stats().compileCount == compiles);
}

TEST_CASE("a WarmupJob on the CPU backend runs its work once, in finish()") {
  int runs = 0;
  WarmupJob job(cpu(), [&] {
    ++runs;
    relu(tensor(cpu(), {3}, {-1, 0, 2})).data();
    return int64_t{1};
  });
  CHECK(runs == 0);
  CHECK(job.ready());
  CHECK(job.finish().opsRun == 1);
  CHECK(runs == 1);
}

TEST_CASE("dataAsync reads back through a fence without blocking, and frees its buffer") {
  std::vector<float> values = randomValues(3 * 4097, 21);
  Tensor x = tensor(gl(), {3, 4097}, values);
  Tensor y = neg(neg(x));
  PendingRead pending = y.dataAsync();
  auto start = std::chrono::steady_clock::now();
  int polls = 0;
  while (!pending.ready()) {
    ++polls;
    yieldToEventLoop();
    REQUIRE(std::chrono::steady_clock::now() - start < std::chrono::seconds(30));
  }
  MESSAGE("dataAsync ready after " << polls << " polls");
  CHECK(pending.take() == values);
  CHECK_THROWS_WITH_AS(pending.take(), "PendingRead::take: the values were already taken", Error);
  // take() without polling blocks until the values are there.
  CHECK(x.dataAsync().take() == values);
  // Dropping an unfinished read is safe.
  { PendingRead dropped = x.dataAsync(); }
  CHECK(tensor(cpu(), {2}, {1, 2}).dataAsync().take() == std::vector<float>{1, 2});
}

TEST_CASE("tensors move between backends and keep their values") {
  std::vector<float> values = randomValues(35, 4);
  Tensor onCpu = tensor(cpu(), {5, 7}, values);
  Tensor onGl = onCpu.to(gl());
  CHECK(&onGl.backend() == &gl());
  CHECK(onGl.to(cpu()).data() == values);
  CHECK(onGl.to(gl()).storage() == onGl.storage());
}

TEST_CASE("empty tensors work on GL through the CPU path") {
  Tensor empty = zeros(gl(), {0, 3});
  CHECK(empty.size() == 0);
  CHECK(empty.data().empty());
  CHECK(add(empty, zeros(gl(), {3})).shape() == Shape{0, 3});
  CHECK(sum(empty).data() == std::vector<float>{0});
  CHECK(matMul(zeros(gl(), {2, 0}), zeros(gl(), {0, 3})).data() == std::vector<float>(6, 0.0f));
}

TEST_CASE("tensor creation rejects bad shapes and values clearly") {
  std::vector<float> three = {1, 2, 3};
  CHECK_THROWS_WITH_AS(tensor(gl(), {2, 2}, three), "tensor: shape [2,2] needs 4 values, got 3",
                       Error);
  CHECK_THROWS_WITH_AS(zeros(gl(), {2, -1}), "fill: shape [2,-1] has a negative dimension", Error);
  CHECK_THROWS_WITH_AS(zeros(gl(), {1 << 20, 1 << 20}),
                       "fill: shape [1048576,1048576] has more than 2147483647 elements", Error);
  CHECK_THROWS_WITH_AS(zeros(gl(), {1, 1, 1, 1, 1, 1, 1}),
                       "fill: shape [1,1,1,1,1,1,1] has rank 7, expected rank 0 to 6", Error);
  std::vector<int32_t> big = {1 << 24};
  CHECK_THROWS_WITH_AS(tensorInt32(gl(), {1}, big),
                       "tensorInt32: value 16777216 at index 0 cannot be stored exactly (expected "
                       "|x| < 2^24 = 16777216)",
                       Error);
  CHECK_THROWS_WITH_AS(runOp1("noSuchOp", {zeros(gl(), {1})}),
                       "unknown op 'noSuchOp' (not in the op registry)", Error);
  CHECK_THROWS_WITH_AS(runOp1("add", {zeros(gl(), {1})}), "add: expected 2 input(s), got 1", Error);
  CHECK_THROWS_WITH_AS(Tensor().data(),
                       "Tensor::data: the tensor handle is empty (default-constructed)", Error);
}

TEST_CASE("shader compile failures surface as texel::Error with the driver's log") {
  // A broken program source goes through the same cache path as every kernel.
  CHECK_THROWS_WITH_AS(
      gl().programs().get("#version 300 es\nvoid main() { this is not glsl; }\n", "broken"),
      doctest::Contains("broken: fragment shader failed to compile:"), Error);
  CHECK(add(scalar(gl(), 1), scalar(gl(), 2)).data() == std::vector<float>{3});
  // Started without a status check, it fails when checked, and is not kept.
  auto backend = GlBackend::create(context());
  const std::string broken = "#version 300 es\nvoid main() { neither is this; }\n";
  backend->programs().start(broken, "brokenStart");
  CHECK(backend->programs().pendingCount() == 1);
  CHECK_THROWS_WITH_AS(backend->programs().finishPending(),
                       doctest::Contains("brokenStart: fragment shader failed to compile:"), Error);
  CHECK(backend->programs().pendingCount() == 0);
  CHECK_FALSE(backend->programs().contains(broken));
  CHECK(backend->stats().compileCount == 0);
}

}  // namespace
}  // namespace texel::test

#include "engine/core/half.h"

namespace texel::test {
namespace {

TEST_CASE("binary16 conversion rounds to nearest even and round-trips every half") {
  int mismatches = 0;
  for (uint32_t h = 0; h < 65536; ++h) {
    float f = halfToFloat(static_cast<uint16_t>(h));
    if (std::isnan(f)) continue;
    mismatches += floatToHalf(f) != h;
  }
  CHECK(mismatches == 0);
  CHECK(roundToHalf(65504.0f) == 65504.0f);
  CHECK(std::isinf(roundToHalf(65520.0f)));  // the tie rounds to even: Inf
  // Halves near 1 are 1/1024 apart: ties go to the even neighbour, others to the nearest.
  CHECK(roundToHalf(1.0f + 2.0f / 4096) == 1.0f);
  CHECK(roundToHalf(1.0f + 6.0f / 4096) == 1.0f + 2.0f / 1024);
  CHECK(roundToHalf(1.0f + 3.0f / 4096) == 1.0f + 1.0f / 1024);
  CHECK(roundToHalf(5.9604645e-8f) == 5.9604645e-8f);  // the smallest subnormal
  CHECK(std::isnan(roundToHalf(NAN)));
}

TEST_CASE("half-float mode: float32 tensors in RGBA16F, int32 and bool kept exact") {
  GlBackend* half = glHalf();
  if (!half) {
    MESSAGE("RGBA16F is not renderable here; half-float mode cannot be tested");
    return;
  }
  CHECK(half->halfFloat());
  CHECK_FALSE(gl().halfFloat());
  MemoryStats before = half->stats();
  Tensor x = tensor(*half, {4}, {1.0f / 3, 70000.0f, -1e-9f, 2.5f});
  CHECK(half->stats().liveBytes - before.liveBytes == 8);  // one RGBA16F texel
  std::vector<float> stored = x.data();
  CHECK(stored[0] == roundToHalf(1.0f / 3));
  CHECK(std::isinf(stored[1]));  // beyond 65504
  CHECK(stored[2] == 0.0f);
  CHECK(stored[3] == 2.5f);
  // Integers stay exact beyond the 2048 a half holds: indices into big tables work.
  std::vector<int32_t> big = {16777215, -4097, 2049};
  CHECK(tensorInt32(*half, {3}, big).dataInt32() == big);
  std::vector<float> row(5000, 0.0f);
  row[4321] = 1.0f;
  CHECK(argMax(tensor(*half, {5000}, row)).dataInt32() == std::vector<int32_t>{4321});
  CHECK(topK(tensor(*half, {5000}, row), 1).indices.dataInt32() == std::vector<int32_t>{4321});
  std::vector<int32_t> index = {3001};
  Tensor table = tensor(*half, {4000, 2}, std::vector<float>(8000, 0.5f));
  CHECK(gather(table, tensorInt32(*half, {1}, index)).data() == std::vector<float>{0.5f, 0.5f});
  // Ops compute in float32 and store in f16: a sum of thousands of values keeps its
  // documented accuracy.
  std::vector<float> values = randomValues(4097, 3);
  for (float& v : values) v = roundToHalf(v);
  double want = 0.0;
  for (float v : values) want += v;
  float got = sum(tensor(*half, {4097}, values)).data()[0];
  CHECK(std::fabs(got - want) / std::max(std::fabs(want), 1.0) <= verify::kHalfTolerance);
}

TEST_CASE("without RGBA32F render targets the backend falls back to half floats by itself") {
  auto fallback = GlBackend::create(context(), GlOptions{.simulateNoFloatTargets = true});
  if (!fallback->info().halfFloatRenderable) return;
  CHECK(fallback->halfFloat());
  CHECK_FALSE(fallback->info().floatRenderable);
  Tensor logits = tensor(*fallback, {2, 3}, {0.1f, 2.0f, -1.0f, 5.0f, 4.0f, 3.0f});
  CHECK(argMax(logits, 1).dataInt32() == std::vector<int32_t>{1, 0});
  std::vector<float> p = softmax(logits).data();
  CHECK(p[1] == doctest::Approx(0.8360188f).epsilon(verify::kHalfTolerance));
  // Uploaded integers are exact (sampled RGBA32F); integers a pass writes are exact to 2048.
  std::vector<int32_t> big = {100000};
  CHECK(tensorInt32(*fallback, {1}, big).dataInt32() == big);
}

}  // namespace
}  // namespace texel::test
