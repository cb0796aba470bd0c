// Generators of synthetic configs shared by rig's benchmarks.
#pragma once

#include <cstdint>
#include <string>

namespace rig::bench {

// A flat map of `keys` entries of mixed scalar types.
inline std::string flat_map_yaml(size_t keys) {
  std::string s;
  s.reserve(keys * 24);
  for (size_t i = 0; i < keys; ++i) {
    s += "key_" + std::to_string(i) + ": ";
    switch (i % 4) {
      case 0: s += std::to_string(i); break;
      case 1: s += std::to_string(i) + ".5"; break;
      case 2: s += "value_" + std::to_string(i); break;
      default: s += (i % 8 == 3) ? "true" : "null"; break;
    }
    s += '\n';
  }
  return s;
}

// A torchtune-like config repeated until it is about `bytes` long: nested maps, lists, components, interpolations.
inline std::string large_config_yaml(size_t bytes) {
  std::string s;
  s.reserve(bytes + 4096);
  for (size_t block = 0; s.size() < bytes; ++block) {
    std::string b = "block_" + std::to_string(block);
    s += b + ":\n";
    s += "  model:\n    _component_: rig.torch.TransformerLM\n    dim: 4096\n    n_layers: 32\n"
         "    n_heads: 32\n    dropout: 0.1\n    lora_attn_modules: [q_proj, v_proj, output_proj]\n";
    s += "  optimizer:\n    _component_: rig.torch.AdamW\n    lr: 3.0e-4\n    weight_decay: 0.01\n"
         "    betas: [0.9, 0.999]\n    fused: true\n";
    s += "  checkpointer:\n    checkpoint_dir: /tmp/Meta-Llama-3.1-8B-Instruct/\n    checkpoint_files:\n"
         "      - model-00001-of-00004.safetensors\n      - model-00002-of-00004.safetensors\n"
         "    output_dir: ${output_dir}\n    model_type: LLAMA3\n";
    s += "  dataset:\n    _component_: rig.data.alpaca\n    packed: false\n    split: \"train[:95%]\"\n"
         "  seed: null\n  shuffle: true\n  batch_size: 4\n  epochs: 1\n  max_steps_per_epoch: null\n"
         "  gradient_accumulation_steps: 8\n  compile: false\n";
  }
  return s;
}

// A chain of `depth` nested maps, each with a few scalar siblings.
inline std::string deep_yaml(size_t depth) {
  std::string s;
  for (size_t d = 0; d < depth; ++d) {
    std::string pad(d * 2, ' ');
    s += pad + "x" + std::to_string(d) + ": " + std::to_string(d) + "\n";
    s += pad + "level_" + std::to_string(d) + ":\n";
  }
  s += std::string(depth * 2, ' ') + "leaf: true\n";
  return s;
}

// `groups` maps of `leaves` leaves each: groups * (leaves + 1) + 1 nodes. `salt` changes the values.
inline std::string grouped_yaml(size_t groups, size_t leaves, int salt) {
  std::string s;
  for (size_t g = 0; g < groups; ++g) {
    s += "g" + std::to_string(g) + ":\n";
    for (size_t l = 0; l < leaves; ++l)
      s += "  k" + std::to_string(l) + (l % 2 ? "_" + std::to_string(salt) : "") + ": " +
           std::to_string(l * static_cast<size_t>(salt)) + "\n";
  }
  return s;
}

}  // namespace rig::bench
