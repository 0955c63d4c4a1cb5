#include "engine/train/progress.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#if defined(__unix__) || defined(__EMSCRIPTEN__)
#include <unistd.h>
#endif

namespace texel {

ProgressBar::ProgressBar(std::FILE* out, int64_t total, std::string label)
    : out_(out),
      total_(std::max<int64_t>(total, 1)),
      label_(std::move(label)),
      terminal_(false),
      start_(std::chrono::steady_clock::now()),
      lastDraw_(start_) {
#if defined(__unix__) && !defined(__EMSCRIPTEN__)
  terminal_ = out_ && isatty(fileno(out_));
#endif
}

std::string ProgressBar::formatSeconds(double seconds) {
  char text[32];
  if (seconds < 1)
    std::snprintf(text, sizeof text, "%.0fms", seconds * 1000);
  else if (seconds < 60)
    std::snprintf(text, sizeof text, "%.1fs", seconds);
  else
    std::snprintf(text, sizeof text, "%dm%02ds", static_cast<int>(seconds / 60),
                  static_cast<int>(std::fmod(seconds, 60)));
  return text;
}

std::string ProgressBar::line(int64_t done, const std::map<std::string, double>& values,
                              bool final) const {
  constexpr int kWidth = 24;
  double fraction = std::clamp(static_cast<double>(done) / static_cast<double>(total_), 0.0, 1.0);
  int filled = static_cast<int>(fraction * kWidth);
  std::string bar(static_cast<size_t>(filled), '=');
  if (filled < kWidth) bar += '>';
  bar.resize(kWidth, ' ');
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string text =
      label_ + "  " + std::to_string(done) + "/" + std::to_string(total_) + " [" + bar + "]";
  if (final) {
    text += "  " + formatSeconds(elapsed);
  } else if (done > 0) {
    text += "  ETA " +
            formatSeconds(elapsed / static_cast<double>(done) * static_cast<double>(total_ - done));
  }
  for (const auto& [name, value] : values) {
    char number[32];
    std::snprintf(number, sizeof number, "%.4f", value);
    text += "  " + name + " " + number;
  }
  return text;
}

void ProgressBar::update(int64_t done, const std::map<std::string, double>& values) {
  if (!out_ || !terminal_) return;
  auto now = std::chrono::steady_clock::now();
  if (done < total_ && now - lastDraw_ < std::chrono::milliseconds(100)) return;
  lastDraw_ = now;
  std::fprintf(out_, "\r%s\x1b[K", line(done, values, false).c_str());
  std::fflush(out_);
}

void ProgressBar::finish(const std::map<std::string, double>& values) {
  if (!out_) return;
  std::fprintf(out_, "%s%s\n", terminal_ ? "\r\x1b[K" : "", line(total_, values, true).c_str());
  std::fflush(out_);
}

}  // namespace texel
