#pragma once
// What Model::fit calls back during training (TF.js's callbacks), and callbacks that come
// with texel: a terminal progress bar. Several sets run in order through combine().
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "engine/core/tensor.h"

namespace texel {

// Loss and metric values by name ("loss", "acc", "val_loss", "val_acc", ...).
using Logs = std::map<std::string, double>;

// The shape of a fit run, told before its first epoch.
struct FitPlan {
  int initialEpoch = 0, epochs = 1;  // epochs initialEpoch .. epochs - 1 run
  int64_t batchesPerEpoch = 0, trainExamples = 0;
  int batchSize = 32;
};

struct FitCallbacks {
  std::function<void(const FitPlan& plan)> onTrainBegin;
  // Before each epoch; may replace the training inputs with others of the same shapes
  // (augmented copies, say). Validation data is not affected.
  std::function<void(int epoch, std::vector<Tensor>& trainX)> onEpochBegin;
  // After each batch, with that batch's loss and metrics.
  std::function<void(int epoch, int batch, const Logs& logs)> onBatchEnd;
  // After each epoch, with the epoch's means (and validation values).
  std::function<void(int epoch, const Logs& logs)> onEpochEnd;
};

// Runs `first`'s callbacks, then `second`'s.
FitCallbacks combine(FitCallbacks first, FitCallbacks second);

// A progress bar per epoch with ETA and the running means of the loss and metrics:
//   epoch 2/5  63/125 [==========>          ]  ETA 3.1s  loss 0.2345  acc 0.9312
// redrawn in place on a terminal; elsewhere (CI logs, pipes) only each epoch's final line.
FitCallbacks progressBar(std::FILE* out);

}  // namespace texel
