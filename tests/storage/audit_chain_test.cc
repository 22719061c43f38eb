// The audit hash chain's serialization and hash are stable (a fixed vector, computed
// independently with Python's hashlib), and the verifier finds the first broken entry.
#include "storage/audit_chain.h"

#include <doctest/doctest.h>

#include <vector>

namespace planbot::storage {
namespace {

AuditEntry Fixed() {
  AuditEntry e;
  e.id = 1;
  e.created_at = "2026-11-23T10:00:00.123Z";
  e.actor = "ci";
  e.action = "command";
  e.channel = "http";
  e.session = "s1";
  e.database = "shop";
  e.command = "explain";
  e.normalized = "select $1";
  e.fingerprint = "abc123";
  e.outcome = "ok";
  e.details = R"({"n":1})";
  e.prev_hash = std::string(kGenesisHash);
  return e;
}

TEST_CASE("canonical serialization and hash are the documented, stable ones") {
  AuditEntry e = Fixed();
  CHECK(AuditCanonical(e) ==
        "16:planbot-audit-v1,64:" + std::string(64, '0') +
            ",24:2026-11-23T10:00:00.123Z,2:ci,7:command,4:http,2:s1,4:shop,7:explain,"
            "9:select $1,6:abc123,2:ok,0:,7:{\"n\":1},");
  // python3: hashlib.sha256(b"16:planbot-audit-v1,64:000...").hexdigest()
  CHECK(AuditEntryHash(e) == "7cf2e6cbc2299505bfc579ec67ebb640a88e7ecf64a47a4396e67b9f59facc65");
  CHECK(Sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("the hash covers every field but id and hash, and field boundaries") {
  AuditEntry e = Fixed();
  std::string base = AuditEntryHash(e);
  AuditEntry same = e;
  same.id = 99;
  same.hash = "whatever";
  CHECK(AuditEntryHash(same) == base);
  std::vector<std::string AuditEntry::*> fields = {
      &AuditEntry::created_at, &AuditEntry::actor,      &AuditEntry::action,
      &AuditEntry::channel,    &AuditEntry::session,    &AuditEntry::database,
      &AuditEntry::command,    &AuditEntry::normalized, &AuditEntry::fingerprint,
      &AuditEntry::outcome,    &AuditEntry::sqlstate,   &AuditEntry::details,
      &AuditEntry::prev_hash};
  for (auto field : fields) {
    AuditEntry changed = e;
    changed.*field += "x";
    CHECK(AuditEntryHash(changed) != base);
  }
  AuditEntry shifted = e;  // "ci"+"command" vs "cic"+"ommand": same concatenation
  shifted.actor = "cic";
  shifted.action = "ommand";
  CHECK(AuditEntryHash(shifted) != base);
}

std::vector<AuditEntry> Chain(int n) {
  std::vector<AuditEntry> chain;
  std::string prev(kGenesisHash);
  for (int i = 1; i <= n; ++i) {
    AuditEntry e = Fixed();
    e.id = i;
    e.details = "{\"n\":" + std::to_string(i) + "}";
    e.prev_hash = prev;
    e.hash = AuditEntryHash(e);
    prev = e.hash;
    chain.push_back(e);
  }
  return chain;
}

VerifyReport Verify(const std::vector<AuditEntry>& chain) {
  ChainVerifier v;
  for (const auto& e : chain) {
    if (!v.Add(e)) break;
  }
  return v.report();
}

TEST_CASE("ChainVerifier: intact, changed, missing, reordered, bad genesis") {
  auto chain = Chain(6);
  VerifyReport ok = Verify(chain);
  CHECK(ok.intact);
  CHECK(ok.entries == 6);
  CHECK(ok.last_id == 6);
  CHECK(ok.last_hash == chain.back().hash);

  VerifyReport empty = Verify({});
  CHECK(empty.intact);
  CHECK(empty.last_hash == kGenesisHash);

  auto changed = chain;
  changed[2].outcome = "error";
  VerifyReport r = Verify(changed);
  CHECK_FALSE(r.intact);
  CHECK(r.first_broken_id == 3);
  CHECK(r.last_id == 2);
  CHECK(r.problem.find("hash does not match") != std::string::npos);

  auto missing = chain;
  missing.erase(missing.begin() + 3);  // id 4
  r = Verify(missing);
  CHECK(r.first_broken_id == 5);
  CHECK(r.problem == "audit entry 5: entry 4 is missing");

  auto head_missing = chain;
  head_missing.erase(head_missing.begin(), head_missing.begin() + 2);
  CHECK(Verify(head_missing).problem == "audit entry 3: entries 1..2 are missing");

  auto relinked = chain;  // renumbered after a removal: ids fine, links not
  relinked.erase(relinked.begin() + 3);
  for (size_t i = 3; i < relinked.size(); ++i) relinked[i].id = static_cast<int64_t>(i) + 1;
  r = Verify(relinked);
  CHECK(r.first_broken_id == 4);
  CHECK(r.problem.find("prev_hash does not match the hash of entry 3") != std::string::npos);

  auto genesis = Chain(1);
  genesis[0].prev_hash = std::string(64, 'f');
  genesis[0].hash = AuditEntryHash(genesis[0]);
  r = Verify(genesis);
  CHECK(r.first_broken_id == 1);
  CHECK(r.problem.find("genesis") != std::string::npos);
}

}  // namespace
}  // namespace planbot::storage
