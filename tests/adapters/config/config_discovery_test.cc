// Which configuration file and store a command uses: --store, --config, $PLANBOT_CONFIG,
// ./planbot.yaml, .planbot/planbot.yaml (the demo's), the built-in defaults — in that order —
// and what the commands say about where the store came from.
#include "adapters/config/config_discovery.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "tests/support/config_testing.h"

namespace planbot::adapters {
namespace {

using testing::FakeEnv;
using testing::TempDir;

std::string StoreFile(const std::string& store) {
  return "store: " + store + "\ndatabases:\n  - {name: shop, local: {source: shop}}\n";
}

// A directory with both candidate files, each naming its own store.
struct Workdir {
  Workdir() {
    std::filesystem::create_directories(std::filesystem::path(dir.path()) / ".planbot");
    local = dir.Write("planbot.yaml", StoreFile("/srv/local.db"));
    demo = dir.Write(".planbot/planbot.yaml", StoreFile("/srv/demo.db"));
    other = dir.Write("other.yaml", StoreFile("/srv/other.db"));
  }
  ConfigRequest Request() const {
    ConfigRequest r;
    r.dir = dir.path();
    return r;
  }
  TempDir dir;
  std::string local, demo, other;
};

TEST_CASE("the store: --store, then --config, $PLANBOT_CONFIG, ./planbot.yaml, the demo's") {
  Workdir w;
  const auto env = FakeEnv({{"PLANBOT_CONFIG", w.other}});
  const auto no_env = FakeEnv({});

  ConfigRequest r = w.Request();
  r.store_flag = "/srv/flag.db";
  r.config_flag = w.other;
  auto flagged = ResolveStore(r, env);
  REQUIRE(flagged.ok());
  CHECK(flagged->path == "/srv/flag.db");
  CHECK(flagged->store_from_flag);
  CHECK_FALSE(StoreWasDiscovered(*flagged));
  CHECK(DescribeStore(*flagged) == "/srv/flag.db (--store)");

  r.store_flag.clear();
  auto from_flag = ResolveStore(r, env);
  REQUIRE(from_flag.ok());
  CHECK(from_flag->path == "/srv/other.db");
  CHECK(from_flag->choice.origin == ConfigOrigin::kFlag);
  CHECK_FALSE(StoreWasDiscovered(*from_flag));

  r.config_flag.clear();
  auto from_env = ResolveStore(r, env);
  REQUIRE(from_env.ok());
  CHECK(from_env->path == "/srv/other.db");
  CHECK(from_env->choice.origin == ConfigOrigin::kEnvironment);
  CHECK(StoreWasDiscovered(*from_env));
  CHECK(DescribeStore(*from_env) ==
        "/srv/other.db, the `store` of " + w.other + " (named by $PLANBOT_CONFIG)");

  auto from_local = ResolveStore(r, no_env);
  REQUIRE(from_local.ok());
  CHECK(from_local->path == "/srv/local.db");
  CHECK(from_local->choice.origin == ConfigOrigin::kWorkingDir);
  CHECK(from_local->choice.file == w.local);

  std::filesystem::remove(w.local);
  auto from_demo = ResolveStore(r, no_env);
  REQUIRE(from_demo.ok());
  CHECK(from_demo->path == "/srv/demo.db");
  CHECK(from_demo->choice.origin == ConfigOrigin::kDemo);
  CHECK(DescribeStore(*from_demo) == "/srv/demo.db, the `store` of " + w.demo +
                                         " (found in the working directory; written by "
                                         "scripts/demo)");

  std::filesystem::remove(w.demo);
  auto builtin = ResolveStore(r, no_env);
  REQUIRE(builtin.ok());
  CHECK(builtin->path == "./planbot.db");
  CHECK(builtin->choice.origin == ConfigOrigin::kDefaults);
  CHECK(StoreWasDiscovered(*builtin));
  const std::string absolute =
      (std::filesystem::current_path() / "planbot.db").lexically_normal().string();
  CHECK(DescribeStore(*builtin) ==
        absolute +
            ", the built-in default (no --config, $PLANBOT_CONFIG, ./planbot.yaml or "
            ".planbot/planbot.yaml)");
}

TEST_CASE("serve's configuration and the offline commands' store come from the same file") {
  Workdir w;
  const auto env = FakeEnv({});
  ConfigRequest r = w.Request();
  for (int step = 0; step < 2; ++step) {  // ./planbot.yaml, then .planbot/planbot.yaml
    auto config = ResolveConfig(r, env);
    auto store = ResolveStore(r, env);
    REQUIRE(config.ok());
    REQUIRE(store.ok());
    CHECK(config->config.store == store->path);
    CHECK(store->path == (step == 0 ? "/srv/local.db" : "/srv/demo.db"));
    CHECK(config->choice.file == store->choice.file);
    CHECK(config->config.databases.at(0).name == "shop");
    std::filesystem::remove(w.local);
  }
  r.store_flag = "/srv/flag.db";
  CHECK(ResolveStore(r, env)->path == "/srv/flag.db");
  auto flagged = ResolveConfig(r, env);
  REQUIRE(flagged.ok());
  CHECK(flagged->config.store == "/srv/flag.db");  // the flag overrides the demo file's store
  CHECK(flagged->choice.origin == ConfigOrigin::kDemo);
  CHECK(flagged->store_from_flag);

  std::filesystem::remove(w.demo);
  auto defaults = ResolveConfig(w.Request(), FakeEnv({{"PGDATABASE", "shopdb"}}));
  REQUIRE(defaults.ok());
  CHECK(defaults->choice.origin == ConfigOrigin::kDefaults);
  CHECK(defaults->config.databases.at(0).name == "default");
  CHECK(defaults->config.databases.at(0).local.source == "shopdb");
  CHECK(DescribeChoice(defaults->choice) ==
        "the built-in defaults (no --config, $PLANBOT_CONFIG, ./planbot.yaml or "
        ".planbot/planbot.yaml)");
}

TEST_CASE("a missing $PLANBOT_CONFIG and a broken discovered file are errors naming the file") {
  Workdir w;
  auto missing = ResolveStore(w.Request(), FakeEnv({{"PLANBOT_CONFIG", "/nonexistent.yaml"}}));
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::kUsage);
  CHECK(missing.error().message ==
        "$PLANBOT_CONFIG names /nonexistent.yaml, which does not exist or is not a file");

  // An empty $PLANBOT_CONFIG counts as unset.
  auto empty = ResolveStore(w.Request(), FakeEnv({{"PLANBOT_CONFIG", ""}}));
  REQUIRE(empty.ok());
  CHECK(empty->choice.origin == ConfigOrigin::kWorkingDir);

  w.dir.Write("planbot.yaml", "stor: x\n");
  auto broken = ResolveStore(w.Request(), FakeEnv({}));
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.error().code == ErrorCode::kBadConfig);
  CHECK(testing::StartsWith(broken.error().message, w.local + ": config: stor"));

  // With --store nothing is read: a broken file does not stand in the way of maintenance.
  ConfigRequest r = w.Request();
  r.store_flag = "/srv/flag.db";
  auto flagged = ResolveStore(r, FakeEnv({}));
  REQUIRE(flagged.ok());
  CHECK(flagged->path == "/srv/flag.db");
}

}  // namespace
}  // namespace planbot::adapters
