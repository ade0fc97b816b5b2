#include "train.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

#include "bpnn/bpnn.hpp"
#include "bpnn/core/file.hpp"
#include "bpnn/distributed/agreement.hpp"
#include "bpnn/distributed/communicator.hpp"
#include "bpnn/distributed/distributed_fit.hpp"
#include "bpnn/distributed/poisoning_communicator.hpp"
#include "bpnn/io/model_file.hpp"
#include "bpnn/io/network.hpp"
#include "checks.hpp"
#include "data_flags.hpp"
#include "progress.hpp"
#if BPNN_HAVE_MPI
#include "mpi_communicator.hpp"
#endif

namespace bpnn::cli {
namespace {

// The optimizers meant for full batches (rprop), for the --batch-size help.
std::string full_batch_optimizers() {
  std::vector<std::string_view> names;
  for (const OptimizerKind& k : optimizer_registry()) {
    if (k.full_batch) names.push_back(k.name);
  }
  return name_list(names);
}

// The signal (SIGINT, SIGTERM) that asked training to stop, 0 while none did: the one piece of
// process state the command line keeps, since a signal handler can reach nothing else.
volatile std::sig_atomic_t stop_signal = 0;
extern "C" void on_stop_signal(int signal) { stop_signal = signal; }

// Catches SIGINT and SIGTERM while alive, restoring the default handling afterwards.
class StopSignals {
 public:
  StopSignals() {
    std::signal(SIGINT, on_stop_signal);
    std::signal(SIGTERM, on_stop_signal);
  }
  ~StopSignals() {
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;
};

// The command line that resumes from checkpoint: this one without any --resume, plus --resume.
std::string resume_command(const std::vector<std::string>& args, const std::string& checkpoint) {
  auto quote = [](const std::string& a) {
    if (!a.empty() && a.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./=:,+-@%") ==
                          std::string::npos) {
      return a;
    }
    std::string q = "'";
    for (char c : a) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
  };
  std::string command;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--resume") {
      ++i;
      continue;
    }
    if (args[i].rfind("--resume=", 0) == 0) continue;
    command += (command.empty() ? "" : " ") + quote(args[i]);
  }
  return command + " --resume " + quote(checkpoint);
}

struct TrainFlags {
  std::string net, train, train_labels, test, test_labels, loss, optimizer = "sgd";
  double max_grad_norm = 0.0;
  // Only the options given reach the library, which supplies the defaults and refuses an option
  // the chosen optimizer or schedule does not have.
  OptimizerSpec optimizer_spec;
  std::string schedule = "constant";
  std::optional<std::size_t> lr_step;
  std::optional<double> lr_gamma;
  std::optional<double> lr_power;
  // Unset: 32, or the whole training set for rprop (a full-batch method).
  std::optional<std::size_t> batch_size;
  std::size_t epochs = 10;
  std::uint64_t seed = 42;
  std::string init, out, log, val, val_labels, checkpoint, resume;
  std::size_t checkpoint_every = 0;
  double val_fraction = 0.0;
  std::size_t patience = 0;
  std::optional<double> stop_at_loss;  // FANN's desired_error
  bool no_shuffle = false;
  BackendFlags backend;
  // Data-parallel training (docs/distributed.md): on under mpirun or with --distributed.
  bool distributed = false;
  std::optional<std::size_t> shards;  // unset: 8 when distributed, else the plain (unsharded) step
  std::string allreduce = "ordered";
  DataFlags data;
};

// --net is a file, or the network itself (JSON text or the compact form, which has no '.' or '/').
Network read_net_flag(const std::string& net) {
  if (std::filesystem::exists(net)) return read_network_file(net);
  const std::size_t first = net.find_first_not_of(" \t\r\n");
  const bool inline_json = first != std::string::npos && net[first] == '{';
  if (!inline_json && net.find_first_of("./") != std::string::npos) throw Error("--net " + net + ": no such file");
  return parse_network(net, "--net");
}

// The data and model a run trains, read before any process talks to another.
struct TrainSetup {
  Network network;
  std::optional<Sequential<float>> model;
  DataRecipe recipe;  // what the model file keeps of how the data was read
  PreparedData train, test, validation;
  bool has_validation = false;
  float largest_input = 0;  // the largest |x| of the training inputs before scaling
};

// The largest |x| among the inputs: the hint when training diverges on unscaled data.
float largest_magnitude(TensorView<const float> x) {
  float largest = 0;
  for (float v : x.span()) largest = std::max(largest, std::abs(v));
  return largest;
}

void prepare(const TrainFlags& f, Rng& rng, TrainSetup& s) {
  s.network = read_net_flag(f.net);
  s.model.emplace(build_model<float>(s.network));
  Sequential<float>& model = *s.model;
  model.set_backend(make_backend(f.backend));
  model.initialize(rng);
  if (!f.init.empty()) load_weights(f.init, model);
  // The data decides the task, the task the default loss; the recipe goes into the model file.
  DataRecipe& recipe = s.recipe;
  apply_flags(f.data, recipe);
  Dataset training = read_data(f.train, f.train_labels, recipe);
  learn_from(recipe, training);
  recipe.loss = f.loss.empty() ? default_loss(recipe, model.output_shape().numel(), output_layer_kind(model)) : f.loss;
  check_loss(recipe.loss, recipe.task, std::string(model.layer(model.size() - 1).kind()));
  complete_meaning(recipe, model);  // how the outputs are read, which the model file records
  if (training.size() == 0) throw Error(f.train + ": holds no samples");
  recipe.scaling = fit_scaling(scaling_kind(f.data.scaling), training.inputs.view());
  s.largest_input = largest_magnitude(training.inputs.view());
  s.train = prepare_dataset(std::move(training), recipe, model);
  if (!f.test.empty()) s.test = load_data(f.test, f.test_labels, recipe, model);
  if (!f.val.empty()) s.validation = load_data(f.val, f.val_labels, recipe, model);
  if (f.val_fraction > 0) {
    try {
      s.validation = split_validation(s.train, f.val_fraction, rng);
    } catch (const Error& e) {
      throw Error("--val-fraction " + std::to_string(f.val_fraction) + ": " + e.what());
    }
  }
  s.has_validation = !f.val.empty() || f.val_fraction > 0;
}

// What every rank of a distributed run must agree on: the command line without the flags that
// only rank 0 uses (where results go), the data's values and the checkpoint resumed from.
std::uint64_t configuration_hash(const std::vector<std::string>& args, const TrainSetup& s, const std::string& resume) {
  std::uint64_t hash = fnv1a(nullptr, 0);
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--out" || a == "--log" || a == "--checkpoint") {
      ++i;
      continue;
    }
    if (a.rfind("--out=", 0) == 0 || a.rfind("--log=", 0) == 0 || a.rfind("--checkpoint=", 0) == 0) continue;
    hash = fnv1a(a.data(), a.size() + 1, hash);  // with its terminating 0, so "ab" "c" is not "a" "bc"
  }
  for (const PreparedData* d : {&s.train, &s.test, &s.validation}) {
    if (d->dataset.size() == 0) continue;
    const TensorView<const float> x = d->inputs();
    hash = fnv1a(x.data(), x.size() * sizeof(float), hash);
    hash = fnv1a(d->targets.data(), d->targets.size() * sizeof(float), hash);
  }
  if (!resume.empty()) {
    const std::string bytes = read_file(resume);
    hash = fnv1a(bytes.data(), bytes.size(), hash);
  }
  return hash;
}

