// Live sessions in the store: saved, listed after a re-open, deleted; the password never in
// clear in the file.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "storage/secret_box.h"
#include "storage/store.h"

using namespace planbot::storage;

namespace {

std::string Slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

SessionRecord Sample() {
  SessionRecord r;
  r.key = "ana\x1fshop\x1fwork";
  r.user = "ana";
  r.database = "shop";
  r.name = "work";
  r.clone_id = "planbot_clone_0123456789ab";
  r.host = "127.0.0.1";
  r.port = 5432;
  r.dbname = "planbot_clone_0123456789ab";
  r.db_user = "planbot_clone_0123456789ab";
  r.password = "S3cret-Passw0rd-that-must-not-leak";
  return r;
}

}  // namespace

TEST_CASE("sessions survive a re-open of the store, with the password sealed on disk") {
  auto dir = std::filesystem::temp_directory_path() / "planbot_sessions_test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::string path = (dir / "planbot.db").string();
  {
    auto store = Store::Open(path);
    REQUIRE(store.ok());
    REQUIRE((*store)->SaveSession(Sample()).ok());
    SessionRecord other = Sample();
    other.key =
        "ben\x1fshop\x1f"
        "ben";
    other.user = "ben";
    REQUIRE((*store)->SaveSession(other).ok());
    REQUIRE((*store)->DeleteSession(other.key).ok());
  }
  auto store = Store::Open(path);
  REQUIRE(store.ok());
  auto sessions = (*store)->ListSessions();
  REQUIRE(sessions.ok());
  REQUIRE(sessions->size() == 1);
  const SessionRecord& r = sessions->front();
  CHECK(r.user == "ana");
  CHECK(r.clone_id == "planbot_clone_0123456789ab");
  CHECK(r.port == 5432);
  CHECK(r.password == "S3cret-Passw0rd-that-must-not-leak");
  CHECK_FALSE(r.updated_at.empty());
  for (const char* suffix : {"", "-wal", "-shm"}) {
    CHECK(Slurp(path + suffix).find("S3cret-Passw0rd") == std::string::npos);
  }
  auto key_mode = std::filesystem::status(path + ".key").permissions();
  CHECK((key_mode & std::filesystem::perms::others_read) == std::filesystem::perms::none);
  CHECK((key_mode & std::filesystem::perms::group_read) == std::filesystem::perms::none);
  std::filesystem::remove_all(dir);
}

TEST_CASE("a sealed secret opens only with its key and detects tampering") {
  auto dir = std::filesystem::temp_directory_path() / "planbot_secretbox_test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto a = SecretBox::Load((dir / "a.key").string());
  auto b = SecretBox::Load((dir / "b.key").string());
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  auto sealed = a->Seal("hunter2");
  REQUIRE(sealed.ok());
  CHECK(sealed->rfind("v1:", 0) == 0);
  CHECK(a->Seal("hunter2").value() != *sealed);  // a fresh nonce every time
  CHECK(a->Open(*sealed).value() == "hunter2");
  CHECK_FALSE(b->Open(*sealed).ok());
  std::string tampered = *sealed;
  tampered[tampered.size() - 1] = tampered.back() == '0' ? '1' : '0';
  CHECK_FALSE(a->Open(tampered).ok());
  CHECK_FALSE(a->Open("garbage").ok());
  // The same key file gives the same key.
  auto again = SecretBox::Load((dir / "a.key").string());
  CHECK(again->Open(*sealed).value() == "hunter2");
  std::filesystem::remove_all(dir);
}
