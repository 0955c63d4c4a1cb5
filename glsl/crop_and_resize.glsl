// cropAndResize: box b (BOXES row b: y1, x1, y2, x2 in [0, 1] image coordinates) of
// image BOX_INDEX[b] of X [n, inH, inW, channels], resampled to cropH x cropW, as
// TensorFlow's CropAndResize. Samples outside the image, and whole boxes whose index is
// outside the batch, take extrapolationValue.
// Uniforms (declared by the pass from C++): int batch, int cropH, int cropW, float
// extrapolationValue.

float sourceCoord(int dst, int cropSize, float a, float b, int size) {
  float extent = float(size - 1);
  if (cropSize > 1) return a * extent + float(dst) * ((b - a) * extent / float(cropSize - 1));
  return 0.5 * (a + b) * extent;
}

vec4 texelValue(int row, int slice) {
  int x = row % cropW;
  int rest = row / cropW;
  int y = rest % cropH;
  int b = rest / cropH;
  vec4 box = BOXES_texel(b, 0);
  int n = int(floor(BOX_INDEX_flat(b) + 0.5));
  float sy = sourceCoord(y, cropH, box.x, box.z, inH);
  float sx = sourceCoord(x, cropW, box.y, box.w, inW);
  if (n < 0 || n >= batch || sy < 0.0 || sy > float(inH - 1) || sx < 0.0 || sx > float(inW - 1))
    return vec4(extrapolationValue);
#if NEAREST
  return pixel(n, int(floor(sy + 0.5)), int(floor(sx + 0.5)), slice);
#else
  int y0 = int(floor(sy));
  int y1 = int(ceil(sy));
  int x0 = int(floor(sx));
  int x1 = int(ceil(sx));
  return bilinear(n, y0, y1, x0, x1, sy - float(y0), sx - float(x0), slice);
#endif
}
