// C[b, m, n] = sum_k A[b, m, k] * B[b, k, n]; one fragment computes four adjacent n
// (texelValue), or a block of OUT_BLOCK_ROWS x OUT_BLOCK_SLICES such texels (texelBlock),
// then the fused bias and activation (glsl/fused_epilogue.glsl).
// Operands are stored [.., M, K] / [.., K, N], or [.., K, M] / [.., N, K] when
// TRANSPOSE_A / TRANSPOSE_B. Batch dimensions (up to 4) broadcast through per-operand
// strides. The k loop runs over whole texels of four; only the last, partial block
// guards rows past K (lanes past K are zero by the layout's padding rule).
// Uniforms (declared by the pass from C++): int M, int K, int N, int batchDims[4], int
// A_batchStrides[4], int B_batchStrides[4].

#if OUT_BLOCK > 1
// Register blocking. The kernel (engine/ops/matmul.cpp) runs it with A as rows x K (a
// batch of A is just more rows; never transposed) and B one K x N matrix (or N x K with
// TRANSPOSE_B). Per four k the fragment fetches OUT_BLOCK_ROWS texels of A and
// 4 x OUT_BLOCK_SLICES of B for 16 x OUT_BLOCK multiply-adds: 12 fetches per 128 at
// 8 x 1 or 4 x 2 targets, against 5 per 16 for one texel. Everything is spelled out per
// row by macros (OUT_BLOCK_ROWS 1, 2, 4 or 8; OUT_BLOCK_SLICES 1 or 2), without arrays:
// compilers that keep arrays in memory (SwiftShader) would otherwise lose the registers.
// (The per-row names come from BLOCK_ROWS, glsl/prelude.glsl.)
#if TRANSPOSE_B
#define PRODUCT(a, q0, q1, q2, q3) vec4(dot(a, q0), dot(a, q1), dot(a, q2), dot(a, q3))
#else
#define PRODUCT(a, q0, q1, q2, q3) (a.x * q0 + a.y * q1 + a.z * q2 + a.w * q3)
#endif
#define DECLARE_ROW(r, aRow, unused, acc0, acc1) int aRow = min(row + r * out_blockHeight, lastRow); vec4 acc0 = vec4(0.0); vec4 acc1 = vec4(0.0);
#if OUT_BLOCK_SLICES == 2
#define ROW_STEP(r, aRow, unused, acc0, acc1) { vec4 a = A_texel(aRow, kb); acc0 += PRODUCT(a, b00, b01, b02, b03); acc1 += PRODUCT(a, b10, b11, b12, b13); }
#define STORE_ROW(r, aRow, unused, acc0, acc1) block[r * 2] = epilogue(acc0, slice0); block[r * 2 + 1] = epilogue(acc1, slice1);
#else
#define ROW_STEP(r, aRow, unused, acc0, acc1) { vec4 a = A_texel(aRow, kb); acc0 += PRODUCT(a, b00, b01, b02, b03); }
#define STORE_ROW(r, aRow, unused, acc0, acc1) block[r] = epilogue(acc0, slice0);
#endif

