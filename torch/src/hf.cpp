// Hugging Face checkpoint directories: config.json, safetensors weights (single or sharded), export.
#include "rig/torch/hf.hpp"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <set>

#include "rig/error.hpp"
#include "rig/instantiate.hpp"
#include "rig/io.hpp"
#include "rig/registry.hpp"
#include "rig/torch/safetensors.hpp"
#include "rig/yaml.hpp"

namespace rig::torch::hf {
namespace {

namespace fs = std::filesystem;
namespace st = safetensors;

const std::vector<std::string> kArchitectures = {"LlamaForCausalLM", "MistralForCausalLM", "Qwen2ForCausalLM"};
const std::vector<std::string> kTokenizerFiles = {"tokenizer.json",        "tokenizer.model",        "tokenizer_config.json",
                                                  "special_tokens_map.json", "generation_config.json", "vocab.json",
                                                  "merges.txt"};

[[noreturn]] void fail(const char* id, std::string message, Origin at, std::string key = {}, std::string hint = {}) {
  throw Error(id, std::move(message), std::move(at), std::move(key), std::move(hint));
}

std::string shape_str(const std::vector<int64_t>& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

// Typed reads of config.json fields, located at the value.
struct Reader {
  const Node& root;
  const fs::path& file;

  const Node* find(const std::string& key) const {
    const Node* n = root.find(key);
    return n && !n->is_null() ? n : nullptr;
  }
  int64_t integer(const std::string& key, std::optional<int64_t> fallback = std::nullopt) const {
    const Node* n = find(key);
    if (!n) {
      if (fallback) return *fallback;
      fail("rig.torch.hf.config", "config.json has no '" + key + "'", root.origin(), key,
           "a transformers config.json of a Llama-family model has it");
    }
    if (!n->is_int() || n->int_value() < 0)
      fail("rig.torch.hf.config", "config.json: '" + key + "' must be a non-negative integer", n->origin(), key);
    return n->int_value();
  }
  double number(const std::string& key, double fallback) const {
    const Node* n = find(key);
    if (!n) return fallback;
    if (!n->is_int() && !n->is_float())
      fail("rig.torch.hf.config", "config.json: '" + key + "' must be a number", n->origin(), key);
    return n->is_int() ? static_cast<double>(n->int_value()) : n->float_value();
  }
  bool boolean(const std::string& key, bool fallback) const {
    const Node* n = find(key);
    if (!n) return fallback;
    if (!n->is_bool()) fail("rig.torch.hf.config", "config.json: '" + key + "' must be true or false", n->origin(), key);
    return n->bool_value();
  }
};

Origin config_origin(const CheckpointInfo& info, const std::string& key) {
  const Node* n = info.config_json.find(key);
  return n ? n->origin() : info.config_json.origin();
}

// The fields a builder's shape is compared on (max_position_embeddings, a limit, only when given explicitly).
const std::vector<std::string> kShapeFields = {
    "vocab_size",          "hidden_size",         "intermediate_size",   "num_hidden_layers",
    "num_attention_heads", "num_key_value_heads", "head_dim",            "rms_norm_eps",
    "rope_theta",          "rope_scaling_type",   "rope_scaling_factor", "rope_low_freq_factor",
    "rope_high_freq_factor", "rope_original_max_position_embeddings", "tie_word_embeddings", "attention_bias"};

// config.json's key for a LlamaConfig field (rope scaling's fields live in its object).
std::string json_key(const std::string& field) {
  if (field == "rope_scaling_type") return "rope_scaling";
  if (field == "rope_scaling_factor") return "rope_scaling.factor";
  if (field.starts_with("rope_") && field != "rope_theta") return "rope_scaling." + field.substr(5);
  return field;
}

// Those fields, without rope scaling's parameters when the shape has no scaling.
std::vector<std::string> shape_fields(const LlamaConfig& c) {
  std::vector<std::string> out = kShapeFields;
  if (c.rope_scaling_type.empty())
    std::erase_if(out, [](const std::string& f) { return json_key(f).starts_with("rope_scaling."); });
  return out;
}

// The shape a model config expects (LoadOptions::shape or the C++ overload's), and which fields of it count.
struct Expectation {
  LlamaConfig config;
  std::vector<std::string> fields;  // LlamaConfig field names
  const Node* node = nullptr;       // where the config says it: a builder's name, or the map of fields
  std::string builder;              // the builder's name, if one
};

// The registered shape builders (RIG_FUNCTIONs making a LlamaConfig from nothing: rig.torch.llama3_2_1b, ...).
std::vector<std::string> shape_builders() {
  std::vector<std::string> out;
  for (const auto* d : registry().components())
    if (d->product == type_key<LlamaConfig>() && d->params.empty() && d->cpp_name != "rig::torch::LlamaConfig")
      out.push_back(d->name());
  return out;
}

Expectation expectation(const Node& shape) {
  Expectation e;
  e.node = &shape;
  if (shape.is_string()) {
    std::vector<std::string> builders = shape_builders();
    std::string name = shape.str();
    for (const std::string& candidate : {name, "rig.torch." + name})
      if (std::find(builders.begin(), builders.end(), candidate) != builders.end()) e.builder = candidate;
    if (e.builder.empty()) {
      std::vector<std::string> short_names;
      for (const auto& b : builders) short_names.push_back(b.substr(b.rfind('.') + 1));
      std::string all;
      for (const auto& n : short_names) all += (all.empty() ? "" : ", ") + n;
      fail("rig.torch.hf.option", "'" + name + "' is not a model shape rig knows", shape.origin(), "shape",
           did_you_mean(name, short_names) + " (builders: " + all + "; or a map of LlamaConfig fields)");
    }
    Node call = Node::map();
    call.set("_component_", Node(e.builder));
    e.config = instantiate<LlamaConfig>(call);
    e.fields = shape_fields(e.config);
    return e;
  }
  if (!shape.is_map())
    fail("rig.torch.hf.option", "shape must be a builder's name or a map of LlamaConfig fields", shape.origin(),
         "shape", "e.g. shape: llama3_2_1b, or shape: {hidden_size: 2048, num_hidden_layers: 16}");
  KeyPath path;
  path.push_key("shape");
  e.config = Convert<LlamaConfig>::from(shape, path);  // unknown fields and wrong types are located errors
  for (const auto& entry : shape.entries()) e.fields.push_back(entry.key);
  return e;
}

std::string shown(const Node& v) {
  if (v.is_string() && v.str().empty()) return "none";
  return dump_json(v, -1);
}

// The agreement of config.json with the shape the model config expects: the first field that differs is an error
// located at config.json's key, with a note where the model config says otherwise.
void check_expected(const CheckpointInfo& info, const Expectation& want) {
  auto normalized = [](LlamaConfig c) {
    if (c.head_dim == 0 && c.num_attention_heads > 0) c.head_dim = c.hidden_size / c.num_attention_heads;
    return c;
  };
  Node got = to_node(normalized(info.config)), expected = to_node(normalized(want.config));
  for (const std::string& field : want.fields) {
    const Node* a = got.find(field);
    const Node* b = expected.find(field);
    if (!a || !b || *a == *b) continue;
    const std::string key = json_key(field);
    const Node* in_json = info.config_json.find(key.substr(0, key.find('.')));
    if (in_json && key.find('.') != std::string::npos)
      in_json = in_json->is_map() ? in_json->find(key.substr(key.find('.') + 1)) : nullptr;
    const bool present = in_json && !in_json->is_null();
    std::string says = want.builder.empty() ? "the model's shape" : "the model's shape (" + want.builder + ")";
    Error err("rig.torch.hf.config_mismatch",
              (present ? "config.json has " + key + " = " : "config.json has no " + key + ", so ") + shown(*a) +
                  ", but " + says + " says " + field + " = " + shown(*b),
              present ? in_json->origin() : info.config_json.origin(), key,
              "is this the checkpoint the config means? Fix the model's shape, or drop it to take config.json's");
    if (want.node) {
      const Node* where = want.node->is_map() && want.node->find(field) ? want.node->find(field) : want.node;
      err.add_note(where->origin(), says + " is set here");
    }
    throw err;
  }
}

st::DType model_dtype(const Llama& m) { return m.dtype() == ::torch::kBFloat16 ? st::DType::BF16 : st::DType::F32; }

::torch::Dtype torch_dtype(st::DType d) {
  switch (d) {
    case st::DType::F32:
      return ::torch::kFloat;
    case st::DType::F16:
      return ::torch::kHalf;
    default:
      return ::torch::kBFloat16;
  }
}

struct Weights {
  std::vector<std::unique_ptr<st::File>> files;
  std::map<std::string, std::pair<const st::File*, const st::TensorInfo*>> tensors;
  Origin where;  // the index, or the single file
};

// Maps and validates every weight file of `dir` (the index's shards, or model.safetensors).
Weights open_weights(const fs::path& dir) {
  Weights w;
  fs::path index = dir / "model.safetensors.index.json";
  if (fs::exists(index)) {
    Node root = load_file(index);
    w.where = root.origin();
    const Node* map = root.find("weight_map");
    if (!map || !map->is_map())
      fail("rig.torch.hf.index", "'" + index.string() + "' has no weight_map object", root.origin(), "weight_map");
    std::map<std::string, const st::File*> by_file;
    for (const auto& e : map->entries()) {
      if (!e.value.is_string())
        fail("rig.torch.hf.index", "weight_map values must be file names", e.value.origin(), "weight_map." + e.key);
      const std::string& file = e.value.str();
      if (file.find('/') != std::string::npos || file == "." || file == "..")
        fail("rig.torch.hf.index", "weight_map names a file outside the checkpoint directory: '" + file + "'",
             e.value.origin(), "weight_map." + e.key);
      if (!by_file.count(file)) {
        if (!fs::exists(dir / file))
          fail("rig.torch.hf.index", "shard '" + file + "' does not exist in " + dir.string(), e.value.origin(),
               "weight_map." + e.key);
        w.files.push_back(std::make_unique<st::File>(dir / file));
        by_file[file] = w.files.back().get();
      }
      const st::File* f = by_file[file];
      const st::TensorInfo* t = f->find(e.key);
      if (!t)
        fail("rig.torch.hf.missing_tensor", "the index puts '" + e.key + "' in '" + file + "', which has no such tensor",
             e.value.origin(), "weight_map." + e.key);
      w.tensors[e.key] = {f, t};
    }
    return w;
  }
  fs::path single = dir / "model.safetensors";
  if (!fs::exists(single))
    fail("rig.torch.hf.no_weights",
         "'" + dir.string() + "' has neither model.safetensors nor model.safetensors.index.json",
         Origin{Source::make(dir.string())}, "checkpoint_dir",
         "a Hugging Face checkpoint directory in safetensors format (.bin files are not read)");
  w.files.push_back(std::make_unique<st::File>(single));
  w.where = Origin{Source::make(single.string())};
  for (const auto& t : w.files.back()->tensors()) w.tensors[t.name] = {w.files.back().get(), &t};
  return w;
}

bool ignorable(const std::string& name, const LlamaConfig& c) {
  // Buffers some exporters write, and a tied head written out anyway.
  return name.ends_with(".rotary_emb.inv_freq") || (c.tie_word_embeddings && name == "lm_head.weight");
}

}  // namespace

CheckpointInfo read_config(const fs::path& dir) {
  fs::path file = dir / "config.json";
  if (!fs::is_directory(dir))
    throw IoError("rig.io.read", "checkpoint directory '" + dir.string() + "' does not exist", {}, "checkpoint_dir");
  CheckpointInfo info;
  info.dir = dir;
  info.config_json = load_file(file);
  const Node& root = info.config_json;
  if (!root.is_map()) fail("rig.torch.hf.config", "config.json must be a JSON object", root.origin());
  const Node* arch = root.find("architectures");
  if (!arch || !arch->is_list() || arch->empty() || !(*arch)[0].is_string())
    fail("rig.torch.hf.architecture", "config.json has no 'architectures' list", root.origin(), "architectures",
         "one of LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM");
  info.architecture = (*arch)[0].str();
  if (std::find(kArchitectures.begin(), kArchitectures.end(), info.architecture) == kArchitectures.end())
    fail("rig.torch.hf.architecture", "architecture '" + info.architecture + "' is not a Llama-family decoder rig loads",
         (*arch)[0].origin(), "architectures",
         did_you_mean(info.architecture, kArchitectures) + " (LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM)");
  Reader r{root, file};
  LlamaConfig& c = info.config;
  c.vocab_size = r.integer("vocab_size");
  c.hidden_size = r.integer("hidden_size");
  c.intermediate_size = r.integer("intermediate_size");
  c.num_hidden_layers = r.integer("num_hidden_layers");
  c.num_attention_heads = r.integer("num_attention_heads");
  c.num_key_value_heads = r.integer("num_key_value_heads", c.num_attention_heads);
  c.head_dim = r.integer("head_dim", 0);
  c.rms_norm_eps = r.number("rms_norm_eps", 1e-6);
  c.rope_theta = r.number("rope_theta", 10000.0);
  c.max_position_embeddings = r.integer("max_position_embeddings", 2048);
  c.tie_word_embeddings = r.boolean("tie_word_embeddings", false);
  c.attention_bias = info.architecture == "Qwen2ForCausalLM" ? true : r.boolean("attention_bias", false);
  if (info.architecture != "Qwen2ForCausalLM" && r.boolean("mlp_bias", false))
    fail("rig.torch.hf.config", "config.json: mlp_bias = true is not supported", config_origin(info, "mlp_bias"),
         "mlp_bias");
  if (const Node* rs = r.find("rope_scaling")) {
    if (!rs->is_map()) fail("rig.torch.hf.config", "config.json: rope_scaling must be an object or null", rs->origin(), "rope_scaling");
    const Node* type = rs->find("rope_type");
    if (!type) type = rs->find("type");
    std::string t = type && type->is_string() ? type->str() : "";
    if (t == "default" || t.empty()) {
      // no scaling
    } else if (t == "llama3") {
      Reader s{*rs, file};
      c.rope_scaling_type = "llama3";
      c.rope_scaling_factor = s.number("factor", 8.0);
      c.rope_low_freq_factor = s.number("low_freq_factor", 1.0);
      c.rope_high_freq_factor = s.number("high_freq_factor", 4.0);
      c.rope_original_max_position_embeddings = s.integer("original_max_position_embeddings", 8192);
    } else {
      fail("rig.torch.hf.config", "config.json: rope_scaling type '" + t + "' is not supported",
           type ? type->origin() : rs->origin(), "rope_scaling.rope_type", "rig implements \"llama3\" scaling");
    }
  }
  if (const Node* eos = r.find("eos_token_id")) {
    if (eos->is_int()) {
      info.eos_token_ids.push_back(eos->int_value());
    } else if (eos->is_list()) {
      for (const Node& e : eos->elements()) {
        if (!e.is_int()) fail("rig.torch.hf.config", "config.json: eos_token_id entries must be integers", e.origin(), "eos_token_id");
        info.eos_token_ids.push_back(e.int_value());
      }
    } else {
      fail("rig.torch.hf.config", "config.json: eos_token_id must be an integer or a list", eos->origin(), "eos_token_id");
    }
  }
  if (const Node* bos = r.find("bos_token_id"); bos && bos->is_int()) info.bos_token_id = bos->int_value();
  if (const Node* d = r.find("torch_dtype"); d && d->is_string()) info.torch_dtype = d->str();
  // The model's own shape checks, located at config.json.
  if (c.num_attention_heads == 0 || c.num_key_value_heads == 0 || c.num_attention_heads % c.num_key_value_heads != 0)
    fail("rig.torch.hf.config",
         "config.json: num_key_value_heads (" + std::to_string(c.num_key_value_heads) +
             ") must divide num_attention_heads (" + std::to_string(c.num_attention_heads) + ")",
         config_origin(info, "num_key_value_heads"), "num_key_value_heads");
  const int64_t hd = c.head_dim > 0 ? c.head_dim : c.hidden_size / c.num_attention_heads;
  if (hd == 0 || hd % 2 != 0 || (c.head_dim == 0 && c.hidden_size % c.num_attention_heads != 0))
    fail("rig.torch.hf.config",
         "config.json: the head size (" + std::to_string(hd) + ") must be even and divide hidden_size",
         config_origin(info, "hidden_size"), "hidden_size");
  for (const char* key : {"vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers"})
    if (r.integer(key) == 0) fail("rig.torch.hf.config", std::string("config.json: ") + key + " must be positive",
                                  config_origin(info, key), key);
  return info;
}

namespace {
std::shared_ptr<Llama> load_expecting(const fs::path& dir, const LoadOptions& options, const LlamaConfig* expect) {
  CheckpointInfo info = read_config(dir);
  if (expect)
    check_expected(info, Expectation{*expect, shape_fields(*expect), nullptr, ""});
  else if (!options.shape.is_null())
    check_expected(info, expectation(options.shape));
  Weights weights = open_weights(dir);
  auto model = std::make_shared<Llama>(LlamaOptions{.config = info.config,
                                                    .dtype = options.dtype,
                                                    .activation_checkpointing = options.activation_checkpointing,
                                                    .init = false});
  // Validate everything before copying anything.
  auto state = model->hf_state();
  std::set<std::string> wanted;
  for (const auto& [name, param] : state) {
    wanted.insert(name);
    auto it = weights.tensors.find(name);
    if (it == weights.tensors.end())
      fail("rig.torch.hf.missing_tensor",
           "the checkpoint has no tensor '" + name + "' (shape " + shape_str(param.sizes().vec()) + " from config.json)",
           weights.where, name, "is config.json this checkpoint's? (" + info.architecture + ")");
    const st::TensorInfo& t = *it->second.second;
    if (t.dtype != st::DType::F32 && t.dtype != st::DType::F16 && t.dtype != st::DType::BF16)
      fail("rig.torch.hf.dtype",
           "tensor '" + name + "' is " + std::string(st::dtype_name(t.dtype)) + "; rig loads F32, F16 and BF16 weights",
           t.origin, name + ".dtype");
    if (t.shape != param.sizes().vec())
      fail("rig.torch.hf.shape",
           "tensor '" + name + "' has shape " + shape_str(t.shape) + " in " + it->second.first->path().string() +
               " but config.json makes it " + shape_str(param.sizes().vec()),
           t.origin, name + ".shape", "is config.json this checkpoint's?");
  }
  for (const auto& [name, where] : weights.tensors)
    if (!wanted.count(name) && !ignorable(name, info.config))
      fail("rig.torch.hf.unexpected_tensor",
           "tensor '" + name + "' is not a parameter of a " + info.architecture + " with this config.json",
           where.second->origin, name,
           info.config.tie_word_embeddings ? "" : "(tie_word_embeddings, attention_bias and the layer count decide "
                                                  "which tensors exist)");
  // Each tensor is copied from the mapping in slices, and each slice's mapped pages are dropped as soon as it is
  // copied: reading costs one slice of resident memory beyond the model, not a whole tensor (an embedding matrix
  // can be a fifth of a small model) nor a whole shard.
  constexpr size_t kSliceBytes = size_t{8} << 20;
  ::torch::NoGradGuard no_grad;
  for (auto& [name, param] : state) {
    auto [file, t] = weights.tensors.at(name);
    const auto dtype = ::torch::TensorOptions().dtype(torch_dtype(t->dtype));
    const size_t esize = st::dtype_size(t->dtype);
    const int64_t n = t->numel(), per = static_cast<int64_t>(std::max<size_t>(1, kSliceBytes / esize));
    Tensor dst = param.view({-1});  // parameters are freshly allocated, contiguous
    for (int64_t at = 0; at < n; at += per) {
      const int64_t len = std::min(per, n - at);
      const size_t from = static_cast<size_t>(at) * esize;
      dst.narrow(0, at, len).copy_(::torch::from_blob(const_cast<unsigned char*>(file->data(*t) + from), {len}, dtype));
      file->release(*t, from, static_cast<size_t>(len) * esize);
    }
  }
  return model;
}
}  // namespace

std::shared_ptr<Llama> load(const fs::path& dir, const LoadOptions& options) { return load_expecting(dir, options, nullptr); }

std::shared_ptr<Llama> load(const fs::path& dir, const LoadOptions& options, const LlamaConfig& expect) {
  return load_expecting(dir, options, &expect);
}

void save(Llama& model, const fs::path& dir, const fs::path& source) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw IoError("rig.io.write", "cannot create '" + dir.string() + "': " + ec.message());
  // Each tensor's dtype in the source checkpoint (the export keeps them).
  std::map<std::string, st::DType> source_dtype;
  if (!source.empty()) {
    Weights w = open_weights(source);
    for (const auto& [name, where] : w.tensors) source_dtype[name] = where.second->dtype;
  }
  // Merged LoRA weights, without touching the model.
  std::map<std::string, Tensor> merged;
  for (const auto& item : model.named_modules("", false))
    if (auto linear = std::dynamic_pointer_cast<Linear>(item.value()); linear && linear->adapter)
      merged[item.key() + ".weight"] = linear->weight.detach() + linear->adapter->delta_weight().detach().to(linear->weight.scalar_type());
  ::torch::NoGradGuard no_grad;
  std::vector<Tensor> keep;
  std::vector<st::TensorView> views;
  for (const auto& [name, param] : model.hf_state()) {
    auto m = merged.find(name);
    Tensor t = m != merged.end() ? m->second : param.detach();
    auto sd = source_dtype.find(name);
    st::DType dtype = sd != source_dtype.end() ? sd->second : model_dtype(model);
    t = t.to(::torch::kCPU, torch_dtype(dtype)).contiguous();  // written from host memory, whatever the device
    keep.push_back(t);
    views.push_back({name, dtype, t.sizes().vec(), t.data_ptr(), static_cast<size_t>(t.numel()) * t.element_size()});
  }
  st::write(dir / "model.safetensors", views, {{"format", "pt"}});
  // config.json: the source's, byte for byte; else written from the model's shape.
  if (!source.empty() && fs::exists(source / "config.json")) {
    write_file_atomic(dir / "config.json", read_file(source / "config.json"));
  } else {
    const LlamaConfig& c = model.config();
    Node cfg = Node::map();
    auto set = [&](const char* k, Node v) { cfg.set(k, std::move(v)); };
    Node arch = Node::list();
    arch.push_back(Node(std::string(c.attention_bias ? "Qwen2ForCausalLM" : "LlamaForCausalLM")));
    set("architectures", arch);
    set("model_type", Node(std::string(c.attention_bias ? "qwen2" : "llama")));
    set("vocab_size", Node(c.vocab_size));
    set("hidden_size", Node(c.hidden_size));
    set("intermediate_size", Node(c.intermediate_size));
    set("num_hidden_layers", Node(c.num_hidden_layers));
    set("num_attention_heads", Node(c.num_attention_heads));
    set("num_key_value_heads", Node(c.num_key_value_heads));
    set("head_dim", Node(model.head_dim()));
    set("rms_norm_eps", Node(c.rms_norm_eps));
    set("rope_theta", Node(c.rope_theta));
    if (c.rope_scaling_type == "llama3") {
      Node rs = Node::map();
      rs.set("rope_type", Node(std::string("llama3")));
      rs.set("factor", Node(c.rope_scaling_factor));
      rs.set("low_freq_factor", Node(c.rope_low_freq_factor));
      rs.set("high_freq_factor", Node(c.rope_high_freq_factor));
      rs.set("original_max_position_embeddings", Node(c.rope_original_max_position_embeddings));
      set("rope_scaling", rs);
    }
    set("max_position_embeddings", Node(c.max_position_embeddings));
    set("tie_word_embeddings", Node(c.tie_word_embeddings));
    set("attention_bias", Node(c.attention_bias));
    set("torch_dtype", Node(std::string(model.dtype() == ::torch::kBFloat16 ? "bfloat16" : "float32")));
    write_file_atomic(dir / "config.json", dump_json(cfg) + "\n");
  }
  if (!source.empty())
    for (const auto& name : kTokenizerFiles)
      if (fs::exists(source / name)) write_file_atomic(dir / name, read_file(source / name));
}

}  // namespace rig::torch::hf

RIG_FUNCTION_AS(rig::torch::hf::load,
                std::shared_ptr<rig::torch::Llama>(const std::filesystem::path&, const rig::torch::hf::LoadOptions&),
                rig::name("rig.torch.HFLlama"), rig::interfaces<rig::torch::Model, rig::torch::Llama>,
                rig::doc("A Llama-family model (Llama, Mistral, Qwen2) from a Hugging Face checkpoint directory"),
                rig::params(rig::arg("checkpoint_dir", "config.json + model.safetensors (or shards + index)") =
                                std::filesystem::path()),
                rig::options<rig::torch::hf::LoadOptions>,
                rig::require("checkpoint_dir", rig::non_empty(), "rig.torch.hf.option"),
                rig::field_doc("dtype", "the weights' type: float32 or bfloat16"),
                rig::field_doc("activation_checkpointing", "recompute layers in backward to save memory"),
                rig::field_doc("shape", "optional: the shape config.json must have, a builder's name (llama3_2_1b) "
                                        "or a map of LlamaConfig fields"));
