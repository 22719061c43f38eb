// RunChild: runs one program without a shell and captures what it prints, bounded in time and
// size. Used to run psql for the \d family (adapters/postgres/psql_describer.h).
//
// The child is started with posix_spawn from an absolute path, with exactly the argv and
// environment given (nothing inherited from planbot's environment), stdin on /dev/null, stdout
// and stderr on two pipes that are read together (poll), every other descriptor closed, an empty
// signal mask and default signal dispositions. The parent never writes to the child, so SIGPIPE
// cannot reach planbot from here.
//
// Bounds: past `timeout` the child is killed (SIGKILL) and reaped, and the result is Error
// "timeout". When stdout passes `max_stdout` bytes the child is killed as well and the output so
// far is returned with `stdout_truncated` set; stderr past `max_stderr` is read and dropped.
//
// Every child that was started is reaped before RunChild returns, whatever happens (timeout,
// truncation, an exception from an allocation): no zombies. Caveat: if the process ignores
// SIGCHLD (SIG_IGN) the kernel reaps children itself and the exit status is lost
// (`exit_code` stays -1, `signal` 0).
//
// Errors: "timeout"; "spawn_failed" (the program cannot be started: the message names the path
// and the reason). Nothing throws.
//
// Thread-safety: RunChild may be called from many threads at once; each call has its own child.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "common/result.h"

namespace planbot::adapters {

struct ChildRequest {
  std::string path;               // absolute path of the program; also argv[0]
  std::vector<std::string> args;  // argv[1..]
  std::vector<std::string> env;   // the child's whole environment, "NAME=value" each
  std::chrono::milliseconds timeout{30000};
  size_t max_stdout = 1 << 20;
  size_t max_stderr = 64 << 10;
};

struct ChildOutput {
  std::string out;
  std::string err;
  bool stdout_truncated = false;  // stdout passed max_stdout; the child was killed
  int exit_code = -1;             // the exit status when the child exited, else -1
  int signal = 0;                 // the signal that ended the child, else 0
};

Result<ChildOutput> RunChild(const ChildRequest& request);

}  // namespace planbot::adapters
