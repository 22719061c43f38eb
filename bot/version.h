// The version planbot reports in `--version`, /healthz and the audit log's start entry.
#pragma once

namespace planbot::bot {

const char* Version();

}  // namespace planbot::bot
