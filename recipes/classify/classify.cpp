// The classify recipe: the training loop, its configuration reader and its program.
#include "classify.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <set>

#include "rig/error.hpp"
#include "rig/yaml.hpp"

namespace rig::recipes {
namespace rt = rig::torch;

namespace {

struct Task {
  std::shared_ptr<const rt::TensorDataset> data, test;  // test: null when the task has no test split
};

Task make_task(const ClassifyConfig& c) {
  if (c.task == "fashion_mnist") {
    auto test_opts = c.fashion_mnist;
    test_opts.split = "test";
    test_opts.limit = 0;
    return {std::make_shared<rt::FashionMNIST>(c.fashion_mnist),
            c.test ? std::make_shared<rt::FashionMNIST>(test_opts) : nullptr};
  }
  if (c.task == "csv") return {std::make_shared<rt::CSVTabular>(c.csv), nullptr};
  if (c.task == "synthetic") return {std::make_shared<rt::SyntheticClassification>(c.synthetic), nullptr};
  throw Error("rig.classify.task", "unknown task '" + c.task + "'", {}, "task",
              did_you_mean(c.task, {"fashion_mnist", "csv", "synthetic"}) + " (fashion_mnist, csv or synthetic)");
}

// The task-model hook: the dataset decides the model's input and output sizes.
std::shared_ptr<rt::Model> make_model(const ClassifyConfig& c, const rt::TensorDataset& data) {
  if (c.model == "mlp") {
    auto o = c.mlp;
    o.in_features = data.num_features();
    o.out_features = data.num_classes();
    return std::make_shared<rt::MLP>(o);
  }
  if (c.model == "convnet") {
    const auto& x = data.inputs();
    if (x.dim() != 4 || x.size(2) != x.size(3))
      throw Error("rig.classify.incompatible", "model 'convnet' needs square images; task '" + c.task +
                                                   "' gives feature vectors",
                  {}, "model", "use model=mlp for tabular tasks");
    auto o = c.convnet;
    o.in_channels = x.size(1);
    o.image_size = x.size(2);
    o.num_classes = data.num_classes();
    return std::make_shared<rt::ConvNet>(o);
  }
  throw Error("rig.classify.model", "unknown model '" + c.model + "'", {}, "model",
              did_you_mean(c.model, {"mlp", "convnet"}) + " (mlp or convnet)");
}

std::string join(const std::filesystem::path& dir, const char* name) { return (dir / name).string(); }

}  // namespace

ClassifyResult train_classifier(const ClassifyConfig& config) {
  ClassifyResult result;
  rt::set_threads(config.threads);
  ::torch::manual_seed(config.seed);
  std::filesystem::path out(config.output_dir);
  std::filesystem::create_directories(out);

  Task task = make_task(config);
  auto [train_subset, validation_subset] = rt::split(task.data, config.split);
  std::shared_ptr<const rt::Subset<rt::TensorDataset>> train_set = train_subset, validation_set = validation_subset;
  auto model = make_model(config, *task.data);
  rt::DataLoader loader(train_set, config.loader);
  rt::CrossEntropyLoss loss_fn;
  rt::MultiLogger logger;
  logger.add(std::make_shared<rt::ConsoleLogger>(
      rt::ConsoleLoggerOptions{config.console.total_steps > 0 ? config.console.total_steps : config.steps,
                               config.console.every_n_steps, config.console.progress_bar}));
  if (config.jsonl) logger.add(std::make_shared<rt::JSONLLogger>(rt::JSONLLoggerOptions{join(out, "metrics.jsonl")}));
  if (config.csv_log) logger.add(std::make_shared<rt::CSVLogger>(rt::CSVLoggerOptions{join(out, "metrics.csv")}));
  auto ckpt_options = config.checkpointer;
  if (ckpt_options.dir.empty()) ckpt_options.dir = join(out, "checkpoints");
  rt::Checkpointer checkpointer(ckpt_options);
  rt::AdamW optimizer(model->parameters(), config.optimizer);
  rt::CosineWithWarmup scheduler(optimizer, {.warmup_steps = config.warmup_steps,
                                             .total_steps = config.steps,
                                             .min_ratio = config.min_lr_ratio});
  rt::Evaluator evaluator(config.evaluator);

  int64_t step = 0;
  if (config.resume) {
    if (auto last = checkpointer.latest()) {
      auto resumed = checkpointer.load(*last, *model, optimizer, &scheduler);
      step = resumed.step;
      loader.restore({resumed.extra["epoch"], resumed.extra["batch"]});
      std::printf("resumed from %s (step %lld)\n", last->c_str(), static_cast<long long>(step));
    }
  }
  result.first_step = step;

  model->train();
  auto start = std::chrono::steady_clock::now();
  while (step < config.steps) {
    rt::ClassBatch batch = loader.next();
    ::torch::Tensor loss = loss_fn(model->forward(batch.inputs), batch.labels);
    optimizer.zero_grad();
    loss.backward();
    if (config.grad_clip > 0) rt::clip_grad_norm(model->parameters(), config.grad_clip);
    optimizer.step();
    scheduler.step();
    ++step;

    double loss_value = loss.item<double>();
    result.losses.push_back(loss_value);
    logger.log(step, {{"loss", loss_value}, {"lr", scheduler.lr()}});
    if (checkpointer.due(step)) {
      auto state = loader.state();
      checkpointer.save(step, *model, optimizer, &scheduler, {{"epoch", state.epoch}, {"batch", state.batch}});
    }
    if (evaluator.due(step)) {
      result.validation = evaluator.evaluate(*model, validation_set);
      logger.log(step, result.validation);
    }
  }
  result.train_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.last_step = step;

  if (!evaluator.due(step)) {
    result.validation = evaluator.evaluate(*model, validation_set);
    logger.log(step, result.validation);
  }

  if (task.test) {
    result.test = evaluator.evaluate(*model, task.test);
    for (auto& [name, value] : result.test) name = "test_" + (name.starts_with("val_") ? name.substr(4) : name);
    logger.log(step, result.test);
  }
  logger.flush();
  rt::save_model(*model, out / "model.pt");
  return result;
}

// ---- configuration ------------------------------------------------------------------------------------------------
namespace {

// Reads the fields it is asked for and remembers their paths, so that every other key can be reported as unknown.
class ConfigReader {
 public:
  explicit ConfigReader(const Node& root) : root_(root) {}

