// The offline subcommands of the planbot executable: `render` and `normalize` (SPEC §1).
// They read a file or stdin, write the result to `out`, and report bad input as one line on
// `err`. Return value: the process exit code (0 success, 2 bad input or unreadable file).
#pragma once

#include <iosfwd>
#include <string>

namespace planbot::app {

struct RenderArgs {
  std::string format = "text";  // text | summary | json
  std::string path = "-";       // file, or "-" for stdin
  long long block_size = 8192;  // for byte figures in summary/json
};

int RunRender(const RenderArgs& args, std::ostream& out, std::ostream& err);

// `sql` is the SQL text, or "-" to read it from stdin.
int RunNormalize(const std::string& sql, std::ostream& out, std::ostream& err);

}  // namespace planbot::app
