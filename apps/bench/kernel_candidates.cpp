// The evidence behind the SIMD CPU backend's kernel source (docs/PERFORMANCE.md): matMul
// 1024 and conv2d 56x56x64->64 3x3 'same' on texel's reference and SIMD kernels (1 and 2
// threads), Debian's OpenBLAS (sgemm; the conv as an im2col + sgemm) and Debian's
// XNNPACK (fully-connected and convolution operators on a pthreadpool), in one run.
// Median of 9 after a warm-up; one JSON line per figure, then a table. Built only where
// libopenblas-dev, libxnnpack-dev and libpthreadpool-dev are installed.
#include <cblas.h>
#include <pthreadpool.h>
#include <xnnpack.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "engine/simd/gemm.h"
#include "engine/texel.h"

extern "C" void openblas_set_num_threads(int);

namespace {

double medianMs(const std::function<void()>& run) {
  run();
  std::vector<double> times;
  for (int i = 0; i < 9; ++i) {
    auto start = std::chrono::steady_clock::now();
    run();
    times.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

std::vector<float> randoms(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1, 1);
  std::vector<float> v(n);
  for (float& x : v) x = u(rng);
  return v;
}

struct Row {
  std::string figure, candidate;
  int threads;
  double ms, gflops, maxDiff;
};

void check(xnn_status status, const char* what) {
  if (status != xnn_status_success) throw std::runtime_error(std::string("xnnpack: ") + what);
}

double maxDiff(const std::vector<float>& a, const std::vector<float>& b) {
  double d = 0;
  for (size_t i = 0; i < a.size(); ++i) d = std::max(d, double(std::fabs(a[i] - b[i])));
  return d;
}

}  // namespace

int main() {
  check(xnn_initialize(nullptr), "initialize");
  std::vector<Row> rows;
  auto add = [&](Row r) {
    rows.push_back(r);
    std::printf(
        "{\"figure\":\"%s\",\"candidate\":\"%s\",\"threads\":%d,\"ms\":%.3f,\"gflops\":%.2f,"
        "\"maxDiff\":%.3g}\n",
        r.figure.c_str(), r.candidate.c_str(), r.threads, r.ms, r.gflops, r.maxDiff);
    std::fflush(stdout);
  };
  std::printf("simd micro-kernel: %s\n", texel::simd::kernelName().c_str());

  // ---- matMul 1024 ----
  const int n = 1024;
  const double mmFlops = 2.0 * n * n * n;
  std::vector<float> a = randoms(size_t(n) * n, 1), b = randoms(size_t(n) * n, 2);
  // The reference's product is the expected one, and texel runs before the libraries:
  // their worker threads keep spinning for a while after each call and would take a core.
  std::vector<float> expected;
  {
    texel::Tensor ta = texel::tensor(texel::cpu(), {n, n}, a),
                  tb = texel::tensor(texel::cpu(), {n, n}, b);
    auto t0 = std::chrono::steady_clock::now();
    expected = texel::matMul(ta, tb).data();
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    add({"matMul 1024", "texel reference", 1, ms, mmFlops / ms / 1e6, 0});
  }
  for (int threads : {1, 2}) {
    auto simd = texel::CpuBackend::create({.simd = true, .threads = threads});
    texel::Tensor ta = texel::tensor(*simd, {n, n}, a), tb = texel::tensor(*simd, {n, n}, b);
    std::vector<float> got;
    double ms = medianMs([&] { got = texel::matMul(ta, tb).data(); });
    add({"matMul 1024", "texel simd (" + texel::simd::kernelName() + ")", threads, ms,
         mmFlops / ms / 1e6, maxDiff(got, expected)});
  }
  // ---- conv2d 56x56x64 -> 64, 3x3 'same' ----
  const int H = 56, W = 56, C = 64, F = 64, K = 3;
  const double convFlops = 2.0 * H * W * F * K * K * C;
  std::vector<float> x = randoms(size_t(H) * W * C, 3), f = randoms(size_t(K) * K * C * F, 4);
  texel::Conv2DAttrs same{.strides = {1, 1}, .padding = texel::Padding::Same};
  std::vector<float> convExpected =
      texel::conv2d(texel::tensor(texel::cpu(), {1, H, W, C}, x),
                    texel::tensor(texel::cpu(), {K, K, C, F}, f), same)
          .data();
  {
    texel::Tensor tx = texel::tensor(texel::cpu(), {1, H, W, C}, x);
    texel::Tensor tf = texel::tensor(texel::cpu(), {K, K, C, F}, f);
    double ms = medianMs([&] { texel::conv2d(tx, tf, same).data(); });
    add({"conv2d 56x56x64 3x3", "texel reference", 1, ms, convFlops / ms / 1e6, 0});
  }
  for (int threads : {1, 2}) {
    auto simd = texel::CpuBackend::create({.simd = true, .threads = threads});
    texel::Tensor tx = texel::tensor(*simd, {1, H, W, C}, x);
    texel::Tensor tf = texel::tensor(*simd, {K, K, C, F}, f);
    std::vector<float> got;
    double ms = medianMs([&] { got = texel::conv2d(tx, tf, same).data(); });
    add({"conv2d 56x56x64 3x3", "texel simd (implicit im2col)", threads, ms, convFlops / ms / 1e6,
         maxDiff(got, convExpected)});
  }
  // ---- the libraries, after texel ----
  for (int threads : {1, 2}) {
    openblas_set_num_threads(threads);
    std::vector<float> c(size_t(n) * n);
    double ms = medianMs([&] {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, a.data(), n, b.data(), n,
                  0, c.data(), n);
    });
    add({"matMul 1024", "openblas sgemm", threads, ms, mmFlops / ms / 1e6, maxDiff(c, expected)});
  }
  for (int threads : {1, 2}) {
    pthreadpool_t pool = threads > 1 ? pthreadpool_create(threads) : nullptr;
    xnn_operator_t op = nullptr;
    std::vector<float> c(size_t(n) * n);
    // XNN_FLAG_TRANSPOSE_WEIGHTS: the kernel is [input channels, output channels], as b.
    check(xnn_create_fully_connected_nc_f32(
              n, n, n, n, b.data(), nullptr, -std::numeric_limits<float>::infinity(),
              std::numeric_limits<float>::infinity(), XNN_FLAG_TRANSPOSE_WEIGHTS, &op),
          "create fully connected");
    check(xnn_setup_fully_connected_nc_f32(op, n, a.data(), c.data(), pool), "setup");
    double ms = medianMs([&] { check(xnn_run_operator(op, pool), "run"); });
    add({"matMul 1024", "xnnpack fully connected", threads, ms, mmFlops / ms / 1e6,
         maxDiff(c, expected)});
    xnn_delete_operator(op);
    if (pool) pthreadpool_destroy(pool);
  }

