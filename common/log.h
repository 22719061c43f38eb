// Logger: one event per line on a sink (stderr by default), passed to each component that logs.
// No global logger: main builds one and hands copies out.
//
// An event is a level, the component that logs it, a message and optional fields (request id,
// user, session, command, status, duration, ...). The sink writes it as a text line
// ("2026-11-23T10:00:00.123Z info http: request request_id=... status=200") or as one JSON
// object per line (`logging.format: json`), with the fields as keys.
//
// Never log secrets (tokens, passwords, signatures, DSNs with passwords), SQL text, or values
// read from a user's tables; database error texts are logged only at debug level, and only when
// the operator enabled `logging.debug_database_errors` (documented as sensitive).
//
// Thread-safety: Log() may be called from any thread; the stderr sinks write whole lines.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace planbot {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// "debug", "info", "warn", "error".
const char* LogLevelName(LogLevel level);
// The level a configuration names; nullopt for anything else.
std::optional<LogLevel> ParseLogLevel(std::string_view name);

// One field of an event. A number is written unquoted in JSON.
struct LogField {
  LogField(std::string k, std::string v) : key(std::move(k)), value(std::move(v)) {}
  LogField(std::string k, const char* v) : key(std::move(k)), value(v) {}
  LogField(std::string k, double v);
  LogField(std::string k, long long v);
  LogField(std::string k, int v) : LogField(std::move(k), static_cast<long long>(v)) {}
  LogField(std::string k, long v) : LogField(std::move(k), static_cast<long long>(v)) {}

  std::string key;
  std::string value;
  bool number = false;
};
using LogFields = std::vector<LogField>;

struct LogRecord {
  LogLevel level;
  const std::string& component;
  const std::string& message;
  const LogFields& fields;

  // "component: message key=value ..." (a value with spaces or quotes is quoted).
  std::string Line() const;
  // {"level", "component", "message", fields...} without the time, one line.
  std::string Json(const std::string& time) const;
};

using LogSink = std::function<void(const LogRecord&)>;

class Logger {
 public:
  // "2026-11-23T10:00:00.123Z info <component>: message key=value" lines on stderr.
  static LogSink Stderr();
  // {"time": "...", "level": "info", "component": "...", "message": "...", key: value} lines.
  static LogSink StderrJson();
  // Stderr() for "text", StderrJson() for "json".
  static LogSink StderrFormat(std::string_view format);

  // A logger that drops everything (tests, offline commands).
  Logger() = default;
  Logger(LogSink sink, LogLevel min_level, std::string component = {})
      : sink_(std::move(sink)), min_(min_level), component_(std::move(component)) {}

  // The same sink and level, for another component.
  Logger For(std::string component) const { return Logger(sink_, min_, std::move(component)); }

  bool enabled(LogLevel level) const { return sink_ && level >= min_; }
  void Log(LogLevel level, const std::string& message, const LogFields& fields = {}) const {
    if (!enabled(level)) return;
    sink_(LogRecord{level, component_, message, fields});
  }
  void Debug(const std::string& m, const LogFields& f = {}) const { Log(LogLevel::kDebug, m, f); }
  void Info(const std::string& m, const LogFields& f = {}) const { Log(LogLevel::kInfo, m, f); }
  void Warn(const std::string& m, const LogFields& f = {}) const { Log(LogLevel::kWarn, m, f); }
  void Error(const std::string& m, const LogFields& f = {}) const { Log(LogLevel::kError, m, f); }

 private:
  LogSink sink_;
  LogLevel min_ = LogLevel::kInfo;
  std::string component_;
};

}  // namespace planbot
