// Shared by resize and crop_and_resize: pixels of the NHWC image X (inH x inW), four
// channels per texel, and bilinear interpolation between four of them as TensorFlow
// computes it (top and bottom rows first, then between them).
// Uniforms (declared by the pass from C++): int inH, int inW.

vec4 pixel(int n, int y, int x, int slice) { return X_texel((n * inH + y) * inW + x, slice); }

vec4 bilinear(int n, int y0, int y1, int x0, int x1, float wy, float wx, int slice) {
  vec4 topLeft = pixel(n, y0, x0, slice);
  vec4 top = topLeft + (pixel(n, y0, x1, slice) - topLeft) * wx;
  vec4 bottomLeft = pixel(n, y1, x0, slice);
  vec4 bottom = bottomLeft + (pixel(n, y1, x1, slice) - bottomLeft) * wx;
  return top + (bottom - top) * wy;
}
