// The gradient of conv2d with respect to its filter: dF[ky, kx, c, o] = sum over output
// positions p = (n, oy, ox) of x[n, iy, ix, c] * dy[n, oy, ox, o] with iy = oy * strideH -
// padTop + ky * dilationH (likewise ix). One pass sums positions [positionBegin,
// positionEnd), so that no shader loop runs past the loop limit; passes are added.
// Output row (ky * kernelW + kx) * channels + c, four output channels per fragment.
uniform int positionBegin;
uniform int positionEnd;

vec4 texelValue(int row, int slice) {
  int c = row % channels;
  int k = row / channels;
  int kx = k % kernelW;
  int ky = k / kernelW;
  vec4 acc = vec4(0.0);
  for (int p = positionBegin; p < positionEnd; ++p) {
    int ox = p % outW;
    int rest = p / outW;
    int oy = rest % outH;
    int n = rest / outH;
    int iy = oy * strideH - padTop + ky * dilationH;
    int ix = ox * strideW - padLeft + kx * dilationW;
    if (iy < 0 || iy >= inH || ix < 0 || ix >= inW) continue;
    acc += X_at((n * inH + iy) * inW + ix, c) * DY_texel(p, slice);
  }
  return acc;
}
