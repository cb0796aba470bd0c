// rig/torch/chat_data.hpp — instruction and chat data for fine-tuning, through a prompt template.
//
//   auto data = std::make_shared<rig::torch::ChatDataset>(
//       rig::torch::ChatDatasetOptions{.path = "data.jsonl", .chat_template = "llama3", .max_seq_len = 512}, tokenizer);
//   rig::torch::LMBatch b = data->collate(indices);   // targets are kIgnoreIndex on prompt tokens and padding
//
// Records (JSON Lines, or a .json file holding a list of them), either
//   Alpaca-style   {"instruction": str, "input": str (optional), "output": str}
//   chat           {"messages": [{"role": "system"|"user"|"assistant", "content": str}, ...]}
// Templates (chat_template):
//   llama3   <|start_header_id|>ROLE<|end_header_id|>\n\nCONTENT<|eot_id|> per message
//   chatml   <|im_start|>ROLE\nCONTENT<|im_end|>\n per message (Qwen2)
//   alpaca   "Below is an instruction ... ### Instruction:\n...\n\n### Input:\n...\n\n### Response:\n" + output + eos
// An Alpaca record is the chat [user: instruction (+ "\n\n" + input), assistant: output]; a chat record under the
// alpaca template uses its user turns as the instruction and its assistant turns as responses. Every example starts
// with the tokenizer's post-processor prefix (a BOS, rig/torch/hf_tokenizer.hpp). The loss covers the assistant
// turns only (their content and end token) unless train_on_prompt. Each message's prompt and response parts are
// tokenized separately (as torchtune tokenizes message by message). Examples are cut to max_seq_len tokens; with
// `packing`, all examples are concatenated and cut into windows of max_seq_len tokens, each starting at the previous
// window's last token, so that every token but the very first is a target exactly once (no padding; attention is not
// masked at example boundaries). The llama3 and chatml markers must be special (added) tokens of the tokenizer (as in
// Llama 3's and Qwen2's tokenizer.json), else rig.torch.data.chat_template at chat_template: tokenized as plain text,
// they would make a silently different prompt. Errors are located at the record's line: rig.torch.data.chat,
// rig.io.read.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "rig/torch/data.hpp"
#include "rig/torch/text.hpp"

namespace rig::torch {

struct ChatDatasetOptions {
  std::string path = "";
  std::string chat_template = "llama3";  // llama3 | chatml | alpaca
  int64_t max_seq_len = 512;
  bool packing = false;
  bool train_on_prompt = false;
};

class ChatDataset : public LMDataset {
 public:
  ChatDataset(ChatDatasetOptions options, std::shared_ptr<const Tokenizer> tokenizer);
  int64_t size() const override { return static_cast<int64_t>(examples_.size()); }
  LMBatch collate(std::span<const int64_t> indices) const override;

  struct Example {
    std::vector<int64_t> tokens;
    std::vector<int64_t> labels;  // the token where the loss applies, else kIgnoreIndex
  };
  const std::vector<Example>& examples() const { return examples_; }

 private:
  ChatDatasetOptions options_;
  std::vector<Example> examples_;
};

}  // namespace rig::torch
