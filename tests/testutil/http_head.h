// Pieces shared by the test HTTP clients (http_client.h, sse_client.h): a loopback connection
// and the parsing of a response head.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace ct::test {

// A TCP connection to 127.0.0.1:port with TCP_NODELAY; -1 if it failed.
int ConnectLoopback(uint16_t port);

// Parses the header lines of a head from byte `pos` (just after the start line) into `headers`:
// names lowercased, values trimmed, a repeated field keeps every value, one per line.
void ParseHeaderLines(const std::string& head, size_t pos,
                      std::map<std::string, std::string>* headers);

// Parses a response head (the status line and header lines, without the blank line). Header
// lines as ParseHeaderLines (a repeated Set-Cookie, for ct_vid and ct_cid, keeps both). Returns the
// status code, 0 if the status line is malformed.
int ParseResponseHead(const std::string& head, std::map<std::string, std::string>* headers);

}  // namespace ct::test
