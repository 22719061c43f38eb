#include "storage/audit_chain.h"

#include <openssl/evp.h>

#include <memory>

namespace planbot::storage {
namespace {

void AppendNetstring(std::string& out, std::string_view item) {
  out += std::to_string(item.size());
  out += ':';
  out += item;
  out += ',';
}

std::string GapProblem(int64_t expected, int64_t got, int64_t last_id) {
  if (got < expected) return "id out of order after entry " + std::to_string(last_id);
  if (got == expected + 1) return "entry " + std::to_string(expected) + " is missing";
  return "entries " + std::to_string(expected) + ".." + std::to_string(got - 1) + " are missing";
}

}  // namespace

std::string AuditCanonical(const AuditEntry& entry) {
  std::string out;
  out.reserve(256 + entry.normalized.size() + entry.details.size());
  for (std::string_view item :
       {std::string_view("planbot-audit-v1"), std::string_view(entry.prev_hash),
        std::string_view(entry.created_at), std::string_view(entry.actor),
        std::string_view(entry.action), std::string_view(entry.channel),
        std::string_view(entry.session), std::string_view(entry.database),
        std::string_view(entry.command), std::string_view(entry.normalized),
        std::string_view(entry.fingerprint), std::string_view(entry.outcome),
        std::string_view(entry.sqlstate), std::string_view(entry.details)}) {
    AppendNetstring(out, item);
  }
  return out;
}

std::string Sha256Hex(std::string_view bytes) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  // SHA-256 through EVP fails only when out of memory; an empty hash then never matches.
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), digest, &size) != 1) {
    return {};
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(size * 2);
  for (unsigned int i = 0; i < size; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0x0f];
  }
  return hex;
}

std::string AuditEntryHash(const AuditEntry& entry) { return Sha256Hex(AuditCanonical(entry)); }

ChainVerifier::ChainVerifier() { report_.last_hash = std::string(kGenesisHash); }

bool ChainVerifier::Add(const AuditEntry& entry) {
  if (!report_.intact) return false;
  ++report_.entries;
  int64_t expected = report_.last_id + 1;
  if (entry.id != expected) {
    Break(entry.id, GapProblem(expected, entry.id, report_.last_id));
    return false;
  }
  if (entry.prev_hash != report_.last_hash) {
    Break(entry.id, report_.last_id == 0 ? "prev_hash of the first entry is not the genesis hash"
                                         : "prev_hash does not match the hash of entry " +
                                               std::to_string(report_.last_id));
    return false;
  }
  if (AuditEntryHash(entry) != entry.hash) {
    Break(entry.id, "hash does not match the entry's content");
    return false;
  }
  report_.last_id = entry.id;
  report_.last_hash = entry.hash;
  return true;
}

void ChainVerifier::Break(int64_t id, std::string problem) {
  report_.intact = false;
  report_.first_broken_id = id;
  report_.problem = "audit entry " + std::to_string(id) + ": " + std::move(problem);
}

}  // namespace planbot::storage
