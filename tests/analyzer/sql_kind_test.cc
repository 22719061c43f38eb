// What the bot sees as the kind of each statement it is sent.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "analyzer/sql.h"

namespace planbot::analyzer {
namespace {

struct KindCase {
  const char* sql;
  const char* kind;
  const char* detail;
};

const std::vector<KindCase> kKindCases = {
    {"select 1", "select", ""},
    {"values (1), (2)", "select", ""},
    {"table t", "select", ""},
    {"with x as (delete from t returning *) select * from x", "select", ""},
    {"select 1 union all select 2", "select", ""},
    {"select * into t2 from t", "select_into", ""},
    {"select * into t2 from a union select * from b", "select_into", ""},
    {"insert into t values (1)", "insert", ""},
    {"update t set a = 1", "update", ""},
    {"delete from t", "delete", ""},
    {"merge into t using s on t.id = s.id when matched then delete", "merge", ""},
    {"explain analyze select 1", "explain", ""},
    {"create table t (a int)", "create_table", ""},
    {"create table t2 as select 1", "create_table_as", ""},
    {"create materialized view v as select 1", "create_materialized_view", ""},
    {"create index concurrently i on t (a)", "create_index", ""},
    {"create unique index on t (lower(a))", "create_index", ""},
    {"create statistics s on a, b from t", "create_statistics", ""},
    {"create extension hypopg", "create_extension", "hypopg"},
    {"create extension if not exists \"uuid-ossp\"", "create_extension", "uuid-ossp"},
    {"create function f() returns int as $$ select 1; $$ language sql", "create_function", ""},
    {"create procedure p() language sql as $$ select 1 $$", "create_function", "procedure"},
    {"create view v as select 1", "create_view", ""},
    {"create schema s", "create_schema", ""},
    {"create sequence s", "create_sequence", ""},
    {"create trigger tr after insert on t execute function f()", "create_trigger", ""},
    {"create type e as enum ('a')", "create_type", ""},
    {"create type c as (a int)", "create_type", ""},
    {"create type y", "create_type", ""},
    {"create database d", "create_database", ""},
    {"create role r", "create_role", ""},
    {"create user u", "create_role", ""},
    {"create domain d as int", "create_other", "domain"},
    {"create aggregate a (int) (sfunc = f, stype = int)", "create_other", "aggregate"},
    {"create policy p on t using (true)", "create_other", "policy"},
    {"create rule r as on insert to t do nothing", "create_other", "rule"},
    {"alter table t add column b int", "alter_table", ""},
    {"alter table t rename to u", "alter_table", ""},
    {"alter table t rename column a to b", "alter_table", ""},
    {"alter table t set schema s", "alter_table", ""},
    {"alter index i rename to j", "alter_index", ""},
    {"alter index i set (fillfactor = 50)", "alter_index", ""},
    {"alter index i set tablespace ts", "alter_index", ""},
    {"alter database d set work_mem = '1MB'", "alter_database", ""},
    {"alter database d rename to e", "alter_database", ""},
    {"alter role r superuser", "alter_role", ""},
    {"alter role r set search_path = x", "alter_role", ""},
    {"alter system set work_mem = '1MB'", "alter_system", "work_mem"},
    {"alter system reset all", "alter_system", "all"},
    {"alter view v rename to w", "alter_other", "view"},
    {"alter materialized view v rename column a to b", "alter_other", "materialized_view"},
    {"alter function f() owner to r", "alter_other", "function"},
    {"alter function f() stable", "alter_other", "function"},
    {"alter sequence s restart", "alter_other", "sequence"},
    {"alter extension hypopg update", "alter_other", "extension"},
    {"drop table t", "drop", "table"},
    {"drop index i", "drop", "index"},
    {"drop function f()", "drop", "function"},
    {"drop view v", "drop", "view"},
    {"drop materialized view v", "drop", "materialized_view"},
    {"drop schema s cascade", "drop", "schema"},
    {"drop extension hypopg", "drop", "extension"},
    {"drop statistics s", "drop", "statistics"},
    {"drop owned by r", "drop", "owned"},
    {"drop database d", "drop_database", ""},
    {"drop role r", "drop_role", ""},
    {"truncate t", "truncate", ""},
    {"do $$ begin raise notice 'x'; end $$", "do", ""},
    {"call p(1)", "call", ""},
    {"copy t to stdout", "copy", ""},
    {"copy t from program 'id'", "copy", ""},
    {"comment on table t is 'x'", "comment", "table"},
    {"comment on column t.a is 'x'", "comment", "column"},
    {"grant select on t to r", "grant", ""},
    {"revoke select on t from r", "grant", ""},
    {"grant r to u", "grant", ""},
    {"revoke r from u", "grant", ""},
    {"listen c", "listen", ""},
    {"notify c, 'x'", "notify", ""},
    {"unlisten *", "unlisten", ""},
    {"begin", "transaction", "begin"},
    {"start transaction read write", "transaction", "start"},
    {"commit", "transaction", "commit"},
    {"rollback", "transaction", "rollback"},
    {"savepoint s", "transaction", "savepoint"},
    {"rollback to savepoint s", "transaction", "rollback_to"},
    {"prepare transaction 'x'", "transaction", "prepare"},
    {"set statement_timeout = 0", "set", "statement_timeout"},
    {"set local statement_timeout = 0", "set", "statement_timeout"},
    {"SET Statement_Timeout TO DEFAULT", "set", "statement_timeout"},
    {"reset statement_timeout", "set", "statement_timeout"},
    {"reset all", "set", "all"},
    {"set role postgres", "set", "role"},
    {"reset role", "set", "role"},
    {"set session authorization bob", "set", "session_authorization"},
    {"set time zone 'UTC'", "set", "timezone"},
    {"set transaction read write", "set", "transaction"},
    {"show work_mem", "show", "work_mem"},
    {"show all", "show", "all"},
    {"analyze t", "analyze", ""},
    {"vacuum t", "vacuum", ""},
    {"vacuum analyze t", "vacuum", ""},
    {"vacuum (analyze, verbose) t", "vacuum", ""},
    {"reindex table t", "reindex", ""},
    {"cluster t using i", "cluster", ""},
    {"discard all", "discard", ""},
    {"lock table t in access exclusive mode", "lock", ""},
    {"prepare q as select 1", "prepare", ""},
    {"execute q", "execute", ""},
    {"deallocate q", "deallocate", ""},
    {"declare c cursor for select 1", "declare_cursor", ""},
    {"fetch 1 from c", "fetch", ""},
    {"move next in c", "fetch", ""},
    {"close c", "close", ""},
    {"checkpoint", "checkpoint", ""},
    {"load 'auto_explain'", "load", ""},
    {"refresh materialized view v", "refresh_materialized_view", ""},
    {"security label on table t is 'x'", "security_label", "table"},
    {"reassign owned by a to b", "other", "reassign_owned"},
    {"set constraints all deferred", "other", "constraints_set"},
    {"import foreign schema s from server f into t", "other", "import_foreign_schema"},
};

TEST_CASE("every statement kind") {
  for (const KindCase& c : kKindCases) {
    CAPTURE(c.sql);
    Result<SqlStatement> statement = ParseSingleStatement(c.sql);
    if (!statement.ok()) {
      FAIL_CHECK(statement.error().message);
      continue;
    }
    CHECK(statement->kind == c.kind);
    CHECK(statement->detail == c.detail);
  }
}

}  // namespace
}  // namespace planbot::analyzer
