// Reading: the schema of SPEC §5, one function per section. Validation is config_validate.cc.
#include "adapters/config/config_yaml.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "adapters/config/config_yaml_reader.h"

namespace planbot::adapters {
namespace {

// A configuration file is a page or two; anything far larger is the wrong file.
constexpr size_t kMaxFileBytes = 1 << 20;

void ReadTls(MapReader& root, core::Config* config) {
  MapReader tls = root.Map("tls", {"cert", "key"});
  if (!tls.ok()) return;
  config->tls.emplace();
  tls.String("cert", &config->tls->cert);
  tls.String("key", &config->tls->key);
}

void ReadApi(MapReader& root, std::vector<core::TokenConfig>* tokens) {
  MapReader api = root.Map("api", {"tokens"});
  api.List("tokens", [&](const YAML::Node& node, const std::string& path) {
    MapReader m(api.state(), node, path, {"name", "token", "role"});
    core::TokenConfig token;
    m.String("name", &token.name);
    m.String("token", &token.token);
    m.Choice("role", {"user", "admin"}, &token.role);
    tokens->push_back(std::move(token));
  });
}

void ReadQuota(MapReader& parent, core::QuotaConfig* quota) {
  MapReader m = parent.Map("quota", {"commands", "per"});
  m.Int("commands", &quota->commands);
  m.Duration("per", &quota->per);
}

void ReadLimits(MapReader& root, core::LimitsConfig* limits) {
  MapReader m =
      root.Map("limits", {"statement_timeout", "lock_timeout", "idle_timeout", "quota", "workers"});
  m.Int("workers", &limits->workers);
  m.Duration("statement_timeout", &limits->statement_timeout);
  m.Duration("lock_timeout", &limits->lock_timeout);
  m.Duration("idle_timeout", &limits->idle_timeout);
  ReadQuota(m, &limits->quota);
}

void ReadLocal(MapReader& db, core::LocalProviderConfig* local) {
  MapReader m = db.Map("local", {"admin_dsn", "source", "warm_clones", "clone_prefix"});
  m.String("admin_dsn", &local->admin_dsn);
  m.String("source", &local->source);
  m.Int("warm_clones", &local->warm_clones);
  m.String("clone_prefix", &local->clone_prefix);
}

void ReadDblab(MapReader& db, core::DblabProviderConfig* dblab) {
  MapReader m = db.Map("dblab", {"url", "token", "db_name", "sslmode", "create_timeout"});
  m.String("url", &dblab->url);
  m.String("token", &dblab->token);
  m.String("db_name", &dblab->db_name);
  m.String("sslmode", &dblab->sslmode);
  m.Duration("create_timeout", &dblab->create_timeout);
}

void ReadDatabase(ReadState& state, const YAML::Node& node, const std::string& path,
                  core::DatabaseConfig* db) {
  MapReader m(state, node, path,
              {"name", "provider", "history", "retention", "quota", "local", "dblab"});
  m.String("name", &db->name);
  m.Choice("provider", {"local", "dblab"}, &db->provider);
  m.Choice("history", {"full", "normalized", "off"}, &db->history);
  m.Duration("retention", &db->retention);
  if (m.Has("quota")) {
    // A database's own quota starts from the defaults, not from limits.quota: what is written
    // is what applies.
    db->quota.emplace();
    ReadQuota(m, &*db->quota);
  }
  // The other provider's section is a mistake (a forgotten `provider:`), not a harmless extra.
  for (const char* section : {"local", "dblab"}) {
    if (m.Has(section) && db->provider != section) {
      state.Fail(m.Path(section), "only for provider " + std::string(section) +
                                      " (this database's provider is " + db->provider + ")");
    }
  }
  ReadLocal(m, &db->local);
  ReadDblab(m, &db->dblab);
}

void ReadSlack(MapReader& root, core::SlackConfig* slack) {
  MapReader m =
      root.Map("slack", {"signing_secret", "bot_token", "api_url", "channels", "users", "admins"});
  if (!m.ok()) return;
  slack->enabled = true;
  m.String("signing_secret", &slack->signing_secret);
  m.String("bot_token", &slack->bot_token);
  m.String("api_url", &slack->api_url);
  m.List("channels", [&](const YAML::Node& node, const std::string& path) {
    MapReader c(m.state(), node, path, {"id", "database"});
    core::SlackChannelConfig channel;
    c.String("id", &channel.id);
    c.String("database", &channel.database);
    slack->channels.push_back(std::move(channel));
  });
  m.StringList("users", &slack->users);
  m.StringList("admins", &slack->admins);
}

Result<core::Config> ReadConfig(const YAML::Node& root, ReadState& state) {
  if (root.IsNull()) {
    return ConfigError("", "the file is empty; it needs at least one database under databases");
  }
  if (!root.IsMap()) {
    return ConfigError("", std::string("expected a map of settings (key: value) at the top "
                                       "level, got ") +
                               NodeKindName(root));
  }
  MapReader m(
      state, root, "",
      {"listen", "store", "tls", "api", "limits", "databases", "slack", "logging", "audit", "web"});
  core::Config config;
  m.String("listen", &config.listen);
  m.String("store", &config.store);
  ReadTls(m, &config);
  ReadApi(m, &config.tokens);
  ReadLimits(m, &config.limits);
  m.List("databases", [&](const YAML::Node& node, const std::string& path) {
    config.databases.emplace_back();
    ReadDatabase(state, node, path, &config.databases.back());
  });
  ReadSlack(m, &config.slack);
  MapReader logging = m.Map("logging", {"debug_database_errors", "format", "level"});
  logging.Bool("debug_database_errors", &config.logging.debug_database_errors);
  logging.String("format", &config.logging.format);
  logging.String("level", &config.logging.level);
  MapReader audit = m.Map("audit", {"export"});
  audit.String("export", &config.audit.export_to);
  MapReader web = m.Map("web", {"public_url", "assets_dir"});
  web.String("public_url", &config.web.public_url);
  web.String("assets_dir", &config.web.assets_dir);
  if (state.failed()) return state.error();
  return config;
}

Result<std::string> ReadWholeFile(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                       &std::fclose);
  if (!file) return ConfigError("", "cannot read " + path + ": " + std::strerror(errno));
  std::string text;
  char buffer[1 << 16];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) {
    text.append(buffer, n);
    if (text.size() > kMaxFileBytes) {
      return ConfigError("", "cannot read " + path + ": larger than 1 MiB, not a config file");
    }
  }
  // A directory opens fine and fails on the first read (EISDIR).
  if (std::ferror(file.get())) {
    return ConfigError("", "cannot read " + path + ": " + std::strerror(errno));
  }
  return text;
}

