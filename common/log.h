// Logger: one line per event on a sink (stderr by default), passed to each component that logs.
// No global logger: main builds one and hands copies out.
//
// Never log secrets (tokens, passwords, signatures, DSNs with passwords) or values read from a
// user's tables; database error texts are logged only at debug level, and only when the
// operator enabled `logging.debug_database_errors` (documented as sensitive).
//
// Thread-safety: Log() may be called from any thread; the default sink writes whole lines.
#pragma once

#include <chrono>
#include <cstdio>
#include <ctime>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace planbot {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

inline const char* LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

using LogSink = std::function<void(LogLevel, const std::string&)>;

class Logger {
 public:
  // Writes "2026-11-23T10:00:00Z info <component>: message" lines to stderr.
  static LogSink Stderr() {
    auto mu = std::make_shared<std::mutex>();
    return [mu](LogLevel level, const std::string& line) {
      std::time_t now = std::time(nullptr);
      char ts[32];
      std::tm tm{};
      gmtime_r(&now, &tm);
      std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
      std::lock_guard<std::mutex> lock(*mu);
      std::fprintf(stderr, "%s %s %s\n", ts, LogLevelName(level), line.c_str());
    };
  }

  // A logger that drops everything (tests, offline commands).
  Logger() = default;
  Logger(LogSink sink, LogLevel min_level, std::string component = {})
      : sink_(std::move(sink)), min_(min_level), component_(std::move(component)) {}

  // The same sink and level, for another component.
  Logger For(std::string component) const { return Logger(sink_, min_, std::move(component)); }

  bool enabled(LogLevel level) const { return sink_ && level >= min_; }
  void Log(LogLevel level, const std::string& message) const {
    if (!enabled(level)) return;
    sink_(level, component_.empty() ? message : component_ + ": " + message);
  }
  void Debug(const std::string& m) const { Log(LogLevel::kDebug, m); }
  void Info(const std::string& m) const { Log(LogLevel::kInfo, m); }
  void Warn(const std::string& m) const { Log(LogLevel::kWarn, m); }
  void Error(const std::string& m) const { Log(LogLevel::kError, m); }

 private:
  LogSink sink_;
  LogLevel min_ = LogLevel::kInfo;
  std::string component_;
};

}  // namespace planbot
