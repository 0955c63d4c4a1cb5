// resizeBilinear / resizeNearestNeighbor of X [n, inH, inW, channels] to
// [n, outH, outW, channels], four channels per fragment. Source coordinates follow
// TensorFlow: ALIGN_CORNERS maps corner pixels onto corner pixels (scale (in-1)/(out-1)),
// HALF_PIXEL samples at pixel centres, otherwise src = dst * in / out.
// Uniforms (declared by the pass from C++): int outH, int outW, float scaleH, float scaleW.

#if NEAREST
int nearestSource(int dst, float s, int size) {
#if ALIGN_CORNERS
  int src = int(floor(float(dst) * s + 0.5));  // round half away from zero (src >= 0)
#elif HALF_PIXEL
  int src = int(floor((float(dst) + 0.5) * s));
#else
  int src = int(floor(float(dst) * s));
#endif
  return clamp(src, 0, size - 1);
}
#else
// Lower and upper source index and the weight of the upper one.
void linearSource(int dst, float s, int size, out int lower, out int upper, out float weight) {
#if HALF_PIXEL
  float src = (float(dst) + 0.5) * s - 0.5;
#else
  float src = float(dst) * s;
#endif
  float below = floor(src);
  lower = max(int(below), 0);
  upper = min(int(ceil(src)), size - 1);
  weight = src - below;
}
#endif

vec4 texelValue(int row, int slice) {
  int ox = row % outW;
  int rest = row / outW;
  int oy = rest % outH;
  int n = rest / outH;
#if NEAREST
  return pixel(n, nearestSource(oy, scaleH, inH), nearestSource(ox, scaleW, inW), slice);
#else
  int y0, y1, x0, x1;
  float wy, wx;
  linearSource(oy, scaleH, inH, y0, y1, wy);
  linearSource(ox, scaleW, inW, x0, x1, wx);
  return bilinear(n, y0, y1, x0, x1, wy, wx, slice);
#endif
}
