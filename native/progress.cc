#include "native/progress.h"

#include <unistd.h>

#include <algorithm>

namespace edgepiece::cli {
namespace {

constexpr double kFirstUpdateSeconds = 0.5;  // short runs print nothing
constexpr double kBarIntervalSeconds = 0.2;
constexpr double kLineIntervalSeconds = 2.0;
constexpr int kBarWidth = 24;

std::string Megabytes(double bytes) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f MB", bytes / 1e6);
  return text;
}

std::string Duration(double seconds) {
  const long long s = static_cast<long long>(seconds + 0.5);
  char text[32];
  if (s >= 3600) {
    std::snprintf(text, sizeof(text), "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
  } else {
    std::snprintf(text, sizeof(text), "%lld:%02lld", s / 60, s % 60);
  }
  return text;
}

}  // namespace

Progress::Mode Progress::ModeForStderr(bool requested) {
  // Not over output that goes to the same terminal.
  if (isatty(STDERR_FILENO) && !isatty(STDOUT_FILENO)) return Mode::kBar;
  return requested ? Mode::kLines : Mode::kOff;
}

Progress::Progress(std::string label, uint64_t total_bytes, Mode mode, std::FILE* out)
    : label_(std::move(label)),
      total_bytes_(total_bytes),
      mode_(mode),
      out_(out),
      start_(std::chrono::steady_clock::now()),
      next_update_(kFirstUpdateSeconds) {}

Progress::~Progress() {
  // A run that ends on an error leaves the bar's line ended.
  if (mode_ == Mode::kBar && shown_ && !finished_) std::fputc('\n', out_);
}

void Progress::Update(uint64_t done) {
  if (mode_ == Mode::kOff) return;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  if (seconds < next_update_) return;
  next_update_ = seconds + (mode_ == Mode::kBar ? kBarIntervalSeconds : kLineIntervalSeconds);
  Print(done, seconds, false);
}

void Progress::Finish(uint64_t done) {
  if (mode_ == Mode::kOff || finished_) return;
  finished_ = true;
  if (mode_ == Mode::kBar && !shown_) return;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  Print(done, seconds, true);
}

std::string Progress::Format(uint64_t done, double seconds) const {
  const double rate = seconds > 0 ? done / seconds : 0;
  std::string text = label_ + ": ";
  char part[96];
  if (total_bytes_ > 0) {
    const double fraction = std::min(1.0, static_cast<double>(done) / total_bytes_);
    std::snprintf(part, sizeof(part), "%3d%% ", static_cast<int>(fraction * 100));
    text += part;
    if (mode_ == Mode::kBar) {
      const int filled = static_cast<int>(fraction * kBarWidth);
      text += "[" + std::string(filled, '#') + std::string(kBarWidth - filled, ' ') + "] ";
    }
    text += Megabytes(done) + " of " + Megabytes(total_bytes_);
  } else {
    text += Megabytes(done);
  }
  text += ", " + Megabytes(rate) + "/s";
  if (total_bytes_ > 0 && done < total_bytes_ && rate > 0) {
    text += ", ETA " + Duration((total_bytes_ - done) / rate);
  } else {
    text += ", " + Duration(seconds);
  }
  return text;
}

void Progress::Print(uint64_t done, double seconds, bool final_line) {
  const std::string text = Format(done, seconds);
  if (mode_ == Mode::kBar) {
    // \r and erase-to-end redraw the line in place.
    std::fprintf(out_, "\r%s\033[K%s", text.c_str(), final_line ? "\n" : "");
  } else {
    std::fprintf(out_, "edgepiece: %s\n", text.c_str());
  }
  std::fflush(out_);
  shown_ = true;
}

}  // namespace edgepiece::cli
