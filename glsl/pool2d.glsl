// maxPool (POOL_MAX) or avgPool over kernelH x kernelW windows, four channels per
// fragment. Out-of-bounds taps are skipped: avgPool divides by the in-bounds count (as
// TensorFlow does for 'same' padding) and maxPool ignores them.
vec4 texelValue(int row, int slice) {
  ivec3 p = outputPixel(row);
  ivec4 taps = windowTaps(p);
#if POOL_MAX
  vec4 result = vec4(-infValue());
#else
  vec4 result = vec4(0.0);
#endif
  FOR_EACH_TAP(taps) {
    vec4 x = X_texel(tapRow(p, ky, kx), slice);
#if POOL_MAX
    result = maxNan(result, x);
#else
    result += x;
#endif
  }
#if POOL_MAX
  return result;
#else
  return result / float((taps.y - taps.x + 1) * (taps.w - taps.z + 1));
#endif
}