void texelBlock(int row, int slice, out vec4 block[OUT_BLOCK]) {
  int lastRow = out_texels / out_slices - 1;
  BLOCK_ROWS(DECLARE_ROW)
  int slice0 = slice;
  int slice1 = min(slice + out_blockWidth, out_slices - 1);
  vec4 b00, b01, b02, b03, b10, b11, b12, b13;
#if TRANSPOSE_B
  // Rows n of B^T, four per output slice (clamped past N; those lanes are masked). B^T's
  // rows hold k in their lanes, zero past K like A's: every block is a full one.
  int n00 = slice0 * 4, n01 = min(n00 + 1, N - 1), n02 = min(n00 + 2, N - 1),
      n03 = min(n00 + 3, N - 1);
  int n10 = min(slice1 * 4, N - 1), n11 = min(slice1 * 4 + 1, N - 1),
      n12 = min(slice1 * 4 + 2, N - 1), n13 = min(slice1 * 4 + 3, N - 1);
  int blocks = (K + 3) >> 2;
  for (int kb = 0; kb < blocks; ++kb) {
    b00 = B_texel(n00, kb); b01 = B_texel(n01, kb); b02 = B_texel(n02, kb); b03 = B_texel(n03, kb);
#if OUT_BLOCK_SLICES == 2
    b10 = B_texel(n10, kb); b11 = B_texel(n11, kb); b12 = B_texel(n12, kb); b13 = B_texel(n13, kb);
#endif
    BLOCK_ROWS(ROW_STEP)
  }
#else
#if OUT_BLOCK_SLICES == 2
#define LOAD_B(k0, count) LOAD_FOUR_ROWS(B_texel, k0, slice0, count, b00, b01, b02, b03) LOAD_FOUR_ROWS(B_texel, k0, slice1, count, b10, b11, b12, b13)
#else
#define LOAD_B(k0, count) LOAD_FOUR_ROWS(B_texel, k0, slice0, count, b00, b01, b02, b03)
#endif
  int fullBlocks = K >> 2;
  for (int kb = 0; kb < fullBlocks; ++kb) {
    LOAD_B(kb * 4, 4)
    BLOCK_ROWS(ROW_STEP)
  }
  int rest = K - fullBlocks * 4;
  if (rest > 0) {
    // B's rows past K are not B's (LOAD_FOUR_ROWS zeroes them).
    int kb = fullBlocks;
    LOAD_B(kb * 4, rest)
    BLOCK_ROWS(ROW_STEP)
  }
#endif
  BLOCK_ROWS(STORE_ROW)
}
#else
int batchMatrix(int batch, int strides[4]) {
  int index = 0;
  for (int d = 3; d >= 0; --d) {
    int quotient = batch / batchDims[d];
    index += (batch - quotient * batchDims[d]) * strides[d];
    batch = quotient;
  }
  return index;
}

// A[m, k0 .. k0+3] as a vec4 (zeros past K).
vec4 loadA(int aBase, int m, int k0) {
#if TRANSPOSE_A
  int lane = m & 3;
  int slice = m >> 2;
  vec4 v = vec4(0.0);
  v.x = A_texel(aBase + k0, slice)[lane];
  if (k0 + 1 < K) v.y = A_texel(aBase + k0 + 1, slice)[lane];
  if (k0 + 2 < K) v.z = A_texel(aBase + k0 + 2, slice)[lane];
  if (k0 + 3 < K) v.w = A_texel(aBase + k0 + 3, slice)[lane];
  return v;
#else
  return A_texel(aBase + m, k0 >> 2);
#endif
}

vec4 texelValue(int row, int slice) {
  int batch = row / M;
  int m = row - batch * M;
#if TRANSPOSE_A
  int aBase = batchMatrix(batch, A_batchStrides) * K;
#else
  int aBase = batchMatrix(batch, A_batchStrides) * M;
#endif
#if TRANSPOSE_B
  int bBase = batchMatrix(batch, B_batchStrides) * N;
  // Rows n0..n0+3 of B^T; rows past N are clamped (their lanes are masked on output).
  int n0 = slice * 4;
  int r0 = bBase + n0;
  int r1 = bBase + min(n0 + 1, N - 1);
  int r2 = bBase + min(n0 + 2, N - 1);
  int r3 = bBase + min(n0 + 3, N - 1);
#else
  int bBase = batchMatrix(batch, B_batchStrides) * K;
#endif
  vec4 acc = vec4(0.0);
  int fullBlocks = K >> 2;
  for (int block = 0; block < fullBlocks; ++block) {
    int k0 = block * 4;
    vec4 a = loadA(aBase, m, k0);
#if TRANSPOSE_B
    acc += vec4(dot(a, B_texel(r0, block)), dot(a, B_texel(r1, block)),
                dot(a, B_texel(r2, block)), dot(a, B_texel(r3, block)));
#else
    acc += a.x * B_texel(bBase + k0, slice) + a.y * B_texel(bBase + k0 + 1, slice) +
           a.z * B_texel(bBase + k0 + 2, slice) + a.w * B_texel(bBase + k0 + 3, slice);
#endif
  }
  int rest = K - fullBlocks * 4;
  if (rest > 0) {
    int k0 = fullBlocks * 4;
    vec4 a = loadA(aBase, m, k0);
#if TRANSPOSE_B
    acc += vec4(dot(a, B_texel(r0, fullBlocks)), dot(a, B_texel(r1, fullBlocks)),
                dot(a, B_texel(r2, fullBlocks)), dot(a, B_texel(r3, fullBlocks)));
#else
    acc += a.x * B_texel(bBase + k0, slice);
    if (rest > 1) acc += a.y * B_texel(bBase + k0 + 1, slice);
    if (rest > 2) acc += a.z * B_texel(bBase + k0 + 2, slice);
#endif
  }
  return epilogue(acc, slice);
}
#endif
