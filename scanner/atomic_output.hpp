// An output file that appears whole or not at all (SPEC §2): written to a temporary file in the
// target's directory and renamed over the target on commit. A run that fails, is interrupted
// (SIGINT, SIGTERM, SIGHUP) or is killed leaves an existing target as it was. Standard output and
// targets that are not regular files (/dev/null, a FIFO, /dev/full) are written directly.
// Must not know what is written.
#pragma once

#include <cstdio>
#include <string>

namespace rareconn::scanner {

class AtomicOutput {
 public:
  AtomicOutput() = default;
  AtomicOutput(const AtomicOutput&) = delete;
  AtomicOutput& operator=(const AtomicOutput&) = delete;
  ~AtomicOutput();  // not committed: the temporary file is removed

  // `path` empty or "-": standard output. On failure returns false with a sentence in `error`.
  bool open(const std::string& path, std::string& error);
  std::FILE* stream() const { return stream_; }

  // Flushes, syncs and renames into place. On failure returns false with a sentence in `error`;
  // `broken_pipe` is set when the reader of standard output went away (not an error: SPEC §2).
  bool commit(std::string& error, bool& broken_pipe);

 private:
  std::string target_, temp_;
  std::FILE* stream_ = nullptr;
  bool owned_ = false;  // we opened stream_ (not stdout)
  int signal_slot_ = -1;
};

// Makes a closed pipe a write error (EPIPE) instead of a killing SIGPIPE, and removes unfinished
// temporary files on SIGINT, SIGTERM and SIGHUP before dying of the signal; a signal inherited as
// ignored (nohup, a script's background job) stays ignored. Call once at start.
void install_output_signal_handlers();

}  // namespace rareconn::scanner
