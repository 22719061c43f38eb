// planbot: the composition root. Parses the command line and hands each subcommand its part.
#include <CLI/CLI.hpp>
#include <iostream>
#include <string>

#include "bot/version.h"

int main(int argc, char** argv) {
  CLI::App app{"planbot: metadata-only EXPLAIN analysis for PostgreSQL", "planbot"};
  app.set_version_flag("--version", std::string("planbot ") + planbot::bot::Version());
  app.require_subcommand(1);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return 0;
}
