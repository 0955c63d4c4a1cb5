// Softmax cross-entropy from logits, per example n (rows of X, the logits, and LABELS, [N, C]):
// -sum_c labels[n, c] * (x[n, c] - max - log(sum exp(x[n] - max))). The output is [N],
// four examples per texel. A first sweep finds the row's max and sum of exponentials
// (rowStats, glsl/softmax_stats.glsl, with the logits bound as X), a second one sums the
// labelled terms, so the loss never forms the softmax or its logarithm as tensors (one
// pass instead of six). A row with a NaN or an infinite maximum gives NaN, as the CPU
// reference.

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
  vec4 p = exp(X_texel(row, slice) - stats.x) / stats.y;
  vec4 g = DY_at(0, row) * (p * labelSum - LABELS_texel(row, slice));
  return stats.z != 0.0 ? vec4(nanValue()) : g;
}
#else
float exampleLoss(int n) {
  if (n >= out_last) return 0.0;
  vec3 stats = rowStats(n);
  float lse = stats.x + log(stats.y);
  float loss = 0.0;
  for (int s = 0; s < X_slices; ++s) {
    // Lanes past C: labels are zero there (and the logits too, so the term is 0).
    loss += dot(LABELS_texel(n, s), vec4(lse) - X_texel(n, s));
  }
  return stats.z != 0.0 ? nanValue() : loss;
}

vec4 texelValue(int row, int slice) {
  int n = slice * 4;
  return vec4(exampleLoss(n), exampleLoss(n + 1), exampleLoss(n + 2), exampleLoss(n + 3));
}
#endif
