// The shipper's cursor: the journal position up to which every record has a JetStream publish
// ack, kept in a small file in the journal directory so a restarted edge resumes there. Written
// atomically (temp file, fsync, rename, fsync of the directory), so a crash leaves the old value
// or the new one, never a torn one. Lagging behind the acks is harmless: the records after it
// are shipped again and deduplicated (Nats-Msg-Id, then the store's event ids).
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"

namespace ct::ship {

inline constexpr char kCursorFileName[] = "shipped_cursor";

// 0 when the file does not exist (a fresh journal); kCorruption if it exists but is not a cursor.
Result<uint64_t> ReadShippedCursor(const std::string& path);
Status WriteShippedCursor(const std::string& path, uint64_t position);

}  // namespace ct::ship
