// Reductions (see engine/ops/reduce.cpp for how inputs are brought into these forms).
//  INNER:  output element o reduces every lane of rows o * reducedRows ... + reducedRows - 1
//          of X (its last axis and the reduced rows before it); a fragment computes the
//          output's four lanes one after another.
//  MIDDLE: X's rows are before x reducedRows x afterRows; an output texel (row = before *
//          afterRows + after, same slice) reduces one texel per reduced row, four lanes at once.
//  REDUCTION: REDUCE_SUM (times scale), REDUCE_FOLD (IDENTITY and COMBINE(a, b): max, min,
//  prod, all, any), REDUCE_ARG (first index where ARG_BETTER(v, best) holds, from ARG_INIT).
#define REDUCE_SUM 1
#define REDUCE_FOLD 2
#define REDUCE_ARG 3
// Uniforms (declared by the pass from C++): int reducedRows, float scale (1 / count for
// mean, else 1), and for MIDDLE int afterRows.
#if REDUCTION == REDUCE_FOLD
vec4 fold(vec4 a, vec4 b) { return COMBINE(a, b); }
#endif

#if INNER
float reduceRows(int o) {
  int rest = X_last - ((X_last - 1) >> 2) * 4;  // valid lanes in each row's final texel
  int lastSlice = X_slices - 1;
#if REDUCTION == REDUCE_SUM
  vec4 acc = vec4(0.0);  // padding lanes are zero
  for (int r = 0; r < reducedRows; ++r)
    for (int s = 0; s < X_slices; ++s) acc += X_texel(o * reducedRows + r, s);
  return (acc.x + acc.y + acc.z + acc.w) * scale;
#elif REDUCTION == REDUCE_FOLD
  vec4 best = vec4(IDENTITY);
  bvec4 tailLanes = lessThan(ivec4(0, 1, 2, 3), ivec4(rest));
  for (int r = 0; r < reducedRows; ++r) {
    int row = o * reducedRows + r;
    for (int s = 0; s < lastSlice; ++s) best = fold(best, X_texel(row, s));
    best = fold(best, mix(vec4(IDENTITY), X_texel(row, lastSlice), tailLanes));
  }
  vec2 half1 = fold(best.xyxy, best.zwzw).xy;
  return fold(vec4(half1.x), vec4(half1.y)).x;
#else  // REDUCE_ARG: first extreme; NaN never wins
  float best = ARG_INIT;
  int index = 0;
  for (int r = 0; r < reducedRows; ++r) {
    int row = o * reducedRows + r;
    for (int s = 0; s < X_slices; ++s) {
      // The four lanes in order, unrolled (a nested loop would count against llvmpipe's
      // loop limit four times over).
      vec4 v = X_texel(row, s);
      int i = s * 4;
      if (ARG_BETTER(vec4(v.x), vec4(best)).x) { best = v.x; index = r * X_last + i; }
      if (i + 1 < X_last && ARG_BETTER(vec4(v.y), vec4(best)).x) { best = v.y; index = r * X_last + i + 1; }
      if (i + 2 < X_last && ARG_BETTER(vec4(v.z), vec4(best)).x) { best = v.z; index = r * X_last + i + 2; }
      if (i + 3 < X_last && ARG_BETTER(vec4(v.w), vec4(best)).x) { best = v.w; index = r * X_last + i + 3; }
    }
  }
  return float(index);
#endif
}

vec4 texelValue(int row, int slice) {
  int first = row * out_last + slice * 4;  // flat output index of lane 0
  vec4 result = vec4(0.0);
  for (int lane = 0; lane < 4; ++lane)
    if (slice * 4 + lane < out_last) result[lane] = reduceRows(first + lane);
  return result;
}

#else  // MIDDLE

vec4 texelValue(int row, int slice) {
  int before = row / afterRows;
  int base = before * reducedRows * afterRows + (row - before * afterRows);
#if REDUCTION == REDUCE_SUM
  vec4 acc = vec4(0.0);
  for (int r = 0; r < reducedRows; ++r) acc += X_texel(base + r * afterRows, slice);
  return acc * scale;
#elif REDUCTION == REDUCE_FOLD
  vec4 best = vec4(IDENTITY);
  for (int r = 0; r < reducedRows; ++r) best = fold(best, X_texel(base + r * afterRows, slice));
  return best;
#else
  vec4 best = vec4(ARG_INIT);
  vec4 index = vec4(0.0);
  for (int r = 0; r < reducedRows; ++r) {
    vec4 v = X_texel(base + r * afterRows, slice);
    bvec4 better = ARG_BETTER(v, best);
    best = mix(best, v, better);
    index = mix(index, vec4(float(r)), better);
  }
  return index;
#endif
}
#endif