// The communicator of this run: MPI's under an MPI launcher or with --distributed (an Error when
// bpnn was built without MPI), else this one process.
std::unique_ptr<Communicator> open_communicator(const TrainFlags& f) {
  const char* launcher = mpi_launch_variable();
  if (!f.distributed && launcher == nullptr) return std::make_unique<LocalCommunicator>();
#if BPNN_HAVE_MPI
  return make_mpi_communicator();
#else
  const std::string why = f.distributed ? std::string("--distributed")
                                        : std::string("started by an MPI launcher (") + launcher + " is set)";
  throw Error(why +
              ": this bpnn was built without MPI, so it cannot train across processes; install MPI "
              "(Debian: apt-get install libopenmpi-dev openmpi-bin) and build again (CMake finds it), or train "
              "in one process: --shards K there gives the same weights as a K-shard run on any number of processes");
#endif
}

// A hidden test hook (tests/mpi/run.sh): BPNN_TEST_NAN_AT=RANK:STEP makes that rank's contribution
// to that step's gradient sum NaN, as a diverging shard's would be. Null when it is not set.
std::unique_ptr<Communicator> poisoned_for_tests(Communicator& comm) {
  const char* at = std::getenv("BPNN_TEST_NAN_AT");
  int rank = 0;
  std::size_t step = 0;
  if (at == nullptr || std::sscanf(at, "%d:%zu", &rank, &step) != 2) return nullptr;
  return std::make_unique<PoisoningCommunicator>(comm, rank, step);
}

