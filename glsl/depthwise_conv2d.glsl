// y[n, oy, ox, c * M + m] = sum over (ky, kx) of x[n, iy, ix, c] * f[ky, kx, c, m], with
// taps placed as in conv2d. F is the filter viewed as [kernelH * kernelW, channels * M],
// so one filter texel holds the four output channels of this fragment.
// Uniforms (declared by the pass from C++): int multiplier (M).

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