  template <class T>
  void operator()(const std::string& path, T& field) {
    known_.insert(path);
    KeyPath p = KeyPath::parse(path);
    if (const Node* n = root_.find_path(p)) field = Convert<T>::from(*n, p);
  }
  void operator()(const std::string& path, std::pair<double, double>& field) {
    std::vector<double> v = {field.first, field.second};
    (*this)(path, v);
    if (v.size() != 2) throw TypeError("rig.type.mismatch", path + ": expected two numbers", root_.at_path(path).origin(), path);
    field = {v[0], v[1]};
  }

  // rig.config.unknown_key for every key nobody asked for (all of them at once).
  void check_unknown() const {
    std::vector<Error> errors;
    walk(root_, "", errors);
    if (errors.size() == 1) throw errors.front();
    if (!errors.empty()) throw ErrorList(std::move(errors));
  }

 private:
  void walk(const Node& node, const std::string& prefix, std::vector<Error>& errors) const {
    for (const auto& entry : node.entries()) {
      std::string path = prefix;
      append_key(path, entry.key);
      if (known_.contains(path)) continue;
      auto below = known_.lower_bound(path + ".");
      if (below != known_.end() && below->rfind(path + ".", 0) == 0 && entry.value.is_map()) {
        walk(entry.value, path, errors);
        continue;
      }
      std::vector<std::string> siblings;
      for (const auto& k : known_) {
        if (k.rfind(prefix.empty() ? "" : prefix + ".", 0) != 0) continue;
        std::string rest = k.substr(prefix.empty() ? 0 : prefix.size() + 1);
        siblings.push_back(rest.substr(0, rest.find('.')));
      }
      Origin at = entry.key_origin.known() ? entry.key_origin : entry.value.origin();
      errors.emplace_back("rig.config.unknown_key", "unknown key '" + entry.key + "'", at, path,
                          did_you_mean(entry.key, siblings));
    }
  }

