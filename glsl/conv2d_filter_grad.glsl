// The gradient of conv2d with respect to its filter: dF[ky, kx, c, o] = sum over output
// positions p = (n, oy, ox) of x[n, iy, ix, c] * dy[n, oy, ox, o] with iy = oy * strideH -
// padTop + ky * dilationH (likewise ix). The positions are cut into groups of
// positionsPerGroup, each summed by its own fragments (output row group * filterRows +
// filter row), so a small filter still spreads over many fragments and no loop runs past
// the loop limit; the caller sums the groups. Filter row (ky * kernelW + kx) * channels + c,
// four output channels per fragment.
// Uniforms (declared by the pass from C++): int positionsPerGroup, int positionCount.

#if OUT_BLOCK > 1
// Blocked (4 x OUT_BLOCK_SLICES targets): block row r of fragment row i is filter row
// 4 * i + r, so the four rows share each dy texel; with CHANNEL_QUADS (channels a multiple
// of 4) they are four channels of one tap and share the input texel too: per position
// 1 + OUT_BLOCK_SLICES fetches for 16 x OUT_BLOCK_SLICES multiply-adds (plain: 2 per 4);
// otherwise 4 + OUT_BLOCK_SLICES. Output row r * out_blockHeight + group * quadRows + i;
// the caller sums the groups and puts the rows back in filter order.
#if OUT_BLOCK_SLICES == 2
#define DY_STEP(x) vec4 d1 = DY_texel(position, slice1); acc01 += x.x * d1; acc11 += x.y * d1; acc21 += x.z * d1; acc31 += x.w * d1;
#define STORE_SLICES block[0] = acc00; block[1] = acc01; block[2] = acc10; block[3] = acc11; block[4] = acc20; block[5] = acc21; block[6] = acc30; block[7] = acc31;
#else
#define DY_STEP(x)
#define STORE_SLICES block[0] = acc00; block[1] = acc10; block[2] = acc20; block[3] = acc30;
#endif
// Lane r's tap and channel (filter rows past the last read nothing).
#define DECLARE_LANE(r, ky, kx, c, live) int c = (4 * i + r) % channels; int ky = (4 * i + r) / channels; int kx = ky % kernelW; ky /= kernelW; bool live = 4 * i + r < filterRows;
#define LANE_VALUE(r, ky, kx, c, live) (live ? tapValue(p, ky, kx, c) : 0.0)

float tapValue(ivec3 p, int ky, int kx, int c) {
  int xRow = tapRow(p, ky, kx);
  return xRow >= 0 ? X_at(xRow, c) : 0.0;
}

void texelBlock(int row, int slice, out vec4 block[OUT_BLOCK]) {
  int filterRows = kernelH * kernelW * channels;
  int quadRows = (filterRows + 3) / 4;
  int group = row / quadRows;
  int i = row - group * quadRows;
  int begin = group * positionsPerGroup;
  int end = min(begin + positionsPerGroup, positionCount);
  int slice0 = slice;
  int slice1 = min(slice + out_blockWidth, out_slices - 1);
  DECLARE_LANE(0, ky0, kx0, c0, live0)
  DECLARE_LANE(1, ky1, kx1, c1, live1)
  DECLARE_LANE(2, ky2, kx2, c2, live2)
  DECLARE_LANE(3, ky3, kx3, c3, live3)
  vec4 acc00 = vec4(0.0), acc10 = vec4(0.0), acc20 = vec4(0.0), acc30 = vec4(0.0);
  vec4 acc01 = vec4(0.0), acc11 = vec4(0.0), acc21 = vec4(0.0), acc31 = vec4(0.0);
  for (int position = begin; position < end; ++position) {
    ivec3 p = outputPixel(position);
#if CHANNEL_QUADS
    int xRow = tapRow(p, ky0, kx0);
    if (xRow < 0) continue;
    vec4 x = X_texel(xRow, c0 >> 2);
#else
    vec4 x = vec4(LANE_VALUE(0, ky0, kx0, c0, live0), LANE_VALUE(1, ky1, kx1, c1, live1),
                  LANE_VALUE(2, ky2, kx2, c2, live2), LANE_VALUE(3, ky3, kx3, c3, live3));
#endif
    vec4 d0 = DY_texel(position, slice0);
    acc00 += x.x * d0;
    acc10 += x.y * d0;
    acc20 += x.z * d0;
    acc30 += x.w * d0;
    DY_STEP(x)
  }
  STORE_SLICES
}
#else
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
#endif