// Every rank reads on its own; then the ranks agree that all could and that all have the same
// configuration, or every rank ends, the reason printed once, by rank 0.
void set_up(const TrainFlags& f, const std::vector<std::string>& args, const std::string& checkpoint_path,
            Communicator& comm, Rng& rng, TrainSetup& s) {
  const bool lead = comm.rank() == 0;
  std::uint64_t hash = 0;
  try {
    agree_on_setup(comm, [&] {
      if (lead) {
        // Where the results go, checked before any work: a typo there is found now, not after the epochs.
        check_writable(f.out, "--out");
        if (!f.log.empty()) check_writable(f.log, "--log");
        check_writable(checkpoint_path, "--checkpoint");
      }
      prepare(f, rng, s);
      if (comm.size() > 1) hash = configuration_hash(args, s, f.resume);
    });
    check_same_configuration(comm, hash,
                             "command line, data or checkpoint differ: every process must run the same command on "
                             "the same files");
  } catch (const RankFailure& e) {
    if (lead) std::cerr << "bpnn: error: " << e.what() << "\n";
    throw ExitStatus{1};
  }
}

// What is about to be trained, and how; processes: 0 for the plain (unsharded) step.
void print_plan(const TrainFlags& f, const TrainSetup& s, std::size_t batch_size, int processes, std::size_t shards) {
  std::cerr << "training " << s.network.json << "\n  on " << s.train.dataset.size() << " samples from " << f.train
            << ", loss " << s.recipe.loss << ", " << f.optimizer << ", batch " << batch_size << ", " << f.epochs
            << " epochs, seed " << f.seed << ", " << f.backend.threads << " thread(s), "
            << arithmetic_name(s.model->backend().arithmetic()) << " arithmetic";
  if (processes > 0) {
    std::cerr << (processes > 1 ? "\n  " : ", ") << processes << " process(es), " << shards << " shards per batch, "
              << (f.allreduce == "plain" ? "plain all-reduce" : "summed in shard order");
  }
  std::cerr << "\n";
}

// Rank 0's last line of a distributed run: where its time went.
void print_exchange(const DistributedFitResult& d) {
  const double steps = static_cast<double>(d.steps);
  std::fprintf(stderr, "distributed: %zu steps, %.3f ms per step, %.3f ms of it exchanging %zu floats per shard",
               d.steps, 1e3 * d.seconds / steps, 1e3 * d.communication_seconds / steps, d.exchanged_floats);
  if (d.layer_exchanges > 0) {
    std::fprintf(stderr, " and, %.0f times, batch norm's sums", static_cast<double>(d.layer_exchanges) / steps);
  }
  std::fprintf(stderr, "\n");
}

// What the flags ask for, checked and made before any file is read. A combination refused here
// (--val with --val-fraction, --momentum with adam, --lr-step without a step schedule: the
// library's make_optimizer and make_schedule decide) is a usage error.
struct Optimization {
  std::unique_ptr<Optimizer<float>> optimizer;
  LrSchedule schedule;
};
Optimization check_flags(const TrainFlags& f) {
  if (!f.val.empty() && f.val_fraction > 0) throw UsageError("give --val or --val-fraction, not both");
  if (f.patience > 0 && f.val.empty() && f.val_fraction == 0) {
    throw UsageError("--patience needs a validation set (--val or --val-fraction)");
  }
  OptimizerSpec spec = f.optimizer_spec;
  spec.name = f.optimizer;
  try {
    return {make_optimizer<float>(spec), make_schedule(f.schedule, f.lr_step, f.lr_gamma, f.lr_power)};
  } catch (const Error& e) {
    throw UsageError(e.what());
  }
}

