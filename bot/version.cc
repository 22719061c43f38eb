#include "bot/version.h"

namespace planbot::bot {

const char* Version() { return PLANBOT_VERSION_STRING; }

}  // namespace planbot::bot
