#include "adapters/postgres/pg_connection.h"

#include <libpq-events.h>
#include <libpq-fe.h>
#include <poll.h>

#include <chrono>
#include <cstdlib>
#include <new>
#include <pqxx/except>

namespace planbot::adapters {
namespace {

constexpr auto kConnectTimeout = std::chrono::seconds(10);
constexpr char kEventProcName[] = "planbot_error_capture";

void DiscardNotice(void*, const PGresult*) {}

std::string Field(const PGresult* result, int code) {
  const char* value = PQresultErrorField(result, code);
  return value == nullptr ? std::string() : std::string(value);
}

void Capture(const PGresult* result, ServerError& error) {
  error.present = true;
  error.sqlstate = Field(result, PG_DIAG_SQLSTATE);
  error.primary = Field(result, PG_DIAG_MESSAGE_PRIMARY);
  if (error.primary.empty()) error.primary = FirstLine(PQresultErrorMessage(result));
  error.detail = Field(result, PG_DIAG_MESSAGE_DETAIL);
  error.hint = Field(result, PG_DIAG_MESSAGE_HINT);
  error.context = Field(result, PG_DIAG_CONTEXT);
  error.source_function = Field(result, PG_DIAG_SOURCE_FUNCTION);
  error.position = std::atoi(Field(result, PG_DIAG_STATEMENT_POSITION).c_str());
}

// libpq calls this for every result it hands out; error results are recorded.
int OnEvent(PGEventId id, void* info, void* pass_through) {
  if (id != PGEVT_RESULTCREATE) return 1;
  auto* event = static_cast<PGEventResultCreate*>(info);
  auto* error = static_cast<ServerError*>(pass_through);
  if (error->present || PQresultStatus(event->result) != PGRES_FATAL_ERROR) return 1;
  try {
    Capture(event->result, *error);
  } catch (...) {  // out of memory: the error stays recorded as present, fields partial
  }
  return 1;
}

// Waits until the socket is ready for what PQconnectPoll asked; false on timeout.
bool WaitSocket(PGconn* conn, PostgresPollingStatusType status,
                std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return false;
  pollfd fd{PQsocket(conn), static_cast<short>(status == PGRES_POLLING_READING ? POLLIN : POLLOUT),
            0};
  int n = ::poll(&fd, 1, static_cast<int>(left.count()));
  return n != 0;  // ready, or an error that PQconnectPoll will report
}

// Connects without blocking so the notice receiver is in place before the server can say
// anything (a collation-version WARNING, say) and the whole attempt is bounded.
PGconn* Connect(const ConnParams& params, bool expand_dbname) {
  std::vector<const char*> keys;
  std::vector<const char*> values;
  for (const auto& [key, value] : params) {
    keys.push_back(key.c_str());
    values.push_back(value.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* conn = PQconnectStartParams(keys.data(), values.data(), expand_dbname ? 1 : 0);
  if (conn == nullptr) throw std::bad_alloc();
  PQsetNoticeReceiver(conn, DiscardNotice, nullptr);
  auto deadline = std::chrono::steady_clock::now() + kConnectTimeout;
  PostgresPollingStatusType status = PGRES_POLLING_WRITING;
  while (PQstatus(conn) != CONNECTION_BAD && status != PGRES_POLLING_OK &&
         status != PGRES_POLLING_FAILED) {
    if (!WaitSocket(conn, status, deadline)) {
      PQfinish(conn);
      throw pqxx::broken_connection("timeout expired while connecting");
    }
    status = PQconnectPoll(conn);
  }
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn);
    PQfinish(conn);
    throw pqxx::broken_connection(message);
  }
  return conn;
}

}  // namespace

namespace internal {

class CapturingPolicy : public pqxx::connectionpolicy {
 public:
  CapturingPolicy(ConnParams params, bool expand_dbname)
      : pqxx::connectionpolicy(std::string()),
        params_(std::move(params)),
        expand_dbname_(expand_dbname) {}

  handle do_startconnect(handle orig) override {
    if (orig != nullptr) return orig;
    if (connected_once_) {
      throw pqxx::broken_connection("the connection was lost (planbot does not reconnect it)");
    }
    connected_once_ = true;
    PGconn* conn = Connect(params_, expand_dbname_);
    params_.clear();  // the password is not needed any more
    if (PQregisterEventProc(conn, OnEvent, kEventProcName, &error_) == 0) {
      PQfinish(conn);
      throw pqxx::broken_connection("could not register the libpq event procedure");
    }
    handle_ = conn;
    return conn;
  }

  handle do_disconnect(handle orig) noexcept override {
    if (orig != nullptr) PQfinish(orig);
    handle_ = nullptr;
    return nullptr;
  }

  PGconn* handle_ = nullptr;
  ServerError error_;

 private:
  ConnParams params_;
  bool expand_dbname_;
  bool connected_once_ = false;
};

PolicyHolder::PolicyHolder(ConnParams params, bool expand_dbname)
    : policy_(std::make_unique<CapturingPolicy>(std::move(params), expand_dbname)) {}

PolicyHolder::~PolicyHolder() = default;

}  // namespace internal

std::string ServerError::FullText() const {
  std::string text = "SQLSTATE " + sqlstate + ": " + primary;
  if (!detail.empty()) text += "; DETAIL: " + detail;
  if (!hint.empty()) text += "; HINT: " + hint;
  if (!context.empty()) text += "; CONTEXT: " + context;
  return text;
}

PgConnection::PgConnection(ConnParams params, bool expand_dbname)
    : internal::PolicyHolder(std::move(params), expand_dbname),
      pqxx::connection_base(*policy_),
      quiet_(*this) {
  init();
}

PgConnection::~PgConnection() noexcept { close(); }

PGconn* PgConnection::raw() const noexcept { return policy_->handle_; }

const ServerError& PgConnection::first_error() const noexcept { return policy_->error_; }

void PgConnection::ClearError() noexcept { policy_->error_ = ServerError(); }

std::string FirstLine(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
  return line;
}

}  // namespace planbot::adapters
