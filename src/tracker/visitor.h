// The visitor key used for unique counting. Without a first-party cookie (a later feature), a
// visitor is identified by SHA-256 of (ip, user agent), cut to 16 bytes: stable for a browser on
// a network, never storing anything that was not already in the raw hit.
#pragma once

#include <string>

#include "common/event.h"

namespace ct {

std::string VisitorKey(const Event& e);

}  // namespace ct
