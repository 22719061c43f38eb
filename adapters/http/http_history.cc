#include "adapters/http/http_history.h"

#include <httplib.h>

#include <charconv>
#include <chrono>

#include "adapters/http/http_server.h"
#include "common/json_text.h"
#include "core/service.h"
#include "history/history_filter.h"
#include "history/history_view.h"

namespace planbot::adapters {
namespace {

void ReplyError(httplib::Response& res, const Error& e) {
  ReplyJson(res, core::HttpStatusFor(e), core::ErrorToJson(e));
}

Result<int64_t> PositiveInt(const std::string& name, const std::string& text) {
  int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n < 1) {
    return MakeError(ErrorCode::kBadRequest, "`" + name + "` must be a positive integer");
  }
  return n;
}

// The query string of GET /api/v1/history as a HistoryQuery; unknown parameters are errors.
Result<storage::HistoryQuery> HistoryQueryFrom(const httplib::Request& req) {
  storage::HistoryQuery q;
  q.include_plans = false;
  auto now = std::chrono::system_clock::now();
  for (const auto& [key, value] : req.params) {
    if (key == "limit" || key == "before_id") {
      auto n = PositiveInt(key, value);
      if (!n) return n.error();
      if (key == "limit") {
        if (*n > storage::kMaxHistoryListLimit) {
          return MakeError(ErrorCode::kBadRequest,
                           "`limit` is at most " + std::to_string(storage::kMaxHistoryListLimit));
        }
        q.limit = static_cast<int>(*n);
      } else {
        q.before_id = *n;
      }
    } else if (key == "before" || key == "after") {
      auto t = history::ResolveTime(value, now, "`" + key + "`");
      if (!t) return t.error();
      (key == "before" ? q.before : q.after) = *t;
    } else if (key == "user") {
      q.user = value;
    } else if (key == "session") {
      q.session = value;
    } else if (key == "database") {
      q.database = value;
    } else if (key == "fingerprint") {
      q.fingerprint = value;
    } else if (key == "command") {
      q.command = value;
    } else if (key == "plans") {
      q.include_plans = value == "1" || value == "true";
    } else {
      return MakeError(ErrorCode::kBadRequest,
                       "unknown parameter `" + key +
                           "`; parameters: limit, before, after, before_id, user, session, "
                           "database, fingerprint, plans");
    }
  }
  return q;
}

}  // namespace

void InstallHistoryRoutes(HttpServer& http) {
  httplib::Server& server = http.server();
  server.Get("/api/v1/history", [&http](const httplib::Request& req, httplib::Response& res) {
    auto caller = http.Authenticate(req);
    if (!caller) return ReplyError(res, caller.error());
    auto query = HistoryQueryFrom(req);
    if (!query) return ReplyError(res, query.error());
    auto entries = http.service()->history_api().ListHistory(*caller, *query);
    if (!entries) return ReplyError(res, entries.error());
    // Entries as text, so that stored plan JSON goes out as it was printed.
    std::string list;
    for (const auto& e : *entries) {
      list += (list.empty() ? "" : ",") + history::HistoryEntryToJsonText(e, query->include_plans);
    }
    // A full page may have more behind it: the next page starts below its last id.
    nlohmann::json next = nullptr;
    if (!entries->empty() && static_cast<int>(entries->size()) == query->limit) {
      next = entries->back().id;
    }
    ReplyJsonText(res, 200,
                  "{\"entries\":[" + list + "],\"next_before_id\":" + JsonText(next) + "}");
  });
  server.Get(R"(/api/v1/history/(\d+))",
             [&http](const httplib::Request& req, httplib::Response& res) {
               auto caller = http.Authenticate(req);
               if (!caller) return ReplyError(res, caller.error());
               auto id = PositiveInt("id", req.matches[1]);
               if (!id) return ReplyError(res, id.error());
               auto entry = http.service()->history_api().GetHistory(*caller, *id);
               if (!entry) return ReplyError(res, entry.error());
               ReplyJsonText(res, 200, history::HistoryEntryToJsonText(*entry, true));
             });
  server.Post(R"(/api/v1/admin/(purge|redact))", [&http](const httplib::Request& req,
                                                         httplib::Response& res) {
    if (http.BodyTooLarge(req, res)) return;
    auto caller = http.Authenticate(req);
    if (!caller) return ReplyError(res, caller.error());
    nlohmann::json body = nlohmann::json::parse(req.body, nullptr, false);
    if (body.is_discarded()) {
      return ReplyError(res, MakeError(ErrorCode::kBadRequest, "the body is not valid JSON"));
    }
    auto spec = history::FilterSpecFromJson(body);
    if (!spec) return ReplyError(res, spec.error());
    auto done = http.service()->history_api().Maintain(*caller, req.matches[1], *spec);
    if (!done) return ReplyError(res, done.error());
    (*done)["message"] = (*done)["text"];
    done->erase("text");
    ReplyJson(res, 200, *done);
  });
  server.Get("/api/v1/audit", [&http](const httplib::Request& req, httplib::Response& res) {
    auto caller = http.Authenticate(req);
    if (!caller) return ReplyError(res, caller.error());
    int limit = 100;
    std::optional<int64_t> before_id;
    for (const auto& [key, value] : req.params) {
      if (key != "limit" && key != "before_id") {
        return ReplyError(
            res, MakeError(ErrorCode::kBadRequest,
                           "unknown parameter `" + key + "`; parameters: limit, before_id"));
      }
      auto n = PositiveInt(key, value);
      if (!n) return ReplyError(res, n.error());
      if (key == "limit") {
        limit = static_cast<int>(std::min<int64_t>(*n, storage::kMaxHistoryListLimit));
      } else {
        before_id = *n;
      }
    }
    auto entries = http.service()->history_api().ListAudit(*caller, limit, before_id);
    if (!entries) return ReplyError(res, entries.error());
    nlohmann::json list = nlohmann::json::array();
    for (const auto& e : *entries) list.push_back(history::AuditEntryToJson(e));
    nlohmann::json next = nullptr;
    if (!entries->empty() && static_cast<int>(entries->size()) == limit) next = entries->back().id;
    ReplyJson(res, 200, {{"entries", list}, {"next_before_id", next}});
  });
}

}  // namespace planbot::adapters
