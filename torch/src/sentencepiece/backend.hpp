// The SentencePiece backend, behind a small virtual interface.
//
// Why: Debian's libsentencepiece carries its own copy of protobuf 3.14 and exports it, while LibTorch loads the
// system libprotobuf 3.21. Linked into one symbol namespace, one library's calls bind to the other's copy and the
// process aborts (protobuf version check, or a crash in static initialisers). So libsentencepiece is only ever
// loaded by the module librig_sentencepiece.so, opened with dlopen(RTLD_LOCAL | RTLD_DEEPBIND): it binds to its own
// protobuf and nobody else sees it. Calls cross through this vtable (no symbol lookup).
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

namespace rig::torch::detail {

class SentencePieceBackend {
 public:
  virtual ~SentencePieceBackend() = default;
  // Each returns an error message, empty on success.
  virtual std::string load(const std::string& path) = 0;
  virtual std::string load_serialized(const std::string& serialized) = 0;
  // Trains on `text`, one sentence per non-empty line, and loads the result; `serialized` receives the model.
  virtual std::string train(const std::unordered_map<std::string, std::string>& args, const std::string& text,
                            std::string* serialized) = 0;
  virtual std::string encode(const std::string& text, std::vector<int>* ids) const = 0;
  virtual std::string decode(const std::vector<int>& ids, std::string* text) const = 0;
  virtual int piece_size() const = 0;
  virtual int eos_id() const = 0;
  virtual std::string serialized() const = 0;
};

}  // namespace rig::torch::detail

// Exported by librig_sentencepiece.so.
extern "C" rig::torch::detail::SentencePieceBackend* rig_sentencepiece_backend_new();
