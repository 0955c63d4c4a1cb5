// y[i0..i5] = x[k0..k5] with, per dimension d (right-aligned in 6 slots),
// k = mapBegin[d] + i * mapStep[d], then by mapMode[d]:
//   0 as is, 1 modulo the input size (tile), 2 padValue outside the input (constant
//   pad), 3 reflect at the edges without repeating them, 4 symmetric (repeating them).
// slice, stridedSlice, reverse, tile, pad and broadcastTo are all such maps.
// LAST_DIRECT: the last dimension is read from texel slice + lastTexelOffset unchanged.
// Uniforms (declared by the pass from C++): int outDims[6], int mapBegin[6], int mapStep[6], int
// mapMode[6], int inDims[6], int inRowStride[6], int lastTexelOffset, float padValue.

// False when output index i of dimension d falls into constant padding.
bool mapIndex(int d, int i, out int k) {
  k = mapBegin[d] + i * mapStep[d];
  int n = inDims[d];
  int mode = mapMode[d];
  if (mode == 1) {
    k -= (k / n) * n;
  } else if (mode == 2) {
    return k >= 0 && k < n;
  } else if (mode == 3) {
    if (k < 0) k = -k;
    if (k >= n) k = 2 * (n - 1) - k;
  } else if (mode == 4) {
    if (k < 0) k = -k - 1;
    if (k >= n) k = 2 * n - 1 - k;
  }
  return true;
}

vec4 texelValue(int row, int slice) {
  int inRow = 0;
  bool inside = true;
  int rest = row;
  for (int d = 4; d >= 0; --d) {
    int quotient = rest / outDims[d];
    int k;
    bool ok = mapIndex(d, rest - quotient * outDims[d], k);
    inside = inside && ok;
    inRow += k * inRowStride[d];
    rest = quotient;
  }
  if (!inside) return vec4(padValue);
#if LAST_DIRECT
  return X_texel(inRow, slice + lastTexelOffset);
#else
  vec4 result = vec4(padValue);
  for (int lane = 0; lane < 4; ++lane) {
    int j = slice * 4 + lane;
    int k;
    if (j < out_last && mapIndex(5, j, k)) result[lane] = X_at(inRow, k);
  }
  return result;
#endif
}
