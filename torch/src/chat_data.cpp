// ChatDataset: Alpaca-style and chat records through the Llama 3, ChatML or Alpaca template, with prompt masking.
#include "rig/torch/chat_data.hpp"

#include <algorithm>

#include "rig/error.hpp"
#include "rig/registry.hpp"
#include "rig/torch/hf_tokenizer.hpp"
#include "rig/yaml.hpp"

namespace rig::torch {
namespace {

const std::vector<std::string> kTemplates = {"llama3", "chatml", "alpaca"};

struct Message {
  std::string role, content;
};

struct Segment {
  std::string text;
  bool response;
  int64_t extra_id = -1;  // a token appended after the text (alpaca's eos)
};

// The templates' markers: each must be one of the tokenizer's added (special) tokens, matched whole in any text.
constexpr const char* kStartHeader = "<|start_header_id|>";
constexpr const char* kEndHeader = "<|end_header_id|>";
constexpr const char* kEot = "<|eot_id|>";
constexpr const char* kImStart = "<|im_start|>";
constexpr const char* kImEnd = "<|im_end|>";

std::vector<std::string> markers(const std::string& tmpl) {
  if (tmpl == "llama3") return {kStartHeader, kEndHeader, kEot};
  if (tmpl == "chatml") return {kImStart, kImEnd};
  return {};
}

const char* kAlpacaWithInput =
    "Below is an instruction that describes a task, paired with an input that provides further context. Write a "
    "response that appropriately completes the request.\n\n### Instruction:\n";
const char* kAlpacaNoInput =
    "Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n"
    "### Instruction:\n";

std::vector<Segment> render(const std::string& tmpl, const std::vector<Message>& messages, int64_t eos,
                            const std::string& input) {
  std::vector<Segment> out;
  if (tmpl == "llama3") {
    for (const auto& m : messages) {
      std::string header = kStartHeader + m.role + kEndHeader + "\n\n";
      if (m.role == "assistant") {
        out.push_back({header, false});
        out.push_back({m.content + kEot, true});
      } else {
        out.push_back({header + m.content + kEot, false});
      }
    }
  } else if (tmpl == "chatml") {
    for (const auto& m : messages) {
      std::string header = kImStart + m.role + "\n";
      if (m.role == "assistant") {
        out.push_back({header, false});
        out.push_back({m.content + kImEnd, true});
        out.push_back({"\n", false});
      } else {
        out.push_back({header + m.content + kImEnd + "\n", false});
      }
    }
  } else {  // alpaca: user turns are instructions, assistant turns responses
    for (const auto& m : messages) {
      if (m.role == "assistant") {
        out.push_back({m.content, true, eos});
      } else if (m.role == "user") {
        std::string prompt = input.empty() ? std::string(kAlpacaNoInput) + m.content + "\n\n### Response:\n"
                                           : std::string(kAlpacaWithInput) + m.content + "\n\n### Input:\n" + input +
                                                 "\n\n### Response:\n";
        out.push_back({prompt, false});
      } else {
        out.push_back({m.content + "\n\n", false});
      }
    }
  }
  return out;
}

}  // namespace

ChatDataset::ChatDataset(ChatDatasetOptions options, std::shared_ptr<const Tokenizer> tokenizer)
    : options_(std::move(options)) {
  if (!tokenizer) throw Error("rig.torch.data.tokenizer", "ChatDataset needs a tokenizer", {}, "tokenizer");
  if (options_.path.empty()) throw Error("rig.torch.data.path", "ChatDataset: path is required", {}, "path");
  if (std::find(kTemplates.begin(), kTemplates.end(), options_.chat_template) == kTemplates.end())
    throw Error("rig.torch.data.option", "ChatDataset: unknown chat_template '" + options_.chat_template + "'", {},
                "chat_template", did_you_mean(options_.chat_template, kTemplates) + " (llama3, chatml or alpaca)");
  if (options_.max_seq_len < 2)
    throw Error("rig.torch.data.option", "ChatDataset: max_seq_len must be at least 2", {}, "max_seq_len");
  auto hf = std::dynamic_pointer_cast<const HFTokenizer>(tokenizer);
  // A marker the tokenizer does not have as an added token would be tokenized as plain text: a silently wrong prompt.
  for (const std::string& marker : markers(options_.chat_template))
    if (!hf || !hf->added_token_id(marker))
      throw Error("rig.torch.data.chat_template",
                  "ChatDataset: chat_template '" + options_.chat_template + "' needs '" + marker +
                      "', which the tokenizer does not have as a special (added) token: it would be tokenized as "
                      "plain text",
                  {}, "chat_template",
                  "choose the template the checkpoint was trained with: llama3 needs Llama 3's header and <|eot_id|> "
                  "tokens, chatml needs <|im_start|> and <|im_end|> (Qwen2); alpaca needs no special tokens");
  auto encode = [&](const std::string& s) { return hf ? hf->encode_raw(s) : tokenizer->encode(s); };
  const std::vector<int64_t> prefix = hf ? hf->prefix() : std::vector<int64_t>{};

  std::string text = read_file(options_.path);
  auto source = Source::make(options_.path, text);
  // Records with their line numbers: JSON Lines, or one JSON list.
  std::vector<std::pair<Node, uint32_t>> records;
  bool json_list = options_.path.size() >= 5 && options_.path.substr(options_.path.size() - 5) == ".json";
  if (json_list) {
    Node root = load_json(text, options_.path);
    if (!root.is_list())
      throw Error("rig.torch.data.chat", "ChatDataset: a .json file must hold a list of records", root.origin(), "path");
    for (const Node& r : root.elements()) records.emplace_back(r, r.origin().line);
  } else {
    size_t pos = 0;
    uint32_t line_no = 0;
    while (pos < text.size()) {
      size_t end = text.find('\n', pos);
      std::string line = text.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
      pos = end == std::string::npos ? text.size() : end + 1;
      ++line_no;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      try {
        records.emplace_back(load_json(line, options_.path), line_no);
      } catch (const Error& e) {  // re-locate from the line to the file
        throw ParseError(e.id(), e.message(), Origin{source, line_no, e.origin().column}, {}, e.hint());
      }
    }
  }

  std::vector<int64_t> packed_tokens, packed_labels;
  for (const auto& [record, line] : records) {
    auto at = [&, line = line](const Node* n) {
      return json_list ? (n ? n->origin() : record.origin()) : Origin{source, line, n ? n->origin().column : 1};
    };
    auto string_field = [&](const Node& obj, const std::string& key, bool required) -> std::string {
      const Node* v = obj.find(key);
      if (!v && !required) return "";
      if (!v || !v->is_string())
        throw Error("rig.torch.data.chat", v ? "'" + key + "' is not a string" : "the record has no '" + key + "'",
                    at(v ? v : &obj), key, v ? "" : did_you_mean(key, obj.keys()));
      return v->str();
    };
    if (!record.is_map())
      throw Error("rig.torch.data.chat", "a record must be a JSON object", at(&record), {},
                  "{\"instruction\", \"input\", \"output\"} or {\"messages\": [{\"role\", \"content\"}]}");
    std::vector<Message> messages;
    std::string input;
    if (const Node* msgs = record.find("messages")) {
      if (!msgs->is_list() || msgs->empty())
        throw Error("rig.torch.data.chat", "'messages' must be a non-empty list", at(msgs), "messages");
      for (const Node& m : msgs->elements()) {
        if (!m.is_map()) throw Error("rig.torch.data.chat", "a message must be an object", at(&m), "messages");
        Message msg{string_field(m, "role", true), string_field(m, "content", true)};
        if (msg.role != "system" && msg.role != "user" && msg.role != "assistant")
          throw Error("rig.torch.data.chat", "unknown role '" + msg.role + "'", at(m.find("role")), "messages.role",
                      "system, user or assistant");
        messages.push_back(std::move(msg));
      }
    } else if (record.find("instruction")) {
      std::string instruction = string_field(record, "instruction", true);
      input = string_field(record, "input", false);
      std::string output = string_field(record, "output", true);
      if (options_.chat_template == "alpaca") {
        messages = {{"user", instruction}, {"assistant", output}};
      } else {
        messages = {{"user", input.empty() ? instruction : instruction + "\n\n" + input}, {"assistant", output}};
        input.clear();
      }
    } else {
      throw Error("rig.torch.data.chat", "the record has neither 'messages' nor 'instruction'", at(&record), {},
                  "Alpaca-style {\"instruction\", \"input\", \"output\"} or chat {\"messages\": [...]}");
    }
    Example ex;
    ex.tokens = prefix;
    ex.labels.assign(prefix.size(), kIgnoreIndex);
    for (const Segment& s : render(options_.chat_template, messages, tokenizer->eos_id(), input)) {
      std::vector<int64_t> ids = encode(s.text);
      if (s.extra_id >= 0) ids.push_back(s.extra_id);
      for (int64_t id : ids) {
        ex.tokens.push_back(id);
        ex.labels.push_back(s.response || options_.train_on_prompt ? id : kIgnoreIndex);
      }
    }
    if (options_.packing) {
      packed_tokens.insert(packed_tokens.end(), ex.tokens.begin(), ex.tokens.end());
      packed_labels.insert(packed_labels.end(), ex.labels.begin(), ex.labels.end());
      continue;
    }
    if (static_cast<int64_t>(ex.tokens.size()) > options_.max_seq_len) {
      ex.tokens.resize(static_cast<size_t>(options_.max_seq_len));
      ex.labels.resize(static_cast<size_t>(options_.max_seq_len));
    }
    if (ex.tokens.size() >= 2) examples_.push_back(std::move(ex));
  }
  if (options_.packing) {
    // Windows of max_seq_len tokens, each starting at the previous one's last token: a window's first token is
    // only an input (no position predicts it), so with this overlap every token after the first is a target once.
    const auto n = static_cast<size_t>(options_.max_seq_len);
    for (size_t start = 0; start + 1 < packed_tokens.size(); start += n - 1) {
      size_t end = std::min(packed_tokens.size(), start + n);
      examples_.push_back({{packed_tokens.begin() + static_cast<std::ptrdiff_t>(start), packed_tokens.begin() + static_cast<std::ptrdiff_t>(end)},
                           {packed_labels.begin() + static_cast<std::ptrdiff_t>(start), packed_labels.begin() + static_cast<std::ptrdiff_t>(end)}});
      if (end == packed_tokens.size()) break;
    }
  }
  if (examples_.empty())
    throw Error("rig.torch.data.chat", "ChatDataset: '" + options_.path + "' has no records", {}, "path");
}

LMBatch ChatDataset::collate(std::span<const int64_t> indices) const {
  int64_t T = 1, B = static_cast<int64_t>(indices.size());
  for (int64_t i : indices) T = std::max(T, static_cast<int64_t>(examples_[static_cast<size_t>(i)].tokens.size()) - 1);
  Tensor inputs = ::torch::zeros({B, T}, ::torch::kLong);
  Tensor targets = ::torch::full({B, T}, kIgnoreIndex, ::torch::kLong);
  auto in = inputs.accessor<int64_t, 2>();
  auto tg = targets.accessor<int64_t, 2>();
  for (int64_t b = 0; b < B; ++b) {
    const Example& e = examples_[static_cast<size_t>(indices[static_cast<size_t>(b)])];
    int64_t n = static_cast<int64_t>(e.tokens.size()) - 1;
    for (int64_t t = 0; t < n; ++t) {
      in[b][t] = e.tokens[static_cast<size_t>(t)];
      tg[b][t] = e.labels[static_cast<size_t>(t + 1)];  // position t predicts token t + 1
    }
  }
  return {inputs, targets};
}

}  // namespace rig::torch

RIG_COMPONENT(rig::torch::ChatDataset,
              rig::params<std::shared_ptr<rig::torch::Tokenizer>>(rig::arg("tokenizer", "passed by the recipe at the call site") = nullptr),
              rig::options<rig::torch::ChatDatasetOptions>, rig::name("rig.torch.ChatDataset"), rig::interfaces<rig::torch::LMDataset>,
              rig::doc("Alpaca-style or chat (messages) JSON/JSONL through a prompt template; loss on responses only"),
              rig::field_doc("path", "a .jsonl file (one record per line) or a .json list"),
              rig::field_doc("chat_template", "llama3, chatml or alpaca"),
              rig::field_doc("max_seq_len", "tokens per example; longer ones are cut"),
              rig::field_doc("packing", "concatenate examples into max_seq_len windows"),
              rig::field_doc("train_on_prompt", "false: the loss covers the assistant turns only"));
