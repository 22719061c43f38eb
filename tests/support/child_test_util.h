// Helpers for tests that run child processes (adapters/process/child_process.h, psql_describer.h):
// counting this process's zombie children without reaping anyone else's, and throwaway
// directories with executable scripts in them.
//
// Not thread-safe; tests call them from the doctest thread.
#pragma once

#include <dirent.h>
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace planbot::testing {

// Children of this process that have exited and were not reaped, read from /proc (waitpid(-1)
// would reap, and so steal, other tests' children).
inline int ZombieChildren() {
  int zombies = 0;
  DIR* proc = ::opendir("/proc");
  REQUIRE(proc != nullptr);
  while (dirent* entry = ::readdir(proc)) {
    std::string name = entry->d_name;
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;  // not a process
    std::ifstream in("/proc/" + name + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    size_t comm_end = stat.rfind(')');  // the command name may hold spaces and parentheses
    if (comm_end == std::string::npos) continue;
    std::istringstream fields(stat.substr(comm_end + 1));
    std::string state;
    long ppid = 0;
    fields >> state >> ppid;
    if (ppid == ::getpid() && state == "Z") ++zombies;
  }
  ::closedir(proc);
  return zombies;
}

// A fresh directory under /tmp, removed with everything in it at the end of the scope.
class TempDir {
 public:
  TempDir() {
    char path[] = "/tmp/planbot-child-test-XXXXXX";
    REQUIRE(::mkdtemp(path) != nullptr);
    path_ = path;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }

  // Writes an executable /bin/sh script `name` with `body` and returns its path.
  std::string Script(const std::string& name, const std::string& body) const {
    std::string file = path_ + "/" + name;
    {
      std::ofstream out(file);
      out << "#!/bin/sh\n" << body << "\n";
    }
    REQUIRE(::chmod(file.c_str(), 0755) == 0);
    return file;
  }

  // The contents of `name` in this directory ("" when it does not exist).
  std::string Read(const std::string& name) const {
    std::ifstream in(path_ + "/" + name);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }

 private:
  std::string path_;
};

}  // namespace planbot::testing
