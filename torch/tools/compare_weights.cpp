// rig_compare_weights A.pt B.pt [RTOL] [ATOL]: exit 0 when every tensor of two saved models (rig::torch::save_model,
// or a Checkpointer file) has the same name, shape and values within torch::allclose(rtol, atol); 1 otherwise, with
// the worst difference printed. Used by the data-parallel tests (2 ranks x batch B vs 1 process x batch 2B).
#include <torch/torch.h>

#include <cstdio>
#include <map>
#include <string>

namespace {

using Tensors = std::map<std::string, at::Tensor>;

void collect(torch::serialize::InputArchive& archive, const std::string& prefix, Tensors& out) {
  for (const auto& key : archive.keys()) {
    std::string name = prefix.empty() ? key : prefix + "." + key;
    at::Tensor t;
    if (archive.try_read(key, t) || archive.try_read(key, t, /*is_buffer=*/true)) {
      out[name] = t;
      continue;
    }
    torch::serialize::InputArchive sub;
    if (archive.try_read(key, sub)) collect(sub, name, out);
  }
}

Tensors load(const char* path) {
  torch::serialize::InputArchive archive;
  archive.load_from(path);
  Tensors out;
  collect(archive, "", out);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s A.pt B.pt [RTOL=1e-5] [ATOL=1e-6]\n", argv[0]);
    return 2;
  }
  double rtol = argc > 3 ? std::stod(argv[3]) : 1e-5, atol = argc > 4 ? std::stod(argv[4]) : 1e-6;
  try {
    Tensors a = load(argv[1]), b = load(argv[2]);
    if (a.empty()) {
      std::fprintf(stderr, "%s holds no tensors\n", argv[1]);
      return 1;
    }
    bool same = a.size() == b.size();
    double worst = 0;
    for (const auto& [name, ta] : a) {
      auto it = b.find(name);
      if (it == b.end() || !ta.sizes().equals(it->second.sizes())) {
        std::fprintf(stderr, "%s: missing or of another shape in %s\n", name.c_str(), argv[2]);
        same = false;
        continue;
      }
      at::Tensor x = ta.to(torch::kFloat64), y = it->second.to(torch::kFloat64);
      worst = std::max(worst, (x - y).abs().max().item<double>());
      if (!torch::allclose(x, y, rtol, atol)) {
        std::fprintf(stderr, "%s differs: max |a-b| = %g\n", name.c_str(), (x - y).abs().max().item<double>());
        same = false;
      }
    }
    std::printf("%zu tensors, max |a-b| = %g: %s\n", a.size(), worst, same ? "same" : "DIFFERENT");
    return same ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rig_compare_weights: %s\n", e.what());
    return 2;
  }
}