  const Node& root_;
  std::set<std::string> known_;
};

}  // namespace

ClassifyConfig read_classify_config(const Node& node) {
  ClassifyConfig c;
  ConfigReader r(node);
  r("task", c.task), r("model", c.model), r("seed", c.seed), r("steps", c.steps), r("output_dir", c.output_dir);
  r("resume", c.resume), r("test", c.test), r("grad_clip", c.grad_clip), r("warmup_steps", c.warmup_steps);
  r("min_lr_ratio", c.min_lr_ratio), r("threads", c.threads.num_threads);
  r("fashion_mnist.root", c.fashion_mnist.root), r("fashion_mnist.normalize", c.fashion_mnist.normalize);
  r("fashion_mnist.limit", c.fashion_mnist.limit);
  r("csv.path", c.csv.path), r("csv.label_column", c.csv.label_column), r("csv.delimiter", c.csv.delimiter);
  r("csv.standardize", c.csv.standardize);
  r("synthetic.num_examples", c.synthetic.num_examples), r("synthetic.num_features", c.synthetic.num_features);
  r("synthetic.num_classes", c.synthetic.num_classes), r("synthetic.noise", c.synthetic.noise);
  r("synthetic.seed", c.synthetic.seed);
  r("mlp.hidden", c.mlp.hidden), r("mlp.activation", c.mlp.activation), r("mlp.dropout", c.mlp.dropout);
  r("convnet.channels", c.convnet.channels), r("convnet.kernel_size", c.convnet.kernel_size);
  r("convnet.hidden", c.convnet.hidden), r("convnet.dropout", c.convnet.dropout);
  r("split.validation_ratio", c.split.validation_ratio), r("split.seed", c.split.seed);
  r("loader.batch_size", c.loader.batch_size), r("loader.shuffle", c.loader.shuffle), r("loader.seed", c.loader.seed);
  r("loader.drop_last", c.loader.drop_last);
  r("optimizer.lr", c.optimizer.lr), r("optimizer.betas", c.optimizer.betas), r("optimizer.eps", c.optimizer.eps);
  r("optimizer.weight_decay", c.optimizer.weight_decay), r("optimizer.amsgrad", c.optimizer.amsgrad);
  r("evaluator.every_n_steps", c.evaluator.every_n_steps), r("evaluator.batch_size", c.evaluator.batch_size);
  r("evaluator.max_batches", c.evaluator.max_batches);
  r("checkpointer.dir", c.checkpointer.dir), r("checkpointer.every_n_steps", c.checkpointer.every_n_steps);
  r("checkpointer.keep_last", c.checkpointer.keep_last);
  r("console.every_n_steps", c.console.every_n_steps), r("console.progress_bar", c.console.progress_bar);
  r("jsonl", c.jsonl), r("csv_log", c.csv_log);
  r.check_unknown();
  return c;
}

int classify_main(int argc, char** argv) {
  rt::prefer_passive_openmp(argv);
  try {
    Node config = Node::map();
    for (int i = 1; i < argc; ++i) {
      std::string arg = argv[i];
      size_t eq = arg.find('=');
      if (eq == std::string::npos) {
        config.merge(load_file(arg));
        continue;
      }
      std::string source = "argv[" + std::to_string(i) + "]";
      config.set_path(arg.substr(0, eq), load_yaml(std::string_view(arg).substr(eq + 1), source));
    }
    ClassifyResult r = train_classifier(read_classify_config(config));
    auto print = [](const char* label, const rt::Metrics& metrics) {
      std::printf("%s:", label);
      for (const auto& [name, value] : metrics) std::printf(" %s=%.4f", name.c_str(), value);
      std::printf("\n");
    };
    print("validation", r.validation);
    if (!r.test.empty()) print("test", r.test);
    // The headline: test accuracy when there is a test split, else validation accuracy.
    for (const auto& [name, value] : r.test.empty() ? r.validation : r.test)
      if (name.ends_with("accuracy")) std::printf("accuracy: %.4f\n", value);
    std::printf("train_seconds: %.2f (%lld steps, %.2f ms/step)\n", r.train_seconds,
                static_cast<long long>(r.last_step - r.first_step),
                r.last_step > r.first_step ? 1000 * r.train_seconds / static_cast<double>(r.last_step - r.first_step) : 0.0);
    return kExitOk;
  } catch (const Error& e) {
    std::fputs(format(e, {.color = use_color(2)}).c_str(), stderr);
    return e.exit_code();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "classify: %s\n", e.what());
    return kExitFailure;
  }
}

}  // namespace rig::recipes
