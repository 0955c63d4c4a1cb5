// Output (row, r) for r < k: the element of rank r in R (from topk_rank): its value from
// X, or its index when SELECT_INDICES.
vec4 texelValue(int row, int slice) {
  vec4 result = vec4(0.0);
  for (int lane = 0; lane < 4; ++lane) {
    int r = slice * 4 + lane;
    if (r >= out_last) break;
    for (int s = 0; s < R_slices; ++s) {
      bvec4 hit = equal(R_texel(row, s), vec4(float(r)));
      if (!any(hit)) continue;
      int j = s * 4 + (hit.x ? 0 : hit.y ? 1 : hit.z ? 2 : 3);
#if SELECT_INDICES
      result[lane] = float(j);
#else
      result[lane] = X_at(row, j);
#endif
      break;
    }
  }
  return result;
}
