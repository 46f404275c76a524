#include "api/ui_assets.h"

namespace ct::api {

const EmbeddedFile* FindUiFile(std::string_view path) {
  // A few dozen files: a linear scan costs less than building an index would save.
  for (const EmbeddedFile& f : EmbeddedUiFiles()) {
    if (f.path == path) return &f;
  }
  return nullptr;
}

std::string_view UiContentType(std::string_view path) {
  static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".webmanifest", "application/manifest+json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".webp", "image/webp"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".woff", "font/woff"},
      {".txt", "text/plain; charset=utf-8"},
  };
  size_t slash = path.rfind('/');
  std::string_view name = slash == path.npos ? path : path.substr(slash + 1);
  size_t dot = name.rfind('.');
  if (dot == name.npos) return "application/octet-stream";
  std::string_view ext = name.substr(dot);
  for (const auto& [e, type] : kTypes) {
    if (e == ext) return type;
  }
  return "application/octet-stream";
}

}  // namespace ct::api
