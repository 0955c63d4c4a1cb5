// The digit recognizer's engine side (browser only): the page (app.js) hands it the model
// file's bytes and 28x28 inputs through these C functions; it keeps one backend and one
// model. WebGL2 when the page's #gl canvas gives a context with float render targets,
// else the CPU backend (the page says which).
#include <emscripten/emscripten.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "apps/mnist_web/wasm_call.h"
#include "engine/texel.h"
#include "platform/platform.h"

namespace {

struct Recognizer {
  std::shared_ptr<texel::Backend> backend;
  std::shared_ptr<texel::GlContext> context;
  std::optional<texel::Model> model;
  // The same weights on the CPU: predictions while a worker trains on the GPU, which a
  // synchronous GL readback would otherwise wait behind (the page would stutter).
  std::optional<texel::Model> cpuModel;
  std::string error;
  std::string info;  // JSON for the page
  std::string fallbackReason;
  // The last prediction's conv layer outputs (host copies) and their names and shapes.
  struct FeatureMaps {
    std::string name;
    int height, width, channels;
    std::vector<float> values;  // [height, width, channels]
  };
  std::vector<FeatureMaps> maps;
};

Recognizer& state() {
  static Recognizer r;
  return r;
}

template <typename F>
int guarded(F&& f) {
  return texel::web::guarded(state().error, std::forward<F>(f));
}

double msSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace

extern "C" {

// Picks the backend: WebGL2 on canvas #gl unless forceCpu, the CPU when that fails.
EMSCRIPTEN_KEEPALIVE int recognizer_init(int forceCpu) {
  Recognizer& r = state();
  return guarded([&] {
    if (!forceCpu) {
      try {
        r.context = texel::platform::createWebContext("#gl");
        r.backend = texel::GlBackend::create(r.context);
      } catch (const std::exception& e) {
        r.fallbackReason = e.what();
        r.backend.reset();
      }
    } else {
      r.fallbackReason = "CPU backend requested";
    }
    if (!r.backend) r.backend = texel::cpu().shared_from_this();
  });
}

// Loads a model file (its bytes) and warms it up for batch 1.
EMSCRIPTEN_KEEPALIVE int recognizer_load(const uint8_t* bytes, int size) {
  Recognizer& r = state();
  return guarded([&] {
    if (!r.backend) texel::fail("recognizer_load: call recognizer_init first");
    auto start = std::chrono::steady_clock::now();
    texel::Model model = texel::loadModel(*r.backend, {bytes, static_cast<size_t>(size)});
    const texel::Shape& in = model.inputShapes().at(0);
    if (model.inputShapes().size() != 1 || in != texel::Shape{-1, 28, 28, 1} ||
        model.outputShape() != texel::Shape{-1, 10})
      texel::fail("this model takes ", in, " and gives ", model.outputShape(),
                  "; the recognizer needs [null,28,28,1] -> [null,10]");
    double loadMs = msSince(start);
    texel::WarmupReport warm = model.warmup(1);
    r.cpuModel.emplace(r.backend->kind() == texel::BackendKind::Gl
                           ? texel::loadModel(texel::cpu(), {bytes, static_cast<size_t>(size)})
                           : texel::loadModel(*r.backend, {bytes, static_cast<size_t>(size)}));
    r.model.emplace(std::move(model));
    bool gl = r.backend->kind() == texel::BackendKind::Gl;
    std::string renderer =
        gl ? static_cast<texel::GlBackend&>(*r.backend).info().renderer : std::string("CPU");
    bool half = gl && static_cast<texel::GlBackend&>(*r.backend).halfFloat();
    r.info = nlohmann::json{{"backend", gl ? "webgl2" : "cpu"},
                            {"precision", half ? "float16 textures" : "float32"},
                            {"renderer", renderer},
                            {"fallback", r.fallbackReason},
                            {"loadMs", loadMs},
                            {"warmupPrograms", warm.programsBuilt},
                            {"warmupMs", warm.milliseconds},
                            {"params", r.model->countParams()}}
                 .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  });
}

// pixels: 784 grey levels 0..1 (row-major 28x28); writes 10 probabilities and 10 logits.
// onCpu: run on the CPU copy (while the GPU is busy training).
EMSCRIPTEN_KEEPALIVE int recognizer_predict(const float* pixels, float* probabilities,
                                            float* logits, int onCpu) {
  Recognizer& r = state();
  return guarded([&] {
    if (!r.model) texel::fail("recognizer_predict: no model loaded");
    // While the GL context is lost (until the browser restores it and the engine
    // re-uploads the weights it kept on the host) the CPU copy answers.
    auto* gl = dynamic_cast<texel::GlBackend*>(r.backend.get());
    bool cpu = onCpu || (gl && gl->contextLost());
    auto run = [&](texel::Model& model) {
      texel::Tensor x = texel::tensor(model.backend(), {1, 28, 28, 1}, {pixels, 784});
      return model.activations({x}, {.softmaxLogits = true});
    };
    std::vector<texel::Tensor> values;
    texel::Model* used = cpu ? &*r.cpuModel : &*r.model;
    try {
      values = run(*used);
    } catch (const texel::ContextLost&) {
      used = &*r.cpuModel;
      values = run(*used);
    }
    texel::Model& model = *used;
    texel::Tensor z = values.back();
    r.maps.clear();
    const auto& nodes = model.nodes();
    for (size_t i = 0; i < nodes.size(); ++i)
      if (nodes[i].layer && nodes[i].layer->className() == "Conv2D") {
        const texel::Shape& s = values[i].shape();
        r.maps.push_back({nodes[i].layer->name(), static_cast<int>(s[1]), static_cast<int>(s[2]),
                          static_cast<int>(s[3]), values[i].data()});
      }
    // One readback of the logits; the softmax of 10 values on the CPU copy of them
    // (not a second GPU pass and readback).
    texel::Tensor zHost = z.to(texel::cpu());
    std::vector<float> zs = zHost.data();
    std::vector<float> ps = texel::softmax(zHost).data();
    for (int i = 0; i < 10; ++i) {
      logits[i] = zs[static_cast<size_t>(i)];
      probabilities[i] = ps[static_cast<size_t>(i)];
    }
  });
}

// The conv layers' feature maps of the last prediction: how many layers, then per layer
// its shape (height, width, channels written to dims) and its values.
EMSCRIPTEN_KEEPALIVE int recognizer_map_count() {
  return static_cast<int>(state().maps.size());
}
EMSCRIPTEN_KEEPALIVE const float* recognizer_map(int index, int* dims) {
  const auto& maps = state().maps;
  if (index < 0 || index >= static_cast<int>(maps.size())) return nullptr;
  const auto& m = maps[static_cast<size_t>(index)];
  dims[0] = m.height;
  dims[1] = m.width;
  dims[2] = m.channels;
  return m.values.data();
}
EMSCRIPTEN_KEEPALIVE const char* recognizer_map_name(int index) {
  const auto& maps = state().maps;
  return index >= 0 && index < static_cast<int>(maps.size())
             ? maps[static_cast<size_t>(index)].name.c_str()
             : "";
}

EMSCRIPTEN_KEEPALIVE const char* recognizer_error() {
  return state().error.c_str();
}
EMSCRIPTEN_KEEPALIVE const char* recognizer_info() {
  return state().info.c_str();
}

}  // extern "C"
