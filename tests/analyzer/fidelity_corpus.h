// The EXPLAIN fidelity corpus (tests/data/fidelity/statements.sql) as data, and the SQL splitting
// needed to load its schema.
//
// The file format is described at the top of statements.sql; tests/data/fidelity/
// check_determinism.py parses the same format. ParseCorpus validates everything it can without a
// server (known modes, unique names, a statement and an `expect` list per entry) and reports the
// first problem with its line number. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace planbot::fidelity {

// One EXPLAIN mode: the options it adds before FORMAT, and what a run needs first.
struct ModeSpec {
  std::string_view name;
  std::string_view options;  // e.g. "ANALYZE, TIMING OFF, SUMMARY OFF"
  bool warm_up = false;      // run once and discard first, so both runs see only buffer hits
  bool checkpoint = false;   // CHECKPOINT before each run, so full-page images repeat exactly
  // Timings differ between the two runs of a pair: compare with every number that has exactly
  // three decimals (how EXPLAIN prints milliseconds) replaced by "#.###" on both sides.
  bool mask_timings = false;
};

// The mode called `name`, or nullptr.
const ModeSpec* FindMode(std::string_view name);

struct Entry {
  std::string name;
  std::vector<std::string> modes;        // names of ModeSpecs
  std::vector<std::string> expect;       // "Node Type" values the JSON must contain
  std::vector<std::string> expect_text;  // substrings some TEXT output must contain
  std::string setup;                     // SQL run inside each run's transaction; may be empty
  std::string sql;                       // the statement, without a final ';'
  int line = 0;                          // of the `-- name:` header
};

struct Corpus {
  std::string session_sql;  // run once per connection
  std::vector<Entry> entries;
};

Result<Corpus> ParseCorpus(std::string_view text);

// `text` with every number of the form digits.ddd (no fourth decimal) replaced by "#.###", as in
// "actual time=#.###..#.###" or "Execution Time: #.### ms".
std::string MaskTimings(std::string_view text);

// `EXPLAIN (<mode options>, FORMAT <format>) <sql>`.
std::string ExplainSql(const ModeSpec& mode, std::string_view format, std::string_view sql);

// Splits a script into statements at top-level semicolons, honouring quotes, quoted identifiers,
// dollar quotes and comments. Statements that hold only whitespace and comments are dropped.
// Backslash escapes in E'...' strings are not understood.
std::vector<std::string> SplitSqlStatements(std::string_view script);

}  // namespace planbot::fidelity
