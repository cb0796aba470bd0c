// Datasets, splits and shuffling.
#include <zlib.h>

#include <cmath>
#include <random>
#include <unordered_map>

#include "rig/error.hpp"
#include "rig/registry.hpp"
#include "rig/torch/data.hpp"
#include "rig/yaml.hpp"

namespace rig::torch {
namespace {

// ---- IDX files (gzip-compressed, big-endian header) ---------------------------------------------------------------

std::string read_gzip(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path))
    throw IoError("rig.io.read", "'" + path.string() + "' does not exist", {}, "root",
                  "Debian's dataset-fashion-mnist package installs /usr/share/datasets/fashion-mnist");
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw IoError("rig.io.read", "cannot open '" + path.string() + "'", {}, "root");
  std::string out;
  char buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  bool failed = n < 0;
  gzclose(f);
  if (failed) throw IoError("rig.io.read", "'" + path.string() + "' is not valid gzip data", {}, "root");
  return out;
}

uint32_t big_endian_u32(const std::string& data, size_t offset) {
  auto b = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(data[offset + k])); };
  return b(0) << 24 | b(1) << 16 | b(2) << 8 | b(3);
}

// An IDX file of unsigned bytes: magic 0x0000080N (N dimensions), N sizes, then the data.
Tensor read_idx(const std::filesystem::path& path) {
  std::string data = read_gzip(path);
  auto bad = [&](const std::string& why) {
    return IoError("rig.torch.data.idx", "'" + path.string() + "' is not an IDX file: " + why, {}, "root");
  };
  if (data.size() < 4 || big_endian_u32(data, 0) >> 8 != 0x08) throw bad("wrong magic number");
  size_t dims = big_endian_u32(data, 0) & 0xFF;
  if (data.size() < 4 + 4 * dims) throw bad("truncated header");
  std::vector<int64_t> shape;
  size_t count = 1;
  for (size_t i = 0; i < dims; ++i) shape.push_back(big_endian_u32(data, 4 + 4 * i)), count *= shape.back();
  size_t offset = 4 + 4 * dims;
  if (data.size() != offset + count) throw bad("size does not match its header");
  return ::torch::from_blob(data.data() + offset, shape, ::torch::kUInt8).clone();
}

// The indices as an int64 tensor over the same memory (no copy): valid while `indices` is.
Tensor index_tensor(std::span<const int64_t> indices) {
  return ::torch::from_blob(const_cast<int64_t*>(indices.data()), {static_cast<int64_t>(indices.size())},
                            ::torch::kLong);
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
  size_t b = s.find_first_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b);
}

}  // namespace

void throw_bad_batch_size(int64_t size) {
  throw Error("rig.torch.data.batch_size", "batch_size must be positive, got " + std::to_string(size), {},
              "batch_size");
}

// ---- TensorDataset ------------------------------------------------------------------------------------------------

TensorDataset::TensorDataset(Tensor inputs, Tensor labels, int64_t num_classes)
    : inputs_(std::move(inputs)), labels_(std::move(labels)), num_classes_(num_classes) {}

ClassBatch TensorDataset::collate(std::span<const int64_t> indices) const {
  Tensor idx = index_tensor(indices);
  return {inputs_.index_select(0, idx), labels_.index_select(0, idx)};
}

int64_t TensorDataset::num_features() const { return size() > 0 ? inputs_[0].numel() : 0; }

// ---- FashionMNIST -------------------------------------------------------------------------------------------------

FashionMNIST::FashionMNIST(FashionMNISTOptions options) {
  if (options.split != "train" && options.split != "test")
    throw Error("rig.torch.data.split", "FashionMNIST: split must be 'train' or 'test', got '" + options.split + "'",
                {}, "split", did_you_mean(options.split, {"train", "test"}));
  std::string prefix = options.split == "train" ? "train" : "t10k";
  std::filesystem::path root(options.root);
  Tensor images = read_idx(root / (prefix + "-images-idx3-ubyte.gz"));
  Tensor labels = read_idx(root / (prefix + "-labels-idx1-ubyte.gz"));
  if (images.dim() != 3 || labels.dim() != 1 || images.size(0) != labels.size(0))
    throw IoError("rig.torch.data.idx", "FashionMNIST: images and labels in '" + options.root + "' do not match",
                  {}, "root");
  if (options.limit > 0 && options.limit < labels.size(0)) {
    images = images.narrow(0, 0, options.limit);
    labels = labels.narrow(0, 0, options.limit);
  }
  Tensor x = images.unsqueeze(1).to(::torch::kFloat32).div_(255.0f);
  // The training set's pixel mean and standard deviation, so that both splits get the same transform.
  if (options.normalize) x.sub_(0.2860f).div_(0.3530f);
  inputs_ = x.contiguous();
  labels_ = labels.to(::torch::kLong);
  num_classes_ = 10;
}

