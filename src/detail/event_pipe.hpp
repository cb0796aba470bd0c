// Parsing on a second thread: libfyaml's scanner runs ahead while the caller builds the tree, so a large input costs
// about max(parse, build) instead of their sum. Events travel in batches; a scalar's text that libfyaml hands out as a
// view into the input stays one, other texts are copied into the batch. Batches are small, made once at full size and
// handed back and forth between the two threads: a load of any size touches the same few hundred kilobytes of
// batches, which stay in cache, instead of fresh growing vectors for every batch.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "detail/fyaml.hpp"

namespace rig::detail::fy {

struct EventBatch {
  struct Raw {
    fy_event_type kind;
    fy_scalar_style style;
    Position position, tag_position;
    uint32_t text_at, text_len, tag_at, tag_len, anchor_at, anchor_len;
    bool text_in_input;  // text_at is an offset into the input, not into `strings`
  };
  std::string_view input;  // the text being parsed
  std::vector<Raw> events;
  std::string strings;

  void add(const EventView& v);
  EventView view(size_t i) const;
};

class EventPipe {
 public:
  // `text` must outlive the pipe.
  EventPipe(std::string_view text, bool json);
  EventPipe(const EventPipe&) = delete;
  EventPipe& operator=(const EventPipe&) = delete;
  ~EventPipe();  // stops the parser thread early when the consumer gave up

  // The next batch of events, in place of `batch` (the previous one, which goes back to the parser thread for reuse);
  // false when the stream ended (then failed()/first_error() are final).
  bool next(EventBatch& batch);
  bool failed() const { return failed_; }
  const std::optional<Diagnostic>& first_error() const { return error_; }

 private:
  void produce(std::string_view text, bool json);

  static constexpr size_t kBatchEvents = 2048;  // 128 KiB of events
  static constexpr size_t kBatchStrings = 16u << 10;
  static constexpr size_t kMaxQueued = 4;

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<EventBatch> queue_;
  std::vector<EventBatch> spare_;  // consumed batches, emptied, for the parser thread to fill again
  bool done_ = false, stop_ = false, failed_ = false;
  std::optional<Diagnostic> error_;
  std::thread thread_;
};

}  // namespace rig::detail::fy
