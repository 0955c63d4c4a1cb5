#include "apps/mnist_train/mnist_data.h"

#include <cstdlib>
#include <fstream>
#include <numeric>
#include <random>
#include <sstream>
#include <stdexcept>
#ifdef TEXEL_HAVE_ZLIB
#include <zlib.h>
#endif

namespace mnist {

namespace {

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

uint32_t bigEndian(const std::string& bytes, size_t at) {
  if (at + 4 > bytes.size()) throw std::runtime_error("idx header truncated");
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(bytes[at + i]);
  return v;
}

}  // namespace

Examples readDigitsJson(const std::string& dir) {
  Examples all;
  for (int digit = 0; digit < 10; ++digit) {
    std::string path = dir + "/" + std::to_string(digit) + ".json";
    std::string text = readFile(path);
    size_t open = text.find('[');
    size_t close = text.rfind(']');
    if (open == std::string::npos || close == std::string::npos || close < open)
      throw std::runtime_error(path + ": no data array");
    const char* p = text.c_str() + open + 1;
    const char* end = text.c_str() + close;
    size_t before = all.pixels.size();
    while (p < end) {
      char* next = nullptr;
      float v = std::strtof(p, &next);
      if (next == p)
        throw std::runtime_error(path + ": bad number near offset " +
                                 std::to_string(p - text.c_str()));
      if (!(v >= 0.0f && v <= 1.0f)) throw std::runtime_error(path + ": value outside 0..1");
      all.pixels.push_back(v);
      p = next;
      while (p < end && (*p == ',' || *p == ' ' || *p == '\n' || *p == '\r')) ++p;
    }
    size_t values = all.pixels.size() - before;
    if (values % 784 != 0)
      throw std::runtime_error(path + ": " + std::to_string(values) +
                               " values, not a multiple of 784");
    all.labels.insert(all.labels.end(), values / 784, digit);
  }
  return all;
}

// Plain or gzip-compressed (zlib reads both).
std::string readMaybeGzip(const std::string& path) {
#ifdef TEXEL_HAVE_ZLIB
  gzFile file = gzopen(path.c_str(), "rb");
  if (!file) throw std::runtime_error("cannot open " + path);
  std::string bytes;
  char buffer[1 << 16];
  int n;
  while ((n = gzread(file, buffer, sizeof buffer)) > 0)
    bytes.append(buffer, static_cast<size_t>(n));
  bool failed = n < 0;
  gzclose(file);
  if (failed) throw std::runtime_error("cannot decompress " + path);
  return bytes;
#else
  return readFile(path);
#endif
}

Examples readIdx(const std::string& imagesPath, const std::string& labelsPath) {
  std::string images = readMaybeGzip(imagesPath), labels = readMaybeGzip(labelsPath);
  if (bigEndian(images, 0) != 0x803 || bigEndian(labels, 0) != 0x801)
    throw std::runtime_error("not idx files (magic 0x803 / 0x801): " + imagesPath);
  uint32_t n = bigEndian(images, 4), rows = bigEndian(images, 8), cols = bigEndian(images, 12);
  if (rows != 28 || cols != 28 || bigEndian(labels, 4) != n ||
      images.size() < 16 + static_cast<size_t>(n) * 784 || labels.size() < 8 + n)
    throw std::runtime_error("idx files are truncated or not 28x28: " + imagesPath);
  Examples all;
  all.pixels.resize(static_cast<size_t>(n) * 784);
  for (size_t i = 0; i < all.pixels.size(); ++i)
    all.pixels[i] = static_cast<uint8_t>(images[16 + i]) / 255.0f;
  for (uint32_t i = 0; i < n; ++i) all.labels.push_back(static_cast<uint8_t>(labels[8 + i]));
  return all;
}

void split(const Examples& all, uint64_t seed, size_t trainCount, Examples& train, Examples& test) {
  std::vector<size_t> order(all.size());
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(seed);
  for (size_t i = order.size() - 1; i > 0; --i) std::swap(order[i], order[rng() % (i + 1)]);
  train = {};
  test = {};
  for (size_t k = 0; k < order.size(); ++k) {
    Examples& to = k < trainCount ? train : test;
    size_t i = order[k];
    to.pixels.insert(to.pixels.end(), all.pixels.begin() + static_cast<long>(i * 784),
                     all.pixels.begin() + static_cast<long>((i + 1) * 784));
    to.labels.push_back(all.labels[i]);
  }
}

}  // namespace mnist
