// y[n, oy, ox, o] = sum over (ky, kx, c) of x[n, iy, ix, c] * f[ky, kx, c, o] with
// iy = oy * strideH - padTop + ky * dilationH (likewise ix); out-of-bounds taps add 0.
// The fused bias and activation follow (glsl/fused_epilogue.glsl).
// One fragment computes four output channels; each step reads one input texel (four
// channels) and four filter texels: 16 multiply-adds for 5 fetches. Filter row
// (ky * kernelW + kx) * channels + c holds output channels packed by four.
#if OUT_BLOCK > 1
// Register blocking, as in glsl/matmul.glsl: OUT_BLOCK_ROWS output pixels (out_blockHeight
// rows apart) x OUT_BLOCK_SLICES texels of output channels per fragment. Per tap and four
// input channels the fragment fetches one input texel per pixel and four filter texels
// per slice: 12 fetches per 128 multiply-adds at 8 x 1 or 4 x 2 targets. Every pixel walks
// the whole kernel (pixels at an edge read zeros for their outside taps) so that the
// filter texels are shared. Per-pixel state is spelled out by macros, without arrays.
#if OUT_BLOCK_SLICES == 2
#define ROW_STEP(r, o, t, acc0, acc1) { vec4 x = t >= 0 ? X_texel(t, cb) : vec4(0.0); acc0 += x.x * f00 + x.y * f01 + x.z * f02 + x.w * f03; acc1 += x.x * f10 + x.y * f11 + x.z * f12 + x.w * f13; }
#define STORE_ROW(r, o, t, acc0, acc1) block[r * 2] = epilogue(acc0, slice0); block[r * 2 + 1] = epilogue(acc1, slice1);
#else
#define ROW_STEP(r, o, t, acc0, acc1) { vec4 x = t >= 0 ? X_texel(t, cb) : vec4(0.0); acc0 += x.x * f00 + x.y * f01 + x.z * f02 + x.w * f03; }
#define STORE_ROW(r, o, t, acc0, acc1) block[r] = epilogue(acc0, slice0);
#endif
#define DECLARE_ROW(r, o, t, acc0, acc1) ivec3 o = windowOrigin(min(row + r * out_blockHeight, lastRow)); int t = -1; vec4 acc0 = vec4(0.0); vec4 acc1 = vec4(0.0);
#define TAP_ROW(r, o, t, acc0, acc1) t = tapRowFrom(o, ky, kx);

#if OUT_BLOCK_SLICES == 2
#define LOAD_F(c, count) LOAD_FOUR_ROWS(F_texel, c, slice0, count, f00, f01, f02, f03) LOAD_FOUR_ROWS(F_texel, c, slice1, count, f10, f11, f12, f13)
#else
#define LOAD_F(c, count) LOAD_FOUR_ROWS(F_texel, c, slice0, count, f00, f01, f02, f03)
#endif

void texelBlock(int row, int slice, out vec4 block[OUT_BLOCK]) {
  int lastRow = out_texels / out_slices - 1;
  BLOCK_ROWS(DECLARE_ROW)
  int slice0 = slice;
  int slice1 = min(slice + out_blockWidth, out_slices - 1);
  vec4 f00, f01, f02, f03, f10, f11, f12, f13;
  int fullBlocks = channels >> 2;
  int rest = channels - fullBlocks * 4;
  for (int ky = 0; ky < kernelH; ++ky)
    for (int kx = 0; kx < kernelW; ++kx) {
      BLOCK_ROWS(TAP_ROW)
      int fRow = (ky * kernelW + kx) * channels;
      for (int cb = 0; cb < fullBlocks; ++cb) {
        LOAD_F(fRow + cb * 4, 4)
        BLOCK_ROWS(ROW_STEP)
      }
      if (rest > 0) {
        // Filter rows past this tap's channels are the next tap's (LOAD_FOUR_ROWS zeroes
        // them; the input's lanes past `channels` are zero).
        int cb = fullBlocks;
        LOAD_F(fRow + cb * 4, rest)
        BLOCK_ROWS(ROW_STEP)
      }
    }
  BLOCK_ROWS(STORE_ROW)
}
#else
vec4 texelValue(int row, int slice) {
  ivec3 p = outputPixel(row);
  ivec4 taps = windowTaps(p);
  vec4 acc = vec4(0.0);
  int fullBlocks = channels >> 2;
  int rest = channels - fullBlocks * 4;
  FOR_EACH_TAP(taps) {
    int xRow = tapRow(p, ky, kx);
    int fRow = (ky * kernelW + kx) * channels;
    for (int block = 0; block < fullBlocks; ++block) {
      vec4 x = X_texel(xRow, block);
      int c = fRow + block * 4;
      acc += x.x * F_texel(c, slice) + x.y * F_texel(c + 1, slice) +
             x.z * F_texel(c + 2, slice) + x.w * F_texel(c + 3, slice);
    }
    if (rest > 0) {
      vec4 x = X_texel(xRow, fullBlocks);
      int c = fRow + fullBlocks * 4;
      acc += x.x * F_texel(c, slice);
      if (rest > 1) acc += x.y * F_texel(c + 1, slice);
      if (rest > 2) acc += x.z * F_texel(c + 2, slice);
    }
  }
  return epilogue(acc, slice);
}
#endif
