// Checkpointer: atomic, rotating, complete training-state checkpoints.
#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cstdio>
#include <mutex>
#include <sstream>

#include "rig/error.hpp"
#include "rig/io.hpp"
#include "rig/registry.hpp"
#include "rig/torch/checkpoint.hpp"
#include "rig/torch/device.hpp"

namespace rig::torch {
namespace {

namespace fs = std::filesystem;

Tensor scalar(int64_t v) { return ::torch::tensor({v}, ::torch::kLong); }

// The step of a file named step_<N>.pt, or -1.
int64_t step_of(const fs::path& p) {
  std::string name = p.filename().string();
  if (name.size() < 9 || name.rfind("step_", 0) != 0 || name.substr(name.size() - 3) != ".pt") return -1;
  std::string digits = name.substr(5, name.size() - 8);
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) return -1;
  return std::stoll(digits);
}

// Serialises in memory, then rig::write_file_atomic: a temporary file flushed to disk and renamed over `path`, so a
// reader, a crash or SIGKILL sees no file or a complete one (never a torn archive), and two writers never share a
// temporary name.
void save_archive(::torch::serialize::OutputArchive& archive, const fs::path& path) {
  std::ostringstream bytes;
  try {
    archive.save_to(bytes);
  } catch (const c10::Error& e) {
    throw IoError("rig.io.write", "cannot serialise '" + path.string() + "': " + e.what_without_backtrace());
  }
  write_file_atomic(path, bytes.view());
}

Tensor rng_state() {
  auto gen = ::at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  return gen.get_state();
}

void set_rng_state(const Tensor& state) {
  auto gen = ::at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  gen.set_state(state);
}

::torch::serialize::InputArchive open_archive(const fs::path& path) {
  if (!fs::exists(path)) throw IoError("rig.io.read", "checkpoint '" + path.string() + "' does not exist");
  ::torch::serialize::InputArchive archive;
  try {
    archive.load_from(path.string());
  } catch (const c10::Error& e) {
    throw IoError("rig.io.read", "'" + path.string() + "' is not a readable checkpoint: " + e.what_without_backtrace());
  }
  return archive;
}

// The floating-point dtype of the model's parameters (fp32 for a model without any), as device.hpp names it.
std::string model_dtype(::torch::nn::Module& model) {
  for (const auto& p : model.parameters())
    if (p.is_floating_point()) return dtype_name(p.scalar_type());
  return "fp32";
}

// The dtype a file's floating-point tensors were saved in (fp32 for a file from before dtypes were recorded).
::torch::Dtype file_dtype(::torch::serialize::InputArchive& archive, const fs::path& path) {
  c10::IValue v;
  if (!archive.try_read("dtype", v)) return ::torch::kFloat32;
  const std::string name = v.isString() ? v.toStringRef() : "";
  if (name != "fp32" && name != "bf16" && name != "fp16")
    throw IoError("rig.io.read", "'" + path.string() + "' records a dtype that is not fp32, bf16 or fp16");
  return parse_dtype(name);
}

// LibTorch's Module::load resizes parameters to whatever the file holds; rig refuses a file that does not fit. Its
// load also keeps a tensor's dtype while taking the file's bytes (Tensor::set_ on a same-device tensor: bf16 bytes
// read as fp32 would be garbage), so the model's floating-point tensors are first given the file's dtype (`saved`,
// recorded in the file), loaded, and put back in the model's own dtype and device: a bf16 checkpoint loads into an
// fp32 model and the other way round, and a CPU file onto the model's device.
void load_module_checked(::torch::nn::Module& model, ::torch::serialize::InputArchive& archive, const fs::path& path,
                         ::torch::Dtype saved) {
  std::vector<std::pair<std::string, std::vector<int64_t>>> shapes;
  std::map<std::string, ::torch::TensorOptions> placed;
  ::torch::NoGradGuard no_grad;
  auto as_saved = [&](const std::string& name, Tensor& t) {
    shapes.emplace_back(name, t.sizes().vec());
    placed[name] = t.options();
    if (t.is_floating_point() && t.scalar_type() != saved) t.set_data(t.to(saved));
  };
  for (auto& p : model.named_parameters()) as_saved(p.key(), p.value());
  for (auto& b : model.named_buffers()) as_saved(b.key(), b.value());
  model.load(archive);
  auto put_back = [&](const std::string& name, Tensor& t) {
    auto was = placed.find(name);
    if (was != placed.end() && (t.dtype() != was->second.dtype() || t.device() != was->second.device()))
      t.set_data(t.to(was->second.device(), was->second.dtype()));
  };
  for (auto& p : model.named_parameters()) put_back(p.key(), p.value());
  for (auto& b : model.named_buffers()) put_back(b.key(), b.value());
  auto params = model.named_parameters();
  auto buffers = model.named_buffers();
  for (const auto& [name, shape] : shapes) {
    const Tensor* now = params.find(name);
    if (!now) now = buffers.find(name);
    if (now && now->sizes().vec() != shape)
      throw IoError("rig.io.read", "'" + path.string() + "' does not fit this model: '" + name + "' has shape " +
                                       c10::str(now->sizes()) + " in the file, " + c10::str(shape) + " in the model");
  }
}

}  // namespace

std::string saved_dtype(const fs::path& path) {
  auto archive = open_archive(path);
  return dtype_name(file_dtype(archive, path));
}

