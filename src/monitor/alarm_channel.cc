#include "monitor/alarm_channel.h"

namespace ct {

// Out of line so the vtable has one home (the key function) instead of one per user.
AlarmChannel::~AlarmChannel() = default;

}  // namespace ct
