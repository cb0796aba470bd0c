// rig/torch/hf.hpp — Llama-family checkpoints in Hugging Face format: load, validate, export.
//
//   auto info  = rig::torch::hf::read_config("ckpt/");       // config.json -> LlamaConfig, eos/bos ids
//   auto model = rig::torch::hf::load("ckpt/", {.dtype = "float32"});
//   rig::torch::hf::save(*model, "out/hf", "ckpt/");         // same layout; tokenizer files copied from ckpt/
//
// A checkpoint directory holds config.json (architectures LlamaForCausalLM, MistralForCausalLM or Qwen2ForCausalLM),
// the weights as model.safetensors or shards listed by model.safetensors.index.json (F32, F16 or BF16), and the
// tokenizer (tokenizer.json or tokenizer.model, rig/torch/bpe.hpp). Everything is validated before a weight is
// copied: an unknown architecture, a missing, unexpected or mis-shaped tensor, a dtype rig cannot load, a
// config.json that disagrees with the `expect`ed shape, a malformed or truncated safetensors file. Errors are
// rig::Error located in config.json, the index or the safetensors header (rig.torch.hf.*, rig.torch.safetensors.*).
//
// Loading memory-maps each file and copies tensor by tensor into the model's parameters, releasing the file's pages
// as it goes: peak memory is the model plus one tensor. The export writes each tensor in its checkpoint dtype, so
// load -> save reproduces the tensors bit for bit (a bfloat16 checkpoint loaded as float32 converts back exactly).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rig/node.hpp"
#include "rig/torch/llama.hpp"

namespace rig::torch::hf {

struct CheckpointInfo {
  std::filesystem::path dir;
  Node config_json;  // as read (the export writes it back, with any changed field updated)
  std::string architecture;
  LlamaConfig config;
  std::vector<int64_t> eos_token_ids;  // config.json's eos_token_id (an int or a list); may be empty
  std::optional<int64_t> bos_token_id;
  std::string torch_dtype;  // config.json's, or "float32"
};

// Reads and checks DIR/config.json.
CheckpointInfo read_config(const std::filesystem::path& dir);

struct LoadOptions {
  std::string dtype = "float32";  // the model's weights: float32 | bfloat16
  bool activation_checkpointing = false;
  // The shape the config expects the checkpoint to have; config.json must agree (rig.torch.hf.config_mismatch):
  //   null                 no expectation
  //   "llama3_2_1b"        a registered builder's shape (rig.torch.llama3_2_1b, ...): every architecture field
  //   {hidden_size: 2048, num_key_value_heads: 8, ...}   LlamaConfig fields: those given
  Node shape = {};
};

// The model described by DIR/config.json with DIR's weights (rig.torch.HFLlama in a config).
std::shared_ptr<Llama> load(const std::filesystem::path& dir, const LoadOptions& options = {});
// The same, when config.json agrees with `expect` (the recipe's shape) in every field.
std::shared_ptr<Llama> load(const std::filesystem::path& dir, const LoadOptions& options, const LlamaConfig& expect);

// Writes DIR/config.json, DIR/model.safetensors and copies the tokenizer files of `source` (when given). Tensors are
// written in the dtype each had in the checkpoint `model` was loaded from (else the model's), LoRA adapters merged
// first if present (the model itself is left as it was).
void save(Llama& model, const std::filesystem::path& dir, const std::filesystem::path& source = {});

}  // namespace rig::torch::hf
