#include "analyzer/server_errors.h"

#include <algorithm>
#include <cctype>
#include <string_view>
#include <vector>

#include "analyzer/error_templates.h"

namespace planbot::analyzer {
namespace {

struct FixedMessage {
  std::string_view sqlstate;  // five characters, or two for a whole class
  std::string_view text;
};

// Messages that hold no value. Exact SQLSTATEs first; a two-character entry covers its class.
constexpr FixedMessage kFixedMessages[] = {
    {"22P02", "a value could not be converted to the target type (the value is withheld)"},
    {"22003", "a numeric value is out of range for its type (the value is withheld)"},
    {"22007", "invalid date/time format (the value is withheld)"},
    {"22008", "a date/time field value is out of range (the value is withheld)"},
    {"22012", "division by zero"},
    {"22001", "a value is too long for its type (the value is withheld)"},
    {"22023", "invalid parameter value (the value is withheld)"},
    {"22004", "a null value is not allowed here"},
    {"22018", "invalid character value for a cast (the value is withheld)"},
    {"22021", "a character is not valid in the database encoding"},
    {"22P05", "a character has no equivalent in the target encoding"},
    {"2201B", "invalid regular expression"},
    {"2202E", "array subscript error"},
    {"22011", "substring error"},
    {"2200N", "invalid XML content (the value is withheld)"},
    {"2200M", "invalid XML document (the value is withheld)"},
    {"2200L", "not an XML document (the value is withheld)"},
    {"2201E", "invalid argument for a logarithm"},
    {"2201F", "invalid argument for a power function"},
    {"2201W", "invalid row count in LIMIT"},
    {"2201X", "invalid row count in OFFSET"},
    {"2200H", "a sequence reached its limit"},
    {"22P01", "floating-point exception"},
    {"22", "invalid data (the value is withheld)"},
    {"23502", "a null value violates a not-null constraint (the row is withheld)"},
    {"23503", "a foreign key constraint is violated (the key is withheld)"},
    {"23505", "a duplicate key value violates a unique constraint (the key is withheld)"},
    {"23514", "a row violates a check constraint (the row is withheld)"},
    {"23P01", "a row violates an exclusion constraint (the row is withheld)"},
    {"23", "an integrity constraint is violated (the row is withheld)"},
    {"21000", "a subquery used as an expression returned more than one row"},
    {"25006",
     "the statement writes, but runs in a read-only transaction (plan does not execute "
     "anything; use explain or exec)"},
    {"25P02", "the transaction was aborted by an earlier error"},
    {"2BP01", "other objects depend on this object"},
    {"3D000", "the database does not exist"},
    {"3F000", "the schema does not exist"},
    {"40001", "could not serialize access due to concurrent updates; retry"},
    {"40P01", "deadlock detected; retry"},
    {"40", "the transaction was rolled back; retry"},
    {"42501", "permission denied: the session role may not do this"},
    {"42P01", "the relation does not exist"},
    {"42703", "the column does not exist"},
    {"42883", "no function or operator matches the given name and argument types"},
    {"42601", "syntax error"},
    {"42804", "datatype mismatch"},
    {"42P18", "could not determine a data type"},
    {"42702", "a column reference is ambiguous"},
    {"42803", "grouping error: a column must appear in GROUP BY or be used in an aggregate"},
    {"42704", "the object does not exist"},
    {"42P07", "the relation already exists"},
    {"42710", "the object already exists"},
    {"42846", "cannot cast between these types"},
    {"42", "syntax error or access rule violation"},
    {"44000", "a row violates a view's WITH CHECK OPTION (the row is withheld)"},
    {"53100", "the server's disk is full"},
    {"53200", "the server is out of memory"},
    {"53300", "the server has too many connections"},
    {"53", "the server ran out of resources"},
    {"54000",
     "a program limit was exceeded (e.g. too many columns, or a row too big for an "
     "index)"},
    {"54001", "the statement is too complex"},
    {"54", "a program limit was exceeded"},
    {"55000", "the object is not in the required state"},
    {"55006", "the object is in use by another session"},
    {"55P03", "could not obtain a lock in time (lock_timeout) or without waiting (NOWAIT)"},
    {"57014", "the statement was cancelled (statement_timeout or a cancel request)"},
    {"0A000", "this feature is not supported"},
    {"P0001", "a function raised an exception (its message is withheld)"},
    {"P0002", "a PL/pgSQL query returned no rows"},
    {"P0003", "a PL/pgSQL query returned more than one row"},
    {"P0004", "a PL/pgSQL assertion failed (its message is withheld)"},
    {"P0", "a PL/pgSQL function failed (its message is withheld)"},
    {"XX000", "internal error in the database server"},
    {"XX001", "the database server found corrupted data"},
    {"XX002", "the database server found a corrupted index"},
};

bool ValidSqlstate(const std::string& s) {
  return s.size() == 5 && std::all_of(s.begin(), s.end(), [](char c) {
           return std::isdigit(static_cast<unsigned char>(c)) || (c >= 'A' && c <= 'Z');
         });
}

std::string_view FixedText(const std::string& sqlstate) {
  for (const FixedMessage& m : kFixedMessages) {
    if (m.sqlstate == sqlstate) return m.text;
  }
  for (const FixedMessage& m : kFixedMessages) {
    if (m.sqlstate.size() == 2 && sqlstate.compare(0, 2, m.sqlstate) == 0) return m.text;
  }
  return "database error";
}

bool IsPlainNameByte(char c) {
  auto u = static_cast<unsigned char>(c);
  return std::isalnum(u) || c == '_' || c == '$' || u >= 0x80;
}

// The quoted name after `word "` in a constraint violation's primary message, if it looks like
// an identifier; empty otherwise.
std::string QuotedNameAfter(const std::string& message, const std::string& word) {
  size_t at = message.find(word + " \"");
  if (at == std::string::npos) return std::string();
  size_t begin = at + word.size() + 2;
  size_t end = message.find('"', begin);
  if (end == std::string::npos || end == begin || end - begin > 63) return std::string();
  std::string name = message.substr(begin, end - begin);
  bool plain = std::all_of(name.begin(), name.end(), IsPlainNameByte);
  return plain ? name : std::string();
}

std::string ConstraintText(const std::string& sqlstate, const std::string& primary) {
  std::string text(FixedText(sqlstate));
  std::string name = sqlstate == "23502" ? QuotedNameAfter(primary, "column")
                                         : QuotedNameAfter(primary, "constraint");
  if (name.empty()) return text;
  return text + (sqlstate == "23502" ? " (column \"" : " (constraint \"") + name + "\")";
}

std::string Tagged(const std::string& text, const std::string& sqlstate) {
  std::string name = ConditionName(sqlstate);
  return text + " [SQLSTATE " + sqlstate + (name.empty() ? "" : " " + name) + "]";
}

}  // namespace

bool PrimaryMessageIsSafe(const std::string& sqlstate, const std::string& primary_message,
                          std::string_view user_sql) {
  if (!ValidSqlstate(sqlstate)) return false;
  if (sqlstate.compare(0, 2, "42") != 0 && sqlstate != "0A000") return false;
  if (primary_message.empty() || primary_message.size() > 500) return false;
  const bool control = std::any_of(primary_message.begin(), primary_message.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
  });
  if (control) return false;
  return internal::MatchesSafeTemplate(sqlstate, primary_message, internal::VocabularyOf(user_sql));
}

std::string SafeErrorMessage(const std::string& sqlstate, const std::string& primary_message,
                             ErrorPhase phase, std::string_view user_sql) {
  if (!ValidSqlstate(sqlstate)) return "database error";
  if (phase == ErrorPhase::kAnalysis && PrimaryMessageIsSafe(sqlstate, primary_message, user_sql)) {
    return Tagged(primary_message, sqlstate);
  }
  if (sqlstate.compare(0, 2, "23") == 0) {
    return Tagged(ConstraintText(sqlstate, primary_message), sqlstate);
  }
  return Tagged(std::string(FixedText(sqlstate)), sqlstate);
}

std::string FixedErrorMessage(const std::string& sqlstate) {
  if (!ValidSqlstate(sqlstate)) return "database error";
  return Tagged(std::string(FixedText(sqlstate)), sqlstate);
}

bool IsConnectionLoss(const std::string& sqlstate) {
  return sqlstate.compare(0, 2, "08") == 0 || sqlstate == "57P01" || sqlstate == "57P02" ||
         sqlstate == "57P03" || sqlstate == "57P04";
}

}  // namespace planbot::analyzer
