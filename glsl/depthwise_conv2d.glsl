// y[n, oy, ox, c * M + m] = sum over (ky, kx) of x[n, iy, ix, c] * f[ky, kx, c, m], with
// taps placed as in conv2d. F is the filter viewed as [kernelH * kernelW, channels * M],
// so one filter texel holds the four output channels of this fragment.
// Uniforms (declared by the pass from C++): int multiplier (M).

#if OUT_BLOCK > 1
// Register blocking (multiplier 1 only): OUT_BLOCK_ROWS output pixels, out_blockHeight
// rows apart, share each tap's filter texel: per tap 1 + OUT_BLOCK_ROWS fetches for
// 4 x OUT_BLOCK_ROWS multiply-adds (one texel: 2 per 4). Rows spelled out by macros.
#define DECLARE_ROW(r, o, unused, acc, unusedAcc) ivec3 o = windowOrigin(min(row + r * out_blockHeight, lastRow)); vec4 acc = vec4(0.0);
#define ROW_STEP(r, o, unused, acc, unusedAcc) { int t = tapRowFrom(o, ky, kx); if (t >= 0) acc += X_texel(t, slice) * f; }
#define STORE_ROW(r, o, unused, acc, unusedAcc) block[r] = acc;

void texelBlock(int row, int slice, out vec4 block[OUT_BLOCK]) {
  int lastRow = out_texels / out_slices - 1;
  BLOCK_ROWS(DECLARE_ROW)
  for (int ky = 0; ky < kernelH; ++ky)
    for (int kx = 0; kx < kernelW; ++kx) {
      vec4 f = F_texel(ky * kernelW + kx, slice);
      BLOCK_ROWS(ROW_STEP)
    }
  BLOCK_ROWS(STORE_ROW)
}
#else
vec4 texelValue(int row, int slice) {
  ivec3 p = outputPixel(row);
  ivec4 taps = windowTaps(p);
  vec4 acc = vec4(0.0);
  int oc = slice * 4;
  FOR_EACH_TAP(taps) {
    int xRow = tapRow(p, ky, kx);
    vec4 x;
    if (multiplier == 1) {
      x = X_texel(xRow, slice);
    } else {
      for (int lane = 0; lane < 4; ++lane)
        x[lane] = X_at(xRow, min((oc + lane) / multiplier, channels - 1));
    }
    acc += x * F_texel(ky * kernelW + kx, slice);
  }
  return acc;
}
#endif
