// The gradient of maxPool (POOL_MAX) or avgPool with respect to its input. The window
// uniforms describe the forward pool ("in" is this op's output, "out" the pool's output).
// Input pixel (iy, ix) collects from every window that covers it: with avgPool dy /
// (in-bounds taps of that window); with maxPool dy where the input equals the window's
// maximum (X is the pool's input, Y its output; ties all receive the gradient).
vec4 texelValue(int row, int slice) {
  int ix = row % inW;
  int rest = row / inW;
  int iy = rest % inH;
  int n = rest / inH;
#if POOL_MAX
  vec4 x = X_texel(row, slice);
#endif
  vec4 acc = vec4(0.0);
  int yFirst = max(0, (iy + padTop - kernelH + strideH) / strideH);
  int yLast = min(outH - 1, (iy + padTop) / strideH);
  int xFirst = max(0, (ix + padLeft - kernelW + strideW) / strideW);
  int xLast = min(outW - 1, (ix + padLeft) / strideW);
  for (int oy = yFirst; oy <= yLast; ++oy) {
    int top = oy * strideH - padTop;
    if (iy < top || iy >= top + kernelH) continue;
    for (int ox = xFirst; ox <= xLast; ++ox) {
      int left = ox * strideW - padLeft;
      if (ix < left || ix >= left + kernelW) continue;
      int outRow = (n * outH + oy) * outW + ox;
      vec4 g = DY_texel(outRow, slice);
#if POOL_MAX
      acc += mix(vec4(0.0), g, equal(x, Y_texel(outRow, slice)));
#else
      int taps = (min(top + kernelH, inH) - max(top, 0)) * (min(left + kernelW, inW) - max(left, 0));
      acc += g / float(taps);
#endif
    }
  }
  return acc;
}
