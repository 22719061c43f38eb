// The proof that RenderText reproduces PostgreSQL's own text EXPLAIN byte for byte.
//
// Creates the database planbot_fidelity (dropped first) on the server of the libpq environment
// (PGHOST, PGPORT, PGUSER; scripts/test starts one), loads tests/data/fidelity/schema.sql, and for
// every entry of statements.sql and each of its modes runs `EXPLAIN (<options>, FORMAT JSON)` and
// `EXPLAIN (<options>, FORMAT TEXT)`, each in its own rolled-back transaction. The JSON goes
// through ParseExplainJson and RenderText and must equal the TEXT rows joined with '\n' (plus a
// final '\n'); only modes with timings (analyze_timing) are compared with the timings masked.
// Every mismatch is reported with a line diff; the JSON must also contain the node types each
// entry claims to cover. The database is left in place for reproducing failures with
// psql; tests/data/fidelity/check_determinism.py proves that each pair is deterministic.
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "analyzer/plan_mask.h"
#include "analyzer/plan_metrics.h"
#include "analyzer/plan_parse.h"
#include "analyzer/render_text.h"
#include "analyzer/tips.h"
#include "common/result.h"
#include "tests/analyzer/fidelity_corpus.h"
#include "tests/analyzer/fidelity_diff.h"

