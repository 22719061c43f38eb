// PsqlDescriber: core::CatalogDescriber that runs the real psql binary, so `\d` and friends look
// exactly as psql prints them (SPEC §2); and ParseDescribe, the check of a chat command like
// `\d+ orders` that the core runs before anything else.
//
// Only the meta-commands \d \d+ \dt \dt+ \di \di+ \dv \dv+ \dm \dm+ \dn \dx \df \l are allowed,
// each with at most one psql pattern made of letters (also non-ASCII), digits, _ $ . * ? and
// double-quoted parts ("Order Items", "" for a quote inside; no backslash, ';' or '`' there
// either). Nothing else reaches psql: no second argument, no other backslash command, no
// backquote (psql hands `...` to a shell), no :variable, no control character, at most 200 bytes.
//
// psql runs without a shell (adapters/process/child_process.h) as
//   psql -X --no-password -v ON_ERROR_STOP=1 -v VERBOSITY=sqlstate -P pager=off
//        --dbname "host=.. port=.. dbname=.. user=.. sslmode=.. application_name=planbot-describe
//                  options='-c statement_timeout=.. -c default_transaction_read_only=on'"
//        -c "<meta> <pattern>"
// with a minimal environment: PGPASSWORD (the password goes nowhere else), PGPASSFILE and HOME
// pointing at nothing, LANG/LC_ALL=C.UTF-8 (stable output, English messages), PGCLIENTENCODING,
// PATH. No PG* variable of planbot's own environment reaches psql, and no PAGER.
// (Not -q: quiet mode hides psql's "Did not find any relation named ..." and exits 1 silently.)
//
// Results: psql's stdout exactly as printed. Errors (core/ports.h): "refused" (ParseDescribe
// says no); "timeout" (psql did not finish in time: killed and reaped; or the server's
// statement_timeout); "describe_failed" when psql cannot be run, exits non-zero, or exits 0
// with an error on stderr (e.g. "Did not find any relation named "x"."). Its message shows only
// stderr lines known to carry no data: psql's own "Did not find ...", "improper qualified name
// ...", "cross-database references ..." (they quote the user's pattern), connection errors
// ("psql: error: ...") and the SQLSTATE of a server error (VERBOSITY=sqlstate); anything else
// (notices, warnings, server texts) is replaced by "psql failed (exit N)". The password is never
// in argv, a message or a log. Nothing throws.
//
// Thread-safety: Describe() may be called from many threads at once (one child per call).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.h"
#include "core/ports.h"

namespace planbot::adapters {

// A checked describe command: `meta` one of the allowed meta-commands, `pattern` the one psql
// pattern as the user wrote it (quotes kept; may be empty).
struct DescribeRequest {
  std::string meta;
  std::string pattern;
};

// Splits and checks a chat command like "\d+ orders", "\dt", "\d \"Order Items\"". Leading and
// trailing whitespace is ignored. Error "refused" says what is wrong.
Result<DescribeRequest> ParseDescribe(std::string_view text);

struct PsqlDescriberOptions {
  // Absolute path of psql; empty: /usr/lib/postgresql/15/bin/psql, else /usr/bin/psql.
  std::string psql_path;
  std::string application_name = "planbot-describe";
  // HOME of the child: no ~/.psqlrc, ~/.pgpass or service file of planbot's user is read.
  std::string home = "/nonexistent";
  // psql's stdout past this is cut at a line end and marked "(output truncated ...)".
  size_t max_output_bytes = 1 << 20;
};

class PsqlDescriber : public core::CatalogDescriber {
 public:
  explicit PsqlDescriber(PsqlDescriberOptions options = {});

  Result<std::string> Describe(const core::ConnectionInfo& connection, const std::string& meta,
                               const std::string& pattern,
                               std::chrono::milliseconds timeout) override;

  // The psql this describer runs.
  const std::string& psql_path() const { return options_.psql_path; }

 private:
  PsqlDescriberOptions options_;
};

}  // namespace planbot::adapters
