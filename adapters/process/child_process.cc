#include "adapters/process/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>
#include <thread>
#include <utility>

namespace planbot::adapters {
namespace {

using Clock = std::chrono::steady_clock;

// An owned file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { Reset(); }
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      Reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void Reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

// Moves `fd` above 2, so that the child's dup2 onto 0..2 never meets it (planbot may run with
// a closed stdin or stdout).
bool AboveStdio(Fd& fd) {
  if (fd.get() > 2) return true;
  Fd moved(::fcntl(fd.get(), F_DUPFD_CLOEXEC, 3));
  if (!moved.valid()) return false;
  fd = std::move(moved);
  return true;
}

// A pipe whose ends are close-on-exec: children spawned by other threads never inherit them.
bool MakePipe(Fd& read_end, Fd& write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return false;
  read_end = Fd(fds[0]);
  write_end = Fd(fds[1]);
  return AboveStdio(read_end) && AboveStdio(write_end);
}

std::string ErrnoText(int error) {
  return std::error_code(error, std::generic_category()).message();
}

// Owns a started child until it has been reaped; kills it first when it must. Never signals a
// reaped pid (which the kernel may have handed to another process).
class Child {
 public:
  explicit Child(pid_t pid) : pid_(pid) {}
  ~Child() {
    if (!reaped_) KillAndReap();
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  void KillAndReap() {
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    reaped_ = true;
  }

  // True once the child has been reaped; `status` is set when its exit status is known.
  bool TryReap(int* status, bool* known) {
    for (;;) {
      pid_t r = ::waitpid(pid_, status, WNOHANG);
      if (r == 0) return false;
      if (r < 0 && errno == EINTR) continue;
      reaped_ = true;
      *known = r == pid_;  // ECHILD: SIGCHLD is ignored and the kernel reaped it
      return true;
    }
  }

 private:
  pid_t pid_;
  bool reaped_ = false;
};

class SpawnSetup {
 public:
  SpawnSetup() {
    ::posix_spawn_file_actions_init(&actions_);
    ::posix_spawnattr_init(&attr_);
  }
  ~SpawnSetup() {
    ::posix_spawn_file_actions_destroy(&actions_);
    ::posix_spawnattr_destroy(&attr_);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;

  // stdin from /dev/null, stdout and stderr onto the pipes, every other descriptor closed; no
  // blocked signals and default dispositions (an ignored SIGPIPE would otherwise be inherited).
  bool Prepare(int out_fd, int err_fd) {
    sigset_t none;
    sigset_t defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    for (int sig = 1; sig < 32; ++sig) {
      if (sig != SIGKILL && sig != SIGSTOP) sigaddset(&defaults, sig);
    }
    return ::posix_spawn_file_actions_addopen(&actions_, 0, "/dev/null", O_RDONLY, 0) == 0 &&
           ::posix_spawn_file_actions_adddup2(&actions_, out_fd, 1) == 0 &&
           ::posix_spawn_file_actions_adddup2(&actions_, err_fd, 2) == 0 &&
           ::posix_spawn_file_actions_addclosefrom_np(&actions_, 3) == 0 &&
           ::posix_spawnattr_setsigmask(&attr_, &none) == 0 &&
           ::posix_spawnattr_setsigdefault(&attr_, &defaults) == 0 &&
           ::posix_spawnattr_setflags(&attr_, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF) == 0;
  }

  const posix_spawn_file_actions_t* actions() const { return &actions_; }
  const posix_spawnattr_t* attr() const { return &attr_; }

 private:
  posix_spawn_file_actions_t actions_;
  posix_spawnattr_t attr_;
};

bool HasNul(const std::string& s) { return s.find('\0') != std::string::npos; }

Result<pid_t> Spawn(const ChildRequest& request, int out_fd, int err_fd) {
  std::vector<char*> argv{const_cast<char*>(request.path.c_str())};
  std::vector<char*> envp;
  bool nul = HasNul(request.path);
  for (const auto& arg : request.args) {
    nul = nul || HasNul(arg);
    argv.push_back(const_cast<char*>(arg.c_str()));
  }
  for (const auto& var : request.env) {
    nul = nul || HasNul(var);
    envp.push_back(const_cast<char*>(var.c_str()));
  }
  argv.push_back(nullptr);
  envp.push_back(nullptr);
  if (nul) return MakeError(ErrorCode::kSpawnFailed, "an argument holds a NUL byte");
  SpawnSetup setup;
  if (!setup.Prepare(out_fd, err_fd)) {
    return MakeError(ErrorCode::kSpawnFailed, "cannot prepare to run " + request.path);
  }
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, request.path.c_str(), setup.actions(), setup.attr(), argv.data(),
                         envp.data());
  if (rc != 0)
    return MakeError(ErrorCode::kSpawnFailed, "cannot run " + request.path + ": " + ErrnoText(rc));
  return pid;
}

// Milliseconds until `deadline`, rounded up; 0 once it has passed.
int MillisUntil(Clock::time_point deadline) {
  auto left = deadline - Clock::now();
  if (left <= Clock::duration::zero()) return 0;
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
  return static_cast<int>(std::min<int64_t>(ms, 1 << 30));
}

// One read from a ready pipe; keeps at most `cap` bytes of `text`. Closes `fd` at EOF or on an
// error. Returns true when bytes past `cap` arrived.
bool ReadSome(Fd& fd, std::string& text, size_t cap) {
  char buf[16384];
  ssize_t n = ::read(fd.get(), buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return false;
  if (n <= 0) {
    fd.Reset();
    return false;
  }
  size_t room = cap > text.size() ? cap - text.size() : 0;
  text.append(buf, std::min(room, static_cast<size_t>(n)));
  return static_cast<size_t>(n) > room;
}

enum class PumpEnd { kClosed, kOverflow, kDeadline, kFailed };

// Reads stdout and stderr together until both are closed, stdout overflows or the deadline
// passes.
PumpEnd Pump(Fd& out, Fd& err, const ChildRequest& request, Clock::time_point deadline,
             ChildOutput& output) {
  while (out.valid() || err.valid()) {
    int wait_ms = MillisUntil(deadline);
    if (wait_ms == 0) return PumpEnd::kDeadline;
    pollfd fds[2];
    nfds_t n = 0;
    if (out.valid()) fds[n++] = pollfd{out.get(), POLLIN, 0};
    if (err.valid()) fds[n++] = pollfd{err.get(), POLLIN, 0};
    int rc = ::poll(fds, n, wait_ms);
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0) return PumpEnd::kFailed;
    for (nfds_t i = 0; i < n; ++i) {
      if (fds[i].revents == 0) continue;
      if (fds[i].fd == out.get()) {
        if (ReadSome(out, output.out, request.max_stdout)) return PumpEnd::kOverflow;
      } else {
        ReadSome(err, output.err, request.max_stderr);  // the rest of stderr is dropped
      }
    }
  }
  return PumpEnd::kClosed;
}

// Waits for the child to exit until `deadline`. False when the deadline passed first.
bool WaitForExit(Child& child, Clock::time_point deadline, ChildOutput& output) {
  auto pause = std::chrono::milliseconds(1);
  int status = 0;
  bool known = false;
  while (!child.TryReap(&status, &known)) {
    auto now = Clock::now();
    if (now >= deadline) return false;
    std::this_thread::sleep_for(std::min<Clock::duration>(pause, deadline - now));
    pause = std::min(pause * 2, std::chrono::milliseconds(20));
  }
  if (known && WIFEXITED(status)) output.exit_code = WEXITSTATUS(status);
  if (known && WIFSIGNALED(status)) output.signal = WTERMSIG(status);
  return true;
}

Error Timeout(const ChildRequest& request) {
  return MakeError(ErrorCode::kTimeout, "the program did not finish within " +
                                            std::to_string(request.timeout.count()) + " ms");
}

Result<ChildOutput> Run(const ChildRequest& request) {
  auto deadline = Clock::now() + request.timeout;
  Fd out_read, out_write, err_read, err_write;
  if (!MakePipe(out_read, out_write) || !MakePipe(err_read, err_write)) {
    return MakeError(ErrorCode::kSpawnFailed, "cannot make a pipe: " + ErrnoText(errno));
  }
  auto pid = Spawn(request, out_write.get(), err_write.get());
  if (!pid) return pid.error();
  Child child(*pid);
  out_write.Reset();  // the child holds the only write ends now: EOF when it exits
  err_write.Reset();
  ChildOutput output;
  PumpEnd end = Pump(out_read, err_read, request, deadline, output);
  if (end == PumpEnd::kDeadline) return Timeout(request);  // ~Child kills and reaps
  if (end == PumpEnd::kFailed)
    return MakeError(ErrorCode::kSpawnFailed, "cannot read the program's output");
  if (end == PumpEnd::kOverflow) {
    child.KillAndReap();
    output.stdout_truncated = true;
    output.signal = SIGKILL;
    return output;
  }
  if (!WaitForExit(child, deadline, output)) return Timeout(request);
  return output;
}

}  // namespace

Result<ChildOutput> RunChild(const ChildRequest& request) {
  try {
    return Run(request);
  } catch (const std::exception& e) {  // std::bad_alloc; the child is reaped by then
    return MakeError(ErrorCode::kSpawnFailed, std::string("cannot run the program: ") + e.what());
  }
}

}  // namespace planbot::adapters
