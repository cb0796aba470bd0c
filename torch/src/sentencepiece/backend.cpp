// librig_sentencepiece.so: the only code that touches libsentencepiece (see backend.hpp for why).
#include "backend.hpp"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <sstream>

namespace rig::torch::detail {
namespace {

std::string message(const sentencepiece::util::Status& status) { return status.ok() ? "" : status.ToString(); }

// Feeds the trainer line by line from memory.
class LineIterator : public sentencepiece::SentenceIterator {
 public:
  explicit LineIterator(const std::string& text) : in_(text) { Next(); }
  bool done() const override { return done_; }
  void Next() override {
    do {
      if (!std::getline(in_, line_)) {
        done_ = true;
        return;
      }
    } while (line_.empty());
  }
  const std::string& value() const override { return line_; }
  sentencepiece::util::Status status() const override { return {}; }

 private:
  std::istringstream in_;
  std::string line_;
  bool done_ = false;
};

class Backend : public SentencePieceBackend {
 public:
  std::string load(const std::string& path) override { return message(processor_.Load(path)); }
  std::string load_serialized(const std::string& serialized) override {
    return message(processor_.LoadFromSerializedProto(serialized));
  }
  std::string train(const std::unordered_map<std::string, std::string>& args, const std::string& text,
                    std::string* serialized) override {
    LineIterator lines(text);
    std::string error = message(sentencepiece::SentencePieceTrainer::Train(args, &lines, serialized));
    return error.empty() ? load_serialized(*serialized) : error;
  }
  std::string encode(const std::string& text, std::vector<int>* ids) const override {
    return message(processor_.Encode(text, ids));
  }
  std::string decode(const std::vector<int>& ids, std::string* text) const override {
    return message(processor_.Decode(ids, text));
  }
  int piece_size() const override { return processor_.GetPieceSize(); }
  int eos_id() const override { return processor_.eos_id(); }
  std::string serialized() const override { return processor_.serialized_model_proto(); }

 private:
  sentencepiece::SentencePieceProcessor processor_;
};

}  // namespace
}  // namespace rig::torch::detail

extern "C" __attribute__((visibility("default"))) rig::torch::detail::SentencePieceBackend*
rig_sentencepiece_backend_new() {
  return new rig::torch::detail::Backend();
}
