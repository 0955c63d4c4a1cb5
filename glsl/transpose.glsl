// y = transpose(x, perm). Output dimension d (right-aligned in 6 slots) moves the input
// by rowStep[d] rows or lastStep[d] elements along its last axis. LAST_KEPT: the last
// axis stays last, so one input texel holds all four output lanes.
// Uniforms (declared by the pass from C++): int dims[6], int rowStep[6], int lastStep[6].

vec4 texelValue(int row, int slice) {
  // Unravel the output row over dims[0..4]; accumulate the input row and last index.
  int inRow = 0;
  int inLast = 0;
  int rest = row;
  for (int d = 4; d >= 0; --d) {
    int quotient = rest / dims[d];
    int i = rest - quotient * dims[d];
    inRow += i * rowStep[d];
    inLast += i * lastStep[d];
    rest = quotient;
  }
#if LAST_KEPT
  return X_texel(inRow, slice);
#else
  vec4 result = vec4(0.0);
  for (int lane = 0; lane < 4; ++lane) {
    int j = slice * 4 + lane;
    if (j < out_last) result[lane] = X_at(inRow + j * rowStep[5], inLast + j * lastStep[5]);
  }
  return result;
#endif
}
