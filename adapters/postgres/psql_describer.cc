#include "adapters/postgres/psql_describer.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <climits>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/process/child_process.h"

namespace planbot::adapters {
namespace {

constexpr char kVersionedPsql[] = "/usr/lib/postgresql/15/bin/psql";
constexpr char kDebianPsql[] = "/usr/bin/psql";
constexpr size_t kMaxStderrBytes = 64 << 10;
constexpr size_t kMaxShownLines = 5;
constexpr size_t kMaxShownLineBytes = 300;

// stderr lines psql writes itself that quote nothing but the user's own pattern or the
// connection's (password-free) details.
constexpr std::array<std::string_view, 4> kSafePrefixes = {
    "Did not find ", "psql: error: ", "improper qualified name",
    "cross-database references are not implemented"};
// Server notices and the parts of a server message: never shown, and on their own no failure.
constexpr std::array<std::string_view, 11> kNoticePrefixes = {
    "NOTICE:", "WARNING:", "INFO:",     "LOG:",       "DEBUG", "DETAIL:",
    "HINT:",   "CONTEXT:", "LOCATION:", "STATEMENT:", "QUERY:"};
constexpr char kQueryCanceled[] = "57014";  // statement_timeout

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

template <size_t N>
bool StartsWithAny(std::string_view s, const std::array<std::string_view, N>& prefixes) {
  return std::any_of(prefixes.begin(), prefixes.end(),
                     [&](std::string_view p) { return StartsWith(s, p); });
}

// A conninfo value: single-quoted, with \ and ' escaped (libpq's rules), so spaces and quotes in
// a name cannot add keywords.
std::string Quoted(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  return out + "'";
}

// The connection for --dbname, without the password. The server bounds psql's catalog queries
// too, and nothing psql runs may write.
std::string ConnInfo(const core::ConnectionInfo& c, const PsqlDescriberOptions& options,
                     std::chrono::milliseconds timeout) {
  auto timeout_ms = std::clamp<int64_t>(timeout.count(), 1, INT_MAX);
  std::string s = "host=" + Quoted(c.host) + " port=" + Quoted(std::to_string(c.port)) +
                  " dbname=" + Quoted(c.dbname) + " user=" + Quoted(c.user);
  if (!c.sslmode.empty()) s += " sslmode=" + Quoted(c.sslmode);
  s += " application_name=" + Quoted(options.application_name);
  s += " options=" + Quoted("-c statement_timeout=" + std::to_string(timeout_ms) +
                            " -c default_transaction_read_only=on");
  return s;
}

// The child's whole environment: nothing of planbot's (no PGHOST, PGSERVICE, PGOPTIONS, PAGER,
// LD_PRELOAD, ...). The password travels here and nowhere else.
std::vector<std::string> ChildEnvironment(const core::ConnectionInfo& c,
                                          const PsqlDescriberOptions& options) {
  std::vector<std::string> env = {
      "PATH=/usr/bin:/bin",
      "HOME=" + options.home,
      "LANG=C.UTF-8",
      "LC_ALL=C.UTF-8",
      "PGCLIENTENCODING=UTF8",
      "PGPASSFILE=" + options.home + "/.pgpass",  // libpq 15 finds ~ through getpwuid, not HOME
      "PGSERVICEFILE=" + options.home + "/.pg_service.conf",
  };
  if (!c.password.empty()) env.push_back("PGPASSWORD=" + c.password);
  return env;
}

ChildRequest PsqlCommand(const std::string& psql, const core::ConnectionInfo& c,
                         const DescribeRequest& request, const PsqlDescriberOptions& options,
                         std::chrono::milliseconds timeout) {
  std::string command = request.meta;
  if (!request.pattern.empty()) command += " " + request.pattern;
  ChildRequest child;
  child.path = psql;
  child.args = {"-X",       "--no-password",
                "-v",       "ON_ERROR_STOP=1",
                "-v",       "VERBOSITY=sqlstate",
                "-P",       "pager=off",
                "--dbname", ConnInfo(c, options, timeout),
                "-c",       command};
  child.env = ChildEnvironment(c, options);
  child.timeout = timeout;
  child.max_stdout = options.max_output_bytes;
  child.max_stderr = kMaxStderrBytes;
  return child;
}

// What psql's stderr says: whether it reports a failure, the lines fit to show, and the SQLSTATE
// of a server error (VERBOSITY=sqlstate prints "ERROR:  42P01" and nothing else).
struct StderrVerdict {
  bool failed = false;
  std::vector<std::string> shown;
  std::string sqlstate;
};

bool IsSqlstateLine(std::string_view line, std::string* sqlstate) {
  for (std::string_view level : {"ERROR:", "FATAL:", "PANIC:"}) {
    if (!StartsWith(line, level)) continue;
    std::string_view rest = line.substr(level.size());
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    bool code = rest.size() == 5 && std::all_of(rest.begin(), rest.end(), [](char c) {
                  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
                });
    if (code) *sqlstate = std::string(rest);
    return code;
  }
  return false;
}

StderrVerdict ReadStderr(std::string_view err) {
  StderrVerdict verdict;
  while (!err.empty()) {
    size_t eol = std::min(err.find('\n'), err.size());
    std::string_view line = err.substr(0, eol);
    err.remove_prefix(std::min(eol + 1, err.size()));
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    // Empty lines, continuation lines (a tab or spaces first) and notices mark no failure.
    if (line.empty() || line.front() == ' ' || line.front() == '\t') continue;
    if (StartsWithAny(line, kNoticePrefixes)) continue;
    verdict.failed = true;
    std::string sqlstate;
    std::string shown;
    if (IsSqlstateLine(line, &sqlstate)) {
      verdict.sqlstate = sqlstate;
      shown = "server error, SQLSTATE " + sqlstate;
    } else if (StartsWithAny(line, kSafePrefixes)) {
      shown = std::string(line.substr(0, kMaxShownLineBytes));
    }
    if (!shown.empty() && verdict.shown.size() < kMaxShownLines) verdict.shown.push_back(shown);
  }
  return verdict;
}

// Replaces every occurrence of the password (psql never prints it; this is the belt to its
// braces).
std::string Redact(std::string text, const std::string& password) {
  if (password.empty()) return text;
  for (size_t at = text.find(password); at != std::string::npos; at = text.find(password, at)) {
    text.replace(at, password.size(), "***");
    at += 3;
  }
  return text;
}

// The output psql printed before it was stopped, cut at a line end (or a UTF-8 boundary).
std::string Truncated(std::string out, size_t limit) {
  size_t cut = out.rfind('\n');
  if (cut != std::string::npos) {
    out.resize(cut + 1);
  } else {
    size_t end = out.size();
    while (end > 0 && (static_cast<unsigned char>(out[end - 1]) & 0xc0) == 0x80) --end;
    if (end > 0 && static_cast<unsigned char>(out[end - 1]) >= 0xc0) --end;
    out.resize(end);
    out += '\n';
  }
  return out + "(output truncated: psql printed more than " + std::to_string(limit) + " bytes)\n";
}

std::string FailureText(const ChildOutput& out, const StderrVerdict& verdict) {
  std::string text;
  for (const auto& line : verdict.shown) text += (text.empty() ? "" : "\n") + line;
  if (!text.empty()) return text;
  if (out.signal != 0) return "psql was ended by signal " + std::to_string(out.signal);
  if (out.exit_code < 0) return "psql failed (exit status unknown)";
  return "psql failed (exit " + std::to_string(out.exit_code) + ")";
}

Result<std::string> Interpret(ChildOutput out, const DescribeRequest& request,
                              const core::ConnectionInfo& connection, size_t max_output_bytes) {
  StderrVerdict verdict = ReadStderr(out.err);
  if (verdict.sqlstate == kQueryCanceled) {
    return MakeError(ErrorCode::kTimeout,
                     request.meta + " was canceled by the server's statement_timeout");
  }
  if (out.stdout_truncated) return Truncated(std::move(out.out), max_output_bytes);
  if (out.exit_code == 0 && !verdict.failed) return std::move(out.out);
  Error error =
      MakeError(ErrorCode::kDescribeFailed, Redact(FailureText(out, verdict), connection.password));
  error.sqlstate = verdict.sqlstate;
  return error;
}

bool HasNul(const core::ConnectionInfo& c) {
  for (const std::string* s : {&c.host, &c.dbname, &c.user, &c.password, &c.sslmode}) {
    if (s->find('\0') != std::string::npos) return true;
  }
  return false;
}

std::string DefaultPsql() {
  return ::access(kVersionedPsql, X_OK) == 0 ? kVersionedPsql : kDebianPsql;
}

// `"clone"|"source"`: a psql pattern that matches these two names exactly (inside double quotes
// every character is literal, "" standing for a quote; `|` outside them is the regular
// expression's alternative).
std::string OwnDatabasesPattern(const core::ConnectionInfo& c) {
  auto quoted = [](const std::string& name) {
    std::string q = "\"";
    for (char ch : name) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
    return q + "\"";
  };
  std::string pattern = quoted(c.dbname);
  if (!c.source_dbname.empty() && c.source_dbname != c.dbname) {
    pattern += "|" + quoted(c.source_dbname);
  }
  return pattern;
}

Result<std::string> RunDescribe(const std::string& psql, const PsqlDescriberOptions& options,
                                const core::ConnectionInfo& connection, const std::string& meta,
                                const std::string& pattern, std::chrono::milliseconds timeout) {
  auto request = ParseDescribe(pattern.empty() ? meta : meta + " " + pattern);
  if (!request) return request.error();
  if (request->meta != meta || request->pattern != pattern) {
    return MakeError(ErrorCode::kRefused, "not one describe command with one object name");
  }
  if (HasNul(connection) || connection.source_dbname.find('\0') != std::string::npos) {
    return MakeError(ErrorCode::kDescribeFailed, "the connection details hold a NUL byte");
  }
  if (meta == "\\l") {
    // Other sessions' clones are on the same server: the list is of this clone and its source.
    if (!pattern.empty()) {
      return MakeError(ErrorCode::kRefused,
                       "\\l lists your clone and its source database; it takes no name");
    }
    request->pattern = OwnDatabasesPattern(connection);
  }
  auto out = RunChild(PsqlCommand(psql, connection, *request, options, timeout));
  if (!out && out.error().code == ErrorCode::kTimeout) {
    return MakeError(ErrorCode::kTimeout,
                     meta + " did not finish within " + std::to_string(timeout.count()) + " ms");
  }
  if (!out) return MakeError(ErrorCode::kDescribeFailed, out.error().message);
  return Interpret(std::move(out).value(), *request, connection, options.max_output_bytes);
}

}  // namespace

PsqlDescriber::PsqlDescriber(PsqlDescriberOptions options) : options_(std::move(options)) {
  if (options_.psql_path.empty()) options_.psql_path = DefaultPsql();
}

Result<std::string> PsqlDescriber::Describe(const core::ConnectionInfo& connection,
                                            const std::string& meta, const std::string& pattern,
                                            std::chrono::milliseconds timeout) {
  try {
    return RunDescribe(options_.psql_path, options_, connection, meta, pattern, timeout);
  } catch (const std::exception& e) {  // std::bad_alloc
    return MakeError(ErrorCode::kDescribeFailed, std::string("cannot run psql: ") + e.what());
  }
}

}  // namespace planbot::adapters
