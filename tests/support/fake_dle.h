// FakeDle: a Database Lab Engine for tests, on cpp-httplib at http://127.0.0.1:<free port>, that
// follows /work/shared/contracts/dblab-api.md field for field, quirks included (db.port is a
// string, db.password is always "", DELETE of an unknown id answers 500 "clone not found",
// CREATING can end in FATAL).
//
// Its clones are real: POST /clone creates, on the test PostgreSQL (libpq environment), a login
// role with the requested username and password (no superuser; owner of the clone database, its
// schemas and relations, as the engine's restricted users are) and a database
// `CREATE DATABASE fdle_<instance>_<n> TEMPLATE <source>`. Unlike a real engine, every clone
// lives on the one test server, so db.dbName is that database's name rather than the requested
// db_name, and db.port is the test server's port. db.host is "localhost" (a client must connect
// to the API's host instead) unless set_clone_host() says otherwise. Reset drops and re-creates
// the database (same name, same role and password); delete drops both.
//
// Routes: GET /healthz (no token), GET /status, POST /clone, GET /clone/{id},
// POST /clone/{id}/reset, DELETE /clone/{id}. The token is checked on every other route (401
// {"code":"UNAUTHORIZED","message":"Check your verification token."}).
//
// Knobs (any thread, any time): creation/reset/deletion delays (how long CREATING, RESETTING,
// DELETING last), FailNextClone() (CREATING, then FATAL with a message), FailNextRequests(n)
// (500 to the next n requests), set_hang() (requests are accepted and never answered until
// set_hang(false) or the fake stops), Vanish() (a clone dropped behind the client's back), and
// set_token() (the engine's token changes: the client's is now wrong).
//
// The destructor stops the server (releasing hung requests) and drops every database and role it
// made. Test assertions are never made from server threads: database failures make a clone FATAL.
//
// Thread-safety: every member may be called from any thread.
#pragma once

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace planbot::testing {

struct FakeDleOptions {
  std::string token = "fake-dle-token";
  std::string source_db;  // template of every clone database; required
  std::chrono::milliseconds create_delay{0};
  std::chrono::milliseconds reset_delay{0};
  std::chrono::milliseconds delete_delay{0};
};

class FakeDle {
 public:
  // Starts listening; FAILs the calling test when it cannot.
  explicit FakeDle(FakeDleOptions options);
  ~FakeDle();
  FakeDle(const FakeDle&) = delete;
  FakeDle& operator=(const FakeDle&) = delete;

  std::string url() const;  // http://127.0.0.1:PORT
  int port() const { return port_; }

  void set_token(std::string token);
  void set_create_delay(std::chrono::milliseconds delay);
  void set_reset_delay(std::chrono::milliseconds delay);
  void set_delete_delay(std::chrono::milliseconds delay);
  void set_clone_host(std::string host);
  void FailNextClone(std::string message);
  void FailNextRequests(int count);
  void set_hang(bool hang);
  // Drops the clone's database and role and forgets it; false for an unknown id.
  bool Vanish(const std::string& id);

  struct CloneView {
    std::string id;
    std::string status;  // as GET /clone/{id} would answer now
    std::string username;
    std::string database;  // on the test server
    int resets = 0;
  };
  std::optional<CloneView> Find(const std::string& id);
  std::vector<std::string> clone_ids();

  struct Request {
    std::string method;
    std::string path;
    std::string body;  // as sent (POST /clone holds the password)
    int status = 0;
    bool token_sent = false;
  };
  std::vector<Request> requests() const;
  int CountRequests(const std::string& method, const std::string& path) const;

 private:
  using Json = nlohmann::json;
  using Clock = std::chrono::steady_clock;
  struct Clone {
    std::string id;
    std::string username;
    std::string db_name;   // as requested
    std::string database;  // on the test server
    std::string created_at;
    std::string status = "CREATING";
    std::string message = "Clone is being created.";
    Clock::time_point until = Clock::time_point::max();  // when CREATING/RESETTING/DELETING ends
    std::string next_status = "OK";
    std::string next_message = "Clone is ready to accept Postgres connections.";
    int resets = 0;
  };

  static void Reply(httplib::Response& res, int status, const Json& body);
  static void ReplyError(httplib::Response& res, int status, const std::string& code,
                         const std::string& message);

  void Routes();
  httplib::Server::HandlerResponse PreRoute(const httplib::Request& req, httplib::Response& res);
  void HandleCreate(const httplib::Request& req, httplib::Response& res);
  void HandleGet(const std::string& id, httplib::Response& res);
  void HandleReset(const std::string& id, httplib::Response& res);
  void HandleDelete(const std::string& id, httplib::Response& res);
  Json CloneJson(const Clone& clone) const;  // with mu_ held
  // The clone's status now; a clone done DELETING is forgotten (nullptr). With mu_ held.
  Clone* Current(const std::string& id);
  // The database work, on admin connections of their own; "" or the error's first line.
  std::string MakeRoleAndDatabase(const Clone& clone, const std::string& password);
  std::string MakeDatabase(const Clone& clone);
  std::string DropDatabase(const Clone& clone, bool and_role);
  void DropAll();

  FakeDleOptions options_;
  const std::string instance_;  // in database names, so fakes never meet
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;

  mutable std::mutex mu_;
  std::condition_variable unhang_;
  std::map<std::string, std::shared_ptr<Clone>> clones_;
  std::vector<std::string> made_databases_;  // every one ever made, dropped at the end
  std::vector<std::string> made_roles_;
  std::vector<Request> requests_;
  std::string clone_host_ = "localhost";
  std::string next_fatal_;
  int fail_next_ = 0;
  int databases_made_ = 0;
  bool hang_ = false;
  bool stopping_ = false;
};

}  // namespace planbot::testing
