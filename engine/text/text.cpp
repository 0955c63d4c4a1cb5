#include "engine/text/text.h"

#include <algorithm>

#include "engine/core/error.h"

namespace texel::text {
namespace {

bool isAsciiLetter(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool isWordByte(unsigned char c) {
  return isAsciiLetter(c) || (c >= '0' && c <= '9') || c >= 0x80;
}
bool isSeparator(unsigned char c) {
  return c <= ' ' || c == 0x7f;
}

// Length of a `<br ... >` tag at text[i] (only spaces and '/' inside), else 0.
size_t lineBreakAt(std::string_view text, size_t i) {
  if (i + 3 > text.size() || text[i] != '<' || (text[i + 1] | 0x20) != 'b' ||
      (text[i + 2] | 0x20) != 'r')
    return 0;
  for (size_t j = i + 3; j < text.size(); ++j) {
    if (text[j] == '>') return j + 1 - i;
    if (text[j] != ' ' && text[j] != '/') return 0;
  }
  return 0;
}

// Length of an HTML entity at text[i] (`&name;`, `&#123;`, `&#x7b;`), else 0.
size_t entityAt(std::string_view text, size_t i) {
  if (text[i] != '&') return 0;
  size_t j = i + 1;
  if (j < text.size() && text[j] == '#') ++j;
  size_t first = j;
  while (j < text.size() && j - first < 10 &&
         (isAsciiLetter(static_cast<unsigned char>(text[j])) || (text[j] >= '0' && text[j] <= '9')))
    ++j;
  if (j == first || j >= text.size() || text[j] != ';') return 0;
  return j + 1 - i;
}

}  // namespace

std::vector<std::string> tokenize(std::string_view text) {
  // Pass 1: tags and entities to spaces, ASCII lowercased.
  std::string clean;
  clean.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    size_t skip = lineBreakAt(text, i);
    if (!skip) skip = entityAt(text, i);
    if (skip) {
      clean.push_back(' ');
      i += skip;
      continue;
    }
    auto c = static_cast<unsigned char>(text[i++]);
    clean.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
  }
  // Pass 2: words, punctuation tokens.
  std::vector<std::string> tokens;
  for (size_t i = 0; i < clean.size();) {
    auto c = static_cast<unsigned char>(clean[i]);
    if (isSeparator(c)) {
      ++i;
    } else if (isWordByte(c)) {
      size_t j = i;
      while (j < clean.size()) {
        auto d = static_cast<unsigned char>(clean[j]);
        if (isWordByte(d)) {
          ++j;
        } else if (d == '\'' && j + 1 < clean.size() &&
                   isWordByte(static_cast<unsigned char>(clean[j + 1]))) {
          j += 2;
        } else {
          break;
        }
      }
      tokens.emplace_back(clean, i, j - i);
      i = j;
    } else {
      tokens.emplace_back(1, static_cast<char>(c));
      ++i;
    }
  }
  return tokens;
}

Vocabulary Vocabulary::build(std::span<const std::vector<std::string>> documents, size_t size) {
  if (size < 2)
    throw Error("Vocabulary::build: size " + std::to_string(size) +
                " leaves no room for the padding and unknown ids (expected at least 2)");
  std::unordered_map<std::string, uint64_t> counts;
  for (const auto& tokens : documents)
    for (const auto& token : tokens) ++counts[token];
  std::vector<std::pair<std::string, uint64_t>> ranked(counts.begin(), counts.end());
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  std::vector<std::string> words{"<pad>", "<unk>"};
  for (size_t i = 0; i < ranked.size() && words.size() < size; ++i)
    words.push_back(std::move(ranked[i].first));
  return Vocabulary(std::move(words));
}

Vocabulary::Vocabulary(std::vector<std::string> words) : words_(std::move(words)) {
  if (words_.size() < 2)
    throw Error("Vocabulary: " + std::to_string(words_.size()) +
                " words; expected at least the padding and unknown entries");
  for (size_t i = 2; i < words_.size(); ++i)
    if (!ids_.emplace(words_[i], static_cast<int32_t>(i)).second)
      throw Error("Vocabulary: the word '" + words_[i] + "' appears twice (ids " +
                  std::to_string(ids_[words_[i]]) + " and " + std::to_string(i) + ")");
}

int32_t Vocabulary::id(std::string_view word) const {
  auto it = ids_.find(std::string(word));
  return it == ids_.end() ? kUnknown : it->second;
}

std::vector<int32_t> Vocabulary::encode(std::span<const std::string> tokens, size_t length) const {
  std::vector<int32_t> ids(length, kPadding);
  for (size_t i = 0; i < std::min(length, tokens.size()); ++i) ids[i] = id(tokens[i]);
  return ids;
}

}  // namespace texel::text
