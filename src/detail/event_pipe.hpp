// Parsing on a second thread: libfyaml's scanner runs ahead while the caller builds the tree, so a large input costs
// about max(parse, build) instead of their sum. Events travel in batches whose strings are copied into the batch.
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
  };
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

  // The next batch of events; false when the stream ended (then failed()/first_error() are final).
  bool next(EventBatch& batch);
  bool failed() const { return failed_; }
  const std::optional<Diagnostic>& first_error() const { return error_; }

 private:
  void produce(std::string_view text, bool json);

  static constexpr size_t kBatchEvents = 8192;
  static constexpr size_t kMaxQueued = 4;

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<EventBatch> queue_;
  bool done_ = false, stop_ = false, failed_ = false;
  std::optional<Diagnostic> error_;
  std::thread thread_;
};

}  // namespace rig::detail::fy
