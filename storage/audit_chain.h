// The audit log's hash chain: how an entry's hash is computed, and a verifier that walks the
// entries in id order and finds the first one that breaks the chain.
//
// Canonical serialization (version 1, stable: entries in the field were hashed with it): a
// sequence of netstrings — for each item its length in bytes as decimal ASCII, ':', the bytes,
// ',' — for, in this order:
//   "planbot-audit-v1", prev_hash, created_at, actor, action, channel, session, database,
//   command, normalized, fingerprint, outcome, sqlstate, details
// i.e. every field of AuditEntry except id and hash. Example: "16:planbot-audit-v1,64:0000...,".
// Length prefixes make the encoding unambiguous whatever bytes a field holds.
// hash = lowercase hex SHA-256 (OpenSSL EVP) of that serialization; the first entry's prev_hash
// is kGenesisHash (64 zeros). A change to the set or order of fields needs a new version tag and
// a migration that records which entries use which version.
//
// What the chain detects: a changed field or hash (hash mismatch), a removed or re-numbered entry
// (gap in ids, or prev_hash not matching the previous entry). What it cannot: an attacker who
// rewrites the file and recomputes every later hash, or drops the newest entries — compare the
// reported head (last_id, last_hash) with a copy kept elsewhere for that.
//
// Failures: none (pure functions). Thread-safety: ChainVerifier is a plain value, one thread.
#pragma once

#include <string>
#include <string_view>

#include "storage/store.h"

namespace planbot::storage {

inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// The canonical serialization of `entry` (uses entry.prev_hash; ignores id and hash).
std::string AuditCanonical(const AuditEntry& entry);

// Lowercase hex SHA-256 of AuditCanonical(entry): what entry.hash must be.
std::string AuditEntryHash(const AuditEntry& entry);

// Lowercase hex SHA-256 of arbitrary bytes.
std::string Sha256Hex(std::string_view bytes);

// Feed entries in id order; after the first broken one the rest are ignored.
class ChainVerifier {
 public:
  ChainVerifier();
  // False once the chain is broken (stop feeding).
  bool Add(const AuditEntry& entry);
  const VerifyReport& report() const { return report_; }

 private:
  void Break(int64_t id, std::string problem);
  VerifyReport report_;
};

}  // namespace planbot::storage
