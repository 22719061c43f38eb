// Helpers for tests that run `planbot` as a process, the way a user does: a free loopback port,
// spawning with stderr to a log file, running a shell command line, waiting for /healthz, and
// counting a prefix's clones on the test server.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace planbot::testing {

// A port nothing listens on right now (bind to port 0, read it back, close).
int FreePort();

// Starts `args` (args[0] a path) with stderr to `log_path` and stdout to /dev/null, in the
// working directory `cwd` (empty: this process's).
pid_t Spawn(const std::vector<std::string>& args, const std::string& log_path,
            const std::string& cwd = "");

struct Run {
  int code;
  std::string out;
};

// Runs a shell command line, returning its exit code and stdout+stderr.
Run Shell(const std::string& command);

// Databases plus roles named prefix_* on the test server.
int CountClones(const std::string& prefix);

// True once GET /healthz on 127.0.0.1:port answers 200 (within 15 s).
bool WaitHealthy(int port);

}  // namespace planbot::testing
