#include "engine/train/losses.h"

#include "engine/core/create.h"
#include "engine/core/error.h"
#include "engine/ops/ops.h"

namespace texel {

namespace {
Tensor k(const Tensor& like, float value) {
  return fill(like.backend(), Shape{}, value);
}

void requireSameShape(const char* what, const Tensor& labels, const Tensor& predictions) {
  if (labels.shape() != predictions.shape())
    fail(what, ": labels ", labels.shape(), " and predictions ", predictions.shape(),
         " must have the same shape");
}

void requireMatrix(const char* what, const Tensor& logits) {
  if (logits.rank() != 2) fail(what, ": logits must be [batch, classes], got ", logits.shape());
}
}  // namespace

Tensor softmaxCrossEntropy(const Tensor& labels, const Tensor& logits) {
  requireMatrix("softmaxCrossEntropy", logits);
  requireSameShape("softmaxCrossEntropy", labels, logits);
  return mean(softmaxCrossEntropyWithLogits(labels, logits));
}

Tensor sparseSoftmaxCrossEntropy(const Tensor& labels, const Tensor& logits) {
  requireMatrix("sparseSoftmaxCrossEntropy", logits);
  if (labels.rank() != 1 || labels.shape()[0] != logits.shape()[0])
    fail("sparseSoftmaxCrossEntropy: labels must be [", logits.shape()[0], "], got ",
         labels.shape());
  return softmaxCrossEntropy(
      oneHot(labels, static_cast<int>(logits.shape()[1]), 1.0f, 0.0f, DType::Float32), logits);
}

Tensor binaryCrossentropy(const Tensor& labels, const Tensor& predictions, float epsilon) {
  requireSameShape("binaryCrossentropy", labels, predictions);
  Tensor one = k(predictions, 1.0f), eps = k(predictions, epsilon);
  Tensor positive = mul(labels, log(add(predictions, eps)));
  Tensor negative = mul(sub(one, labels), log(add(sub(one, predictions), eps)));
  return mean(neg(add(positive, negative)));
}

Tensor sigmoidCrossEntropy(const Tensor& labels, const Tensor& logits) {
  requireSameShape("sigmoidCrossEntropy", labels, logits);
  Tensor terms = add(sub(relu(logits), mul(logits, labels)), log1p(exp(neg(abs(logits)))));
  return mean(terms);
}

Tensor meanSquaredError(const Tensor& labels, const Tensor& predictions) {
  requireSameShape("meanSquaredError", labels, predictions);
  return mean(squaredDifference(predictions, labels));
}

Tensor absoluteDifference(const Tensor& labels, const Tensor& predictions) {
  requireSameShape("absoluteDifference", labels, predictions);
  return mean(abs(sub(predictions, labels)));
}

Tensor categoricalAccuracy(const Tensor& labels, const Tensor& predictions) {
  requireSameShape("categoricalAccuracy", labels, predictions);
  int last = predictions.rank() - 1;
  return mean(cast(equal(argMax(labels, last), argMax(predictions, last)), DType::Float32));
}

Tensor binaryAccuracy(const Tensor& labels, const Tensor& predictions) {
  requireSameShape("binaryAccuracy", labels, predictions);
  Tensor predicted = cast(greater(predictions, k(predictions, 0.5f)), DType::Float32);
  return mean(cast(equal(predicted, labels), DType::Float32));
}

}  // namespace texel