// ---- CSVTabular ---------------------------------------------------------------------------------------------------

Tensor csv_feature_matrix(const CSVTable& table, const std::vector<std::string>& features, const std::string& key) {
  std::vector<size_t> columns;
  std::vector<std::string> names;
  for (const auto& h : table.header) names.push_back(trim(h.text));
  for (const auto& f : features) {
    auto it = std::find(names.begin(), names.end(), f);
    if (it == names.end())
      throw Error("rig.torch.data.csv", "no column '" + f + "' in the header of " + table.source->name,
                  table.at(table.header[0]), key, did_you_mean(f, names));
    columns.push_back(static_cast<size_t>(it - names.begin()));
  }
  auto n = static_cast<int64_t>(table.rows.size());
  Tensor x = ::torch::empty({n, static_cast<int64_t>(features.size())});
  auto xa = x.accessor<float, 2>();
  for (int64_t r = 0; r < n; ++r) {
    const auto& row = table.rows[static_cast<size_t>(r)];
    for (size_t f = 0; f < columns.size(); ++f) {
      const CSVCell& cell = row[columns[f]];
      std::string text = trim(cell.text);
      if (is_missing_value(text))
        throw Error("rig.torch.data.missing",
                    "missing value" + (text.empty() ? std::string() : " '" + text + "'") + " in column '" +
                        features[f] + "' (data row " + std::to_string(r + 1) + ")",
                    table.at(cell), key,
                    "fill in or drop the rows with missing values (pandas: df.dropna(); R: na.omit(df))");
      char* end = nullptr;
      double v = std::strtod(text.c_str(), &end);
      if (*end != '\0' || !std::isfinite(v))
        throw Error("rig.torch.data.csv", "'" + cell.text + "' in column '" + features[f] + "' is not a number",
                    table.at(cell), key);
      xa[r][static_cast<int64_t>(f)] = static_cast<float>(v);
    }
  }
  return x;
}

