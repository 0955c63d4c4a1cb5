// Softmax cross-entropy from logits, per example n (rows of LOGITS and LABELS, [N, C]):
// -sum_c labels[n, c] * (x[n, c] - max - log(sum exp(x[n] - max))). The output is [N],
// four examples per texel. A first sweep finds the row's max and sum of exponentials
// (online, as glsl/softmax_stats.glsl), a second one sums the labelled terms, so the
// loss never forms the softmax or its logarithm as tensors (one pass instead of six).
// A row with a NaN or an infinite maximum gives NaN, as the CPU reference.

// (max, log of the sum of exp(x - max), NaN-row flag) of row n.
vec3 rowStats(int n) {
  float best = -infValue();
  float total = 0.0;
  bool sawNan = false;
  for (int s = 0; s < LOGITS_slices; ++s) {
    vec4 v = LOGITS_texel(n, s);
    bvec4 valid = lessThan(ivec4(s * 4) + ivec4(0, 1, 2, 3), ivec4(LOGITS_last));
    sawNan = sawNan || any(bvec4(uvec4(isNan4(v)) & uvec4(valid)));
    v = mix(vec4(-infValue()), v, valid);
    float newBest = max(best, max(max(v.x, v.y), max(v.z, v.w)));
    if (newBest > best) {
      total *= exp(best - newBest);
      best = newBest;
    }
    vec4 e = mix(vec4(0.0), exp(v - best), valid);
    total += e.x + e.y + e.z + e.w;
  }
  bool nanRow = sawNan || isInf4(vec4(best)).x != 0.0;
  return vec3(best, log(total), nanRow ? 1.0 : 0.0);
}

#if CROSS_ENTROPY_GRAD
// The gradient with respect to the logits, [N, C]: dy[n] * (softmax(x[n]) * sum(labels[n])
// - labels[n]).
vec4 texelValue(int row, int slice) {
  vec3 stats = rowStats(row);
  float labelSum = 0.0;
  for (int s = 0; s < LABELS_slices; ++s) {
    vec4 l = LABELS_texel(row, s);
    labelSum += l.x + l.y + l.z + l.w;  // lanes past C are zero
  }
  vec4 p = exp(LOGITS_texel(row, slice) - stats.x - stats.y);
  vec4 g = DY_at(0, row) * (p * labelSum - LABELS_texel(row, slice));
  return stats.z != 0.0 ? vec4(nanValue()) : g;
}
#else
float exampleLoss(int n) {
  if (n >= out_last) return 0.0;
  vec3 stats = rowStats(n);
  float lse = stats.x + stats.y;
  float loss = 0.0;
  for (int s = 0; s < LOGITS_slices; ++s) {
    // Lanes past C: labels are zero there (and the logits too, so the term is 0).
    loss += dot(LABELS_texel(n, s), vec4(lse) - LOGITS_texel(n, s));
  }
  return stats.z != 0.0 ? nanValue() : loss;
}

vec4 texelValue(int row, int slice) {
  int n = slice * 4;
  return vec4(exampleLoss(n), exampleLoss(n + 1), exampleLoss(n + 2), exampleLoss(n + 3));
}
#endif
