// What a session's state shows at one version, and its JSON text: the counters, configuration,
// network and readouts as JSON, the long lists (the loss curve, the curve's or heatmap's values)
// written number by number.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "datasets.hpp"
#include "network_config.hpp"
#include "request.hpp"
#include "run.hpp"

namespace bpnn::serve {

// The numbers of one version (made once, when the state is first asked for), written as JSON by
// text(). Immutable once made.
struct StateSnapshot {
  std::uint64_t version = 0;
  json fields;  // the counters, configuration, network and readouts
  bool has_history = false;  // a network is built: its loss curve
  std::vector<std::array<double, 5>> history;  // [iteration, train loss, test loss, accuracy, test accuracy]
  std::string grid_name;  // "heatmap" (over the plane) or "curve" (along x), or "" for none
  json grid;              // its box, without the values
  std::vector<double> grid_values;
  int grid_decimals = -1;  // the values' decimals (-1: shortest exact text)
  std::shared_ptr<const std::string> data;  // the data set's text, made once per set_data
  // Each neuron's output over a side x side grid of the heatmap's plane (side 0: none), written as
  // "neurons": {"side", "layers": [[[cells of unit 0], [cells of unit 1], ...], ...]}: the dense
  // layers in order, each unit's cells row by row from the top, with 2 decimals (a colour).
  struct NeuronPictures {
    std::size_t side = 0;
    std::vector<std::size_t> units;  // per dense layer
    std::vector<double> values;      // layer by layer, unit by unit, cell by cell
  };
  NeuronPictures neurons;
  // The state as JSON. NaN, infinity and an accuracy of -1 (regression: none) are written null.
  std::string text() const;
};

// What a state draws from a run, into its snapshot: the outputs for the truth tables and the worked
// example (fields "outputs"), along the 1-D set's curve or over the 2-D plane (each cell's class
// probabilities as the library reads them).
template <class T>
void draw_outputs(Run<T>& r, const PlayData& data, const PlotGrid& grid, const std::string& loss, StateSnapshot& out,
                  json& fields);

// The neurons' pictures: for 2-D data when no layer has more than kPictureUnits units (the drawing
// is too small for them beyond), on a grid of 16 x 16 cells, coarser (down to 8 x 8) where more
// neurons would make more than kPictureValues values a state. The side for this data and these
// layers, or 0 for none.
inline constexpr std::size_t kPictureUnits = 16, kPictureValues = 8192, kPictureSide = 16, kMinPictureSide = 8;
std::size_t neuron_picture_side(const PlotGrid& grid, const PlayData& data, const std::vector<LayerChoice>& layers);

// Every dense layer's outputs after its activation, by the model's batched inference over the run's
// coarse grid (r.neuron_grid, side x side cells), each neuron's cells together.
template <class T>
void draw_neurons(Run<T>& r, std::size_t side, StateSnapshot& out);

}  // namespace bpnn::serve
