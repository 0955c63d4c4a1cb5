// The transpose of conv2d (the gradient of conv2d with respect to its input): X is
// [n, inH, inW, inChannels] (conv2d's output) and the result [n, outH, outW, outC]
// (conv2d's input). Output pixel (oy, ox) gathers every input pixel (iy, ix) whose
// window covers it: oy = iy * strideH - padTop + ky * dilationH. F is the filter
// [kernelH, kernelW, outC, inChannels] viewed as rows (ky * kernelW + kx) * outC + co.
uniform int outC;

vec4 texelValue(int row, int slice) {
  // Here the window uniforms describe the forward conv2d: "in" is this op's output.
  int ox = row % inW;
  int rest = row / inW;
  int oy = rest % inH;
  int n = rest / inH;
  vec4 acc = vec4(0.0);
  int co0 = slice * 4;
  int co1 = min(co0 + 1, outC - 1);
  int co2 = min(co0 + 2, outC - 1);
  int co3 = min(co0 + 3, outC - 1);
  for (int ky = 0; ky < kernelH; ++ky) {
    int ty = oy + padTop - ky * dilationH;
    if (ty < 0 || ty % strideH != 0) continue;
    int iy = ty / strideH;
    if (iy >= outH) continue;
    for (int kx = 0; kx < kernelW; ++kx) {
      int tx = ox + padLeft - kx * dilationW;
      if (tx < 0 || tx % strideW != 0) continue;
      int ix = tx / strideW;
      if (ix >= outW) continue;
      int xRow = (n * outH + iy) * outW + ix;
      int fRow = (ky * kernelW + kx) * outC;
      for (int block = 0; block < X_slices; ++block) {
        vec4 x = X_texel(xRow, block);
        acc += vec4(dot(x, F_texel(fRow + co0, block)), dot(x, F_texel(fRow + co1, block)),
                    dot(x, F_texel(fRow + co2, block)), dot(x, F_texel(fRow + co3, block)));
      }
    }
  }
  return acc;
}
