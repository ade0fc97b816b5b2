// The playground page's files (apps/playground/web/), embedded into the binary at build time by
// apps/playground/embed_web.cmake, so `bpnn serve` works from any folder.
#pragma once

#include <cstddef>

namespace bpnn::serve {

struct WebAsset {
  const char* path;  // "index.html", "app.js", "style.css"
  const char* type;  // its Content-Type
  const unsigned char* data;
  std::size_t size;
};

extern const WebAsset kWebAssets[];
extern const std::size_t kWebAssetCount;

}  // namespace bpnn::serve
