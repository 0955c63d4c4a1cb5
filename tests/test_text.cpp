// The tokenizer and vocabulary (engine/text) and the sentiment CNN's two models and word
// vector file (apps/sentiment_train).
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "apps/sentiment_train/imdb.h"
#include "apps/sentiment_train/sentiment_model.h"
#include "engine/core/half.h"
#include "tests/test_support.h"

namespace texel::test {
namespace {

using Tokens = std::vector<std::string>;

TEST_CASE("tokenize: lowercase, <br /> and entities dropped, punctuation split, numbers kept") {
  CHECK(text::tokenize("") == Tokens{});
  CHECK(text::tokenize("  \t\n ") == Tokens{});
  CHECK(text::tokenize("A GREAT Film!") == Tokens{"a", "great", "film", "!"});
  CHECK(text::tokenize("Loved it.<br /><br />10/10") ==
        Tokens{"loved", "it", ".", "10", "/", "10"});
  CHECK(text::tokenize("a<BR>b<br/>c< br>") == Tokens{"a", "b", "c", "<", "br", ">"});
  CHECK(text::tokenize("Tom &amp; Jerry&#39;s &#x27;x&quot;") == Tokens{"tom", "jerry", "s", "x"});
  CHECK(text::tokenize("&notanentity") == Tokens{"&", "notanentity"});
  CHECK(text::tokenize("don't 90's 'quoted' it''s") ==
        Tokens{"don't", "90's", "'", "quoted", "'", "it", "'", "'", "s"});
  CHECK(text::tokenize("1984, 3.5") == Tokens{"1984", ",", "3", ".", "5"});
  CHECK(text::tokenize("Café ÉTÉ 😀!") == Tokens{"café", "ÉtÉ", "😀", "!"});  // only ASCII lowercased
  CHECK(text::tokenize("<script>alert(1)</script>") ==
        Tokens{"<", "script", ">", "alert", "(", "1", ")", "<", "/", "script", ">"});
  CHECK(text::tokenize(std::string("a\0b", 3)) == Tokens{"a", "b"});
}

TEST_CASE("vocabulary: most frequent first, ties by bytes, reserved ids, encode pads/truncates") {
  std::vector<Tokens> docs{{"b", "a", "c", "a"}, {"c", "a", "d"}};
  auto v = text::Vocabulary::build(docs, 4);
  CHECK(v.words() == Tokens{"<pad>", "<unk>", "a", "c"});
  CHECK(v.id("a") == 2);
  CHECK(v.id("b") == text::Vocabulary::kUnknown);
  CHECK(v.id("<pad>") == text::Vocabulary::kUnknown);  // reserved names are not words
  CHECK(v.encode(Tokens{"c", "zz", "a"}, 5) == std::vector<int32_t>{3, 1, 2, 0, 0});
  CHECK(v.encode(Tokens{"c", "zz", "a"}, 2) == std::vector<int32_t>{3, 1});
  CHECK(text::Vocabulary::build(docs, 100).size() == 6);
  CHECK_THROWS_WITH_AS(text::Vocabulary::build(docs, 1), doctest::Contains("at least 2"), Error);
  CHECK_THROWS_WITH_AS(text::Vocabulary(Tokens{"<pad>", "<unk>", "x", "x"}),
                       doctest::Contains("'x' appears twice"), Error);
}

sentiment::Architecture tiny() {
  return {.vocabulary = 30, .dim = 6, .filters = 4, .length = 9};
}

TEST_CASE("sentiment CNN: Kim's shapes, and the vectors model is the ids model without its table") {
  for (Backend* b : {&cpu(), static_cast<Backend*>(&gl())}) {
    CAPTURE(b->name());
    sentiment::Architecture a = tiny();
    sentiment::Models m = sentiment::makeModels(*b, a, 3);
    CHECK(m.onIds.outputShape() == Shape{-1, 2});
    // embedding 30x6; conv w: w*6*4 + 4; dense 12*2 + 2.
    int64_t convs = (3 + 4 + 5) * 6 * 4 + 3 * 4, dense = 12 * 2 + 2;
    CHECK(m.onIds.countParams() == 30 * 6 + convs + dense);
    CHECK(m.onVectors.countParams() == convs + dense);
    CHECK(m.onIds.summary().find("words (Embedding)") != std::string::npos);

    // Train a few steps: class 1 when word 7 occurs.
    m.onIds.compile({.optimizer = adam(0.05f),
                     .loss = "sparseCategoricalCrossentropy",
                     .metrics = {"accuracy"}});
    std::vector<int32_t> ids(16 * 9), labels(16);
    std::vector<float> r = randomValues(16 * 9, 4, {2.0f, 29.4f});
    for (size_t i = 0; i < ids.size(); ++i) ids[i] = r[i] >= 7 && r[i] < 8 ? 8 : int32_t(r[i]);
    for (size_t s = 1; s < 16; s += 2) ids[s * 9 + s % 9] = 7, labels[s] = 1;
    Tensor x = tensorInt32(*b, {16, 9}, ids), y = tensorInt32(*b, {16}, labels);
    double first = m.onIds.evaluate({x}, y)["loss"];
    for (int step = 0; step < 30; ++step) m.onIds.trainOnBatch({x}, y);
    CHECK(m.onIds.evaluate({x}, y)["loss"] < first * 0.5);

    // The page's path: f16 vectors of the trained table into the saved vectors model.
    sentiment::WordVectors words{
        text::Vocabulary::build(std::vector<Tokens>{}, 2), a.dim, a.length, {}};
    std::vector<float> table = m.embedding->weights()[0].variable.value().data();
    for (float v : table) words.halves.push_back(floatToHalf(v));
    std::vector<uint8_t> bytes = serializeModel(m.onVectors);
    Model shipped = loadModel(*b, bytes);
    std::vector<float> vectors = words.lookup(ids);
    Tensor viaVectors = shipped.predict(tensor(*b, {16, 9, 6}, vectors));
    Tensor viaIds = m.onIds.predict(x);
    Comparison c = compare(viaVectors.data(), viaIds.data());
    CHECK_MESSAGE(c.within(2e-3), "max rel error ", c.maxRel);
  }
}

TEST_CASE("word vector file: round trip, and damage is an error naming the file") {
  sentiment::WordVectors v{text::Vocabulary(Tokens{"<pad>", "<unk>", "film", "café"}),
                           2,
                           7,
                           {1, 2, 3, 4, 5, 6, 7, 0x3c00}};
  std::string path = (std::filesystem::temp_directory_path() / "texel_words_test.bin").string();
  v.write(path);
  sentiment::WordVectors back = sentiment::WordVectors::read(path);
  CHECK(back.vocabulary.words() == v.vocabulary.words());
  CHECK(back.dim == 2);
  CHECK(back.length == 7);
  CHECK(back.halves == v.halves);
  CHECK(back.lookup({3, 0}) ==
        std::vector<float>{halfToFloat(7), 1.0f, halfToFloat(1), halfToFloat(2)});
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(25);
    f.put('X');
  }
  CHECK_THROWS_WITH(sentiment::WordVectors::read(path), doctest::Contains("checksum mismatch"));
  std::filesystem::resize_file(path, 10);
  CHECK_THROWS_WITH(sentiment::WordVectors::read(path), doctest::Contains("not a TXWORDS1 file"));
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace texel::test
