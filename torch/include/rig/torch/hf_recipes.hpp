// rig/torch/hf_recipes.hpp — the `hf` configs of generate, full_finetune and lora_finetune (a Hugging Face
// checkpoint directory instead of a TransformerLM model.pt). The recipes call these when the config has a
// `checkpoint_dir`; configs/<recipe>/hf.yaml are the configs.
//
//   rig run generate --config hf checkpoint_dir=DIR prompt="TEXT" max_new_tokens=N temperature=0 --output-dir OUT
//       OUT/generation.json = {"prompt", "prompt_tokens", "completion_tokens", "completion"}
//   rig run lora_finetune --config hf checkpoint_dir=DIR dataset.path=FILE.jsonl steps=N --output-dir OUT
//   rig run full_finetune --config hf checkpoint_dir=DIR dataset.path=FILE.jsonl steps=N --output-dir OUT
//       OUT/hf/ (the fine-tuned model in DIR's format, LoRA merged), OUT/metrics.jsonl
#pragma once

#include "rig/config.hpp"

namespace rig::torch::hf {

int generate_recipe(const Config& cfg);
// lora: adapters on model.layers.* by cfg["lora"], trained alone, merged into the export.
int finetune_recipe(const Config& cfg, bool lora);

}  // namespace rig::torch::hf
