// y = BINARY_OP(a, b) with NumPy broadcasting.
//  SAME_SHAPE: both inputs have the output's shape, hence its layout: read the texel at
//              this fragment's own position.
//  otherwise:  the output's rows (all dimensions but the last) are walked as ROW_RANK
//              merged dimensions rowDims; an input's row is sum(index[d] * X_rowStrides[d])
//              (stride 0 where the input is broadcast). X_SPLAT: the input's last
//              dimension is 1 and is repeated across the output's last dimension.
#if !SAME_SHAPE
uniform int rowDims[ROW_RANK];
uniform int A_rowStrides[ROW_RANK];
uniform int B_rowStrides[ROW_RANK];

int broadcastRow(int row, int strides[ROW_RANK]) {
  int index = 0;
  for (int d = ROW_RANK - 1; d >= 0; --d) {
    int quotient = row / rowDims[d];
    index += (row - quotient * rowDims[d]) * strides[d];
    row = quotient;
  }
  return index;
}
#endif

vec4 texelValue(int row, int slice) {
#if SAME_SHAPE
  ivec2 pixel = ivec2(gl_FragCoord.xy);
  vec4 a = texelFetch(A, pixel, 0);
  vec4 b = texelFetch(B, pixel, 0);
#else
#if A_SPLAT
  vec4 a = vec4(A_texel(broadcastRow(row, A_rowStrides), 0).x);
#else
  vec4 a = A_texel(broadcastRow(row, A_rowStrides), slice);
#endif
#if B_SPLAT
  vec4 b = vec4(B_texel(broadcastRow(row, B_rowStrides), 0).x);
#else
  vec4 b = B_texel(broadcastRow(row, B_rowStrides), slice);
#endif
#endif
  return BINARY_OP(a, b);
}
