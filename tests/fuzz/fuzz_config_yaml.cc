// Fuzz target: a configuration file (YAML, with ${VAR} references) → the reader, validation, the
// startup description and the effective configuration `serve --check-config` prints.
// Properties on every file the reader accepts:
// - the effective configuration is itself a configuration the reader accepts, and reading it
//   again, with ${VAR} references where it shows "***" (as its header says), describes the same
//   configuration (a round trip);
// - no secret (API tokens, the Slack signing secret and bot token, the dblab token) is printed:
//   read again, each is the reference put where "***" was, or empty.
#include <cstdint>
#include <optional>
#include <string>

#include "adapters/config/config_yaml.h"
#include "tests/fuzz/fuzz_support.h"

using namespace planbot;

namespace {

std::optional<std::string> Env(const std::string& name) {
  if (name == "PLANBOT_FUZZ_TOKEN") return "fuzz-token-0123456789abcdef0123456789abcdef";
  if (name == "PLANBOT_FUZZ_EMPTY") return "";
  return std::nullopt;
}

// A secret read back from the reusable output: empty, or the reference put where "***" was.
bool Masked(const std::string& secret) {
  return secret.empty() || secret == *Env("PLANBOT_FUZZ_TOKEN");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string yaml(fuzz::AsText(data, size));
  auto config = adapters::ParseConfig(yaml, Env);
  if (!config) return 0;
  (void)adapters::ValidateConfig(*config);
  const std::string described = adapters::DescribeConfig(*config);
  const std::string effective = adapters::EffectiveConfigYaml(*config);

  // As its header says: to reuse the output, put ${VAR} references where it shows "***".
  std::string reusable = effective;
  for (size_t at = reusable.find("\"***\""); at != std::string::npos;
       at = reusable.find("\"***\"", at)) {
    reusable.replace(at, 5, "\"${PLANBOT_FUZZ_TOKEN}\"");
  }
  auto again = adapters::ParseConfig(reusable, Env);
  fuzz::Check(again.ok(), "the effective configuration reads again",
              effective + "\n  error: " + (again ? "" : again.error().message));
  fuzz::Check(adapters::DescribeConfig(*again) == described,
              "the effective configuration describes the same configuration",
              described + "\n  ---\n" + adapters::DescribeConfig(*again));
  for (const auto& t : again->tokens) {
    fuzz::Check(Masked(t.token), "API tokens are not printed", effective);
  }
  fuzz::Check(Masked(again->slack.signing_secret) && Masked(again->slack.bot_token),
              "Slack secrets are not printed", effective);
  for (const auto& d : again->databases) {
    fuzz::Check(Masked(d.dblab.token), "dblab tokens are not printed", effective);
  }
  return 0;
}
