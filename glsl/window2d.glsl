// The window geometry shared by conv2d, depthwiseConv2d, conv2dTranspose, pooling and
// their gradients: an NHWC input X of inH x inW x channels and an output of outH x outW;
// output row r is pixel (n, oy, ox) with r = (n * outH + oy) * outW + ox, and input pixel
// (n, iy, ix) is row (n * inH + iy) * inW + ix of X. Tap (ky, kx) of output pixel (oy, ox)
// reads iy = oy * strideH - padTop + ky * dilationH (likewise ix).
// Uniforms (declared by the pass from C++): int inH, inW, channels, outH, outW, kernelH,
// kernelW, strideH, strideW, dilationH, dilationW, padTop, padLeft. Gradients that run the
// window backwards keep the forward op's names ("in" is the forward input).

// (n, oy, ox) of output row `row`.
ivec3 outputPixel(int row) {
  int ox = row % outW;
  int rest = row / outW;
  return ivec3(rest / outH, rest % outH, ox);
}
// (n, iy, ix) of input row `row`.
ivec3 inputPixel(int row) {
  int ix = row % inW;
  int rest = row / inW;
  return ivec3(rest / inH, rest % inH, ix);
}

// The first and last taps along one axis whose input coordinate lies in [0, size):
// origin + k * dilation inside for first <= k <= last (last < first: none).
ivec2 tapRange(int origin, int dilation, int kernel, int size) {
  int first = origin >= 0 ? 0 : (-origin + dilation - 1) / dilation;
  int last = origin + (kernel - 1) * dilation < size ? kernel - 1 : (size - 1 - origin) / dilation;
  return ivec2(first, last);
}
// The in-bounds taps of output pixel p: ky in [.x, .y], kx in [.z, .w].
ivec4 windowTaps(ivec3 p) {
  ivec2 y = tapRange(p.y * strideH - padTop, dilationH, kernelH, inH);
  ivec2 x = tapRange(p.z * strideW - padLeft, dilationW, kernelW, inW);
  return ivec4(y, x);
}
// The input row that tap (ky, kx) of output pixel p reads, or -1 when the tap falls
// outside the input (never for taps from windowTaps).
int tapRow(ivec3 p, int ky, int kx) {
  int iy = p.y * strideH - padTop + ky * dilationH;
  int ix = p.z * strideW - padLeft + kx * dilationW;
  if (iy < 0 || iy >= inH || ix < 0 || ix >= inW) return -1;
  return (p.x * inH + iy) * inW + ix;
}
// For kernels that walk the whole kernel for several output rows at once (blocked
// passes): the window of output row `row` as its first tap's input y and x, and n * inH.
ivec3 windowOrigin(int row) {
  ivec3 p = outputPixel(row);
  return ivec3(p.y * strideH - padTop, p.z * strideW - padLeft, p.x * inH);
}
// The input row tap (ky, kx) of window `o` reads, or -1 outside the input.
int tapRowFrom(ivec3 o, int ky, int kx) {
  int iy = o.x + ky * dilationH;
  int ix = o.y + kx * dilationW;
  return iy < 0 || iy >= inH || ix < 0 || ix >= inW ? -1 : (o.z + iy) * inW + ix;
}

// Loops over the taps of a window (range from windowTaps):
// FOR_EACH_TAP(range) { ... ky, kx ... }.
#define FOR_EACH_TAP(range) for (int ky = range.x; ky <= range.y; ++ky) for (int kx = range.z; kx <= range.w; ++kx)

// The reverse walk, for gradients: the output windows (oy, ox) whose taps cover input
// pixel q, oy in [.x, .y] and ox in [.z, .w] (some of them may still miss q between
// dilated taps; coveringTap says which tap hits it, or -1).
ivec4 coveringWindows(ivec3 q) {
  int spanH = (kernelH - 1) * dilationH;
  int spanW = (kernelW - 1) * dilationW;
  return ivec4(max(0, (q.y + padTop - spanH + strideH - 1) / strideH),
               min(outH - 1, (q.y + padTop) / strideH),
               max(0, (q.z + padLeft - spanW + strideW - 1) / strideW),
               min(outW - 1, (q.z + padLeft) / strideW));
}
// The tap index along one axis of window `o` that reads input coordinate i, or -1.
int coveringTap(int i, int o, int stride, int pad, int dilation, int kernel) {
  int offset = i + pad - o * stride;
  if (offset < 0 || offset % dilation != 0 || offset / dilation >= kernel) return -1;
  return offset / dilation;
}
// Loops over the windows covering an input pixel (range from coveringWindows):
// FOR_EACH_WINDOW(range) { ... oy, ox ... }.
#define FOR_EACH_WINDOW(range) for (int oy = range.x; oy <= range.y; ++oy) for (int ox = range.z; ox <= range.w; ++ox)
