#include "apps/bench/packing.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>

#include "engine/core/error.h"
#include "engine/gl/gl_api.h"
#include "engine/gl/gl_check.h"
#include "engine/gl/gl_objects.h"
#include "engine/gl/program_cache.h"
#include "engine/verify/verify.h"

namespace texel::bench {

namespace {

// Raw shaders, deliberately outside glsl/: they are an experiment, not engine kernels.
constexpr const char* kHeader = R"(#version 300 es
precision highp float;
precision highp int;
precision highp sampler2D;
uniform highp sampler2D A;
uniform highp sampler2D B;
uniform int K;
uniform int H;
uniform int W;
uniform int C;
out vec4 result;
)";

// C = A x B, C4: A texel (k/4, m) holds A[m, k..k+3]; B and C likewise by rows.
constexpr const char* kMatMulC4 = R"(
void main() {
  ivec2 p = ivec2(gl_FragCoord.xy);
  vec4 acc = vec4(0.0);
  for (int k0 = 0; k0 < K; k0 += 4) {
    vec4 a = texelFetch(A, ivec2(k0 >> 2, p.y), 0);
    acc += a.x * texelFetch(B, ivec2(p.x, k0), 0) + a.y * texelFetch(B, ivec2(p.x, k0 + 1), 0) +
           a.z * texelFetch(B, ivec2(p.x, k0 + 2), 0) + a.w * texelFetch(B, ivec2(p.x, k0 + 3), 0);
  }
  result = acc;
})";

// C = A x B, 2x2 blocks: texel (c/2, r/2) holds [r,c], [r,c+1], [r+1,c], [r+1,c+1].
constexpr const char* kMatMulBlock = R"(
void main() {
  ivec2 p = ivec2(gl_FragCoord.xy);
  vec4 acc = vec4(0.0);
  for (int k2 = 0; k2 < K / 2; ++k2) {
    vec4 a = texelFetch(A, ivec2(k2, p.y), 0);
    vec4 b = texelFetch(B, ivec2(p.x, k2), 0);
    acc += a.xxzz * b.xyxy + a.yyww * b.zwzw;
  }
  result = acc;
})";

// 3x3 'same' conv2d, stride 1, NHWC with N = 1: X is the [H*W, C] matrix, the filter the
// [9*C, CO] matrix; output [H*W, CO]. C4: one fragment = one pixel x four channels.
constexpr const char* kConvC4 = R"(
void main() {
  ivec2 p = ivec2(gl_FragCoord.xy);
  int y = p.y / W;
  int x = p.y - y * W;
  vec4 acc = vec4(0.0);
  for (int ky = 0; ky < 3; ++ky) {
    int iy = y + ky - 1;
    if (iy < 0 || iy >= H) continue;
    for (int kx = 0; kx < 3; ++kx) {
      int ix = x + kx - 1;
      if (ix < 0 || ix >= W) continue;
      int row = iy * W + ix;
      int f = (ky * 3 + kx) * C;
      for (int c4 = 0; c4 < C / 4; ++c4, f += 4) {
        vec4 v = texelFetch(A, ivec2(c4, row), 0);
        acc += v.x * texelFetch(B, ivec2(p.x, f), 0) + v.y * texelFetch(B, ivec2(p.x, f + 1), 0) +
               v.z * texelFetch(B, ivec2(p.x, f + 2), 0) + v.w * texelFetch(B, ivec2(p.x, f + 3), 0);
      }
    }
  }
  result = acc;
})";

