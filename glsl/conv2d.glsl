// y[n, oy, ox, o] = sum over (ky, kx, c) of x[n, iy, ix, c] * f[ky, kx, c, o] with
// iy = oy * strideH - padTop + ky * dilationH (likewise ix); out-of-bounds taps add 0.
// The fused bias and activation follow (glsl/fused_epilogue.glsl).
// One fragment computes four output channels; each step reads one input texel (four
// channels) and four filter texels: 16 multiply-adds for 5 fetches. Filter row
// (ky * kernelW + kx) * channels + c holds output channels packed by four.
vec4 texelValue(int row, int slice) {
  ivec3 p = outputPixel(row);
  ivec4 taps = windowTaps(p);
  vec4 acc = vec4(0.0);
  int fullBlocks = channels >> 2;
  int rest = channels - fullBlocks * 4;
  FOR_EACH_TAP(taps) {
    int xRow = tapRow(p, ky, kx);
    int fRow = (ky * kernelW + kx) * channels;
    for (int block = 0; block < fullBlocks; ++block) {
      vec4 x = X_texel(xRow, block);
      int c = fRow + block * 4;
      acc += x.x * F_texel(c, slice) + x.y * F_texel(c + 1, slice) +
             x.z * F_texel(c + 2, slice) + x.w * F_texel(c + 3, slice);
    }
    if (rest > 0) {
      vec4 x = X_texel(xRow, fullBlocks);
      int c = fRow + fullBlocks * 4;
      acc += x.x * F_texel(c, slice);
      if (rest > 1) acc += x.y * F_texel(c + 1, slice);
      if (rest > 2) acc += x.z * F_texel(c + 2, slice);
    }
  }
  return epilogue(acc, slice);
}
