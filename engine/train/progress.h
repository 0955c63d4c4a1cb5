#pragma once
// A terminal progress bar for training loops:
//   epoch 2/5  63/125 [==========>          ]  ETA 3.1s  loss 0.2345  acc 0.9312
// Redrawn in place on a terminal; elsewhere (CI logs, pipes) only the final line of
// each run is printed, so logs stay short.
#include <chrono>
#include <cstdio>
#include <map>
#include <string>

namespace texel {

class ProgressBar {
 public:
  ProgressBar(std::FILE* out, int64_t total, std::string label);
  // `done` of `total` steps finished; values are shown with 4 decimals.
  void update(int64_t done, const std::map<std::string, double>& values);
  // Prints the final line with the elapsed time and ends it.
  void finish(const std::map<std::string, double>& values);
  // "1m05s", "3.1s", "120ms".
  static std::string formatSeconds(double seconds);

 private:
  std::string line(int64_t done, const std::map<std::string, double>& values, bool final) const;
  std::FILE* out_;
  int64_t total_;
  std::string label_;
  bool terminal_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point lastDraw_;
};

}  // namespace texel