namespace planbot::fidelity {
namespace {

constexpr char kConnectOptions[] = "connect_timeout=10";
constexpr char kDatabase[] = "planbot_fidelity";
// A C-locale database: plans and sort orders do not depend on the server's default locale.
constexpr char kCreateDatabase[] =
    "CREATE DATABASE planbot_fidelity TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' "
    "LC_CTYPE 'C'";
constexpr char kDropDatabase[] = "DROP DATABASE IF EXISTS planbot_fidelity WITH (FORCE)";

std::string DataPath(const std::string& file) {
  return std::string(PLANBOT_TEST_DATA_DIR) + "/fidelity/" + file;
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(ErrorCode::kInternal, "cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string EnvOr(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : fallback;
}

std::string ServerHint() {
  return "PGHOST=" + EnvOr("PGHOST", "(unset)") + " PGPORT=" + EnvOr("PGPORT", "(unset)") +
         " PGUSER=" + EnvOr("PGUSER", "(unset)") +
         ". Run the tests through scripts/test, which starts a throwaway server, or point the "
         "libpq environment at a PostgreSQL 15 server where you may create databases.";
}

// One libpq connection. Every libpqxx exception becomes an Error; nothing throws out.
class Server {
 public:
  static Result<std::unique_ptr<Server>> Connect(const std::string& options) {
    try {
      return std::unique_ptr<Server>(new Server(std::make_unique<pqxx::connection>(options)));
    } catch (const std::exception& e) {
      return MakeError(ErrorCode::kUnavailable, std::string("cannot connect to PostgreSQL: ") +
                                                    e.what() + "  " + ServerHint());
    }
  }

  // Runs `sql` (one or more statements) outside any transaction block.
  Status Exec(const std::string& sql) {
    try {
      pqxx::nontransaction tx(*conn_);
      tx.exec(sql);
      return Ok{};
    } catch (const std::exception& e) {
      return MakeError(ErrorCode::kDatabaseError, e.what());
    }
  }

  // BEGIN; setup; sql; ROLLBACK. Returns the first column of the rows of `sql`.
  Result<std::vector<std::string>> QueryRolledBack(const std::string& setup,
                                                   const std::string& sql) {
    try {
      pqxx::work tx(*conn_);
      if (!setup.empty()) tx.exec(setup);
      const pqxx::result result = tx.exec(sql);
      std::vector<std::string> rows;
      for (const auto& row : result) rows.emplace_back(row[0].c_str());
      tx.abort();
      return rows;
    } catch (const std::exception& e) {
      return MakeError(ErrorCode::kDatabaseError, e.what());
    }
  }

 private:
  explicit Server(std::unique_ptr<pqxx::connection> conn) : conn_(std::move(conn)) {}
  std::unique_ptr<pqxx::connection> conn_;
};

Status CreateDatabase() {
  Result<std::unique_ptr<Server>> admin = Server::Connect(kConnectOptions);
  if (!admin.ok()) return admin.error();
  if (Status s = (*admin)->Exec(kDropDatabase); !s.ok()) return s;
  return (*admin)->Exec(kCreateDatabase);
}

Status LoadSchema(Server& db) {
  Result<std::string> schema = ReadFile(DataPath("schema.sql"));
  if (!schema.ok()) return schema.error();
  for (const std::string& statement : SplitSqlStatements(*schema)) {
    if (Status s = db.Exec(statement); !s.ok()) {
      return MakeError(ErrorCode::kDatabaseError,
                       "schema.sql: " + s.error().message + "\nin: " + statement);
    }
  }
  return Ok{};
}

// A fresh planbot_fidelity with the schema loaded, and a new connection to it with the corpus's
// session settings (the loading connection keeps the settings schema.sql made).
Result<std::unique_ptr<Server>> PrepareDatabase(const std::string& session_sql) {
  const std::string options = std::string(kConnectOptions) + " dbname=" + kDatabase;
  if (Status s = CreateDatabase(); !s.ok()) return s.error();
  {
    Result<std::unique_ptr<Server>> loader = Server::Connect(options);
    if (!loader.ok()) return loader.error();
    if (Status s = LoadSchema(**loader); !s.ok()) return s.error();
  }
  Result<std::unique_ptr<Server>> db = Server::Connect(options);
  if (!db.ok()) return db.error();
  if (Status s = (*db)->Exec(session_sql); !s.ok()) {
    return MakeError(ErrorCode::kDatabaseError,
                     "session settings of statements.sql: " + s.error().message);
  }
  return db;
}

struct PairOutput {
  std::string json, text;
};

// A statement that writes leaves dead tuples behind even when rolled back; how many the next run
// finds (and so its estimates, heap blocks and index rows) depends on when the server prunes
// them, which a busy machine changes. A pair of such an entry that differs is run again (twice at
// most) before it counts as a mismatch: the two halves of one pair must still agree exactly.
bool Writes(const Entry& entry) {
  std::string sql = entry.setup + " " + entry.sql;
  std::transform(sql.begin(), sql.end(), sql.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  for (const char* verb : {"update ", "insert ", "delete ", "merge "}) {
    if (sql.find(verb) != std::string::npos) return true;
  }
  return false;
}

Result<std::string> RunOnce(Server& db, const Entry& entry, const ModeSpec& mode,
                            std::string_view format) {
  if (mode.checkpoint) {
    if (Status s = db.Exec("CHECKPOINT"); !s.ok()) return s.error();
  }
  Result<std::vector<std::string>> rows =
      db.QueryRolledBack(entry.setup, ExplainSql(mode, format, entry.sql));
  if (!rows.ok()) return rows.error();
  if (format == "JSON") return rows->empty() ? std::string() : rows->front();
  std::string text;
  for (const std::string& row : *rows) text += row + "\n";
  return text;
}

Result<PairOutput> RunPair(Server& db, const Entry& entry, const ModeSpec& mode) {
  if (mode.warm_up) {
    if (Result<std::string> warm = RunOnce(db, entry, mode, "JSON"); !warm.ok()) {
      return warm.error();
    }
  }
  Result<std::string> json = RunOnce(db, entry, mode, "JSON");
  if (!json.ok()) return json.error();
  Result<std::string> text = RunOnce(db, entry, mode, "TEXT");
  if (!text.ok()) return text.error();
  return PairOutput{std::move(*json), std::move(*text)};
}

std::string Describe(const Entry& entry, const ModeSpec& mode) {
  return "entry '" + entry.name + "' (statements.sql line " + std::to_string(entry.line) +
         "), mode '" + std::string(mode.name) + "' [EXPLAIN (" + std::string(mode.options) + ")]";
}

void AddNodeTypes(const nlohmann::json& plan, std::set<std::string>& types) {
  if (!plan.is_object()) return;
  if (auto type = plan.find("Node Type"); type != plan.end() && type->is_string()) {
    types.insert(type->get<std::string>());
  }
  if (auto children = plan.find("Plans"); children != plan.end() && children->is_array()) {
    for (const nlohmann::json& child : *children) AddNodeTypes(child, types);
  }
}

// Node types straight from the JSON, independent of the parser under test.
void AddNodeTypes(const std::string& json, std::set<std::string>& types) {
  const nlohmann::json doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_array()) return;
  for (const nlohmann::json& query : doc) {
    if (query.is_object() && query.contains("Plan")) AddNodeTypes(query["Plan"], types);
  }
}

bool RendersEqual(const Entry& entry, const ModeSpec& mode, const PairOutput& pair,
                  bool report = true) {
  const Result<analyzer::Explain> parsed = analyzer::ParseExplainJson(pair.json);
  if (!parsed.ok()) {
    FAIL_CHECK(Describe(entry, mode) << ": ParseExplainJson failed: " << parsed.error().code << ": "
                                     << parsed.error().message);
    return false;
  }
  std::string expected = pair.text, got = analyzer::RenderText(*parsed);
  if (mode.mask_timings) {
    expected = MaskTimings(expected);
    got = MaskTimings(got);
  }
  if (got == expected) return true;
  if (!report) return false;
  const std::string what = mode.mask_timings ? "rendered text differs (timings masked as #.###)"
                                             : "rendered text differs";
  FAIL_CHECK(Describe(entry, mode) << ": " << what << "\n" << UnifiedLineDiff(expected, got));
  return false;
}

// The history's masking done two ways must agree: the JSON masked and parsed again (what a
// stored plan reads back as), and the parsed model masked in place (what Masked() renders and
// derives tips from): same text, same tips.
bool MasksAlike(const Entry& entry, const ModeSpec& mode, const std::string& json) {
  Result<std::string> masked_json = analyzer::MaskPlanJson(json);
  Result<analyzer::Explain> reparsed = masked_json.ok()
                                           ? analyzer::ParseExplainJson(*masked_json)
                                           : Result<analyzer::Explain>(masked_json.error());
  Result<analyzer::Explain> model = analyzer::ParseExplainJson(json);
  if (!reparsed.ok() || !model.ok()) {
    FAIL_CHECK(Describe(entry, mode) << ": the masked plan does not read");
    return false;
  }
  analyzer::MaskPlanModel(*model);
  const std::string from_json = analyzer::RenderText(*reparsed);
  const std::string from_model = analyzer::RenderText(*model);
  if (from_json != from_model) {
    FAIL_CHECK(Describe(entry, mode) << ": masked model renders differently\n"
                                     << UnifiedLineDiff(from_json, from_model));
    return false;
  }
  const analyzer::ExplainQuery& a = reparsed->queries.front();
  const analyzer::ExplainQuery& b = model->queries.front();
  const auto tips_a = analyzer::TipsToJson(analyzer::ComputeTips(a, analyzer::ComputeMetrics(a)));
  const auto tips_b = analyzer::TipsToJson(analyzer::ComputeTips(b, analyzer::ComputeMetrics(b)));
  if (tips_a != tips_b) {
    FAIL_CHECK(Describe(entry, mode) << ": masked model gives other tips\n"
                                     << tips_a.dump(2) << "\n"
                                     << tips_b.dump(2));
    return false;
  }
  return true;
}

void CheckCoverage(const Entry& entry, const std::set<std::string>& types,
                   const std::string& texts) {
  for (const std::string& type : entry.expect) {
    if (types.count(type) == 0) {
      FAIL_CHECK("entry '" << entry.name << "': no \"" << type
                           << "\" node in any plan; the planner chose differently, so the entry "
                              "no longer covers it");
    }
  }
  for (const std::string& needle : entry.expect_text) {
    if (texts.find(needle) == std::string::npos) {
      FAIL_CHECK("entry '" << entry.name << "': no mode's text output contains \"" << needle
                           << "\"");
    }
  }
}

struct Tally {
  int pairs = 0;
  int matched = 0;
  int masked_alike = 0;  // pairs whose masking agrees both ways
  int masked = 0;        // pairs compared with timings masked
  int reruns = 0;        // pairs of writing entries run again (see Writes)
};

void RunEntry(Server& db, const Entry& entry, Tally& tally) {
  std::set<std::string> types;
  std::string texts;
  for (const std::string& name : entry.modes) {
    const ModeSpec& mode = *FindMode(name);  // ParseCorpus checked the name
    ++tally.pairs;
    tally.masked += mode.mask_timings ? 1 : 0;
    Result<PairOutput> pair = RunPair(db, entry, mode);
    for (int rerun = 0; rerun < 2 && pair.ok() && Writes(entry) &&
                        !RendersEqual(entry, mode, *pair, /*report=*/false);
         ++rerun) {
      ++tally.reruns;
      pair = RunPair(db, entry, mode);
    }
    if (!pair.ok()) {
      FAIL_CHECK(Describe(entry, mode) << ": " << pair.error().message);
      continue;
    }
    AddNodeTypes(pair->json, types);
    texts += pair->text;
    if (RendersEqual(entry, mode, *pair)) ++tally.matched;
    if (MasksAlike(entry, mode, pair->json)) ++tally.masked_alike;
  }
  CheckCoverage(entry, types, texts);
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

Result<Corpus> LoadCorpus() {
  Result<std::string> text = ReadFile(DataPath("statements.sql"));
  if (!text.ok()) return text.error();
  return ParseCorpus(*text);
}

TEST_CASE("fidelity: RenderText of EXPLAIN JSON equals EXPLAIN TEXT for the whole corpus") {
  const Result<Corpus> corpus = LoadCorpus();
  if (!corpus.ok()) FAIL(corpus.error().message);

  const auto load_start = std::chrono::steady_clock::now();
  Result<std::unique_ptr<Server>> db = PrepareDatabase(corpus->session_sql);
  if (!db.ok()) FAIL("fidelity: cannot prepare the test database: " << db.error().message);
  MESSAGE("fidelity: database " << kDatabase << " ready in " << SecondsSince(load_start) << " s");

  const auto run_start = std::chrono::steady_clock::now();
  Tally tally;
  for (const Entry& entry : corpus->entries) RunEntry(**db, entry, tally);
  MESSAGE("fidelity: " << tally.matched << "/" << tally.pairs << " pairs match ("
                       << corpus->entries.size() << " statements; " << tally.masked
                       << " pairs compared with timings masked; " << tally.reruns
                       << " pairs of writing statements run again; " << SecondsSince(run_start)
                       << " s)");
  CHECK(tally.matched == tally.pairs);
  MESSAGE("fidelity: masking agrees between JSON and model for " << tally.masked_alike << "/"
                                                                 << tally.pairs << " pairs");
  CHECK(tally.masked_alike == tally.pairs);
}

}  // namespace
}  // namespace planbot::fidelity
