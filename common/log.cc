#include "common/log.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

namespace planbot {
namespace {

// RFC 3339 in UTC with milliseconds: 2026-11-23T10:00:00.123Z.
std::string Now() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t secs = std::chrono::system_clock::to_time_t(now);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) %
                  std::chrono::milliseconds(1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  const size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(ms.count()));
  return buf;
}

bool NeedsQuotes(const std::string& v) {
  if (v.empty()) return true;
  for (char c : v) {
    if (c == ' ' || c == '"' || c == '=' || c == '\\' || static_cast<unsigned char>(c) < 0x20) {
      return true;
    }
  }
  return false;
}

// Writes whole lines to stderr, one writer at a time.
LogSink StderrSink(std::function<std::string(const LogRecord&)> format) {
  auto mu = std::make_shared<std::mutex>();
  return [mu, format = std::move(format)](const LogRecord& record) {
    const std::string line = format(record) + "\n";
    std::lock_guard<std::mutex> lock(*mu);
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
  };
}

}  // namespace

const char* LogLevelName(LogLevel level) {
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

std::optional<LogLevel> ParseLogLevel(std::string_view name) {
  for (LogLevel level : {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError}) {
    if (name == LogLevelName(level)) return level;
  }
  return std::nullopt;
}

LogField::LogField(std::string k, double v) : key(std::move(k)), number(true) {
  if (!std::isfinite(v)) {
    value = "null";
    return;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  value = buf;
}

LogField::LogField(std::string k, long long v)
    : key(std::move(k)), value(std::to_string(v)), number(true) {}

std::string LogRecord::Line() const {
  std::string line = component.empty() ? message : component + ": " + message;
  for (const LogField& f : fields) {
    line += ' ';
    line += f.key;
    line += '=';
    line += !f.number && NeedsQuotes(f.value) ? nlohmann::json(f.value).dump() : f.value;
  }
  return line;
}

std::string LogRecord::Json(const std::string& time) const {
  nlohmann::ordered_json out;
  if (!time.empty()) out["time"] = time;
  out["level"] = LogLevelName(level);
  out["component"] = component;
  out["message"] = message;
  for (const LogField& f : fields) {
    if (f.number && f.value != "null") {
      out[f.key] = nlohmann::json::parse(f.value, nullptr, false);
    } else {
      out[f.key] = f.value;
    }
  }
  // Replace, never throw, on text that is not UTF-8.
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

LogSink Logger::Stderr() {
  return StderrSink(
      [](const LogRecord& r) { return Now() + " " + LogLevelName(r.level) + " " + r.Line(); });
}

LogSink Logger::StderrJson() {
  return StderrSink([](const LogRecord& r) { return r.Json(Now()); });
}

LogSink Logger::StderrFormat(std::string_view format) {
  return format == "json" ? StderrJson() : Stderr();
}

}  // namespace planbot
