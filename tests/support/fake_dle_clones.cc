// FakeDle, the clone routes and their real databases (see tests/support/fake_dle.h).
#include <ctime>
#include <pqxx/pqxx>
#include <regex>

#include "tests/support/fake_dle.h"

namespace planbot::testing {
namespace {

// The engine's restricted users own the clone's schemas and relations (and its database).
constexpr char kOwnershipStatements[] = R"sql(
SELECT format('ALTER SCHEMA %I OWNER TO %I', n.nspname, $1::text)
FROM pg_namespace n
WHERE n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
UNION ALL
SELECT format('ALTER %s %I.%I OWNER TO %I',
              CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                             WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END,
              n.nspname, c.relname, $1::text)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S')
  AND n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                  AND d.objid = c.oid AND c.relkind = 'S' AND d.deptype IN ('a', 'i'))
)sql";

// Runs `step` on a new admin connection to `dbname`; the first line of the error, or "".
template <typename F>
std::string OnDatabase(const std::string& dbname, F step) {
  try {
    pqxx::connection conn("dbname=" + dbname);
    step(conn);
    return std::string();
  } catch (const std::exception& e) {
    std::string what = e.what();
    return what.substr(0, what.find('\n'));
  }
}

std::string TextField(const nlohmann::json& object, const char* key) {
  if (!object.is_object() || !object.contains(key) || !object[key].is_string()) return "";
  return object[key].get<std::string>();
}

std::string Rfc3339Now() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

void FakeDle::Reply(httplib::Response& res, int status, const Json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

void FakeDle::ReplyError(httplib::Response& res, int status, const std::string& code,
                         const std::string& message) {
  Reply(res, status, {{"code", code}, {"message", message}});
}

void FakeDle::HandleCreate(const httplib::Request& req, httplib::Response& res) {
  static const std::regex kId("^[a-zA-Z0-9][a-zA-Z0-9_.-]*$");
  const Json body = Json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  const Json db = body.is_object() && body.contains("db") ? body["db"] : Json();
  const std::string password = TextField(db, "password");
  auto clone = std::make_shared<Clone>();
  clone->id = TextField(body, "id");
  clone->username = TextField(db, "username");
  clone->db_name = TextField(db, "db_name");
  clone->created_at = Rfc3339Now();
  if (!body.is_object()) return ReplyError(res, 400, "BAD_REQUEST", "invalid JSON");
  if (clone->username.empty()) return ReplyError(res, 400, "BAD_REQUEST", "missing DB username");
  if (password.empty()) return ReplyError(res, 400, "BAD_REQUEST", "missing DB password");
  std::chrono::milliseconds delay;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (clone->id.empty()) clone->id = "fake" + std::to_string(databases_made_ + 1);
    if (!std::regex_match(clone->id, kId)) {
      return ReplyError(res, 400, "BAD_REQUEST", "invalid clone ID");
    }
    if (Current(clone->id) != nullptr) {
      return ReplyError(res, 400, "BAD_REQUEST",
                        "clone with ID \"" + clone->id + "\" already exists");
    }
    clone->database = "fdle_" + instance_ + "_" + std::to_string(++databases_made_);
    if (!next_fatal_.empty()) {
      clone->next_status = "FATAL";
      clone->next_message = next_fatal_;
      next_fatal_.clear();
    } else {
      made_roles_.push_back(clone->username);
      made_databases_.push_back(clone->database);
    }
    clones_[clone->id] = clone;
    delay = options_.create_delay;
  }
  // The engine answers at once and works on; this fake works first, then says CREATING for
  // create_delay from its answer on.
  std::string failure = clone->next_status == "FATAL" ? "" : MakeRoleAndDatabase(*clone, password);
  std::lock_guard<std::mutex> lock(mu_);
  if (!failure.empty()) {
    clone->next_status = "FATAL";
    clone->next_message = "cannot create the clone database: " + failure;
  }
  clone->until = Clock::now() + delay;
  Reply(res, 201, CloneJson(*clone));
}

void FakeDle::HandleGet(const std::string& id, httplib::Response& res) {
  std::lock_guard<std::mutex> lock(mu_);
  Clone* clone = Current(id);
  if (clone == nullptr) return ReplyError(res, 404, "NOT_FOUND", "clone not found");
  Reply(res, 200, CloneJson(*clone));
}