CSVTabular::CSVTabular(CSVTabularOptions options) {
  if (options.path.empty()) throw Error("rig.torch.data.path", "CSVTabular: path is required", {}, "path");
  if (options.delimiter.size() != 1 || options.delimiter == "\"")
    throw Error("rig.torch.data.csv", "CSVTabular: the delimiter must be one character other than a quote, got '" +
                                          options.delimiter + "'", {}, "delimiter", "',', ';' or a tab: '\\t'");
  CSVTable table = read_csv(options.path, options.delimiter[0]);
  if (table.rows.empty())
    throw Error("rig.torch.data.csv", "CSVTabular: '" + options.path + "' needs a header row and at least one data row",
                table.at(table.header[0]), "path");
  std::vector<std::string> header;
  for (const auto& h : table.header) header.push_back(trim(h.text));
  auto label_it = std::find(header.begin(), header.end(), options.label_column);
  if (label_it == header.end())
    throw Error("rig.torch.data.csv", "CSVTabular: no column '" + options.label_column + "' in the header",
                table.at(table.header[0]), "label_column", did_you_mean(options.label_column, header));
  size_t label_col = static_cast<size_t>(label_it - header.begin());
  const auto& ignored = options.ignore_columns;
  for (size_t c = 0; c < header.size(); ++c) {
    if (c == label_col || std::find(ignored.begin(), ignored.end(), header[c]) != ignored.end()) continue;
    if (header[c].empty())
      throw Error("rig.torch.data.csv", "CSVTabular: column " + std::to_string(c + 1) + " has no name",
                  table.at(table.header[c]), "ignore_columns",
                  "a row index (pandas' to_csv, R's write.csv)? ignore it: ignore_columns=[''], or write the file "
                  "without one (index=False, row.names=FALSE)");
    if (std::find(features_.begin(), features_.end(), header[c]) != features_.end())
      throw Error("rig.torch.data.csv", "CSVTabular: two columns are named '" + header[c] + "'",
                  table.at(table.header[c]), "path");
    features_.push_back(header[c]);
  }
  for (const auto& row : table.rows)
    if (row.size() != header.size())
      throw Error("rig.torch.data.csv",
                  "CSVTabular: row has " + std::to_string(row.size()) + " fields, the header has " +
                      std::to_string(header.size()),
                  table.at(row.size() > header.size() ? row[header.size()] : row.back()), "path");
  Tensor x = csv_feature_matrix(table, features_, "path");

  int64_t n = static_cast<int64_t>(table.rows.size());
  Tensor y = ::torch::empty({n}, ::torch::kLong);
  auto ya = y.accessor<int64_t, 1>();
  std::unordered_map<std::string, int64_t> class_ids;
  bool numeric_labels = true;
  for (int64_t r = 0; r < n; ++r) {
    const CSVCell& cell = table.rows[static_cast<size_t>(r)][label_col];
    std::string text = trim(cell.text);
    if (is_missing_value(text))
      throw Error("rig.torch.data.missing", "missing label in column '" + options.label_column + "' (data row " +
                                                std::to_string(r + 1) + ")",
                  table.at(cell), "path", "drop the rows without a label");
    char* end = nullptr;
    long long v = std::strtoll(text.c_str(), &end, 10);
    if (numeric_labels && *end == '\0' && v >= 0) {
      ya[r] = v;
    } else {
      if (numeric_labels && r > 0)
        throw Error("rig.torch.data.csv", "CSVTabular: label '" + text + "' is not an integer like the rows above",
                    table.at(cell), "label_column");
      numeric_labels = false;
      auto [it, added] = class_ids.emplace(text, static_cast<int64_t>(class_ids.size()));
      if (added) classes_.push_back(text);
      ya[r] = it->second;
    }
  }
  if (options.standardize) {
    Tensor mean = x.mean(0, true).to(::torch::kDouble), std = x.to(::torch::kDouble).std(0, true, true).clamp_min(1e-6);
    x = ((x - mean) / std).to(::torch::kFloat32);
    mean = mean.flatten().contiguous(), std = std.flatten().contiguous();
    mean_.assign(mean.data_ptr<double>(), mean.data_ptr<double>() + mean.numel());
    std_.assign(std.data_ptr<double>(), std.data_ptr<double>() + std.numel());
  }
  inputs_ = x;
  labels_ = y;
  num_classes_ = numeric_labels ? y.max().item<int64_t>() + 1 : static_cast<int64_t>(classes_.size());
}

// ---- SyntheticClassification --------------------------------------------------------------------------------------

SyntheticClassification::SyntheticClassification(SyntheticClassificationOptions o) {
  if (o.num_examples <= 0 || o.num_features <= 0 || o.num_classes <= 1)
    throw Error("rig.torch.data.option",
                "SyntheticClassification: num_examples and num_features must be positive, num_classes at least 2");
  auto gen = ::at::make_generator<::at::CPUGeneratorImpl>(o.seed);
  Tensor centres = ::torch::randn({o.num_classes, o.num_features}, gen);
  centres = centres / centres.norm(2, 1, true);
  labels_ = ::torch::randint(o.num_classes, {o.num_examples}, gen, ::torch::kLong);
  inputs_ = centres.index_select(0, labels_) + ::torch::randn({o.num_examples, o.num_features}, gen) * o.noise;
  num_classes_ = o.num_classes;
}

// ---- TextCorpus ---------------------------------------------------------------------------------------------------

TextCorpus::TextCorpus(TextCorpusOptions options, std::shared_ptr<const Tokenizer> tokenizer)
    : options_(std::move(options)) {
  if (!tokenizer) throw Error("rig.torch.data.tokenizer", "TextCorpus needs a tokenizer", {}, "tokenizer");
  if (options_.context <= 0) throw Error("rig.torch.data.option", "TextCorpus: context must be positive", {}, "context");
  if (options_.stride <= 0) options_.stride = options_.context;
  std::vector<int64_t> ids = tokenizer->encode(read_corpus(expand_globs(options_.paths)));
  if (static_cast<int64_t>(ids.size()) < options_.context + 1)
    throw Error("rig.torch.data.too_short",
                "TextCorpus: the corpus has " + std::to_string(ids.size()) + " tokens, fewer than context + 1 (" +
                    std::to_string(options_.context + 1) + ")",
                {}, "paths");
  tokens_ = ::torch::tensor(ids, ::torch::kLong);
}

