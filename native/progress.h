// Progress of a long run on stderr: a bar with percentage, rate and ETA
// redrawn in place when stderr is a terminal (and stdout is not), plain
// periodic lines when asked for (--progress), nothing otherwise. Updates are
// throttled, so calling Update once per block of work costs nothing.
#ifndef EDGEPIECE_NATIVE_PROGRESS_H_
#define EDGEPIECE_NATIVE_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace edgepiece::cli {

class Progress {
 public:
  // How progress is shown.
  enum class Mode {
    kOff,    // not at all
    kBar,    // one line redrawn in place (a terminal)
    kLines,  // a line every few seconds and one at the end (logs, pipes)
  };
  // kBar when stderr is a terminal (and stdout is not), else kLines when
  // `requested`, else kOff.
  static Mode ModeForStderr(bool requested);

  // `label` names the work ("encode"); `total_bytes` is the input's size, 0
  // when unknown (stdin): then bytes and rate are shown without percentage.
  Progress(std::string label, uint64_t total_bytes, Mode mode, std::FILE* out = stderr);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // `done` bytes of the input are processed; prints only when an update is
  // due (every 200 ms for the bar, 2 s for lines, none in the first 0.5 s).
  void Update(uint64_t done);
  // The work is over: the last state and, for the bar, the end of its line.
  // Lines mode always prints a final line; the bar only if it was shown.
  void Finish(uint64_t done);

  // The text of one report (no line end), for `done` bytes after `seconds`.
  std::string Format(uint64_t done, double seconds) const;

 private:
  void Print(uint64_t done, double seconds, bool final_line);

  std::string label_;
  uint64_t total_bytes_;
  Mode mode_;
  std::FILE* out_;
  std::chrono::steady_clock::time_point start_;
  double next_update_;  // seconds since start_
  bool shown_ = false;
  bool finished_ = false;
};

}  // namespace edgepiece::cli

#endif  // EDGEPIECE_NATIVE_PROGRESS_H_