// A YAML event handler that keeps nothing: the documents are only counted.
class IgnoreEvents : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

size_t Indent(std::string_view line) {
  size_t n = 0;
  while (n < line.size() && line[n] == ' ') ++n;
  return n;
}

// A line that ends a key or a list item with a block scalar header (`|`, `>-`, `|2`, ...): the
// more indented lines after it are text, not YAML.
bool OpensBlockScalar(std::string_view line) {
  const size_t hash = line.find(" #");
  if (hash != std::string_view::npos) line = line.substr(0, hash);
  while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.remove_suffix(1);
  size_t i = line.size();
  while (i > 0 &&
         (line[i - 1] == '+' || line[i - 1] == '-' || (line[i - 1] >= '1' && line[i - 1] <= '9'))) {
    --i;
  }
  if (i == 0 || (line[i - 1] != '|' && line[i - 1] != '>')) return false;
  return i == 1 || line[i - 2] == ' ';
}

// The depth of [ ] and { } after `line`, given the depth before it (quotes and comments skipped).
int FlowDepthAfter(std::string_view line, int depth) {
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '#' && (i == 0 || line[i - 1] == ' ')) break;
    if (c == '"' || c == '\'') {
      for (++i; i < line.size() && line[i] != c; ++i) {
        if (c == '"' && line[i] == '\\') ++i;
      }
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return depth;
}

// yaml-cpp 0.7 never returns from a document whose node starts with ',' outside a flow
// collection (`,x` at the top, or after `- a`: found by tests/fuzz/fuzz_config_yaml, a hung
// `planbot serve` at startup). YAML does not allow a plain value to start with ',' anyway
// (a flow indicator), so such a line is refused before the parser sees it.
Status CheckForParserHang(const std::string& text) {
  size_t block_indent = std::string::npos;  // inside a block scalar more indented than this
  int flow_depth = 0;  // inside [...] or {...} spanning lines, where ',' may start a line
  size_t line_no = 0;
  for (size_t begin = 0; begin <= text.size();) {
    size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + begin, end - begin);
    ++line_no;
    begin = end + 1;
    const size_t indent = Indent(line);
    const bool blank = indent == line.size() || line[indent] == '#' || line[indent] == '\r';
    if (block_indent != std::string::npos) {
      if (blank || indent > block_indent) continue;
      block_indent = std::string::npos;
    }
    std::string_view rest = line.substr(indent);
    // Past the indicators that may come before a node: `- `, `? `, `: `, `--- `, anchors, tags.
    while (true) {
      if (rest.size() >= 2 && (rest[0] == '-' || rest[0] == '?' || rest[0] == ':') &&
          rest[1] == ' ') {
        rest.remove_prefix(2);
      } else if (rest.rfind("--- ", 0) == 0) {
        rest.remove_prefix(4);
      } else if (!rest.empty() && (rest[0] == '&' || rest[0] == '!')) {
        const size_t space = rest.find(' ');
        rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
      } else {
        break;
      }
      while (!rest.empty() && rest[0] == ' ') rest.remove_prefix(1);
    }
    if (!rest.empty() && rest[0] == ',' && flow_depth == 0) {
      return ConfigError("", "YAML syntax error at line " + std::to_string(line_no) +
                                 ": a value cannot start with ','");
    }
    if (!blank && OpensBlockScalar(line)) block_indent = indent;
    flow_depth = FlowDepthAfter(line, flow_depth);
    if (end == text.size()) break;
  }
  return Ok{};
}

