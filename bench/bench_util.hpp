// Generators of synthetic configs shared by rig's benchmarks.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "rig/node.hpp"

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

// 3-way branching, 8 levels deep, `per_leaf_map` leaves at the bottom; every `every`-th leaf is an interpolation to
// a leaf elsewhere (absolute, 8 segments), and each tenth of those is a chain through another interpolation.
inline std::string synthetic_yaml(size_t leaves, size_t interpolations) {
  const size_t bottoms = 2187;  // 3^7
  size_t per = (leaves + bottoms - 1) / bottoms;
  size_t every = leaves / std::max<size_t>(interpolations, 1);
  std::string s;
  s.reserve(leaves * 40);
  size_t leaf = 0;
  auto path_of = [&](size_t bottom, size_t k) {
    std::string p;
    for (int level = 6; level >= 0; --level) {
      size_t d = bottom;
      for (int x = 0; x < level; ++x) d /= 3;
      p += "n" + std::to_string(d % 3) + ".";
    }
    return p + "v" + std::to_string(k);
  };
  for (size_t b = 0; b < bottoms; ++b) {
    for (int level = 6; level >= 0; --level) {
      size_t d = b;
      for (int x = 0; x < level; ++x) d /= 3;
      size_t below = 1;
      for (int x = 0; x < level; ++x) below *= 3;
      if (b % below != 0) continue;
      s.append(static_cast<size_t>(2 * (6 - level)), ' ');
      s += "n" + std::to_string(d % 3) + ":\n";
    }
    for (size_t k = 0; k < per; ++k, ++leaf) {
      s.append(14, ' ');
      s += "v" + std::to_string(k) + ": ";
      if (every && leaf % every == every - 1 && b > 0) {
        size_t target_b = (b * 7919) % b;
        s += "${" + path_of(target_b, k % per) + "}";
        if (leaf % (every * 10) == every - 1) s += "_x";
      } else {
        s += std::to_string(leaf);
      }
      s += '\n';
    }
  }
  return s;
}

// 100 sections x 10 groups x 100 leaves = 100k leaves (+1,100 maps).
inline rig::Node big_config() {
  rig::Node root = rig::Node::map();
  for (int s = 0; s < 100; ++s) {
    rig::Node section = rig::Node::map();
    for (int g = 0; g < 10; ++g) {
      rig::Node group = rig::Node::map();
      for (int k = 0; k < 100; ++k) group.set("key_" + std::to_string(k), k);
      section.set("group_" + std::to_string(g), std::move(group));
    }
    root.set("section_" + std::to_string(s), std::move(section));
  }
  return root;
}

// A mix of forms: ints, floats, strings, quoted strings, lists, dict merges, adds and deletes, spread over the tree.
inline std::vector<std::string> override_args() {
  std::vector<std::string> out;
  for (int i = 0; i < 1000; ++i) {
    // Each override touches its own leaf: section i/10, group i%10, a key spread over the group.
    std::string path = "section_" + std::to_string(i / 10) + ".group_" + std::to_string(i % 10) + ".key_" +
                       std::to_string((i * 13) % 100);
    switch (i % 8) {
      case 0: out.push_back(path + "=" + std::to_string(i)); break;
      case 1: out.push_back(path + "=3.5e-4"); break;
      case 2: out.push_back(path + "=adamw"); break;
      case 3: out.push_back(path + "='quoted, with comma'"); break;
      case 4: out.push_back(path + "=[1, 2, [3, 4]]"); break;
      case 5: out.push_back("+" + path + "_new={a: 1, b: [x, y]}"); break;
      case 6: out.push_back("++" + path + "=${other.key}"); break;
      case 7: out.push_back("~" + path); break;
    }
  }
  return out;
}

}  // namespace rig::bench