// How training ended, when it ended before its last epoch or keeps another epoch's weights.
void print_end(const FitResult& result, const TrainFlags& f, bool has_validation) {
  if (result.reached_loss) {
    std::cerr << "stopped after epoch " << result.epochs << ": the training loss reached --stop-at-loss "
              << *f.stop_at_loss << "\n";
  }
  if (has_validation) {
    const bool patience_ended = result.stopped_early && !result.reached_loss;
    std::cerr << (patience_ended ? "stopped early after epoch " + std::to_string(result.epochs) + "; " : "")
              << "keeping the weights of epoch " << result.best_epoch << ", the best on the validation set\n";
  }
}

void run_train(const TrainFlags& f, const std::vector<std::string>& args) {
  const std::unique_ptr<Communicator> transport = open_communicator(f);
  const std::unique_ptr<Communicator> poisoned = poisoned_for_tests(*transport);
  Communicator& comm = poisoned ? *poisoned : *transport;
  const bool sharded = f.distributed || mpi_launch_variable() != nullptr || f.shards.has_value();
  const bool lead = comm.rank() == 0;  // the rank that prints and writes

  // Before any data is read, so a wrong option fails at once.
  const Optimization optimization = check_flags(f);
  Optimizer<float>& optimizer = *optimization.optimizer;
  const std::string checkpoint_path = f.checkpoint.empty() ? f.out + ".ckpt" : f.checkpoint;
  Rng rng(f.seed);
  TrainSetup s;
  set_up(f, args, checkpoint_path, comm, rng, s);
  Sequential<float>& model = *s.model;
  const PreparedData& train = s.train;
  const DataRecipe& recipe = s.recipe;
  const std::unique_ptr<Loss<float>> loss = make_loss<float>(recipe.loss);

  const std::size_t batch_size = f.batch_size.value_or(f.optimizer == "rprop" ? train.dataset.size() : 32);
  ProgressPrinter progress(f.epochs);
  std::unique_ptr<EpochLog> log;
  if (!f.log.empty() && lead) log = std::make_unique<EpochLog>(f.log);
  const FitOptions options{.epochs = f.epochs,
                           .batch_size = batch_size,
                           .shuffle = !f.no_shuffle,
                           .max_grad_norm = f.max_grad_norm,
                           .schedule = optimization.schedule,
                           .patience = f.patience,
                           .stop_at_loss = f.stop_at_loss,
                           .task = recipe.task,
                           .checkpoint_path = checkpoint_path,
                           .checkpoint_every = f.checkpoint_every,
                           .resume_path = f.resume,
                           .stop_requested = [] { return stop_signal != 0; },
                           .on_batch = [&](const BatchReport& r) {
                             if (lead) progress.on_batch(r);
                           },
                           .on_epoch = [&](const EpochReport& r) {
                             if (lead) progress.on_epoch(r);
                             if (log) log->on_epoch(r);
                           }};
  const DistributedOptions distributed{
      .shards = f.shards.value_or(8),
      .sum = f.allreduce == "plain" ? GradientSum::plain : GradientSum::ordered,
      .on_abort = [](const std::string& message) { std::cerr << "bpnn: error: " << message << "\n"; }};
  if (lead) print_plan(f, s, batch_size, sharded ? comm.size() : 0, distributed.shards);
  const HeldOut test = f.test.empty() ? HeldOut{} : HeldOut{s.test.inputs(), s.test.targets.view()};
  const HeldOut validation =
      s.has_validation ? HeldOut{s.validation.inputs(), s.validation.targets.view()} : HeldOut{};
  const ModelMetadata metadata{{"bpnn.loss", recipe.loss}, {"bpnn.data", recipe_to_json(recipe)}};
  const StopSignals catching;
  std::optional<DistributedFitResult> sharded_result;
  try {
    // Every rank trains; fit_distributed writes checkpoints on rank 0 only.
    if (sharded) {
      sharded_result = fit_distributed(comm, model, *loss, optimizer, train.inputs(), train.targets.view(), rng,
                                       options, distributed, test, validation);
    }
    const FitResult result = sharded ? sharded_result->fit
                                     : fit(model, *loss, optimizer, train.inputs(), train.targets, rng, options,
                                           test, validation);
    if (lead) print_end(result, f, s.has_validation);
  } catch (const TrainingInterrupted& e) {
    // Every rank stopped after the same batch; rank 0 wrote the checkpoint and says so.
    if (lead) std::cerr << "\n" << e.what() << "\nto continue: " << resume_command(args, checkpoint_path) << "\n";
    throw ExitStatus{stop_signal == SIGTERM ? 143 : 130};
  } catch (const TrainingDiverged& e) {
    if (!lead) throw ExitStatus{1};
    // Keep the last good model: the weights from before the failing epoch.
    save_model(f.out, model, metadata);
    const std::string hint = recipe.scaling.kind == InputScaling::Kind::none && s.largest_input > 10
                                 ? "; the inputs reach " + std::to_string(static_cast<int>(s.largest_input)) +
                                       ": scale them with --normalize or --standardize"
                                 : "";
    throw Error(std::string(e.what()) + " (--max-grad-norm)" + hint + "; saved the model as it was before epoch " +
                std::to_string(e.epoch) + " to " + f.out);
  }
  if (lead) {
    save_model(f.out, model, metadata);
    std::cout << "saved " << f.out << "\n";
    if (sharded_result && comm.size() > 1) print_exchange(*sharded_result);
  }
}

