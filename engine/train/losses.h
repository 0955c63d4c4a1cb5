#pragma once
// Losses and metrics (TF.js tf.losses / tf.metrics), built from ops so the gradient tape
// differentiates them and they run where their inputs live. Losses return the mean over
// the batch (a scalar).
#include "engine/core/tensor.h"

namespace texel {

// labels: one-hot (or any distribution) [batch, classes]; logits: [batch, classes].
// Numerically stable: -sum(labels * logSoftmax(logits)).
Tensor softmaxCrossEntropy(const Tensor& labels, const Tensor& logits);
// The same from class indices: labels int32 [batch].
Tensor sparseSoftmaxCrossEntropy(const Tensor& labels, const Tensor& logits);
// labels in {0, 1}, predictions probabilities in (0, 1); epsilon guards log(0).
Tensor binaryCrossentropy(const Tensor& labels, const Tensor& predictions, float epsilon = 1e-7f);
// From logits, stable: max(x, 0) - x * z + log(1 + exp(-|x|)).
Tensor sigmoidCrossEntropy(const Tensor& labels, const Tensor& logits);
Tensor meanSquaredError(const Tensor& labels, const Tensor& predictions);
Tensor absoluteDifference(const Tensor& labels, const Tensor& predictions);

// Fraction of rows whose largest prediction is the labelled class (one-hot labels).
Tensor categoricalAccuracy(const Tensor& labels, const Tensor& predictions);
// Fraction of elements where (prediction > 0.5) equals the label.
Tensor binaryAccuracy(const Tensor& labels, const Tensor& predictions);

}  // namespace texel
