// y = BINARY_OP(a, b, c) with NumPy broadcasting over two inputs A, B, or three when HAS_C
// (where). Without C, c is 0.
//  SAME_SHAPE: every input has the output's shape, hence its layout: read the texel at
//              this fragment's own position.
//  otherwise:  the output's rows (all dimensions but the last) are walked as ROW_RANK
//              merged dimensions rowDims; an input's row is sum(index[d] * X_rowStrides[d])
//              (stride 0 where the input is broadcast). X_SPLAT: the input's last
//              dimension is 1 and is repeated across the output's last dimension.
// Uniforms (declared by the pass from C++), unless SAME_SHAPE: int rowDims[ROW_RANK] and
// int A_rowStrides[ROW_RANK], B_rowStrides, C_rowStrides (with HAS_C).
#if !SAME_SHAPE
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
  vec4 a = texelFetch(A, ivec2(gl_FragCoord.xy), 0);
  vec4 b = texelFetch(B, ivec2(gl_FragCoord.xy), 0);
#if HAS_C
  vec4 c = texelFetch(C, ivec2(gl_FragCoord.xy), 0);
#endif
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
#if HAS_C
#if C_SPLAT
  vec4 c = vec4(C_texel(broadcastRow(row, C_rowStrides), 0).x);
#else
  vec4 c = C_texel(broadcastRow(row, C_rowStrides), slice);
#endif
#endif
#endif
#if !HAS_C
  vec4 c = vec4(0.0);
#endif
  return BINARY_OP(a, b, c);
}