// The line of the first byte that is not part of valid UTF-8, or 0 when all are. YAML is
// Unicode; yaml-cpp passes other bytes through, and its emitter does not write them back alike
// (found by tests/fuzz/fuzz_config_yaml: `--check-config` output that read back differently).
size_t FirstInvalidUtf8Line(const std::string& text) {
  size_t line = 1;
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') ++line;
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (n == 0 || i + n > text.size() || (n == 2 && c < 0xc2) || (n == 4 && c > 0xf4)) return line;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80) return line;
    }
    if (n == 3) {
      const auto c1 = static_cast<unsigned char>(text[i + 1]);
      if ((c == 0xe0 && c1 < 0xa0) || (c == 0xed && c1 > 0x9f)) return line;  // overlong, surrogate
    }
    if (n == 4) {
      const auto c1 = static_cast<unsigned char>(text[i + 1]);
      if ((c == 0xf0 && c1 < 0x90) || (c == 0xf4 && c1 > 0x8f)) return line;
    }
    i += n;
  }
  return 0;
}

Result<core::Config> ParseAndValidate(const std::string& yaml_text, const core::EnvLookup& env) {
  if (size_t line = FirstInvalidUtf8Line(yaml_text); line != 0) {
    return ConfigError(
        "", "line " + std::to_string(line) + " is not valid UTF-8 (a YAML file is Unicode text)");
  }
  if (Status hang = CheckForParserHang(yaml_text); !hang) return hang.error();
  // Counted with a bound: YAML::LoadAll loops for ever on text it cannot consume (found by
  // tests/fuzz/fuzz_config_yaml: `!tag,x` after a blank line yields document after document).
  {
    std::istringstream stream(yaml_text);
    YAML::Parser parser(stream);
    IgnoreEvents ignore;
    int documents = 0;
    while (documents < 2 && parser.HandleNextDocument(ignore)) ++documents;
    if (documents > 1) {
      return ConfigError("",
                         "the file holds 2 YAML documents or more (separated by ---, or text "
                         "after the first one that does not read as YAML); planbot reads one");
    }
  }
  ReadState state(env);
  Result<core::Config> config = ReadConfig(YAML::Load(yaml_text), state);
  if (!config.ok()) return config;
  Status valid = ValidateConfig(*config);
  if (!valid.ok()) return valid.error();
  return config;
}

}  // namespace

Result<core::Config> ParseConfig(const std::string& yaml_text, const core::EnvLookup& env) {
  try {
    return ParseAndValidate(yaml_text, env);
  } catch (const YAML::ParserException& e) {
    return ConfigError("", "YAML syntax error at line " + std::to_string(e.mark.line + 1) +
                               ", column " + std::to_string(e.mark.column + 1) + ": " + e.msg);
  } catch (const YAML::Exception& e) {
    return ConfigError("", std::string("cannot read the YAML: ") + e.msg);
  } catch (const std::exception& e) {
    return ConfigError("", std::string("cannot read the configuration: ") + e.what());
  } catch (...) {
    return ConfigError("", "cannot read the configuration: unexpected error");
  }
}

Result<core::Config> LoadConfigFile(const std::string& path, const core::EnvLookup& env) {
  Result<std::string> text = ReadWholeFile(path);
  if (!text.ok()) return text.error();
  return ParseConfig(*text, env);
}

std::vector<std::string> ConfigKeyPaths() {
  const core::EnvLookup no_env = [](const std::string&) { return std::optional<std::string>(); };
  std::vector<std::string> paths;
  ReadState walk(no_env, &paths);
  // The walk reads no value: the configuration it returns is only the struct defaults.
  static_cast<void>(ReadConfig(YAML::Node(YAML::NodeType::Map), walk));
  return paths;
}

}  // namespace planbot::adapters