// One flag per option of the registry's optimizers but the learning rate (--lr): --momentum,
// --weight-decay, ... (the name with dashes), its help and range from the registry. A flag reaches
// make_optimizer only when given, so one the chosen optimizer does not take is refused, not ignored.
void add_optimizer_option_flags(CLI::App& cmd, OptimizerSpec& spec) {
  std::vector<std::string_view> added = {"learning_rate"};
  for (const OptimizerKind& kind : optimizer_registry()) {
    for (const Option& o : kind.options) {
      if (std::find(added.begin(), added.end(), o.name) != added.end()) continue;
      added.push_back(o.name);
      std::string flag = "--" + std::string(o.name);
      std::replace(flag.begin(), flag.end(), '_', '-');
      std::string help(o.meaning);
      help[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(help[0])));
      help += " (with --optimizer " + optimizers_taking(o.name) + "; default " + defaults_by_optimizer(o.name) + ")";
      const std::string_view name = o.name;
      if (o.type == OptionType::flag) {
        cmd.add_flag_callback(flag, [&spec, name] { spec.set(name, 1); }, help);
      } else {
        cmd.add_option_function<double>(flag, [&spec, name](double value) { spec.set(name, value); }, help)
            ->check(allowed_by(o));
      }
    }
  }
}

}  // namespace

