// The transpose of conv2d (the gradient of conv2d with respect to its input): X is
// [n, inH, inW, inChannels] (conv2d's output) and the result [n, outH, outW, outC]
// (conv2d's input). Output pixel (oy, ox) gathers every input pixel (iy, ix) whose
// window covers it: oy = iy * strideH - padTop + ky * dilationH. F is the filter
// [kernelH, kernelW, outC, inChannels] viewed as rows (ky * kernelW + kx) * outC + co.
// Uniforms (declared by the pass from C++): int outC.

vec4 texelValue(int row, int slice) {
  // Here the window uniforms describe the forward conv2d: "in" is this op's output, and
  // the forward windows covering this pixel are the input pixels that contribute.
  ivec3 q = inputPixel(row);
  vec4 acc = vec4(0.0);
  int co0 = slice * 4;
  int co1 = min(co0 + 1, outC - 1);
  int co2 = min(co0 + 2, outC - 1);
  int co3 = min(co0 + 3, outC - 1);
  ivec4 windows = coveringWindows(q);
  FOR_EACH_WINDOW(windows) {
    int ky = coveringTap(q.y, oy, strideH, padTop, dilationH, kernelH);
    int kx = coveringTap(q.z, ox, strideW, padLeft, dilationW, kernelW);
    if (ky < 0 || kx < 0) continue;
    int xRow = (q.x * outH + oy) * outW + ox;
    int fRow = (ky * kernelW + kx) * outC;
    for (int block = 0; block < X_slices; ++block) {
      vec4 x = X_texel(xRow, block);
      acc += vec4(dot(x, F_texel(fRow + co0, block)), dot(x, F_texel(fRow + co1, block)),
                  dot(x, F_texel(fRow + co2, block)), dot(x, F_texel(fRow + co3, block)));
    }
  }
  return acc;
}
