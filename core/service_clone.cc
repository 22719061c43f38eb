// The commands about the clone itself: reset, activity, terminate and psql's \d family.
#include <cstdio>
#include <string>

#include "analyzer/human_format.h"
#include "analyzer/literal_mask.h"
#include "analyzer/sql.h"
#include "core/service_context.h"

namespace planbot::core {
namespace {

constexpr std::chrono::seconds kDescribeTimeout{30};

// Queries of other backends can hold literals from data: only their normalized form is shown.
std::string SafeQuery(const std::string& query) {
  if (query.empty()) return "";
  auto normalized = analyzer::Normalize(query);
  std::string text = normalized ? *normalized : analyzer::MaskLiterals(query);
  for (char& c : text) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return text.size() > 300 ? text.substr(0, 300) + "..." : text;
}

std::string Pad(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

bool ParsePid(const std::string& text, int* pid) {
  if (text.empty() || text.size() > 9) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  *pid = std::stoi(text);
  return *pid > 0;
}

}  // namespace

Answer Service::RunReset(Context& ctx) {
  Answer answer;
  auto start = std::chrono::steady_clock::now();
  Status done =
      OnSession(ctx, false, [&](Session& s) -> Status { return sessions_.ResetClone(s); });
  if (!done) {
    ctx.Fail(done.error());
    return answer;
  }
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  answer.result = {{"duration_ms", ms}};
  answer.text = "your clone is back to the source's state (" + analyzer::FormatMillis(ms) +
                "); its indexes, data, settings and hypothetical indexes from this session are "
                "gone";
  return answer;
}

Answer Service::RunActivity(Context& ctx) {
  Answer answer;
  auto session = sessions_.Find(ctx.request.caller.user, ctx.database->name, ctx.session_name);
  auto clone = session ? SessionManager::CurrentClone(*session) : std::nullopt;
  if (!clone) {
    answer.result = {{"backends", nlohmann::json::array()}};
    answer.text = "session " + ctx.session_name + " has no clone yet, so nothing runs on it";
    return answer;
  }
  auto side = ports_.sessions->Open(clone->connection);
  auto backends = side ? (*side)->Activity(Limits()) : Result<std::vector<Backend>>(side.error());
  if (!backends) {
    ctx.Fail(backends.error());
    return answer;
  }
  int own = session->backend_pid.load();
  answer.result = {{"backends", nlohmann::json::array()}};
  std::string table =
      Pad("pid", 9) + Pad("state", 21) + Pad("duration", 11) + Pad("wait event", 22) + "query\n";
  for (const Backend& b : *backends) {
    std::string query = SafeQuery(b.query);
    std::string wait = b.wait_event_type.empty() ? "" : b.wait_event_type + ":" + b.wait_event;
    std::string duration = b.duration_ms ? analyzer::FormatMillis(*b.duration_ms) : "";
    answer.result["backends"].push_back({{"pid", b.pid},
                                         {"state", b.state},
                                         {"duration_ms", b.duration_ms.value_or(0)},
                                         {"wait_event", wait},
                                         {"query", query},
                                         {"this_session", b.pid == own}});
    table += Pad(std::to_string(b.pid), 9) + Pad(b.state, 21) + Pad(duration, 11) + Pad(wait, 22) +
             query + (b.pid == own ? "   (this session)" : "") + "\n";
  }
  answer.text = backends->empty() ? "nothing runs on your clone right now" : table;
  return answer;
}

Answer Service::RunTerminate(Context& ctx) {
  Answer answer;
  int pid = 0;
  if (!ParsePid(ctx.command.argument, &pid)) {
    ctx.Fail(MakeError(ErrorCode::kBadRequest,
                       "usage: terminate PID, with a process id from `activity`"),
             Outcome::kRefused);
    return answer;
  }
  auto session = sessions_.Find(ctx.request.caller.user, ctx.database->name, ctx.session_name);
  auto clone = session ? SessionManager::CurrentClone(*session) : std::nullopt;
  if (!clone) {
    ctx.Fail(MakeError(ErrorCode::kNotFound, "session " + ctx.session_name +
                                                 " has no clone yet, so it has no backend " +
                                                 std::to_string(pid)));
    return answer;
  }
  // Read before the kill: the killed command can fail, and forget its backend, before
  // Terminate returns.
  const int own_pid = session->backend_pid.load();
  auto side = ports_.sessions->Open(clone->connection);
  auto done = side ? (*side)->Terminate(pid, Limits()) : Result<bool>(side.error());
  if (!done) {
    ctx.Fail(done.error());
    return answer;
  }
  answer.result = {{"pid", pid}, {"terminated", *done}};
  answer.text = *done ? "backend " + std::to_string(pid) + " terminated"
                      : "backend " + std::to_string(pid) + " was not terminated";
  if (*done && pid == own_pid) {
    answer.text += " (it was this session's own connection: the next command reconnects)";
  }
  return answer;
}

Answer Service::RunDescribe(Context& ctx) {
  Answer answer;
  if (ports_.describer == nullptr) {
    ctx.Fail(MakeError(ErrorCode::kUnavailable,
                       "psql's \\d commands are not available in this planbot"));
    return answer;
  }
  Status ran = OnSession(ctx, true, [&](Session& s) -> Status {
    auto text = ports_.describer->Describe(s.clone->connection, ctx.command.name,
                                           ctx.command.argument, kDescribeTimeout);
    if (!text) return text.error();
    answer.text = *text;
    answer.result = {{"output", *text}};
    return Ok{};
  });
  if (!ran) ctx.Fail(ran.error());
  return answer;
}

}  // namespace planbot::core
