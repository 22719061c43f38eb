// planbot's configuration file (SPEC §5): YAML into core::Config, its validation, and a summary
// for the startup log and a YAML form of the effective configuration, both hiding every secret.
//
// Reading: `${VAR}` anywhere in a scalar value is replaced by the variable from the injected
// EnvLookup (never the process environment directly); `$${` is a literal `${`. Keys missing from
// the file keep the struct initializers of core/config.h. Unknown keys, duplicate keys, wrong
// types, unset variables and missing required values are errors; the embedded defaults
// (core::DefaultConfig) are for running without a file and never fill in a file's gaps.
//
// Errors: code "bad_config", one line, "config: <key path>: <what is wrong>", e.g.
//   config: databases[1].dblab.url: required for provider dblab
//   config: limits.quota.per: expected a duration like 30s, 5m, 1h, 30d or 250ms, ... (got "x")
//   config: api.tokens[0].token: environment variable PLANBOT_CI_TOKEN is not set
// YAML syntax errors name the line and column. Messages never contain a secret's value.
//
// Thread-safety: pure functions of their arguments (ValidateConfig and LoadConfigFile also read
// the file system). None of them throws.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "core/config.h"

namespace planbot::adapters {

// Parses and validates a configuration (ValidateConfig runs on the result).
Result<core::Config> ParseConfig(const std::string& yaml_text, const core::EnvLookup& env);

// Reads the file at `path` and parses it; an unreadable file is an error naming the path.
Result<core::Config> LoadConfigFile(const std::string& path, const core::EnvLookup& env);

// Every key path the reader accepts, in reading order, "[]" standing for any element of a list:
// "listen", ..., "tls", "tls.cert", ..., "api.tokens", "api.tokens[].name", ... Taken from the
// reader itself (a walk of its schema), so it cannot drift from what files may hold.
std::vector<std::string> ConfigKeyPaths();

// Checks what the types alone do not: required values, ranges, names, uniqueness, references
// (slack channels to databases), that TLS files are readable, and that the service does not
// listen beyond loopback without API tokens. Used on parsed files and on the embedded defaults
// after command-line overrides.
Status ValidateConfig(const core::Config& config);

// A multi-line summary for the startup log (one line per item, no trailing newline; log each
// line). Tokens, the signing secret, the bot token, the dblab token and passwords inside DSNs
// and URLs appear as "***".
std::string DescribeConfig(const core::Config& config);

// The whole configuration, defaults included, as a YAML file of this schema (what `planbot serve
// --check-config` prints), ending in a newline. Secrets are masked as DescribeConfig masks them:
// tokens, the signing secret, the bot token and the dblab token are "***" ("" when unset), and
// passwords inside DSNs and URLs are "***"; to reuse the output as a file, put `${VAR}`
// references where it shows "***". Optional sections appear only when set (tls, slack, a
// database's quota) and each database shows only its provider's section.
std::string EffectiveConfigYaml(const core::Config& config);

// A libpq connection string (key=value or postgresql:// URI) or an http(s) URL with its password
// replaced by "***". A key=value string that cannot be parsed is hidden entirely.
std::string RedactConnectionString(const std::string& dsn);

}  // namespace planbot::adapters
