// Accessors for input "$" (this block is repeated per input with $ replaced). The pass
// declares the sampler $ and its layout uniforms int $_width (texture width in texels),
// $_slices (texels per row) and $_last (the last dimension).
vec4 $_texel(int row, int slice) {
#if $_ALIGNED
  return texelFetch($, ivec2(slice, row), 0);
#else
  return texelFetch($, texelCoord(row * $_slices + slice, $_width), 0);
#endif
}
// Element i of the last dimension in `row`.
float $_at(int row, int i) { return $_texel(row, i >> 2)[i & 3]; }
// Element i of the tensor in row-major order.
float $_flat(int i) {
  int row = i / $_last;
  return $_at(row, i - row * $_last);
}
