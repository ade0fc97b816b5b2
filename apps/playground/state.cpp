// A session state's JSON text, and what it draws from a run.
#include "state.hpp"

#include <cmath>

#include "bpnn/core/number_text.hpp"
#include "step_json.hpp"

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

template <class T>
void draw_outputs(Run<T>& r, const PlayData& data, const PlotGrid& grid, const std::string& loss, StateSnapshot& out,
                  json& fields) {
  if (data.train_size() <= 16) {  // the truth tables and the worked example: every output
    const auto y = r.model.infer(r.train_x.view(), r.workspace);
    fields["outputs"] = matrix(values(y.span()), y.sample_size());
  }
  if (grid.name.empty()) return;
  out.grid_name = grid.name;
  out.grid = grid.box;
  if (grid.name == "curve") {
    const auto y = r.model.infer(r.grid.view(), r.workspace);
    for (std::size_t k = 0; k < y.batch(); ++k) out.grid_values.push_back(y[k * y.sample_size()]);
    return;
  }
  // Each cell's class probabilities, as the library reads the outputs (a colour: 3 decimals): class
  // 1's alone for two classes, else every class's, cell by cell.
  const auto p = predict_probabilities(r.model, loss, r.grid.view());
  const std::size_t classes = p.shape()[1];
  out.grid_decimals = 3;
  out.grid["classes"] = data.classes;
  for (std::size_t k = 0; k < p.shape()[0]; ++k) {
    for (std::size_t j = data.classes == 2 ? 1 : 0; j < (data.classes == 2 ? 2 : classes); ++j) {
      const double v = p[k * classes + j];
      out.grid_values.push_back(std::isfinite(v) ? v : 1.0 / static_cast<double>(classes));
    }
  }
}

std::size_t neuron_picture_side(const PlotGrid& grid, const PlayData& data, const std::vector<LayerChoice>& layers) {
  if (grid.name != "heatmap" || data.inputs != 2) return 0;
  std::size_t neurons = 0;
  for (const LayerChoice& layer : layers) {
    if (layer.units > kPictureUnits) return 0;
    neurons += layer.units;
  }
  std::size_t side = kPictureSide;
  while (side > kMinPictureSide && neurons * side * side > kPictureValues) --side;
  return neurons * side * side <= kPictureValues ? side : 0;
}

template <class T>
void draw_neurons(Run<T>& r, std::size_t side, StateSnapshot& out) {
  const std::size_t cells = r.neuron_grid.shape()[0];
  r.model.infer(r.neuron_grid.view(), r.neuron_workspace);
  out.neurons.side = side;
  for (std::size_t i = 0; i + 1 < r.model.size(); ++i) {
    if (r.model.layer(i).kind() != "dense") continue;
    const auto y = r.neuron_workspace.outputs[i + 1].view();  // [cells, units]: the activation's outputs
    const std::size_t units = y.size() / cells;
    out.neurons.units.push_back(units);
    for (std::size_t j = 0; j < units; ++j) {
      for (std::size_t c = 0; c < cells; ++c) out.neurons.values.push_back(static_cast<double>(y[c * units + j]));
    }
  }
}

template void draw_outputs(Run<float>&, const PlayData&, const PlotGrid&, const std::string&, StateSnapshot&, json&);
template void draw_outputs(Run<double>&, const PlayData&, const PlotGrid&, const std::string&, StateSnapshot&, json&);
template void draw_neurons(Run<float>&, std::size_t, StateSnapshot&);
template void draw_neurons(Run<double>&, std::size_t, StateSnapshot&);

}  // namespace bpnn::serve
