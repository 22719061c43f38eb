// LocalCloneProvider::Reattach against the real server: a clone made by a planbot that then died
// (a child process that exits without cleaning up) is taken back by the next provider with the
// same prefix: new password, the data made before is there, Release and Shutdown drop it.
//
// The test server trusts every local connection (initdb -A trust), so "the old password no
// longer works" is checked against the role's SCRAM verifier in pg_authid, computed as the server
// does (RFC 5802/7677), not by a refused login.
#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <thread>

#include "adapters/clones/local_clones.h"
#include "adapters/postgres/postgres_session.h"
#include "tests/result_testing.h"
#include "tests/support/pg_test_env.h"

namespace planbot::adapters {
namespace {

std::string Base64Decode(const std::string& text) {
  std::string out(text.size(), '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  REQUIRE(n >= 0);
  size_t pad = text.size() - text.find_last_not_of('=') - 1;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

// True when `password` matches the verifier "SCRAM-SHA-256$<iter>:<salt>$<StoredKey>:<ServerKey>".
bool ScramMatches(const std::string& verifier, const std::string& password) {
  const std::string head = "SCRAM-SHA-256$";
  REQUIRE(verifier.rfind(head, 0) == 0);
  size_t colon = verifier.find(':'), dollar = verifier.find('$', colon);
  int iterations = std::stoi(verifier.substr(head.size(), colon - head.size()));
  std::string salt = Base64Decode(verifier.substr(colon + 1, dollar - colon - 1));
  std::string stored =
      Base64Decode(verifier.substr(dollar + 1, verifier.find(':', dollar) - dollar - 1));
  unsigned char salted[32], client_key[32], stored_key[32];
  unsigned int len = 0;
  REQUIRE(PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                            reinterpret_cast<const unsigned char*>(salt.data()),
                            static_cast<int>(salt.size()), iterations, EVP_sha256(), sizeof salted,
                            salted) == 1);
  HMAC(EVP_sha256(), salted, sizeof salted, reinterpret_cast<const unsigned char*>("Client Key"),
       10, client_key, &len);
  SHA256(client_key, sizeof client_key, stored_key);
  return stored.size() == sizeof stored_key &&
         std::memcmp(stored.data(), stored_key, sizeof stored_key) == 0;
}

std::string Verifier(const std::string& role) {
  return testing::Scalar("", "SELECT rolpassword FROM pg_authid WHERE rolname = '" + role + "'");
}

// A planbot that makes two clones with `prefix`, deletes most orders in the first through
// `exec`, and dies without dropping anything. Returns the leases it handed out.
std::vector<core::CloneLease> CrashedRun(const std::string& prefix) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {  // no doctest here: plain code, and _exit without any cleanup
    ::close(fds[0]);
    core::LocalProviderConfig config;
    config.source = testing::SourceDatabase();  // made by the parent already
    config.warm_clones = 0;
    config.clone_prefix = prefix;
    auto provider = LocalCloneProvider::Create(config, {});
    if (!provider) ::_exit(2);
    std::string out;
    for (int i = 0; i < 2; ++i) {
      auto lease = (*provider)->Acquire();
      if (!lease) ::_exit(3);
      out += lease->id + " " + lease->connection.password + "\n";
      if (i > 0) continue;
      PostgresSessionFactory factory({});
      auto session = factory.Open(lease->connection);
      if (!session) ::_exit(4);
      if (!(*session)->Exec("delete from orders where id > 10", true, testing::Limits())) {
        ::_exit(5);
      }
    }
    if (::write(fds[1], out.data(), out.size()) != static_cast<ssize_t>(out.size())) ::_exit(6);
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string text;
  char buf[256];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) text.append(buf, n);
  ::close(fds[0]);
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE_MESSAGE(WIFEXITED(status), "the child died");
  REQUIRE_MESSAGE(WEXITSTATUS(status) == 0, "the child failed at step " << WEXITSTATUS(status));
  std::vector<core::CloneLease> leases;
  for (size_t at = 0; at < text.size();) {
    size_t space = text.find(' ', at), end = text.find('\n', at);
    core::CloneLease lease;
    lease.id = text.substr(at, space - at);
    lease.connection.password = text.substr(space + 1, end - space - 1);
    leases.push_back(lease);
    at = end + 1;
  }
  REQUIRE(leases.size() == 2);
  return leases;
}

// The provider of the next run, keeping `kept`; retried while the dead run's admin connection
// (and its advisory lock on the prefix) is still going away.
std::unique_ptr<LocalCloneProvider> NextRun(const std::string& prefix,
                                            const std::vector<std::string>& kept) {
  core::LocalProviderConfig config;
  config.source = testing::SourceDatabase();
  config.warm_clones = 0;
  config.clone_prefix = prefix;
  LocalCloneOptions options;
  options.keep = [kept](const std::string& id) {
    return std::find(kept.begin(), kept.end(), id) != kept.end();
  };
  for (int attempt = 0;; ++attempt) {
    auto provider = LocalCloneProvider::Create(config, options);
    if (provider) return std::move(provider).value();
    if (attempt == 50) FAIL("LocalCloneProvider::Create: " << provider.error().message);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

TEST_CASE("Reattach after a restart: new password, data kept, Release drops it") {
  testing::SourceDatabase();  // before fork: the child must not make it
  const std::string prefix = testing::UniqueName("pbt");
  std::vector<core::CloneLease> old = CrashedRun(prefix);
  const std::string old_verifier = Verifier(old[0].id);
  CHECK(ScramMatches(old_verifier, old[0].connection.password));

  auto provider = NextRun(prefix, {old[0].id, old[1].id});
  auto start = std::chrono::steady_clock::now();
  auto lease = provider->Reattach(old[0].id, old[0].connection.password);
  MESSAGE(
      "Reattach: "
      << std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count()
      << " ms");
  REQUIRE_MESSAGE(lease.ok(), planbot::testing::ErrorText(lease));
  CHECK(lease->id == old[0].id);
  CHECK(lease->connection.dbname == old[0].id);
  CHECK(lease->connection.user == old[0].id);
  CHECK(lease->connection.host == std::getenv("PGHOST"));
  CHECK(lease->connection.password.size() == 48);
  CHECK(lease->connection.password != old[0].connection.password);
  const std::string verifier = Verifier(old[0].id);
  CHECK(verifier != old_verifier);
  CHECK(ScramMatches(verifier, lease->connection.password));
  CHECK_FALSE(ScramMatches(verifier, old[0].connection.password));

  PostgresSessionFactory factory({});
  auto session = factory.Open(lease->connection);
  REQUIRE(session.ok());
  auto count = (*session)->Exec("delete from orders where id > 5", true, testing::Limits());
  REQUIRE(count.ok());
  CHECK(count->rows == 5);  // ids 6..10: the rows the earlier run left
  CHECK(provider->Exists(old[0].id));

  CHECK(provider->Release(old[0].id).ok());
  CHECK_FALSE(provider->Exists(old[0].id));
  CHECK(testing::Scalar("", "SELECT count(*) FROM pg_roles WHERE rolname = '" + old[0].id + "'") ==
        "0");
  auto gone = provider->Reattach(old[0].id, "");
  REQUIRE_FALSE(gone.ok());
  CHECK(gone.error().code == "not_found");

  // The second clone: reattached, then dropped at Shutdown like any clone of this provider.
  REQUIRE(provider->Reattach(old[1].id, old[1].connection.password).ok());
  provider->Shutdown();
  CHECK(testing::Scalar(
            "", "SELECT count(*) FROM pg_database WHERE datname = '" + old[1].id + "'") == "0");
}

TEST_CASE("Reattach refuses what is not a clone of this provider") {
  auto provider = testing::MakeProvider(0);
  auto lease = provider->Acquire();
  REQUIRE(lease.ok());
  const std::string prefix = lease->id.substr(0, lease->id.size() - 12);
  for (const std::string& id :
       {prefix + "ffffffffffff", std::string("postgres"), testing::SourceDatabase(),
        std::string(""), prefix + "FFFFFFFFFFFF", testing::UniqueName("pbt") + "_aaaaaaaaaaaa"}) {
    INFO("id " << id);
    auto result = provider->Reattach(id, "whatever");
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == "not_found");
  }
  // A role alone (the database is gone) is no clone either.
  const std::string half = prefix + "abcabcabcabc";
  testing::Execute("", "CREATE ROLE " + half + " LOGIN");
  auto result = provider->Reattach(half, "");
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == "not_found");
  testing::Execute("", "DROP ROLE " + half);
  // Its own live clone: a new password, still one clone.
  auto again = provider->Reattach(lease->id, lease->connection.password);
  REQUIRE(again.ok());
  CHECK(again->connection.password != lease->connection.password);
  CHECK(ScramMatches(Verifier(lease->id), again->connection.password));
}

}  // namespace
}  // namespace planbot::adapters
