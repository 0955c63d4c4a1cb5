// The digit recognizer's trainer (browser, inside a Web Worker): the MNIST CNN trained
// one batch per call, so the worker returns to its event loop between batches (progress
// messages, Stop). GL runs on an OffscreenCanvas the worker registers as "!canvas";
// without WebGL2 there the CPU backend trains instead.
#include <emscripten/emscripten.h>

#include <chrono>
#include <cstring>
#include <numeric>
#include <optional>
#include <random>
#include <string>

#include "apps/mnist_train/mnist_model.h"
#include "apps/mnist_web/wasm_call.h"
#include "engine/texel.h"
#include "platform/platform.h"

namespace {

struct Trainer {
  std::shared_ptr<texel::Backend> backend;
  std::shared_ptr<texel::GlContext> context;
  std::string error, info;
  texel::Tensor trainX, trainY, testX, testY;
  int64_t trainCount = 0, testCount = 0;
  std::optional<texel::Model> model;
  std::shared_ptr<texel::Optimizer> optimizer;
  int epochs = 1, batch = 32, epoch = 0, step = 0;
  int64_t examples = 0;
  std::vector<int32_t> order;
  std::mt19937_64 rng{1};
  std::vector<uint8_t> saved;
};

Trainer& state() {
  static Trainer t;
  return t;
}

template <typename F>
int guarded(F&& f) {
  return texel::web::guarded(state().error, std::forward<F>(f));
}

void shuffle(Trainer& t) {
  t.order.resize(static_cast<size_t>(t.trainCount));
  std::iota(t.order.begin(), t.order.end(), 0);
  for (size_t i = t.order.size() - 1; i > 0; --i) std::swap(t.order[i], t.order[t.rng() % (i + 1)]);
}

}  // namespace

extern "C" {

EMSCRIPTEN_KEEPALIVE int trainer_init(int forceCpu) {
  Trainer& t = state();
  return guarded([&] {
    std::string fallback = "CPU backend requested";
    if (!forceCpu) {
      try {
        t.context = texel::platform::createWebContext("!canvas");
        t.backend = texel::GlBackend::create(t.context);
      } catch (const std::exception& e) {
        fallback = e.what();
      }
    }
    if (!t.backend) t.backend = texel::cpu().shared_from_this();
    bool gl = t.backend->kind() == texel::BackendKind::Gl;
    t.info = gl ? "webgl2" : "cpu: " + fallback;
  });
}

// bytes: "TXDIGITS", u32 train count, u32 test count, records (label, 784 grey bytes).
EMSCRIPTEN_KEEPALIVE int trainer_set_data(const uint8_t* bytes, int size) {
  Trainer& t = state();
  return guarded([&] {
    uint32_t counts[2];
    if (size < 16 || std::memcmp(bytes, "TXDIGITS", 8) != 0)
      texel::fail("training data: not a TXDIGITS file");
    std::memcpy(counts, bytes + 8, sizeof counts);
    if (static_cast<uint64_t>(counts[0]) + counts[1] > static_cast<uint64_t>(size - 16) / 785 ||
        counts[0] == 0 || counts[1] == 0)
      texel::fail("training data: truncated (", size, " bytes for ", counts[0], " + ", counts[1],
                  " digits)");
    auto load = [&](size_t first, uint32_t count, texel::Tensor& x, texel::Tensor& y) {
      std::vector<float> pixels(static_cast<size_t>(count) * 784);
      std::vector<int32_t> labels(count);
      for (size_t i = 0; i < count; ++i) {
        const uint8_t* record = bytes + 16 + (first + i) * 785;
        labels[i] = record[0];
        for (size_t k = 0; k < 784; ++k) pixels[i * 784 + k] = record[1 + k] / 255.0f;
      }
      x = texel::tensor(*t.backend, {count, 28, 28, 1}, pixels);
      y = texel::tensorInt32(*t.backend, {count}, labels);
    };
    load(0, counts[0], t.trainX, t.trainY);
    load(counts[0], counts[1], t.testX, t.testY);
    t.trainCount = counts[0];
    t.testCount = counts[1];
  });
}

// A fresh model; `examples` per epoch (0: all). Compiles every program of a step up front.
EMSCRIPTEN_KEEPALIVE int trainer_start(int epochs, int batch, float learningRate, int examples) {
  Trainer& t = state();
  return guarded([&] {
    if (t.trainCount == 0) texel::fail("trainer_start: no training data");
    if (epochs < 1 || batch < 1 || !(learningRate > 0))
      texel::fail("trainer_start: epochs and batch size must be >= 1 and the learning rate > 0");
    t.model.emplace(mnist::makeModel(*t.backend, 1, "wide"));  // the shipped architecture
    t.optimizer = texel::adam(learningRate);
    t.model->compile({.optimizer = t.optimizer,
                      .loss = "sparseCategoricalCrossentropy",
                      .metrics = {"accuracy"}});
    t.model->warmup(batch, true);
    t.epochs = epochs;
    t.batch = batch;
    t.examples = examples > 0 ? std::min<int64_t>(examples, t.trainCount) : t.trainCount;
    t.epoch = 0;
    t.step = 0;
    shuffle(t);
  });
}

// One training batch. out: epoch, step, steps per epoch, loss, accuracy, epoch finished
// (then test accuracy in out[6] and test loss in out[7]), all done.
EMSCRIPTEN_KEEPALIVE int trainer_step(float* out) {
  Trainer& t = state();
  return guarded([&] {
    if (!t.model) texel::fail("trainer_step: call trainer_start first");
    int64_t steps = (t.examples + t.batch - 1) / t.batch;
    int64_t begin = t.step * static_cast<int64_t>(t.batch);
    int64_t end = std::min<int64_t>(t.examples, begin + t.batch);
    texel::Tensor ids = texel::tensorInt32(
        *t.backend, {end - begin},
        std::span<const int32_t>(t.order.data() + begin, static_cast<size_t>(end - begin)));
    texel::Logs logs =
        t.model->trainOnBatch({texel::gather(t.trainX, ids, 0)}, texel::gather(t.trainY, ids, 0));
    out[0] = static_cast<float>(t.epoch);
    out[1] = static_cast<float>(t.step);
    out[2] = static_cast<float>(steps);
    out[3] = static_cast<float>(logs["loss"]);
    out[4] = static_cast<float>(logs["acc"]);
    out[5] = out[6] = out[7] = 0;
    if (++t.step == steps) {
      texel::Logs test = t.model->evaluate({t.testX}, t.testY, 100);
      out[5] = 1;
      out[6] = static_cast<float>(test["acc"]);
      out[7] = static_cast<float>(test["loss"]);
      t.step = 0;
      ++t.epoch;
      shuffle(t);
    }
    out[8] = t.epoch >= t.epochs ? 1.0f : 0.0f;
  });
}

// Serialises the model as trained so far (float32) for the page.
EMSCRIPTEN_KEEPALIVE int trainer_save() {
  Trainer& t = state();
  return guarded([&] {
    if (!t.model) texel::fail("trainer_save: nothing trained");
    t.saved = texel::serializeModel(*t.model);
  });
}
EMSCRIPTEN_KEEPALIVE const uint8_t* trainer_saved_bytes() {
  return state().saved.data();
}
EMSCRIPTEN_KEEPALIVE int trainer_saved_size() {
  return static_cast<int>(state().saved.size());
}
EMSCRIPTEN_KEEPALIVE const char* trainer_error() {
  return state().error.c_str();
}
EMSCRIPTEN_KEEPALIVE const char* trainer_info() {
  return state().info.c_str();
}

}  // extern "C"