Checkpointer::Checkpointer(CheckpointerOptions options) : options_(std::move(options)) {
  if (options_.keep_last < 0) throw Error("rig.torch.checkpoint.option", "keep_last must be >= 0", {}, "keep_last");
}

fs::path Checkpointer::save(int64_t step, ::torch::nn::Module& model, ::torch::optim::Optimizer& optimizer,
                            const LRScheduler* scheduler, const std::map<std::string, int64_t>& extra) const {
  std::error_code ec;
  fs::create_directories(options_.dir, ec);
  if (ec) throw IoError("rig.io.write", "cannot create checkpoint directory '" + options_.dir + "': " + ec.message());
  char name[64];
  std::snprintf(name, sizeof name, "step_%08lld.pt", static_cast<long long>(step));
  fs::path final_path = fs::path(options_.dir) / name;

  ::torch::serialize::OutputArchive archive, model_archive, optimizer_archive, extra_archive;
  model.save(model_archive);
  optimizer.save(optimizer_archive);
  archive.write("model", model_archive);
  archive.write("dtype", c10::IValue(model_dtype(model)));
  archive.write("optimizer", optimizer_archive);
  archive.write("step", scalar(step));
  archive.write("scheduler_step", scalar(scheduler ? scheduler->last_step() : -1));
  archive.write("rng", rng_state());
  for (const auto& [key, value] : extra) extra_archive.write(key, scalar(value));
  archive.write("extra", extra_archive);
  save_archive(archive, final_path);

  if (options_.keep_last > 0) {
    auto all = list();
    for (size_t i = 0; i + static_cast<size_t>(options_.keep_last) < all.size(); ++i) fs::remove(all[i], ec);
  }
  return final_path;
}

std::vector<fs::path> Checkpointer::list() const {
  std::vector<std::pair<int64_t, fs::path>> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(options_.dir, ec))
    if (int64_t s = step_of(entry.path()); s >= 0 && entry.is_regular_file()) found.emplace_back(s, entry.path());
  std::sort(found.begin(), found.end());
  std::vector<fs::path> out;
  for (auto& [s, p] : found) out.push_back(p);
  return out;
}

std::optional<fs::path> Checkpointer::latest() const {
  auto all = list();
  if (all.empty()) return std::nullopt;
  return all.back();
}

Resumed Checkpointer::load(const fs::path& path, ::torch::nn::Module& model, ::torch::optim::Optimizer& optimizer,
                           LRScheduler* scheduler) const {
  auto archive = open_archive(path);
  ::torch::serialize::InputArchive model_archive, optimizer_archive, extra_archive;
  Resumed out;
  try {
    archive.read("model", model_archive);
    archive.read("optimizer", optimizer_archive);
    load_module_checked(model, model_archive, path, file_dtype(archive, path));
    optimizer.load(optimizer_archive);
    Tensor step, sched_step, rng;
    archive.read("step", step);
    archive.read("scheduler_step", sched_step);
    archive.read("rng", rng);
    out.step = step.item<int64_t>();
    if (scheduler && sched_step.item<int64_t>() >= 0) scheduler->set_step(sched_step.item<int64_t>());
    set_rng_state(rng);
    archive.read("extra", extra_archive);
    for (const auto& key : extra_archive.keys()) {
      Tensor v;
      extra_archive.read(key, v);
      out.extra[key] = v.item<int64_t>();
    }
  } catch (const c10::Error& e) {
    throw IoError("rig.io.read", "checkpoint '" + path.string() + "' does not fit this model and optimizer: " +
                                     e.what_without_backtrace());
  }
  return out;
}

void save_model(::torch::nn::Module& model, const fs::path& path) {
  ::torch::serialize::OutputArchive archive, model_archive;
  model.save(model_archive);
  archive.write("model", model_archive);
  archive.write("dtype", c10::IValue(model_dtype(model)));
  if (path.has_parent_path()) fs::create_directories(path.parent_path());
  save_archive(archive, path);
}

void load_model(::torch::nn::Module& model, const fs::path& path) {
  auto archive = open_archive(path);
  ::torch::serialize::InputArchive model_archive;
  try {
    archive.read("model", model_archive);
    load_module_checked(model, model_archive, path, file_dtype(archive, path));
  } catch (const c10::Error& e) {
    throw IoError("rig.io.read", "'" + path.string() + "' does not fit this model: " + e.what_without_backtrace());
  }
}

void check_resume(const rig::Node& resolved, std::vector<rig::Error>& errors) {
  const Node* resume = resolved.find("resume");
  const Node* dir = resolved.find_path("checkpointer.dir");
  if (!resume || !resume->is_bool() || !resume->bool_value() || !dir || !dir->is_string()) return;
  if (!Checkpointer(CheckpointerOptions{.dir = dir->str()}).list().empty()) return;
  errors.emplace_back("rig.torch.checkpoint.resume",
                      "resume is true, but checkpointer.dir '" + dir->str() + "' holds no checkpoint to continue from",
                      resume->origin(), "resume",
                      "point checkpointer.dir at an earlier run's checkpoints (checkpointer.dir=outputs/<recipe>/<run>/"
                      "checkpoints), or start afresh with resume=false");
}

}  // namespace rig::torch

// ---- registration (rig/registry.hpp) ----
RIG_COMPONENT(rig::torch::Checkpointer, rig::options<rig::torch::CheckpointerOptions>,
              rig::doc("Atomic, rotating checkpoints of model, optimizer, scheduler, RNG and step"));