  for (int threads : {1, 2}) {
    openblas_set_num_threads(threads);
    std::vector<float> patches(size_t(H) * W * K * K * C), y(size_t(H) * W * F);
    double ms = medianMs([&] {
      for (int oy = 0; oy < H; ++oy)
        for (int ox = 0; ox < W; ++ox)
          for (int ky = 0; ky < K; ++ky)
            for (int kx = 0; kx < K; ++kx) {
              int iy = oy + ky - 1, ix = ox + kx - 1;
              float* dst = &patches[((size_t(oy) * W + ox) * K * K + ky * K + kx) * C];
              if (iy < 0 || iy >= H || ix < 0 || ix >= W)
                std::fill(dst, dst + C, 0.0f);
              else
                std::copy_n(&x[(size_t(iy) * W + ix) * C], C, dst);
            }
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, H * W, F, K * K * C, 1, patches.data(),
                  K * K * C, f.data(), F, 0, y.data(), F);
    });
    add({"conv2d 56x56x64 3x3", "openblas im2col + sgemm", threads, ms, convFlops / ms / 1e6,
         maxDiff(y, convExpected)});
  }
  for (int threads : {1, 2}) {
    pthreadpool_t pool = threads > 1 ? pthreadpool_create(threads) : nullptr;
    // XNNPACK's filter layout is [out, kh, kw, in].
    std::vector<float> ohwi(f.size()), y(size_t(H) * W * F);
    for (int t = 0; t < K * K; ++t)
      for (int c = 0; c < C; ++c)
        for (int o = 0; o < F; ++o)
          ohwi[(size_t(o) * K * K + t) * C + c] = f[(size_t(t) * C + c) * F + o];
    xnn_operator_t op = nullptr;
    check(
        xnn_create_convolution2d_nhwc_f32(1, 1, 1, 1, K, K, 1, 1, 1, 1, 1, C, F, C, F, ohwi.data(),
                                          nullptr, -std::numeric_limits<float>::infinity(),
                                          std::numeric_limits<float>::infinity(), 0, &op),
        "create convolution");
    check(xnn_setup_convolution2d_nhwc_f32(op, 1, H, W, x.data(), y.data(), pool), "setup");
    double ms = medianMs([&] { check(xnn_run_operator(op, pool), "run"); });
    add({"conv2d 56x56x64 3x3", "xnnpack convolution", threads, ms, convFlops / ms / 1e6,
         maxDiff(y, convExpected)});
    xnn_delete_operator(op);
    if (pool) pthreadpool_destroy(pool);
  }

  std::printf(
      "\n| figure | candidate | threads | ms | GFLOP/s | max diff "
      "|\n|---|---|---:|---:|---:|---:|\n");
  for (const Row& r : rows)
    std::printf("| %s | %s | %d | %.2f | %.1f | %.2g |\n", r.figure.c_str(), r.candidate.c_str(),
                r.threads, r.ms, r.gflops, r.maxDiff);
  return 0;
}