void FakeDle::HandleReset(const std::string& id, httplib::Response& res) {
  std::shared_ptr<Clone> clone;
  std::chrono::milliseconds delay;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (Current(id) == nullptr) return ReplyError(res, 404, "NOT_FOUND", "clone not found");
    clone = clones_.at(id);
    if (clone->status != "OK") {
      return ReplyError(res, 400, "BAD_REQUEST", "clone is not ready: " + clone->status);
    }
    clone->status = "RESETTING";
    clone->message = "Clone is being reset.";
    clone->until = Clock::time_point::max();
    ++clone->resets;
    delay = options_.reset_delay;
  }
  std::string failure = DropDatabase(*clone, /*and_role=*/false);
  if (failure.empty()) failure = MakeDatabase(*clone);
  std::lock_guard<std::mutex> lock(mu_);
  clone->next_status = failure.empty() ? "OK" : "FATAL";
  clone->next_message =
      failure.empty() ? "Clone is ready to accept Postgres connections." : "reset: " + failure;
  clone->until = Clock::now() + delay;
  res.status = 200;
}

void FakeDle::HandleDelete(const std::string& id, httplib::Response& res) {
  std::shared_ptr<Clone> clone;
  std::chrono::milliseconds delay;
  {
    std::lock_guard<std::mutex> lock(mu_);
    // The engine's quirk: an unknown clone is a 500, not a 404.
    if (Current(id) == nullptr) return ReplyError(res, 500, "INTERNAL_ERROR", "clone not found");
    clone = clones_.at(id);
    if (clone->status == "DELETING") {
      res.status = 200;
      return;
    }
    clone->status = "DELETING";
    clone->message = "Clone is being deleted.";
    clone->until = Clock::time_point::max();
    delay = options_.delete_delay;
  }
  std::string failure = DropDatabase(*clone, /*and_role=*/true);
  std::lock_guard<std::mutex> lock(mu_);
  if (!failure.empty()) {
    clone->status = "FATAL";
    clone->message = "cannot delete the clone: " + failure;
  } else {
    clone->until = Clock::now() + delay;
  }
  res.status = 200;
}

bool FakeDle::Vanish(const std::string& id) {
  std::shared_ptr<Clone> clone;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = clones_.find(id);
    if (it == clones_.end()) return false;
    clone = it->second;
    clones_.erase(it);
  }
  return DropDatabase(*clone, /*and_role=*/true).empty();
}

std::string FakeDle::MakeRoleAndDatabase(const Clone& clone, const std::string& password) {
  std::string failure = OnDatabase("postgres", [&](pqxx::connection& conn) {
    pqxx::nontransaction txn(conn);
    txn.exec0("CREATE ROLE " + txn.quote_name(clone.username) +
              " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS "
              "PASSWORD " +
              txn.quote(password));
  });
  return failure.empty() ? MakeDatabase(clone) : failure;
}

std::string FakeDle::MakeDatabase(const Clone& clone) {
  std::string failure = OnDatabase("postgres", [&](pqxx::connection& conn) {
    pqxx::nontransaction txn(conn);
    const std::string db = txn.quote_name(clone.database);
    txn.exec0("CREATE DATABASE " + db + " TEMPLATE " + txn.quote_name(options_.source_db));
    txn.exec0("ALTER DATABASE " + db + " OWNER TO " + txn.quote_name(clone.username));
  });
  if (!failure.empty()) return failure;
  return OnDatabase(clone.database, [&](pqxx::connection& conn) {
    pqxx::work txn(conn);
    std::string statements;
    for (const auto& row : txn.exec_params(kOwnershipStatements, clone.username)) {
      statements += row[0].as<std::string>() + ";\n";
    }
    if (!statements.empty()) txn.exec0(statements);
    txn.commit();
  });
}

std::string FakeDle::DropDatabase(const Clone& clone, bool and_role) {
  return OnDatabase("postgres", [&](pqxx::connection& conn) {
    pqxx::nontransaction txn(conn);
    txn.exec0("DROP DATABASE IF EXISTS " + txn.quote_name(clone.database) + " WITH (FORCE)");
    if (and_role) txn.exec0("DROP ROLE IF EXISTS " + txn.quote_name(clone.username));
  });
}

void FakeDle::DropAll() {
  std::vector<std::string> databases;
  std::vector<std::string> roles;
  {
    std::lock_guard<std::mutex> lock(mu_);
    databases = made_databases_;
    roles = made_roles_;
  }
  OnDatabase("postgres", [&](pqxx::connection& conn) {
    pqxx::nontransaction txn(conn);
    for (const std::string& db : databases) {
      txn.exec0("DROP DATABASE IF EXISTS " + txn.quote_name(db) + " WITH (FORCE)");
    }
    for (const std::string& role : roles) txn.exec0("DROP ROLE IF EXISTS " + txn.quote_name(role));
  });
}

}  // namespace planbot::testing
