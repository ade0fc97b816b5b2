// A session state's JSON text.
#include "state.hpp"

#include <cmath>

#include "bpnn/core/number_text.hpp"

namespace bpnn::serve {
namespace {

// Appends v as JSON: the shortest text that reads back as v (decimals < 0), or fixed decimals;
// null for NaN and infinity.
void append_number(std::string& out, double v, int decimals = -1) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  out += decimals < 0 ? number_text(v) : fixed_text(v, decimals);
}

}  // namespace

std::string StateSnapshot::text() const {
  std::string out = fields.dump();
  out.pop_back();  // the closing brace: the long lists follow, written number by number
  out.reserve(out.size() + 64 * history.size() + 8 * grid_values.size() + 6 * neurons.values.size() +
              (data ? data->size() : 0) + 64);
  if (has_history) {
    out += ",\"history\":[";
    for (std::size_t k = 0; k < history.size(); ++k) {
      out += k == 0 ? "[" : ",[";
      for (std::size_t c = 0; c < history[k].size(); ++c) {
        if (c > 0) out += ',';
        append_number(out, history[k][c] == -1 && c >= 3 ? NAN : history[k][c]);  // -1: no accuracy
      }
      out += ']';
    }
    out += ']';
  }
  if (!grid_name.empty()) {
    std::string box = grid.dump();
    box.pop_back();
    out.append(",\"").append(grid_name).append("\":").append(box).append(",\"values\":[");
    for (std::size_t k = 0; k < grid_values.size(); ++k) {
      if (k > 0) out += ',';
      append_number(out, grid_values[k], grid_decimals);
    }
    out += "]}";
  }
  if (neurons.side > 0) {
    out.append(",\"neurons\":{\"side\":").append(std::to_string(neurons.side)).append(",\"layers\":[");
    const std::size_t cells = neurons.side * neurons.side;
    std::size_t k = 0;
    for (std::size_t layer = 0; layer < neurons.units.size(); ++layer) {
      out += layer == 0 ? "[" : ",[";
      for (std::size_t unit = 0; unit < neurons.units[layer]; ++unit) {
        out += unit == 0 ? "[" : ",[";
        for (std::size_t c = 0; c < cells; ++c, ++k) {
          if (c > 0) out += ',';
          append_number(out, neurons.values[k], 2);
        }
        out += ']';
      }
      out += ']';
    }
    out += "]}";
  }
  if (data) out.append(",\"data\":").append(*data);
  out += '}';
  return out;
}

}  // namespace bpnn::serve