int64_t TextCorpus::size() const { return (tokens_.size(0) - options_.context - 1) / options_.stride + 1; }

LMBatch TextCorpus::collate(std::span<const int64_t> indices) const {
  // Every window as a row of one strided view of the token stream; the batch is one gather of its rows.
  const int64_t T = options_.context;
  Tensor all_windows = tokens_.as_strided({size(), T + 1}, {options_.stride, 1});
  Tensor windows = all_windows.index_select(0, index_tensor(indices));
  return {windows.narrow(1, 0, T), windows.narrow(1, 1, T)};
}

// ---- PromptResponseJSONL ------------------------------------------------------------------------------------------

PromptResponseJSONL::PromptResponseJSONL(PromptResponseJSONLOptions options,
                                         std::shared_ptr<const Tokenizer> tokenizer)
    : options_(std::move(options)) {
  if (!tokenizer) throw Error("rig.torch.data.tokenizer", "PromptResponseJSONL needs a tokenizer", {}, "tokenizer");
  if (options_.path.empty()) throw Error("rig.torch.data.path", "PromptResponseJSONL: path is required", {}, "path");
  if (options_.max_length < 2)
    throw Error("rig.torch.data.option", "PromptResponseJSONL: max_length must be at least 2", {}, "max_length");
  pad_id_ = tokenizer->eos_id();
  std::string text = read_file(options_.path);
  auto source = Source::make(options_.path, text);
  size_t pos = 0;
  uint32_t line_no = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    std::string line = text.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    pos = end == std::string::npos ? text.size() : end + 1;
    ++line_no;
    if (trim(line).empty()) continue;
    Node record;
    try {
      record = load_json(line, options_.path);
    } catch (const Error& e) {  // re-locate from the line to the file
      throw ParseError(e.id(), e.message(), Origin{source, line_no, e.origin().column}, {}, e.hint());
    }
    auto field = [&](const std::string& key) -> std::string {
      const Node* v = record.find(key);
      if (!v || !v->is_string()) {
        std::vector<std::string> keys = record.keys();
        throw Error("rig.torch.data.jsonl", "line " + std::to_string(line_no) + ": " +
                                                (v ? "'" + key + "' is not a string" : "no key '" + key + "'"),
                    Origin{source, line_no, v ? v->origin().column : 1}, key, did_you_mean(key, keys));
      }
      return v->str();
    };
    std::vector<int64_t> tokens = tokenizer->encode(field(options_.prompt_key));
    int64_t prompt_length = static_cast<int64_t>(tokens.size());
    for (int64_t id : tokenizer->encode(field(options_.response_key))) tokens.push_back(id);
    tokens.push_back(pad_id_);
    if (static_cast<int64_t>(tokens.size()) > options_.max_length + 1) tokens.resize(static_cast<size_t>(options_.max_length + 1));
    examples_.push_back({std::move(tokens), prompt_length});
  }
  if (examples_.empty())
    throw Error("rig.torch.data.jsonl", "PromptResponseJSONL: '" + options_.path + "' has no records", {}, "path");
}

LMBatch PromptResponseJSONL::collate(std::span<const int64_t> indices) const {
  int64_t T = 1, B = static_cast<int64_t>(indices.size());
  for (int64_t i : indices) T = std::max(T, static_cast<int64_t>(examples_[static_cast<size_t>(i)].tokens.size()) - 1);
  Tensor inputs = ::torch::full({B, T}, pad_id_, ::torch::kLong);
  Tensor targets = ::torch::full({B, T}, kIgnoreIndex, ::torch::kLong);
  auto in = inputs.accessor<int64_t, 2>();
  auto tg = targets.accessor<int64_t, 2>();
  for (int64_t b = 0; b < B; ++b) {
    const Example& e = examples_[static_cast<size_t>(indices[static_cast<size_t>(b)])];
    int64_t n = static_cast<int64_t>(e.tokens.size()) - 1;
    for (int64_t t = 0; t < n; ++t) {
      in[b][t] = e.tokens[static_cast<size_t>(t)];
      // Target t predicts token t+1; it belongs to the response when t+1 >= prompt_length.
      if (options_.train_on_prompt || t + 1 >= e.prompt_length) tg[b][t] = e.tokens[static_cast<size_t>(t + 1)];
    }
  }
  return {inputs, targets};
}

