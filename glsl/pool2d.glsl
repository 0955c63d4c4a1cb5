// maxPool (POOL_MAX) or avgPool over kernelH x kernelW windows, four channels per
// fragment. Out-of-bounds taps are skipped: avgPool divides by the in-bounds count (as
// TensorFlow does for 'same' padding) and maxPool ignores them.
vec4 texelValue(int row, int slice) {
  ivec3 p = outputPixel(row);
#if POOL_MAX
  vec4 result = vec4(-infValue());
#else
  vec4 result = vec4(0.0);
  int count = 0;
#endif
  for (int ky = 0; ky < kernelH; ++ky) {
    int iy = p.y * strideH - padTop + ky;
    if (iy < 0 || iy >= inH) continue;
    for (int kx = 0; kx < kernelW; ++kx) {
      int ix = p.z * strideW - padLeft + kx;
      if (ix < 0 || ix >= inW) continue;
      vec4 x = X_texel((p.x * inH + iy) * inW + ix, slice);
#if POOL_MAX
      result = maxNan(result, x);
#else
      result += x;
      ++count;
#endif
    }
  }
#if POOL_MAX
  return result;
#else
  return result / float(count);
#endif
}
