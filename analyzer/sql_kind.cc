#include "analyzer/sql_kind.h"

#include <array>
#include <cctype>
#include <string>
#include <string_view>
#include <utility>

namespace planbot::analyzer::internal {
namespace {

using Json = nlohmann::json;
using NamePair = std::pair<std::string_view, std::string_view>;

// Node name -> kind, for nodes whose kind needs nothing else from the tree.
constexpr auto kFixedKinds = std::to_array<std::pair<std::string_view, StatementKind>>({
    {"InsertStmt", StatementKind::kInsert},
    {"UpdateStmt", StatementKind::kUpdate},
    {"DeleteStmt", StatementKind::kDelete},
    {"MergeStmt", StatementKind::kMerge},
    {"ExplainStmt", StatementKind::kExplain},
    {"CreateStmt", StatementKind::kCreateTable},
    {"IndexStmt", StatementKind::kCreateIndex},
    {"CreateStatsStmt", StatementKind::kCreateStatistics},
    {"ViewStmt", StatementKind::kCreateView},
    {"CreateSchemaStmt", StatementKind::kCreateSchema},
    {"CreateSeqStmt", StatementKind::kCreateSequence},
    {"CreateTrigStmt", StatementKind::kCreateTrigger},
    {"CompositeTypeStmt", StatementKind::kCreateType},
    {"CreateEnumStmt", StatementKind::kCreateType},
    {"CreateRangeStmt", StatementKind::kCreateType},
    {"CreatedbStmt", StatementKind::kCreateDatabase},
    {"CreateRoleStmt", StatementKind::kCreateRole},
    {"AlterDatabaseStmt", StatementKind::kAlterDatabase},
    {"AlterDatabaseSetStmt", StatementKind::kAlterDatabase},
    {"AlterDatabaseRefreshCollStmt", StatementKind::kAlterDatabase},
    {"AlterRoleStmt", StatementKind::kAlterRole},
    {"AlterRoleSetStmt", StatementKind::kAlterRole},
    {"DropdbStmt", StatementKind::kDropDatabase},
    {"DropRoleStmt", StatementKind::kDropRole},
    {"TruncateStmt", StatementKind::kTruncate},
    {"DoStmt", StatementKind::kDo},
    {"CallStmt", StatementKind::kCall},
    {"CopyStmt", StatementKind::kCopy},
    {"GrantStmt", StatementKind::kGrant},
    {"GrantRoleStmt", StatementKind::kGrant},
    {"ListenStmt", StatementKind::kListen},
    {"NotifyStmt", StatementKind::kNotify},
    {"UnlistenStmt", StatementKind::kUnlisten},
    {"ReindexStmt", StatementKind::kReindex},
    {"ClusterStmt", StatementKind::kCluster},
    {"DiscardStmt", StatementKind::kDiscard},
    {"LockStmt", StatementKind::kLock},
    {"PrepareStmt", StatementKind::kPrepare},
    {"ExecuteStmt", StatementKind::kExecute},
    {"DeallocateStmt", StatementKind::kDeallocate},
    {"DeclareCursorStmt", StatementKind::kDeclareCursor},
    {"FetchStmt", StatementKind::kFetch},
    {"ClosePortalStmt", StatementKind::kClose},
    {"CheckPointStmt", StatementKind::kCheckpoint},
    {"LoadStmt", StatementKind::kLoad},
    {"RefreshMatViewStmt", StatementKind::kRefreshMaterializedView},
});

// Node name -> detail, for create_other, alter_other and drop nodes of a fixed object type.
constexpr auto kCreateOther = std::to_array<NamePair>({
    {"CreateAmStmt", "access_method"},
    {"CreateCastStmt", "cast"},
    {"CreateConversionStmt", "conversion"},
    {"CreateDomainStmt", "domain"},
    {"CreateEventTrigStmt", "event_trigger"},
    {"CreateFdwStmt", "foreign_data_wrapper"},
    {"CreateForeignServerStmt", "foreign_server"},
    {"CreateForeignTableStmt", "foreign_table"},
    {"CreateOpClassStmt", "operator_class"},
    {"CreateOpFamilyStmt", "operator_family"},
    {"CreatePLangStmt", "language"},
    {"CreatePolicyStmt", "policy"},
    {"CreatePublicationStmt", "publication"},
    {"CreateSubscriptionStmt", "subscription"},
    {"CreateTableSpaceStmt", "tablespace"},
    {"CreateTransformStmt", "transform"},
    {"CreateUserMappingStmt", "user_mapping"},
    {"RuleStmt", "rule"},
});

constexpr auto kAlterOther = std::to_array<NamePair>({
    {"AlterCollationStmt", "collation"},
    {"AlterDefaultPrivilegesStmt", "default_privileges"},
    {"AlterDomainStmt", "domain"},
    {"AlterEnumStmt", "type"},
    {"AlterEventTrigStmt", "event_trigger"},
    {"AlterExtensionStmt", "extension"},
    {"AlterExtensionContentsStmt", "extension"},
    {"AlterFdwStmt", "foreign_data_wrapper"},
    {"AlterForeignServerStmt", "foreign_server"},
    {"AlterOpFamilyStmt", "operator_family"},
    {"AlterOperatorStmt", "operator"},
    {"AlterPolicyStmt", "policy"},
    {"AlterPublicationStmt", "publication"},
    {"AlterSeqStmt", "sequence"},
    {"AlterStatsStmt", "statistics"},
    {"AlterSubscriptionStmt", "subscription"},
    {"AlterTSConfigurationStmt", "text_search_configuration"},
    {"AlterTSDictionaryStmt", "text_search_dictionary"},
    {"AlterTableSpaceOptionsStmt", "tablespace"},
    {"AlterTypeStmt", "type"},
    {"AlterUserMappingStmt", "user_mapping"},
});

constexpr auto kDropOther = std::to_array<NamePair>({
    {"DropOwnedStmt", "owned"},
    {"DropTableSpaceStmt", "tablespace"},
    {"DropUserMappingStmt", "user_mapping"},
    {"DropSubscriptionStmt", "subscription"},
});

// ObjectType names whose plain lower-case form would read badly.
constexpr auto kObjectTypeNames = std::to_array<NamePair>({
    {"MATVIEW", "materialized_view"},
    {"STATISTIC_EXT", "statistics"},
    {"TABCONSTRAINT", "table_constraint"},
    {"DOMCONSTRAINT", "domain_constraint"},
    {"FDW", "foreign_data_wrapper"},
    {"OPCLASS", "operator_class"},
    {"OPFAMILY", "operator_family"},
    {"TSCONFIGURATION", "text_search_configuration"},
    {"TSDICTIONARY", "text_search_dictionary"},
    {"TSPARSER", "text_search_parser"},
    {"TSTEMPLATE", "text_search_template"},
    {"DEFACL", "default_privileges"},
    {"LARGEOBJECT", "large_object"},
});

template <typename V, size_t N>
const V* Lookup(const std::array<std::pair<std::string_view, V>, N>& table, std::string_view key) {
  for (const auto& entry : table) {
    if (entry.first == key) return &entry.second;
  }
  return nullptr;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    c = c == ' ' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string StringField(const Json& body, const char* field) {
  auto it = body.find(field);
  return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// "OBJECT_INDEX" -> "index", "OBJECT_MATVIEW" -> "materialized_view".
std::string ObjectTypeName(const Json& body, const char* field) {
  const std::string value = StringField(body, field);
  std::string_view name = value;
  if (name.starts_with("OBJECT_")) name.remove_prefix(7);
  if (const std::string_view* nicer = Lookup(kObjectTypeNames, name)) return std::string(*nicer);
  return Lower(name);
}

// "ReassignOwnedStmt" -> "reassign_owned".
std::string SnakeNodeName(std::string_view node) {
  if (node.ends_with("Stmt")) node.remove_suffix(4);
  std::string out;
  for (size_t i = 0; i < node.size(); ++i) {
    const auto c = static_cast<unsigned char>(node[i]);
    const bool upper = std::isupper(c) != 0;
    const bool after_lower = i > 0 && std::islower(static_cast<unsigned char>(node[i - 1]));
    const bool before_lower =
        i > 0 && i + 1 < node.size() && std::islower(static_cast<unsigned char>(node[i + 1]));
    if (upper && (after_lower || before_lower)) out += '_';
    out += static_cast<char>(std::tolower(c));
  }
  return out;
}

StatementClass AlterOf(const std::string& object_type) {
  if (object_type == "table") return {StatementKind::kAlterTable, ""};
  if (object_type == "index") return {StatementKind::kAlterIndex, ""};
  if (object_type == "database") return {StatementKind::kAlterDatabase, ""};
  if (object_type == "role") return {StatementKind::kAlterRole, ""};
  return {StatementKind::kAlterOther, object_type};
}

StatementClass Select(const Json& body) {
  // SELECT ... INTO sits on the leftmost branch of a UNION/INTERSECT/EXCEPT.
  const Json* select = &body;
  while (!select->contains("intoClause") && select->contains("larg")) select = &(*select)["larg"];
  return {select->contains("intoClause") ? StatementKind::kSelectInto : StatementKind::kSelect, ""};
}

StatementClass Rename(const Json& body) {
  const std::string renamed = ObjectTypeName(body, "renameType");
  // Columns and constraints are renamed through the relation that holds them.
  if (renamed == "column" || renamed == "table_constraint" || renamed == "attribute") {
    return AlterOf(ObjectTypeName(body, "relationType"));
  }
  return AlterOf(renamed);
}

// GUC name as PostgreSQL matches it (case-insensitively); SET TRANSACTION etc. in snake case.
StatementClass Set(StatementKind kind, const Json& set) {
  if (StringField(set, "kind") == "VAR_RESET_ALL") return {kind, "all"};
  return {kind, Lower(StringField(set, "name"))};
}

StatementClass Transaction(const Json& body) {
  const std::string value = StringField(body, "kind");
  std::string_view command = value;
  if (command.starts_with("TRANS_STMT_")) command.remove_prefix(11);
  return {StatementKind::kTransaction, Lower(command)};
}

bool Flag(const Json& body, const char* field) {
  auto it = body.find(field);
  return it != body.end() && it->is_boolean() && it->get<bool>();
}

// Nodes whose kind or detail depends on their content; false if `name` is not one of them.
bool ClassifySpecial(std::string_view name, const Json& body, StatementClass* out) {
  if (name == "SelectStmt") {
    *out = Select(body);
  } else if (name == "CreateTableAsStmt") {
    const bool matview = StringField(body, "objtype") == "OBJECT_MATVIEW";
    *out = {matview ? StatementKind::kCreateMaterializedView : StatementKind::kCreateTableAs, ""};
  } else if (name == "CreateExtensionStmt") {
    *out = {StatementKind::kCreateExtension, StringField(body, "extname")};
  } else if (name == "CreateFunctionStmt") {
    *out = {StatementKind::kCreateFunction, Flag(body, "is_procedure") ? "procedure" : ""};
  } else if (name == "DefineStmt") {
    const std::string type = ObjectTypeName(body, "kind");
    *out = type == "type" ? StatementClass{StatementKind::kCreateType, ""}
                          : StatementClass{StatementKind::kCreateOther, type};
  } else if (name == "AlterTableStmt" || name == "AlterTableMoveAllStmt" ||
             name == "AlterFunctionStmt") {
    *out = AlterOf(ObjectTypeName(body, "objtype"));
  } else if (name == "AlterObjectSchemaStmt" || name == "AlterOwnerStmt" ||
             name == "AlterObjectDependsStmt") {
    *out = AlterOf(ObjectTypeName(body, "objectType"));
  } else if (name == "RenameStmt") {
    *out = Rename(body);
  } else {
    return false;
  }
  return true;
}

bool ClassifySpecialUtility(std::string_view name, const Json& body, StatementClass* out) {
  if (name == "AlterSystemStmt") {
    auto it = body.find("setstmt");
    *out = Set(StatementKind::kAlterSystem, it != body.end() ? *it : Json::object());
  } else if (name == "VariableSetStmt") {
    *out = Set(StatementKind::kSet, body);
  } else if (name == "VariableShowStmt") {
    *out = {StatementKind::kShow, Lower(StringField(body, "name"))};
  } else if (name == "TransactionStmt") {
    *out = Transaction(body);
  } else if (name == "VacuumStmt") {
    *out = {Flag(body, "is_vacuumcmd") ? StatementKind::kVacuum : StatementKind::kAnalyze, ""};
  } else if (name == "DropStmt") {
    *out = {StatementKind::kDrop, ObjectTypeName(body, "removeType")};
  } else if (name == "CommentStmt") {
    *out = {StatementKind::kComment, ObjectTypeName(body, "objtype")};
  } else if (name == "SecLabelStmt") {
    *out = {StatementKind::kSecurityLabel, ObjectTypeName(body, "objtype")};
  } else {
    return false;
  }
  return true;
}

}  // namespace

bool IsConcurrently(const Json& node) {
  if (!node.is_object() || node.size() != 1 || !node.begin().value().is_object()) return false;
  const std::string& name = node.begin().key();
  const Json& body = node.begin().value();
  if (name == "IndexStmt" || name == "DropStmt") return Flag(body, "concurrent");
  if (name != "ReindexStmt") return false;
  auto params = body.find("params");
  if (params == body.end() || !params->is_array()) return false;
  for (const Json& p : *params) {
    auto def = p.find("DefElem");
    if (def != p.end() && StringField(*def, "defname") == "concurrently") return true;
  }
  return false;
}

StatementClass ClassifyStatement(const Json& node) {
  if (!node.is_object() || node.size() != 1) return {StatementKind::kOther, ""};
  const std::string& name = node.begin().key();
  const Json& body = node.begin().value();
  StatementClass result;
  if (!body.is_object()) return {StatementKind::kOther, SnakeNodeName(name)};
  if (ClassifySpecial(name, body, &result) || ClassifySpecialUtility(name, body, &result)) {
    return result;
  }
  if (const StatementKind* kind = Lookup(kFixedKinds, name)) return {*kind, ""};
  if (const std::string_view* type = Lookup(kCreateOther, name)) {
    return {StatementKind::kCreateOther, std::string(*type)};
  }
  if (const std::string_view* type = Lookup(kAlterOther, name)) {
    return {StatementKind::kAlterOther, std::string(*type)};
  }
  if (const std::string_view* type = Lookup(kDropOther, name))
    return {StatementKind::kDrop, std::string(*type)};
  return {StatementKind::kOther, SnakeNodeName(name)};
}

}  // namespace planbot::analyzer::internal
