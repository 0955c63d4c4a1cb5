// The rank of every element of its row in descending order: NaN ranks above every
// number, equal values rank by position (the earlier first), as a stable sort would.
// Each fragment ranks its four elements against the whole row, one texel per loop step
// (comparisons unrolled, so the loop runs X_slices times).

// Is element a (at index i) ranked before each of b (at indices j)?
vec4 rankedBefore(float a, int i, vec4 b, bvec4 nanB, ivec4 j) {
  bvec4 nanA = bvec4(isNan1(a));
  uvec4 onlyA = uvec4(nanA) & uvec4(not(nanB));
  uvec4 neither = uvec4(not(nanA)) & uvec4(not(nanB));
  uvec4 tie = (uvec4(nanA) & uvec4(nanB)) | (neither & uvec4(equal(vec4(a), b)));
  uvec4 before = onlyA | (neither & uvec4(greaterThan(vec4(a), b))) |
                 (tie & uvec4(lessThan(ivec4(i), j)));
  return i < X_last ? vec4(before) : vec4(0.0);
}

vec4 texelValue(int row, int slice) {
  vec4 v = X_texel(row, slice);
  bvec4 nanV = isNan4(v);
  ivec4 j = ivec4(slice * 4) + ivec4(0, 1, 2, 3);
  vec4 ranks = vec4(0.0);
  for (int s = 0; s < X_slices; ++s) {
    vec4 t = X_texel(row, s);
    int i = s * 4;
    ranks += rankedBefore(t.x, i, v, nanV, j) + rankedBefore(t.y, i + 1, v, nanV, j) +
             rankedBefore(t.z, i + 2, v, nanV, j) + rankedBefore(t.w, i + 3, v, nanV, j);
  }
  return ranks;
}