void add_train_command(CLI::App& app, const std::vector<std::string>& args) {
  auto f = std::make_shared<TrainFlags>();
  CLI::App* cmd =
      app.add_subcommand("train", "Train a network on a data set (sgd, adam, rprop, ...) and save the model");
  cmd->footer(
      "Example:\n  bpnn train --net '784-128relu-10' --train train-images-idx3-ubyte.gz \\\n"
      "    --test test-images-idx3-ubyte.gz --loss cross_entropy --lr 0.1 --batch-size 32 --epochs 10 \\\n"
      "    --out digits.safetensors --log digits.csv");
  cmd->add_option("--net", f->net, "Network: a JSON file, or the compact form such as 784-128relu-10")->required();
  cmd->add_option("--train", f->train, "Training data: IDX images (.gz too), CSV or FANN .data")->required();
  cmd->add_option("--train-labels", f->train_labels, "IDX labels file (default: found by the MNIST naming)");
  cmd->add_option("--test", f->test, "Test data, evaluated after every epoch");
  cmd->add_option("--test-labels", f->test_labels, "IDX labels of the test data");
  cmd->add_option("--val", f->val, "Validation data: evaluated after every epoch; the best epoch's weights are kept");
  cmd->add_option("--val-labels", f->val_labels, "IDX labels of the validation data");
  cmd->add_option("--val-fraction", f->val_fraction, "Hold out this share of the training data (seeded) for validation")
      ->check(fraction());
  cmd->add_option("--patience", f->patience, "Stop when the validation loss has not improved for this many epochs")
      ->check(whole_number(0));
  const std::vector<std::string_view> losses = names_of(loss_registry());
  cmd->add_option("--loss", f->loss,
                  "Loss: " + name_list(losses) + " (default: " + default_loss(Task::classification) +
                      " for class labels, bce for two classes on one sigmoid output, " +
                      default_loss(Task::regression) + " for real targets)")
      ->check(one_of(losses));
  // Names, defaults and the optimizers an option goes with are the registry's (bpnn registry lists
  // them); each option below reaches make_optimizer only when given (see `given`), so one that
  // does not apply is refused, not ignored.
  cmd->add_option("--optimizer", f->optimizer, "Optimizer: " + name_list(names_of(optimizer_registry())))
      ->check(one_of(names_of(optimizer_registry())))
      ->capture_default_str();
  auto given = [](auto& into) {
    return [&into](const auto& value) { into = value; };
  };
  OptimizerSpec& spec = f->optimizer_spec;
  cmd->add_option_function<double>("--lr", given(spec.learning_rate),
                                   "Learning rate (default " + defaults_by_optimizer("learning_rate") + ")")
      ->check(positive_number());
  cmd->add_option("--lr-schedule", f->schedule, "Learning rate per epoch: " + name_list(names_of(schedule_registry())))
      ->check(one_of(names_of(schedule_registry())))
      ->capture_default_str();
  cmd->add_option_function<std::size_t>("--lr-step", given(f->lr_step),
                                        "Epochs between two multiplications of the rate by --lr-gamma "
                                        "(the schedule's step_size)")
      ->check(whole_number(1));
  cmd->add_option_function<double>("--lr-gamma", given(f->lr_gamma), "The schedule's factor (gamma)");
  cmd->add_option_function<double>("--lr-power", given(f->lr_power),
                                   "invscaling: the rate over (1 + samples seen)^power (the schedule's power)");
  add_optimizer_option_flags(*cmd, spec);
  cmd->add_option_function<std::size_t>("--batch-size", given(f->batch_size),
                                        "Samples per step (1: online; default 32, the whole training set for " +
                                            full_batch_optimizers() + ")")
      ->check(whole_number(1));
  cmd->add_option("--epochs", f->epochs, "Passes over the training data")
      ->check(whole_number(1))
      ->capture_default_str();
  cmd->add_option("--seed", f->seed, "Seed of the initial weights and the shuffling")
      ->check(whole_number(0, 9223372036854775807LL))
      ->capture_default_str();
  cmd->add_option("--init", f->init, "Start from this model file's weights");
  cmd->add_option_function<double>("--stop-at-loss", given(f->stop_at_loss),
                                   "Stop after the first epoch whose training loss is at most this (FANN's "
                                   "desired_error; with --loss mse, FANN's MSE)")
      ->check(non_negative_number());
  cmd->add_flag("--no-shuffle", f->no_shuffle, "Batches in file order (consecutive samples)");
  cmd->add_option("--max-grad-norm", f->max_grad_norm, "Clip the gradients' total L2 norm to this (0: no clipping)")
      ->check(non_negative_number());
  add_backend_flags(*cmd, f->backend);
  cmd->add_option("--out", f->out, "Where to save the model (safetensors)")->required();
  cmd->add_option("--log", f->log, "CSV log, one row per epoch");
  cmd->add_option(
      "--checkpoint", f->checkpoint,
      "Where checkpoints go (default: the --out path with .ckpt appended); Ctrl-C or SIGTERM writes one and stops");
  cmd->add_option("--checkpoint-every", f->checkpoint_every,
                  "Also write a checkpoint every this many epochs (0: never)")
      ->check(whole_number(0));
  cmd->add_option("--resume", f->resume,
                  "Continue from this checkpoint; give the command that wrote it, with the same seed and threads");
  cmd->add_flag("--distributed", f->distributed,
                "Train one model over the processes mpirun started (also on when mpirun's environment is seen)");
  cmd->add_option_function<std::size_t>("--shards", given(f->shards),
                                        "Cut each batch into this many fixed shards, summed in shard order: the same "
                                        "weights at any process count that divides it (default 8 when distributed)")
      ->check(whole_number(1, 65536));
  cmd->add_option("--allreduce", f->allreduce,
                  "How shard gradients are summed: ordered (bit-identical at any process count) or plain "
                  "(MPI_Allreduce, faster, equal within float rounding)")
      ->check(CLI::IsMember({"ordered", "plain"}))
      ->capture_default_str();
  add_data_flags(*cmd, f->data, /*training=*/true);
  cmd->callback([f, args] { run_train(*f, args); });
}

}  // namespace bpnn::cli
