// rig/torch/hf_recipes.hpp — the `hf` configs of generate, full_finetune and lora_finetune (a Hugging Face
// checkpoint directory instead of a TransformerLM model.pt). The recipes call these when the config has a
// `checkpoint_dir`; configs/<recipe>/hf.yaml are the configs.
//
//   rig run generate --config hf checkpoint_dir=DIR prompt="TEXT" max_new_tokens=N temperature=0 --output-dir OUT
//       OUT/generation.json = {"prompt", "prompt_tokens", "completion_tokens", "completion"}
//   rig run lora_finetune --config hf checkpoint_dir=DIR dataset.path=FILE.jsonl steps=N --output-dir OUT
//   rig run full_finetune --config hf checkpoint_dir=DIR dataset.path=FILE.jsonl steps=N --output-dir OUT
//   rig run --nproc 2 lora_finetune --config hf ...   (data parallel, as the small-model recipes; rank 0 writes)
//       OUT/hf/ (the fine-tuned model in DIR's format, LoRA merged), OUT/metrics.jsonl
//
// device, dtype and autocast (rig/torch/device.hpp) apply as in every recipe, and the top-level `dtype` is the one
// source of the Llama's weight dtype: without autocast the checkpoint's tensors are converted one by one straight
// into it (fp32 or bf16; no float32 copy of the model first), with autocast the weights are fp32 and the forward
// pass runs in dtype. A `dtype` in the model section, or fp16 kept without autocast (the Llama holds fp32 or bf16),
// is a rig.torch.dtype error at its key. The model (with LoRA's adapters), the optimizer state and the batches are
// placed on `device`; generate decodes there. The export OUT/hf writes each tensor in the dtype it had in DIR's
// checkpoint, whatever the training dtype (a bf16-trained model from an fp32 checkpoint is written as fp32 holding
// bf16 values); resumable checkpoints record the model's dtype and load into either (rig/torch/checkpoint.hpp).
// `profiler` (rig/torch/profiler.hpp) profiles the fine-tuning steps, and generate's decoding steps (the prompt's
// forward pass, then one step per new token). Only the CPU was available to test: the CUDA path is written against
// LibTorch's device API (Placement, Tensor::to) and untested.
#pragma once

#include "rig/config.hpp"

namespace rig::torch::hf {

int generate_recipe(const Config& cfg);
// lora: adapters on model.layers.* by cfg["lora"], trained alone, merged into the export.
int finetune_recipe(const Config& cfg, bool lora);

}  // namespace rig::torch::hf
