// context.hpp, and rig::torch (LibTorch) for the examples that use it.
#pragma once

#include "context.hpp"

#include <torch/torch.h>

#include "rig/torch/chat_data.hpp"
#include "rig/torch/checkpoint.hpp"
#include "rig/torch/csv.hpp"
#include "rig/torch/data.hpp"
#include "rig/torch/device.hpp"
#include "rig/torch/distributed.hpp"
#include "rig/torch/hf.hpp"
#include "rig/torch/hf_tokenizer.hpp"
#include "rig/torch/image.hpp"
#include "rig/torch/llama.hpp"
#include "rig/torch/logger.hpp"
#include "rig/torch/lora.hpp"
#include "rig/torch/model.hpp"
#include "rig/torch/profiler.hpp"
#include "rig/torch/recipe.hpp"
#include "rig/torch/safetensors.hpp"
#include "rig/torch/tensorboard.hpp"
#include "rig/torch/text.hpp"
#include "rig/torch/threads.hpp"
#include "rig/torch/train.hpp"

namespace rt = rig::torch;
using Module = ::torch::nn::Module;
using Tensor = ::torch::Tensor;

// The reader's training program (declared only).
extern std::shared_ptr<rt::TransformerLM> model;
extern std::shared_ptr<const rt::TensorDataset> train_set;
extern rt::DataLoader<rt::TensorDataset> loader;
extern rt::CrossEntropyLoss loss_fn;
extern rt::AdamW optimizer, opt;
extern rt::CosineWithWarmup sched;
extern std::unique_ptr<rt::LRScheduler> scheduler;
extern rt::Checkpointer checkpointer;
extern rt::MultiLogger logger;
extern rt::ClassBatch batch;
extern ::torch::Tensor loss, logits, tokens, prompt, next;
extern std::shared_ptr<const rt::Tokenizer> tokenizer;
extern std::vector<int64_t> indices;
extern rig::Config config;
extern int64_t step, steps, B;
extern uint64_t seed;
extern double loss_value;
void train_step();
extern bool resume;
