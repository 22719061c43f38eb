#include "core/version.h"

namespace planbot::core {

const char* Version() { return PLANBOT_VERSION_STRING; }

}  // namespace planbot::core