// The same conv in 2x2 blocks: one fragment = two horizontally adjacent pixels (W is even)
// x two channels. When the window's column is odd, the pixel pair straddles two texels.
constexpr const char* kConvBlock = R"(
void main() {
  ivec2 p = ivec2(gl_FragCoord.xy);
  int pixel = p.y * 2;
  int y = pixel / W;
  int x = pixel - y * W;
  vec4 acc = vec4(0.0);
  for (int ky = 0; ky < 3; ++ky) {
    int iy = y + ky - 1;
    if (iy < 0 || iy >= H) continue;
    for (int kx = 0; kx < 3; ++kx) {
      int ix = x + kx - 1;
      int first = iy * W + ix;
      int f2 = (ky * 3 + kx) * C / 2;
      if ((ix & 1) == 0) {
        for (int c2 = 0; c2 < C / 2; ++c2) {
          vec4 v = texelFetch(A, ivec2(c2, first >> 1), 0);
          vec4 w = texelFetch(B, ivec2(p.x, f2 + c2), 0);
          acc += v.xxzz * w.xyxy + v.yyww * w.zwzw;
        }
      } else {
        bool in0 = ix >= 0;
        bool in1 = ix + 1 < W;
        for (int c2 = 0; c2 < C / 2; ++c2) {
          vec4 t0 = in0 ? texelFetch(A, ivec2(c2, (first - 1) >> 1), 0) : vec4(0.0);
          vec4 t1 = in1 ? texelFetch(A, ivec2(c2, (first + 1) >> 1), 0) : vec4(0.0);
          vec4 v = vec4(t0.zw, t1.xy);
          vec4 w = texelFetch(B, ivec2(p.x, f2 + c2), 0);
          acc += v.xxzz * w.xyxy + v.yyww * w.zwzw;
        }
      }
    }
  }
  result = acc;
})";

struct Matrix {
  int rows = 0;
  int cols = 0;
  std::vector<float> values;  // row-major
};

struct PackedTexture {
  gl::TextureId texture;
  int width = 0;
  int height = 0;
};

enum class Packing { C4, Block };

int packedWidth(const Matrix& m, Packing packing) {
  return packing == Packing::C4 ? (m.cols + 3) / 4 : (m.cols + 1) / 2;
}
int packedHeight(const Matrix& m, Packing packing) {
  return packing == Packing::C4 ? m.rows : (m.rows + 1) / 2;
}
// Index of element (r, c) in the RGBA texel array of the packed texture.
size_t packedIndex(int r, int c, int width, Packing packing) {
  if (packing == Packing::C4) return (static_cast<size_t>(r) * width + c / 4) * 4 + c % 4;
  return (static_cast<size_t>(r / 2) * width + c / 2) * 4 + (r % 2) * 2 + c % 2;
}

PackedTexture makeTexture(int width, int height, const float* texels) {
  PackedTexture t;
  GLuint id = 0;
  glGenTextures(1, &id);
  t.texture = gl::TextureId(id);
  t.width = width;
  t.height = height;
  glBindTexture(GL_TEXTURE_2D, id);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA32F, width, height, 0, GL_RGBA, GL_FLOAT, texels);
  gl::checkGlError("packing benchmark: texture");
  return t;
}

PackedTexture upload(const Matrix& m, Packing packing) {
  int width = packedWidth(m, packing), height = packedHeight(m, packing);
  std::vector<float> texels(static_cast<size_t>(width) * height * 4, 0.0f);
  for (int r = 0; r < m.rows; ++r)
    for (int c = 0; c < m.cols; ++c)
      texels[packedIndex(r, c, width, packing)] = m.values[static_cast<size_t>(r) * m.cols + c];
  return makeTexture(width, height, texels.data());
}

struct Job {
  std::string name;
  Matrix a, b;      // inputs as matrices (conv: X as [H*W, C], filter as [9*C, CO])
  int outRows = 0;  // output matrix
  int outCols = 0;
  int k = 0, h = 0, w = 0, c = 0;
};

struct Timed {
  double medianMs = 0.0;
  std::vector<float> values;  // output matrix, row-major
};

using Clock = std::chrono::steady_clock;

// glFinish alone does not wait in WebGL; a one-texel readback of the bound target does.
void waitForGpu() {
  glFinish();
  float texel[4];
  glReadPixels(0, 0, 1, 1, GL_RGBA, GL_FLOAT, texel);
}

