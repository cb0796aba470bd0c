// hf_probe: what the Hugging Face checkpoint tests (torch/tests/hf_checkpoint_test.py) ask of rig, one command each.
//
//   hf_probe logits DIR OUT.f32 ID...          forward pass (no cache) of one sequence; raw float32 [T, vocab]
//   hf_probe generate DIR N cache|nocache ID...  greedy continuation; prints the new ids
//   hf_probe encode DIR FILE                    tokenizes FILE's texts (separated by NUL bytes); one line of ids each,
//                                                then decodes them again and fails unless the text comes back
//   hf_probe decode DIR ID...                   the ids' text (bytes as decode gives them), then a newline
//   hf_probe export SRC DST [bfloat16]          load SRC (as float32, or bfloat16) and write it to DST
//   hf_probe check DIR                          load DIR; print rig's error and exit 2 when it fails
//   hf_probe chat TOKDIR DATA TEMPLATE MAX_SEQ_LEN:PACKING:TRAIN_ON_PROMPT...
//                                               rig.torch.ChatDataset's examples for each option set (e.g. 512:0:1),
//                                               each set's after a line "--": per example a line of token ids, then
//                                               a line of labels (-100 where the loss does not apply)
//
// Errors are printed as rig formats them (file:line:col: error[id]: ...).
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "rig/error.hpp"
#include "rig/torch/chat_data.hpp"
#include "rig/torch/hf.hpp"
#include "rig/torch/hf_tokenizer.hpp"

namespace {

std::vector<int64_t> ids_from(char** argv, int from, int argc) {
  std::vector<int64_t> ids;
  for (int i = from; i < argc; ++i) ids.push_back(std::stoll(argv[i]));
  return ids;
}

int run(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: hf_probe logits|generate|encode|export|check DIR ...\n");
    return 2;
  }
  std::string cmd = argv[1], dir = argv[2];
  if (cmd == "logits" && argc >= 5) {
    auto model = rig::torch::hf::load(dir);
    ::torch::NoGradGuard no_grad;
    model->eval();
    auto ids = ids_from(argv, 4, argc);
    torch::Tensor logits = model->forward(torch::tensor(ids, torch::kLong).unsqueeze(0))[0].contiguous();
    std::ofstream out(argv[3], std::ios::binary);
    out.write(reinterpret_cast<const char*>(logits.data_ptr<float>()),
              static_cast<std::streamsize>(logits.numel() * sizeof(float)));
    return out ? 0 : 1;
  }
  if (cmd == "generate" && argc >= 6) {
    auto model = rig::torch::hf::load(dir);
    rig::torch::LlamaGenerateOptions o{.max_new_tokens = std::stoll(argv[3]), .use_cache = std::string(argv[4]) == "cache"};
    for (int64_t id : rig::torch::generate(*model, ids_from(argv, 5, argc), o)) std::printf("%lld ", static_cast<long long>(id));
    std::printf("\n");
    return 0;
  }
  if (cmd == "encode" && argc == 4) {
    rig::torch::HFTokenizer tok({.path = dir});
    std::ifstream in(argv[3], std::ios::binary);
    std::stringstream buf;
    buf << in.rdbuf();
    std::string all = buf.str();
    size_t start = 0;
    while (start <= all.size()) {
      size_t end = all.find('\0', start);
      if (end == std::string::npos) end = all.size();
      std::string text = all.substr(start, end - start);
      auto ids = tok.encode(text);
      for (int64_t id : ids) std::printf("%lld ", static_cast<long long>(id));
      std::printf("\n");
      if (tok.decode(tok.encode_raw(text)) != text) {
        std::fprintf(stderr, "decode(encode_raw(text)) != text for text #%zu\n", start);
        return 1;
      }
      start = end + 1;
    }
    return 0;
  }
  if (cmd == "decode" && argc >= 3) {
    rig::torch::HFTokenizer tok({.path = dir});
    std::string text = tok.decode(ids_from(argv, 3, argc));
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::printf("\n");
    return 0;
  }
  if (cmd == "export" && argc >= 4) {
    auto model = rig::torch::hf::load(dir, {.dtype = argc >= 5 ? argv[4] : "float32"});
    rig::torch::hf::save(*model, argv[3], dir);
    return 0;
  }
  if (cmd == "chat" && argc >= 6) {
    auto tok = std::make_shared<rig::torch::HFTokenizer>(rig::torch::HFTokenizerOptions{.path = dir});
    for (int i = 5; i < argc; ++i) {
      std::string set = argv[i];  // MAX_SEQ_LEN:PACKING:TRAIN_ON_PROMPT
      size_t a = set.find(':'), b = set.rfind(':');
      rig::torch::ChatDataset data({.path = argv[3], .chat_template = argv[4], .max_seq_len = std::stoll(set.substr(0, a)),
                                    .packing = set.substr(a + 1, b - a - 1) == "1", .train_on_prompt = set.substr(b + 1) == "1"},
                                   tok);
      std::printf("--\n");
      for (const auto& ex : data.examples())
        for (const auto* ids : {&ex.tokens, &ex.labels}) {
          for (int64_t id : *ids) std::printf("%lld ", static_cast<long long>(id));
          std::printf("\n");
        }
    }
    return 0;
  }
  if (cmd == "check" && argc == 3) {
    rig::torch::hf::load(dir);
    return 0;
  }
  std::fprintf(stderr, "hf_probe: bad command line\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const rig::Error& e) {
    std::cerr << rig::format(e) << "\n";
    return e.exit_code();
  }
}
