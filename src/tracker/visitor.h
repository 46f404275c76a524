// The visitor key used for unique counting (16 bytes). A visitor with the first-party cookie
// (ct_vid, Event::visitor_id) is that cookie: SHA-256("v\0" + visitor_id), cut to 16 bytes, so
// one browser stays one visitor across networks and IP changes. Without it (cookie disabled,
// blocked, or tracking.visitor_cookie off) the visitor is SHA-256(ip \0 user agent), cut to 16
// bytes: stable for a browser on a network. Neither stores anything the raw hit does not hold.
#pragma once

#include <string>

#include "common/event.h"

namespace ct {

std::string VisitorKey(const Event& e);

}  // namespace ct
