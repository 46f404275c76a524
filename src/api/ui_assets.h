// The web UI's files, compiled into the binary: everything under ui/ in the repository (with
// subfolders) plus the vendored chart library under vendor/ (cmake/embed_ui.cmake generates the
// table at build time). No files are installed beside the binary, so /ui/ always matches it.
#pragma once

#include <span>
#include <string_view>

namespace ct::api {

struct EmbeddedFile {
  std::string_view path;    // relative to ui/, '/'-separated: "index.html", "js/app.js"
  std::string_view data;    // the file's bytes
  std::string_view sha256;  // lowercase hex of the bytes
};

// Every embedded file, sorted by path within ui/, then the vendored files.
std::span<const EmbeddedFile> EmbeddedUiFiles();

// The file at `path` (relative to ui/), or nullptr.
const EmbeddedFile* FindUiFile(std::string_view path);

// The Content-Type for a file name, by extension; "application/octet-stream" if unknown.
std::string_view UiContentType(std::string_view path);

}  // namespace ct::api
