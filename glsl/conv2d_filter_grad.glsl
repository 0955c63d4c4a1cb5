// The gradient of conv2d with respect to its filter: dF[ky, kx, c, o] = sum over output
// positions p = (n, oy, ox) of x[n, iy, ix, c] * dy[n, oy, ox, o] with iy = oy * strideH -
// padTop + ky * dilationH (likewise ix). The positions are cut into groups of
// positionsPerGroup, each summed by its own fragments (output row group * filterRows +
// filter row), so a small filter still spreads over many fragments and no loop runs past
// the loop limit; the caller sums the groups. Filter row (ky * kernelW + kx) * channels + c,
// four output channels per fragment.
// Uniforms (declared by the pass from C++): int positionsPerGroup, int positionCount.

vec4 texelValue(int row, int slice) {
  int filterRows = kernelH * kernelW * channels;
  int group = row / filterRows;
  row -= group * filterRows;
  int c = row % channels;
  int k = row / channels;
  int kx = k % kernelW;
  int ky = k / kernelW;
  int begin = group * positionsPerGroup;
  int end = min(begin + positionsPerGroup, positionCount);
  vec4 acc = vec4(0.0);
  for (int position = begin; position < end; ++position) {
    int xRow = tapRow(outputPixel(position), ky, kx);
    if (xRow >= 0) acc += X_at(xRow, c) * DY_texel(position, slice);
  }
  return acc;
}
