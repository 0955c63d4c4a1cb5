#pragma once
// Text to token ids, for sentence models (apps/sentiment_train, the sentiment page). One
// implementation: the JS package calls this same code compiled to wasm, so the browser
// and the native trainer see the same tokens.
//
// tokenize(text):
//   - `<br>`, `<br/>`, `<br />` (any case, any spaces) and HTML entities (`&amp;`,
//     `&#39;`, `&#x27;`; at most 10 characters between & and ;) become spaces;
//   - ASCII letters are lowercased; other bytes are left as they are (UTF-8 stays whole);
//   - a word is a run of ASCII letters, digits and non-ASCII bytes, with an apostrophe
//     kept when it stands between two word characters ("don't", "90's");
//   - every other printable ASCII character (punctuation) is a token of its own;
//   - whitespace and control characters only separate.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace texel::text {

std::vector<std::string> tokenize(std::string_view text);

// Words by id: 0 is padding, 1 an unknown word, then words by falling frequency.
class Vocabulary {
 public:
  static constexpr int32_t kPadding = 0;
  static constexpr int32_t kUnknown = 1;

  // The `size - 2` most frequent tokens of `documents` (ties by byte order, so that the
  // result does not depend on hashing), after the two reserved ids.
  static Vocabulary build(std::span<const std::vector<std::string>> documents, size_t size);
  // From words in id order (words[0] and words[1] are the reserved entries' names).
  explicit Vocabulary(std::vector<std::string> words);
  Vocabulary() : Vocabulary(std::vector<std::string>{"<pad>", "<unk>"}) {}

  size_t size() const { return words_.size(); }
  const std::vector<std::string>& words() const { return words_; }
  int32_t id(std::string_view word) const;  // kUnknown when absent

  // Ids of the first `length` tokens, padded with kPadding up to `length`.
  std::vector<int32_t> encode(std::span<const std::string> tokens, size_t length) const;

 private:
  std::vector<std::string> words_;
  std::unordered_map<std::string, int32_t> ids_;
};

}  // namespace texel::text
