// Shared by conv2d and pool2d: an NHWC input X of inH x inW x channels and an output of
// outH x outW; output row r is pixel (n, oy, ox) with r = (n * outH + oy) * outW + ox.
// Input pixel (n, iy, ix) is row (n * inH + iy) * inW + ix of X.
uniform int inH;
uniform int inW;
uniform int channels;
uniform int outH;
uniform int outW;
uniform int kernelH;
uniform int kernelW;
uniform int strideH;
uniform int strideW;
uniform int dilationH;
uniform int dilationW;
uniform int padTop;
uniform int padLeft;

// Returns (n, oy, ox) of output row `row`.
ivec3 outputPixel(int row) {
  int ox = row % outW;
  int rest = row / outW;
  return ivec3(rest / outH, rest % outH, ox);
}
