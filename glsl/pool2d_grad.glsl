// The gradient of maxPool (POOL_MAX) or avgPool with respect to its input. The window
// uniforms describe the forward pool ("in" is this op's output, "out" the pool's output).
// Input pixel (iy, ix) collects from every window that covers it: with avgPool dy /
// (in-bounds taps of that window); with maxPool dy where the input equals the window's
// maximum (X is the pool's input, Y its output; ties all receive the gradient).
vec4 texelValue(int row, int slice) {
  ivec3 q = inputPixel(row);
#if POOL_MAX
  vec4 x = X_texel(row, slice);
#endif
  vec4 acc = vec4(0.0);
  // Pool windows are undilated, so every covering window holds this pixel.
  ivec4 windows = coveringWindows(q);
  FOR_EACH_WINDOW(windows) {
    int outRow = (q.x * outH + oy) * outW + ox;
    vec4 g = DY_texel(outRow, slice);
#if POOL_MAX
    acc += mix(vec4(0.0), g, equal(x, Y_texel(outRow, slice)));
#else
    ivec4 taps = windowTaps(ivec3(q.x, oy, ox));
    acc += g / float((taps.y - taps.x + 1) * (taps.w - taps.z + 1));
#endif
  }
  return acc;
}