// ---- splits and shuffling -----------------------------------------------------------------------------------------

std::vector<int64_t> shuffled_indices(int64_t n, uint64_t seed, int64_t epoch) {
  std::vector<int64_t> order(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) order[static_cast<size_t>(i)] = i;
  std::seed_seq seq{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32), static_cast<uint32_t>(epoch),
                    static_cast<uint32_t>(static_cast<uint64_t>(epoch) >> 32)};
  std::mt19937_64 rng(seq);
  for (int64_t i = n - 1; i > 0; --i)
    std::swap(order[static_cast<size_t>(i)], order[rng() % static_cast<uint64_t>(i + 1)]);
  return order;
}

std::pair<std::vector<int64_t>, std::vector<int64_t>> split_indices(int64_t n, const SplitOptions& options) {
  if (!(options.validation_ratio >= 0 && options.validation_ratio < 1))
    throw Error("rig.torch.data.split", "validation_ratio must be in [0, 1), got " +
                                            std::to_string(options.validation_ratio),
                {}, "validation_ratio");
  std::vector<int64_t> order = shuffled_indices(n, options.seed, -1);
  auto n_val = static_cast<size_t>(std::llround(static_cast<double>(n) * options.validation_ratio));
  std::vector<int64_t> validation(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n_val));
  std::vector<int64_t> train(order.begin() + static_cast<std::ptrdiff_t>(n_val), order.end());
  return {train, validation};
}

}  // namespace rig::torch

// ---- registration (rig/registry.hpp) ----
RIG_COMPONENT(rig::torch::FashionMNIST, rig::options<rig::torch::FashionMNISTOptions>,
              rig::interfaces<rig::torch::TensorDataset>, rig::doc("Fashion-MNIST from Debian's dataset-fashion-mnist"));
RIG_COMPONENT(rig::torch::CSVTabular, rig::options<rig::torch::CSVTabularOptions>,
              rig::interfaces<rig::torch::TensorDataset>, rig::doc("A CSV file: float features and a label column"));
RIG_COMPONENT(rig::torch::SyntheticClassification, rig::options<rig::torch::SyntheticClassificationOptions>,
              rig::interfaces<rig::torch::TensorDataset>, rig::doc("Seeded Gaussian clusters, one per class"));
RIG_COMPONENT(rig::torch::SplitOptions, rig::doc("Train/validation split by ratio and seed"));
RIG_COMPONENT(rig::torch::DataLoaderOptions, rig::doc("Batching and seeded shuffling"));
namespace {
constexpr std::string_view kTokenizerDoc =
    "passed by the recipe at the call site (rig::instantiate(cfg[\"dataset\"], tokenizer)), or a nested tokenizer";
}  // namespace
// The tokenizer is the first parameter, so that the recipe passes it at the call site; then the options' fields.
RIG_COMPONENT(rig::torch::TextCorpus, rig::params<std::shared_ptr<rig::torch::Tokenizer>>(rig::arg("tokenizer", kTokenizerDoc) = nullptr),
              rig::options<rig::torch::TextCorpusOptions>, rig::name("rig.torch.TextCorpus"), rig::interfaces<rig::torch::LMDataset>,
              rig::doc("Text files tokenized into one stream, cut into windows of context + 1 tokens"),
              rig::field_doc("paths", "files or glob(7) patterns"), rig::field_doc("context", "tokens per example"),
              rig::field_doc("stride", "tokens between window starts (0: context)"));
RIG_COMPONENT(rig::torch::PromptResponseJSONL, rig::params<std::shared_ptr<rig::torch::Tokenizer>>(rig::arg("tokenizer", kTokenizerDoc) = nullptr),
              rig::options<rig::torch::PromptResponseJSONLOptions>, rig::name("rig.torch.PromptResponseJSONL"),
              rig::interfaces<rig::torch::LMDataset>,
              rig::doc("One JSON object per line with a prompt and a response; the loss covers the response"),
              rig::field_doc("path", "the JSONL file"), rig::field_doc("max_length", "tokens per example, longer ones are cut"),
              rig::field_doc("train_on_prompt", "false: the loss covers the response only"));
