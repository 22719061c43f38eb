// The version planbot reports in `--version`, /healthz and the audit log's start entry.
#pragma once

namespace planbot::core {

const char* Version();

}  // namespace planbot::core
