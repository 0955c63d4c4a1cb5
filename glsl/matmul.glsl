// C[b, m, n] = sum_k A[b, m, k] * B[b, k, n]; one fragment computes four adjacent n,
// then the fused bias and activation (glsl/fused_epilogue.glsl).
// Operands are stored [.., M, K] / [.., K, N], or [.., K, M] / [.., N, K] when
// TRANSPOSE_A / TRANSPOSE_B. Batch dimensions (up to 4) broadcast through per-operand
// strides. The k loop runs over whole texels of four; only the last, partial block
// guards rows past K (lanes past K are zero by the layout's padding rule).
// Uniforms (declared by the pass from C++): int M, int K, int N, int batchDims[4], int
// A_batchStrides[4], int B_batchStrides[4].

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