Timed run(gl::ProgramCache& programs, const Job& job, Packing packing, const char* body,
          int repetitions) {
  PackedTexture a = upload(job.a, packing), b = upload(job.b, packing);
  Matrix outShape{job.outRows, job.outCols, {}};
  int width = packedWidth(outShape, packing), height = packedHeight(outShape, packing);
  PackedTexture out = makeTexture(width, height, nullptr);

  GLuint framebuffer = 0, vertexArray = 0;
  glGenFramebuffers(1, &framebuffer);
  gl::FramebufferId framebufferOwner(framebuffer);
  glGenVertexArrays(1, &vertexArray);
  gl::VertexArrayId vertexArrayOwner(vertexArray);
  glBindFramebuffer(GL_FRAMEBUFFER, framebuffer);
  glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, out.texture.id(), 0);
  if (glCheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE)
    fail("packing benchmark: ", job.name, ": float framebuffer incomplete");

  gl::Program& program = programs.get(std::string(kHeader) + body, "packing benchmark");
  glUseProgram(program.id());
  glActiveTexture(GL_TEXTURE0);
  glBindTexture(GL_TEXTURE_2D, a.texture.id());
  glActiveTexture(GL_TEXTURE1);
  glBindTexture(GL_TEXTURE_2D, b.texture.id());
  glUniform1i(program.uniformLocation("A"), 0);
  glUniform1i(program.uniformLocation("B"), 1);
  glUniform1i(program.uniformLocation("K"), job.k);
  glUniform1i(program.uniformLocation("H"), job.h);
  glUniform1i(program.uniformLocation("W"), job.w);
  glUniform1i(program.uniformLocation("C"), job.c);
  glBindVertexArray(vertexArray);
  glViewport(0, 0, width, height);

  std::vector<double> times;
  for (int i = 0; i <= repetitions; ++i) {  // the first draw is the warmup
    waitForGpu();
    auto start = Clock::now();
    glDrawArrays(GL_TRIANGLES, 0, 3);
    waitForGpu();
    if (i > 0)
      times.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  gl::checkGlError("packing benchmark: draw");

  std::vector<float> texels(static_cast<size_t>(width) * height * 4);
  glReadPixels(0, 0, width, height, GL_RGBA, GL_FLOAT, texels.data());
  gl::checkGlError("packing benchmark: readPixels");
  glBindFramebuffer(GL_FRAMEBUFFER, 0);
  glBindVertexArray(0);

  Timed result;
  std::nth_element(times.begin(), times.begin() + times.size() / 2, times.end());
  result.medianMs = times[times.size() / 2];
  result.values.resize(static_cast<size_t>(job.outRows) * job.outCols);
  for (int r = 0; r < job.outRows; ++r)
    for (int c = 0; c < job.outCols; ++c)
      result.values[static_cast<size_t>(r) * job.outCols + c] =
          texels[packedIndex(r, c, width, packing)];
  return result;
}

Matrix randomMatrix(int rows, int cols, uint64_t seed) {
  return {rows, cols, verify::randomValues(int64_t{rows} * cols, seed)};
}

}  // namespace

std::vector<PackingResult> runPackingBenchmark(int repetitions, bool quick) {
  gl::ProgramCache programs;
  std::vector<Job> jobs;
  std::vector<int> sizes = quick ? std::vector<int>{256} : std::vector<int>{256, 512, 1024};
  for (int n : sizes) {
    Job job{"matMul " + std::to_string(n), randomMatrix(n, n, 1), randomMatrix(n, n, 2), n, n};
    job.k = n;
    jobs.push_back(std::move(job));
  }
  // Batch-1 dense layers, the shape of single-image inference (MNIST's dense 400 -> 128).
  for (auto [k, n] : std::vector<std::pair<int, int>>{{400, 128}, {1024, 1024}}) {
    Job job{"dense 1x" + std::to_string(k) + " . " + std::to_string(k) + "x" + std::to_string(n),
            randomMatrix(1, k, 5), randomMatrix(k, n, 6), 1, n};
    job.k = k;
    jobs.push_back(std::move(job));
  }
  int side = quick ? 28 : 56, channels = quick ? 32 : 64;
  Job conv{"conv2d 1x" + std::to_string(side) + "x" + std::to_string(side) + "x" +
               std::to_string(channels) + " 3x3",
           randomMatrix(side * side, channels, 3), randomMatrix(9 * channels, channels, 4),
           side * side, channels};
  conv.h = conv.w = side;
  conv.c = channels;
  jobs.push_back(std::move(conv));

  std::vector<PackingResult> results;
  for (const Job& job : jobs) {
    bool isConv = job.c > 0;
    Timed c4 = run(programs, job, Packing::C4, isConv ? kConvC4 : kMatMulC4, repetitions);
    Timed block =
        run(programs, job, Packing::Block, isConv ? kConvBlock : kMatMulBlock, repetitions);
    verify::Comparison agreement = verify::compare(block.values, c4.values);
    results.push_back({job.name, c4.medianMs, block.medianMs, agreement.maxRel});
  }
  return results;
}

}  // namespace texel::bench
