// The command table: one row per command (core/command.h). A friend of Service, so that each row
// names the member that runs it.
#include "core/command.h"
#include "core/service.h"

namespace planbot::core {

const std::vector<CommandSpec>& Commands() {
  using L = Lane;
  using H = HistoryRecord;
  static const std::vector<CommandSpec> kCommands = {
      {CommandId::kPlan, "plan", &Service::RunPlan, L::kOwn, /*needs_sql=*/true, H::kAlways,
       /*admin_only=*/false, "plan SQL",
       "EXPLAIN (COSTS, VERBOSE) without running the statement: plan, estimated cost and rows, "
       "tips; shows hypothetical indexes it would use",
       "plan select * from orders where customer_id = 42"},
      {CommandId::kExplain, "explain", &Service::RunExplain, L::kOwn, true, H::kAlways, false,
       "explain SQL",
       "EXPLAIN (ANALYZE, BUFFERS, VERBOSE, SETTINGS, WAL) in a transaction that is always rolled "
       "back: plan, timings, buffers, rows, tips",
       "explain select count(*) from orders where created_at > now() - interval '7 days'"},
      {CommandId::kExec, "exec", &Service::RunExec, L::kOwn, true, H::kAlways, false, "exec SQL",
       "changes your clone until `reset`: CREATE/DROP/ALTER INDEX, ALTER/CREATE/DROP TABLE, CREATE "
       "TABLE AS, CREATE STATISTICS, INSERT/UPDATE/DELETE, ANALYZE, VACUUM, SET/RESET, REINDEX, "
       "CLUSTER, CREATE EXTENSION hypopg; answers the command tag and row count, never rows",
       "exec create index on orders (customer_id)"},
      {CommandId::kReset, "reset", &Service::RunReset, L::kOwn, false, H::kNever, false, "reset",
       "returns your clone to the source's state (indexes, data, settings)", "reset"},
      {CommandId::kHypo, "hypo", &Service::RunHypo, L::kOwn, false, H::kWhenSql, false,
       "hypo create index ... | hypo desc | hypo drop ID | hypo reset",
       "hypothetical indexes (HypoPG) that `plan` can use without building them",
       "hypo create index on orders (customer_id)"},
      {CommandId::kActivity, "activity", &Service::RunActivity, L::kBeside, false, H::kNever, false,
       "activity",
       "what runs on your clone now: pid, state, duration, wait event, normalized query",
       "activity"},
      {CommandId::kTerminate, "terminate", &Service::RunTerminate, L::kBeside, false, H::kNever,
       false, "terminate PID", "ends a backend of your clone (see `activity`)", "terminate 12345"},
      {CommandId::kDescribe, "\\d", &Service::RunDescribe, L::kOwn, false, H::kNever, false,
       "\\d [NAME] | \\d+ | \\dt[+] | \\di[+] | \\dv[+] | \\dm[+] | \\dn | \\dx | \\df | \\l",
       "describes tables, indexes, views, schemas, extensions, functions as psql shows them",
       "\\d+ orders"},
      {CommandId::kHistory, "history", &Service::RunHistory, L::kInline, false, H::kNever, false,
       "history [N]",
       "your last N commands (default 10): id, time, command, execution time, normalized query",
       "history 20"},
      {CommandId::kPurge, "purge", &Service::RunMaintenance, L::kInline, false, H::kNever, true,
       "purge FILTERS",
       "admins: deletes history entries; filters --before TIME|DURATION, --user, --session, "
       "--fingerprint, --database, --id, or --all",
       "purge --before 90d"},
      {CommandId::kRedact, "redact", &Service::RunMaintenance, L::kInline, false, H::kNever, true,
       "redact FILTERS",
       "admins: drops the raw SQL of matching history entries and masks their plans' literals, "
       "keeping the figures (same filters as purge)",
       "redact --user alice"},
      {CommandId::kHelp, "help", &Service::RunHelp, L::kInline, false, H::kNever, false, "help",
       "this list", "help"},
  };
  return kCommands;
}

}  // namespace planbot::core
