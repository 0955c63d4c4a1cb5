// Output (row, r) for r < k: the element of rank r in R (from topk_rank): its value from
// X, or its index when SELECT_INDICES. One texel of ranks per loop step, four ranks
// compared at once.
vec4 texelValue(int row, int slice) {
  vec4 wanted = vec4(slice * 4) + vec4(0.0, 1.0, 2.0, 3.0);
  vec4 result = vec4(0.0);
  for (int s = 0; s < R_slices; ++s) {
    ivec4 i = ivec4(s * 4) + ivec4(0, 1, 2, 3);
    // Padding lanes hold rank 0 too: give them a rank nothing asks for.
    vec4 ranks = mix(vec4(-1.0), R_texel(row, s), lessThan(i, ivec4(R_last)));
#if SELECT_INDICES
    vec4 values = vec4(i);
#else
    vec4 values = X_texel(row, s);
#endif
    result = mix(result, vec4(values.x), equal(wanted, vec4(ranks.x)));
    result = mix(result, vec4(values.y), equal(wanted, vec4(ranks.y)));
    result = mix(result, vec4(values.z), equal(wanted, vec4(ranks.z)));
    result = mix(result, vec4(values.w), equal(wanted, vec4(ranks.w)));
  }
  return result;
}
