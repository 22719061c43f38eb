// planbot: the composition root. Parses the command line (CLI11) and hands each subcommand its
// part. Usage errors print one line and exit with 2.
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "adapters/http/ask_command.h"
#include "app/cli_offline.h"
#include "app/main_admin.h"
#include "app/main_audit.h"
#include "app/main_serve.h"
#include "core/version.h"

namespace {

constexpr int kUsageError = 2;
constexpr const char* kConfigHelp =
    "YAML configuration whose `store` to use (default: $PLANBOT_CONFIG, ./planbot.yaml, "
    ".planbot/planbot.yaml, as planbot serve)";
constexpr const char* kStoreHelp =
    "SQLite store path (default: the configuration's `store`, else ./planbot.db)";

}  // namespace

int main(int argc, char** argv) {
  // Our own stream buffers for stdin/stdout: large plans are read and written in blocks.
  std::ios::sync_with_stdio(false);
  CLI::App app{"planbot: metadata-only EXPLAIN analysis for PostgreSQL", "planbot"};
  app.set_version_flag("--version", std::string("planbot ") + planbot::core::Version());
  app.require_subcommand(1);

  planbot::app::RenderArgs render;
  auto* render_cmd = app.add_subcommand(
      "render",
      "Print EXPLAIN (FORMAT JSON) output as PostgreSQL's text EXPLAIN, a summary, "
      "or planbot's analysis as JSON");
  render_cmd->add_option("--format", render.format, "text (default), summary or json")
      ->check(CLI::IsMember({"text", "summary", "json"}));
  render_cmd
      ->add_option("--block-size", render.block_size,
                   "block size in bytes for byte figures (default 8192)")
      ->check(CLI::Range(512, 1 << 20));
  render_cmd->add_option("file", render.path, "EXPLAIN JSON file, or - for stdin (default)");

  std::vector<std::string> sql_words;
  auto* normalize_cmd = app.add_subcommand(
      "normalize", "Print the normalized SQL, its fingerprint and statement kinds as JSON");
  normalize_cmd->add_option("sql", sql_words, "SQL text, or - for stdin (default)");

  planbot::app::ServeArgs serve;
  auto* serve_cmd = app.add_subcommand("serve", "Run the service (HTTP API, Slack, clones)");
  serve_cmd
      ->add_option("--config", serve.config,
                   "YAML configuration (default: $PLANBOT_CONFIG, ./planbot.yaml, "
                   ".planbot/planbot.yaml, else built-in)")
      ->check(CLI::ExistingFile);
  serve_cmd->add_option("--listen", serve.listen, "HOST:PORT to listen on (overrides the file)");
  serve_cmd->add_option("--store", serve.store, "SQLite store path (overrides the file)");
  serve_cmd->add_flag("--check-config", serve.check_config,
                      "Validate the configuration, print it as YAML with secrets masked, and exit "
                      "(binds no port, opens no store, connects nowhere)");

  planbot::adapters::AskArgs ask;
  if (const char* url = std::getenv("PLANBOT_URL")) ask.url = url;
  if (const char* token = std::getenv("PLANBOT_TOKEN")) ask.token = token;
  auto* ask_cmd = app.add_subcommand("ask", "Send one chat command to a running planbot");
  ask_cmd->add_option("--url", ask.url,
                      "planbot's base URL (default http://127.0.0.1:8080, "
                      "or $PLANBOT_URL)");
  ask_cmd->add_option("--token", ask.token, "API token (default $PLANBOT_TOKEN)");
  ask_cmd->add_option("--database", ask.database, "database name from the configuration");
  ask_cmd->add_option("--session", ask.session, "session name (default: yours)");
  ask_cmd->add_flag("--json", ask.json, "print the whole JSON answer");
  ask_cmd->add_option("--timeout", ask.timeout_seconds, "seconds to wait for the answer")
      ->check(CLI::Range(1, 3600));
  ask_cmd->add_option("--file", ask.file, "read the command from this file (instead of TEXT)");
  ask_cmd->add_option("text", ask.words,
                      "the command, e.g. \"explain select 1\"; - reads it from stdin");

  planbot::app::AuditVerifyArgs audit_verify;
  auto* audit_cmd = app.add_subcommand("audit", "Check the audit log");
  audit_cmd->require_subcommand(1);
  auto* verify_cmd = audit_cmd->add_subcommand(
      "verify",
      "Walk the audit hash chain: exit 0 when every entry is intact, 1 at the first "
      "changed, removed or inserted entry");
  verify_cmd->add_option("--config", audit_verify.config, kConfigHelp)->check(CLI::ExistingFile);
  verify_cmd->add_option("--store", audit_verify.store, kStoreHelp);

  planbot::app::AdminArgs admin;
  auto* admin_cmd = app.add_subcommand("admin", "History maintenance on the configured store");
  admin_cmd->require_subcommand(1);
  std::vector<CLI::App*> admin_ops;
  for (const char* op : {"purge", "redact"}) {
    auto* cmd = admin_cmd->add_subcommand(
        op, std::string(op) == "purge"
                ? "Delete matching history entries (no trace left in the store's files)"
                : "Drop the raw SQL of matching entries and mask their plans' literals");
    cmd->add_option("--config", admin.config, kConfigHelp)->check(CLI::ExistingFile);
    cmd->add_option("--store", admin.store, kStoreHelp);
    cmd->add_option("--before", admin.filters.before,
                    "entries older than TIME (2026-11-01, 2026-11-01T12:00:00Z) or DURATION (30d)");
    cmd->add_option("--user", admin.filters.user, "entries of this user");
    cmd->add_option("--session", admin.filters.session, "entries of this session");
    cmd->add_option("--fingerprint", admin.filters.fingerprint,
                    "entries of this query fingerprint");
    cmd->add_option("--database", admin.filters.database, "entries of this database");
    cmd->add_option("--id", admin.filters.ids, "history ids (repeat, or ID,ID,...)");
    cmd->add_flag("--all", admin.filters.all, "every entry (only on its own)");
    cmd->add_flag("--json", admin.json, "print the counts as JSON");
    admin_ops.push_back(cmd);
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string what = e.what();
    if (argc > 1 && argv[1][0] != '-' && app.get_subcommands().empty()) {
      what = std::string("unknown command ") + argv[1];
    }
    std::cerr << "planbot: " << what << " (see planbot --help)\n";
    return kUsageError;
  }
  if (*render_cmd) return planbot::app::RunRender(render, std::cout, std::cerr);
  if (*serve_cmd) return planbot::app::RunServe(serve);
  if (*verify_cmd) return planbot::app::RunAuditVerify(audit_verify, std::cout, std::cerr);
  for (CLI::App* op : admin_ops) {
    if (*op) {
      admin.operation = op->get_name();
      return planbot::app::RunAdmin(admin, std::cout, std::cerr);
    }
  }
  if (*ask_cmd) return planbot::adapters::RunAsk(ask, std::cin, std::cout, std::cerr);
  if (*normalize_cmd) {
    std::string sql;
    for (const std::string& w : sql_words) sql += (sql.empty() ? "" : " ") + w;
    return planbot::app::RunNormalize(sql.empty() ? "-" : sql, std::cout, std::cerr);
  }
  return kUsageError;
}
