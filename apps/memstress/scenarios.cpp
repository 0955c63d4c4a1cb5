#include "apps/memstress/scenarios.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <optional>
#include <random>
#include <thread>

#include "apps/mnist_train/mnist_model.h"
#include "engine/gl/gl_api.h"
#include "engine/gl/split.h"
#include "engine/texel.h"

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#endif

namespace memstress {

using namespace texel;

namespace {

constexpr uint64_t kMiB = uint64_t{1} << 20;

double mib(uint64_t bytes) {
  return static_cast<double>(bytes) / static_cast<double>(kMiB);
}

class Stopwatch {
 public:
  double milliseconds() const {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_)
        .count();
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// Gives the browser's event loop a turn (context events, fences); needs ASYNCIFY there.
void pause() {
#ifdef __EMSCRIPTEN__
  emscripten_sleep(10);
#else
  std::this_thread::sleep_for(std::chrono::milliseconds(1));
#endif
}

bool waitUntil(const std::function<bool()>& done, double timeoutMs) {
  Stopwatch clock;
  while (!done()) {
    if (clock.milliseconds() > timeoutMs) return false;
    pause();
  }
  return true;
}

Tensor images(Backend& backend, int64_t batch, uint64_t seed) {
  return randomUniform(backend, {batch, 28, 28, 1}, 0.0f, 1.0f, seed);
}

Tensor labels(Backend& backend, int64_t batch, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<int32_t> ids(static_cast<size_t>(batch));
  for (int32_t& id : ids) id = static_cast<int32_t>(rng() % 10);
  return tensorInt32(backend, {batch}, ids);
}

// Same values, NaN where NaN (verify::compare's IEEE rules with no tolerance).
bool identical(const std::vector<float>& a, const std::vector<float>& b) {
  return verify::compare(a, b).within(0.0);
}

// The MNIST CNN with seeded weights, as model-file bytes: every backend loads the same.
std::vector<uint8_t> mnistModelBytes(uint64_t seed) {
  Model model = mnist::makeModel(cpu(), seed, "small");
  return serializeModel(model);
}

// A deep MLP (256 -> 8 x 256 -> 10): a training step keeps every layer's activations and
// gradients alive while each op touches only a few of them, so its working set is many
// times its largest op. Used where the budget must be far below the working set.
std::vector<uint8_t> mlpModelBytes(uint64_t seed) {
  namespace L = texel::layers;
  std::vector<std::shared_ptr<Layer>> stack;
  for (int i = 0; i < 8; ++i) stack.push_back(L::dense({.units = 256, .activation = "relu"}));
  stack.push_back(L::dense({.units = 10, .activation = "softmax"}));
  Model model = Model::sequential(cpu(), {256}, stack, seed);
  return serializeModel(model);
}

void finish(Row& row, GlBackend& backend, const Stopwatch& clock) {
  MemoryStats stats = backend.stats();
  row.peakBytes = stats.peakBytes;
  row.finalLiveBytes = stats.liveBytes;
  row.milliseconds = clock.milliseconds();
}

// 1. Random shapes allocated and released: the pool must hit, stay under the budget and
// give every byte back.
Row churn(const std::shared_ptr<GlContext>& context, const Config& config) {
  Row row{.scenario = "churn"};
  const uint64_t budget = 64 * kMiB;
  auto backend = GlBackend::create(context, GlOptions{.budgetBytes = budget, .paging = false});
  Stopwatch clock;
  row.iterations = config.quick ? 5000 : 100000;
  std::mt19937_64 rng(config.seed);
  std::vector<Tensor> working(16);  // a sliding working set, as a real program has
  MemoryStats before = backend->stats();
  int checked = 0;
  for (int64_t i = 0; i < row.iterations; ++i) {
    std::vector<int64_t> dims(1 + rng() % 4);
    for (int64_t& d : dims) d = 1 + static_cast<int64_t>(rng() % 12);
    dims.back() = 1 + static_cast<int64_t>(rng() % 64);
    Shape shape(dims);
    Tensor& slot = working[rng() % working.size()];
    if (i % 97 == 0) {  // now and then real values through a reused texture
      std::vector<float> values = verify::randomValues(shape.size(), config.seed + i);
      slot = tensor(*backend, shape, values);
      if (slot.data() != values) fail("churn: values changed in a pooled texture");
      ++checked;
    } else {
      slot = backend->allocate({shape, DType::Float32}, "churn");
    }
  }
  working.clear();
  MemoryStats after = backend->stats();
  int64_t acquisitions =
      (after.poolHits - before.poolHits) + (after.textureAllocations - before.textureAllocations);
  double hitRate = static_cast<double>(after.poolHits - before.poolHits) /
                   static_cast<double>(std::max<int64_t>(acquisitions, 1));
  finish(row, *backend, clock);
  row.ok =
      after.liveBytes == 0 && after.liveTensors == before.liveTensors && after.peakBytes <= budget;
  row.detail =
      concat("pool hit rate ", std::round(hitRate * 1000) / 10, "%, ", after.textureAllocations,
             " driver allocations, ", after.pooledTextures, " pooled (", mib(after.pooledBytes),
             " MiB), ", after.trimmedTextures, " trimmed idle; budget ", mib(budget), " MiB; ",
             checked, " value round trips exact");
  return row;
}

// 2. The MNIST CNN at random batch sizes: size buckets and the budget keep the pool
// bounded (TF.js's pool grows with every new shape).
Row varyingBatch(const std::shared_ptr<GlContext>& context, const Config& config) {
  Row row{.scenario = "varying-batch"};
  const uint64_t budget = 256 * kMiB;
  auto backend = GlBackend::create(context, GlOptions{.budgetBytes = budget});
  std::optional<Model> model(loadModel(*backend, mnistModelBytes(config.seed)));
  Stopwatch clock;
  row.iterations = config.quick ? 40 : 1000;
  int maxBatch = config.quick ? 32 : 128;
  std::mt19937_64 rng(config.seed);
  MemoryStats baseline = backend->stats();
  int64_t allocationsAtHalf = 0;
  int64_t maxPooled = 0;
  bool steady = true;
  for (int64_t i = 0; i < row.iterations; ++i) {
    if (i == row.iterations / 2) allocationsAtHalf = backend->stats().textureAllocations;
    int64_t batch = 1 + static_cast<int64_t>(rng() % static_cast<uint64_t>(maxBatch));
    {
      Tensor y = model->predict(images(*backend, batch, config.seed + i), 128);
      if (y.shape() != Shape{batch, 10}) fail("varying-batch: predict gave shape ", y.shape());
      y.data();
    }
    MemoryStats now = backend->stats();
    steady = steady && now.liveBytes == baseline.liveBytes;
    maxPooled = std::max(maxPooled, now.pooledTextures);
  }
  MemoryStats after = backend->stats();
  int64_t firstHalf = allocationsAtHalf - baseline.textureAllocations;
  int64_t secondHalf = after.textureAllocations - allocationsAtHalf;
  model.reset();
  finish(row, *backend, clock);
  row.ok = steady && after.peakBytes <= budget && secondHalf <= firstHalf;
  row.detail =
      concat("batches 1..", maxBatch, ": driver allocations ", firstHalf, " in the first half, ",
             secondHalf, " in the second; at most ", maxPooled, " pooled textures, peak ",
             mib(after.peakBytes), " MiB of ", mib(budget), "; live bytes back to the weights (",
             baseline.liveBytes, ") after every predict: ", steady ? "yes" : "NO");
  return row;
}

// 3. Fill the budget: the next allocation fails clearly; release, and work goes on. With
// paging on, only an op whose own inputs and output exceed the budget fails.
Row budget(const std::shared_ptr<GlContext>& context, const Config&) {
  Row row{.scenario = "budget"};
  const uint64_t budgetBytes = 8 * kMiB;
  auto backend = GlBackend::create(context, GlOptions{.budgetBytes = budgetBytes, .paging = false});
  Stopwatch clock;
  std::vector<Tensor> held;
  std::string message;
  for (int i = 0; i < 64 && message.empty(); ++i) {
    try {
      held.push_back(zeros(*backend, {256, 1024}));  // 1 MiB each
    } catch (const OutOfMemory& e) {
      message = e.what();
    }
  }
  row.iterations = static_cast<int64_t>(held.size());
  bool failedAtBudget =
      held.size() == 8 && message.find("out of GPU memory budget") != std::string::npos;
  held.resize(4);
  Tensor more = add(held[0], scalar(*backend, 1.0f));
  bool worksAgain = more.data()[0] == 1.0f;
  // Paging on: twelve more 1 MiB tensors page the others out; an op needing 12 MiB at
  // once cannot run.
  backend->setPaging(true);
  for (int i = 0; i < 12; ++i) held.push_back(fill(*backend, {256, 1024}, static_cast<float>(i)));
  bool pagedBack = held.back().data()[7] == 11.0f && held[4].data()[0] == 0.0f;
  std::string passMessage;
  {
    Tensor big = zeros(*backend, {256, 6 * 1024});  // 6 MiB
    try {
      Tensor twice = add(big, big);
    } catch (const OutOfMemory& e) {
      passMessage = e.what();
    }
  }
  bool onePassFails = passMessage.find("nothing left to page out") != std::string::npos;
  bool stillWorks = add(held[5], held[6]).data()[0] == 3.0f;  // 1 + 2
  held.clear();
  more = Tensor();
  finish(row, *backend, clock);
  row.ok = failedAtBudget && worksAgain && pagedBack && onePassFails && stillWorks &&
           row.finalLiveBytes == 0 && row.peakBytes <= budgetBytes;
  row.detail = concat("paging off: the 9th 1 MiB tensor -> \"", message,
                      "\"; paging on: 16 MiB of tensors in an 8 MiB budget work, a 12 MiB op -> "
                      "OutOfMemory (",
                      onePassFails ? "as expected" : "NOT RAISED",
                      "); usable afterwards: ", worksAgain && stillWorks ? "yes" : "NO");
  return row;
}

// 4. Allocate until the driver refuses (or a cap): a clean OutOfMemory, no crash, and
// the backend works afterwards.
Row driverLimit(const std::shared_ptr<GlContext>& context, const Config& config) {
  Row row{.scenario = "driver-limit"};
  auto backend = GlBackend::create(context, GlOptions{.budgetBytes = 0, .paging = false});
  Stopwatch clock;
  const uint64_t cap = config.quick ? 512 * kMiB : 16384 * kMiB;
  int side = std::min(backend->maxTextureSize(), 4096);
  Shape shape{side, static_cast<int64_t>(side) * 4};  // one side x side RGBA32F texture
  std::vector<Tensor> held;
  uint64_t allocated = 0;
  std::string refusal;
  bool lost = false;
  while (allocated < cap && refusal.empty()) {
    try {
      held.push_back(backend->allocate({shape, DType::Float32}, "driver-limit"));
      allocated += backend->storageBytes(shape, DType::Float32);
    } catch (const OutOfMemory& e) {
      refusal = e.what();
    } catch (const ContextLost& e) {
      refusal = e.what();
      lost = true;
    }
  }
  row.iterations = static_cast<int64_t>(held.size());
  held.clear();
  // A browser may answer an exhausted GPU process by losing the context, at once or a
  // moment later: then the engine must say so, and work again once the context is back.
  waitUntil([&] { return context->isLost(); }, lost || refusal.empty() ? 0 : 2000);
  std::string restore = "not needed";
  if (context->isLost() || backend->contextLost()) {
    lost = true;
    bool restorable = waitUntil([&] { return context->restorable(); }, 5000);
    // A real loss is restored by the browser on its own; a request does no harm.
    if (restorable) context->restoreContext();
    bool back = waitUntil(
        [&] {
          if (!backend->contextLost() && context->isLost()) backend->markContextLost("memstress");
          return !context->isLost() && !backend->contextLost();
        },
        30000);
    restore = back ? concat("restored after ", std::round(clock.milliseconds()), " ms")
                   : "NOT restored within 30 s";
  }
  std::string after;
  bool works = false;
  try {
    works = add(scalar(*backend, 2.0f), scalar(*backend, 3.0f)).data()[0] == 5.0f;
  } catch (const Error& e) {
    after = e.what();
  }
  finish(row, *backend, clock);
  row.ok = works && row.finalLiveBytes == 0;
  row.detail = concat(
      refusal.empty() ? concat("cap of ", mib(cap), " MiB reached in ", side, "x", side,
                               " RGBA32F textures without a refusal")
                      : concat("driver refused after ", mib(allocated), " MiB: \"", refusal, "\""),
      lost ? concat("; the context was lost, ", restore) : std::string(),
      "; usable afterwards: ", works ? "yes" : concat("NO (", after, ")"));
  return row;
}

struct TrainResult {
  std::vector<float> prediction;
  double loss = 0;
  std::vector<std::vector<float>> weights;
  double milliseconds = 0;
};

TrainResult predictAndTrain(Backend& backend, const std::vector<uint8_t>& modelBytes, int batch,
                            uint64_t seed) {
  Model model = loadModel(backend, modelBytes);
  model.compile({.optimizer = sgd(0.05f), .loss = "sparseCategoricalCrossentropy"});
  Tensor x = randomUniform(backend, {batch, 256}, 0.0f, 1.0f, seed);
  Tensor y = labels(backend, batch, seed);
  Stopwatch clock;
  TrainResult result;
  result.prediction = model.predict(x, batch).data();
  result.loss = model.trainOnBatch({x}, y).at("loss");
  for (Variable* v : model.allVariables()) result.weights.push_back(v->value().data());
  result.milliseconds = clock.milliseconds();
  return result;
}

// 5. Paging: predict and a training step whose working set is 3x the budget gives bit-identical
// predictions, loss and weights, only slower.
Row paging(const std::shared_ptr<GlContext>& context, const Config& config) {
  Row row{.scenario = "paging"};
  int batch = config.quick ? 32 : 128;
  std::vector<uint8_t> bytes = mlpModelBytes(config.seed);
  auto free = GlBackend::create(context, GlOptions{.budgetBytes = 0});
  predictAndTrain(*free, bytes, batch, config.seed);  // compiles: the timed runs do not
  free->resetPeak();
  TrainResult reference = predictAndTrain(*free, bytes, batch, config.seed);
  uint64_t workingSet = free->stats().peakLiveBytes;
  uint64_t budgetBytes = workingSet / 3;
  auto tight = GlBackend::create(context, GlOptions{.budgetBytes = budgetBytes});
  Stopwatch clock;
  predictAndTrain(*tight, bytes, batch, config.seed);
  MemoryStats warm = tight->stats();
  TrainResult paged = predictAndTrain(*tight, bytes, batch, config.seed);
  MemoryStats stats = tight->stats();
  // The cost: median of 5 alternating runs each (one run is within these machines' noise).
  std::vector<double> freeMs = {reference.milliseconds}, pagedMs = {paged.milliseconds};
  for (int r = 0; r < 4; ++r) {
    freeMs.push_back(predictAndTrain(*free, bytes, batch, config.seed).milliseconds);
    pagedMs.push_back(predictAndTrain(*tight, bytes, batch, config.seed).milliseconds);
  }
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  double ratio = median(pagedMs) / median(freeMs);
  row.iterations = 6;
  bool same = identical(reference.prediction, paged.prediction) && reference.loss == paged.loss &&
              reference.weights.size() == paged.weights.size();
  for (size_t i = 0; same && i < paged.weights.size(); ++i)
    same = identical(reference.weights[i], paged.weights[i]);
  finish(row, *tight, clock);
  row.ok = same && stats.pageOuts > warm.pageOuts && stats.peakBytes <= budgetBytes &&
           row.finalLiveBytes == 0;
  row.detail =
      concat("9-layer MLP, batch ", batch, ", predict + train step: working set ", mib(workingSet),
             " MiB, budget ", mib(budgetBytes), " MiB; ", stats.pageOuts - warm.pageOuts,
             " page-outs, ", stats.pageIns - warm.pageIns,
             " page-ins; predictions, loss and weights bit-identical: ", same ? "yes" : "NO",
             "; time x", std::round(ratio * 100) / 100, " of unpaged (median of 5 runs each)");
  return row;
}

// 6. Leak check: training steps and predicts leave live tensors and bytes where they were.
Row leakCheck(const std::shared_ptr<GlContext>& context, const Config& config) {
  Row row{.scenario = "leak-check"};
  auto backend = GlBackend::create(context);
  Model model = loadModel(*backend, mnistModelBytes(config.seed));
  model.compile({.optimizer = adam(0.001f),
                 .loss = "sparseCategoricalCrossentropy",
                 .metrics = {"accuracy"}});
  const int batch = 32;
  Model::MemoryReport memory = model.memoryReport(batch);
  auto step = [&](int64_t i) {
    Tensor x = images(*backend, batch, config.seed + i);
    model.trainOnBatch({x}, labels(*backend, batch, config.seed + i));
  };
  auto predict = [&](int64_t i) { model.predict(images(*backend, batch, config.seed + i)).data(); };
  step(0);  // the optimizer makes its state on the first step
  predict(0);
  MemoryStats baseline = backend->stats();
  uint64_t baselineAllocations = backend->liveAllocations().size();
  Stopwatch clock;
  int64_t steps = config.quick ? 10 : 1000;
  for (int64_t i = 1; i <= steps; ++i) step(i);
  for (int64_t i = 1; i <= steps; ++i) predict(i);
  row.iterations = 2 * steps;
  MemoryStats after = backend->stats();
  finish(row, *backend, clock);
  row.finalLiveBytes = after.liveBytes - baseline.liveBytes;  // the growth, 0 when clean
  row.ok = after.liveTensors == baseline.liveTensors && after.liveBytes == baseline.liveBytes &&
           backend->liveAllocations().size() == baselineAllocations &&
           after.compileCount == baseline.compileCount;
  row.detail =
      concat(steps, " train steps + ", steps, " predicts: live tensors ", baseline.liveTensors,
             " -> ", after.liveTensors, ", live bytes ", baseline.liveBytes, " -> ",
             after.liveBytes, ", new programs ", after.compileCount - baseline.compileCount,
             "; model at batch 32: weights ", mib(memory.weightBytes), " MiB, predict peak ",
             mib(memory.predictPeakBytes), " MiB (plan ", mib(memory.plannedPredictBytes),
             "), train-step peak ", mib(memory.trainStepPeakBytes), " MiB");
  return row;
}

// 7. Context loss: detected, reported through the listener and as ContextLost errors,
// restored, and predictions are right again afterwards.
Row contextLoss(const std::shared_ptr<GlContext>& context, const Config& config) {
  Row row{.scenario = "context-loss"};
  auto backend = GlBackend::create(context);
  int lostEvents = 0, restoredEvents = 0;
  std::string restoreFailure;
  backend->setContextListener([&](ContextEvent event, const std::string& detail) {
    if (event == ContextEvent::Lost) ++lostEvents;
    if (event == ContextEvent::Restored) ++restoredEvents;
    if (event == ContextEvent::RestoreFailed) restoreFailure = detail;
  });
  std::vector<uint8_t> bytes = mnistModelBytes(config.seed);
  std::optional<Model> model(loadModel(*backend, bytes));
  Model onCpu = loadModel(cpu(), bytes);
  Tensor x = images(*backend, 8, config.seed);
  std::vector<float> before = model->predict(x).data();
  std::vector<float> reference = onCpu.predict(x.to(cpu())).data();
  Tensor gpuOnly = relu(x);
  PendingRead unfinished = gpuOnly.dataAsync();  // never taken before the loss
  Stopwatch clock;
  if (!context->loseContext()) {
    row.detail = "this platform cannot lose its context on purpose";
    return row;
  }
  std::string opError;
  try {
    model->predict(x).data();
  } catch (const ContextLost& e) {
    opError = e.what();
  }
  // The listener hears of it at once (the op above noticed); the browser may restore
  // only once its own webglcontextlost event has been dispatched.
  bool reported = waitUntil([&] { return lostEvents > 0 && context->restorable(); }, 5000);
  double lostMs = clock.milliseconds();
  if (!context->restoreContext()) restoreFailure = "the platform refused to restore";
  bool restored = waitUntil([&] { return restoredEvents > 0 || !restoreFailure.empty(); }, 10000) &&
                  restoreFailure.empty();
  double restoreMs = clock.milliseconds() - lostMs;
  std::vector<float> after;
  std::string gpuOnlyError;
  if (restored) {
    after = model->predict(x).data();
    try {
      gpuOnly.data();
    } catch (const ContextLost& e) {
      gpuOnlyError = e.what();
    }
    try {
      unfinished.take();
      gpuOnlyError.clear();  // a read begun before the loss must not return values
    } catch (const ContextLost&) {
    }
  }
  row.iterations = 1;
  verify::Comparison againstCpu = verify::compare(after, reference);
  bool same = !after.empty() && identical(before, after) && againstCpu.within(1e-4);
  gpuOnly = Tensor();
  x = Tensor();
  model.reset();
  finish(row, *backend, clock);
  row.ok = !opError.empty() && reported && restored && same && !gpuOnlyError.empty();
  row.detail = concat("lost: listener ", reported ? "told" : "NOT told", ", ops raise \"", opError,
                      "\"; restored in ", std::round(restoreMs), " ms (",
                      restored ? "ok" : "FAILED " + restoreFailure,
                      "); predictions identical to before: ", same ? "yes" : "NO",
                      " (vs CPU: max rel error ", againstCpu.maxRel,
                      "); a GPU-only result and a read begun before the loss raise: ",
                      gpuOnlyError.empty() ? "NO" : "yes");
  return row;
}

// 8. Tensors past the texture limit: split over several textures where the op allows,
// else a clear texel::Error; never a GL error.
Row oversized(const std::shared_ptr<GlContext>& context, const Config& config) {
  Row row{.scenario = "oversized"};
  int cap = config.quick ? 64 : 1024;
  auto backend =
      GlBackend::create(context, GlOptions{.maxTextureSize = cap, .checkErrorsEveryPass = true});
  Stopwatch clock;
  int64_t rows = static_cast<int64_t>(cap) * cap + 3;  // one texel per row: past one texture
  std::vector<float> values = verify::randomValues(rows * 3, config.seed);
  Tensor x = tensor(*backend, {rows, 3}, values);
  bool split = gl::isSplit(x);
  std::vector<float> doubled = mul(x, scalar(*backend, 2.0f)).data();
  bool right = doubled.size() == values.size();
  for (size_t i = 0; right && i < values.size(); ++i) right = doubled[i] == 2.0f * values[i];
  std::string rowError;
  try {
    broadcastTo(scalar(*backend, 1.0f), {2, static_cast<int64_t>(cap) * cap * 4 + 4});
  } catch (const Error& e) {
    rowError = e.what();
  }
  // At the device's own limit too (nothing is allocated: the shape is refused first).
  auto device = GlBackend::create(context, GlOptions{.checkErrorsEveryPass = true});
  int64_t limit = device->maxTextureSize();
  std::string deviceError;
  try {
    broadcastTo(scalar(*device, 1.0f), {1, limit * limit * 4 + 4});
  } catch (const Error& e) {
    deviceError = e.what();
  }
  bool clean = glGetError() == GL_NO_ERROR;
  x = Tensor();
  row.iterations = 3;
  finish(row, *backend, clock);
  row.ok = split && right && rowError.find("texture") != std::string::npos &&
           deviceError.find("texture") != std::string::npos && clean && row.finalLiveBytes == 0;
  row.detail = concat("[", rows, ",3] at texture side ", cap, ": split ", split ? "yes" : "NO",
                      ", mul exact ", right ? "yes" : "NO", "; a row past the limit: \"", rowError,
                      "\"; at the device limit ", limit, ": \"", deviceError,
                      "\"; GL error flag clean: ", clean ? "yes" : "NO");
  return row;
}

}  // namespace

const std::vector<Scenario>& scenarios() {
  static const std::vector<Scenario> all = {
      {"churn", "allocate/release cycles of random shapes", churn},
      {"varying-batch", "MNIST predicts at random batch sizes", varyingBatch},
      {"budget", "fill the budget, OutOfMemory, recover", budget},
      {"driver-limit", "allocate until the driver refuses", driverLimit},
      {"paging", "working set 3x the budget, same results", paging},
      {"leak-check", "train steps and predicts leave nothing", leakCheck},
      {"context-loss", "lose and restore the GL context", contextLoss},
      {"oversized", "tensors beyond the texture limit", oversized},
  };
  return all;
}

Row runScenario(const Scenario& scenario, const std::shared_ptr<GlContext>& context,
                const Config& config) {
  Stopwatch clock;
  try {
    return scenario.run(context, config);
  } catch (const std::exception& e) {
    Row row{.scenario = scenario.name};
    row.milliseconds = clock.milliseconds();
    row.detail = concat("threw: ", e.what());
    return row;
  }
}

void printHeader(std::FILE* out) {
  std::fprintf(out, "%-14s %10s %11s %12s %9s  %-4s %s\n", "scenario", "iterations", "peak MiB",
               "final live B", "time s", "ok", "figures");
}

void printRow(std::FILE* out, const Row& row) {
  std::fprintf(out, "%-14s %10lld %11.2f %12llu %9.2f  %-4s %s\n", row.scenario.c_str(),
               static_cast<long long>(row.iterations), mib(row.peakBytes),
               static_cast<unsigned long long>(row.finalLiveBytes), row.milliseconds / 1000.0,
               row.ok ? "ok" : "FAIL", row.detail.c_str());
  std::fflush(out);
}

}  // namespace memstress
