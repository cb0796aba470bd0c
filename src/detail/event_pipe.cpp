#include "detail/event_pipe.hpp"

#include <cstdint>

namespace rig::detail::fy {

namespace {
uint32_t append(std::string& to, std::string_view s) {
  auto at = static_cast<uint32_t>(to.size());
  to.append(s);
  return at;
}
}  // namespace

void EventBatch::add(const EventView& v) {
  Raw r{v.kind, v.scalar_style, v.position, v.tag_position, 0, static_cast<uint32_t>(v.text.size()), 0,
        static_cast<uint32_t>(v.tag_text.size()), 0, static_cast<uint32_t>(v.anchor_text.size()), false};
  // Compared as addresses: the text is a view into the input or lies elsewhere entirely.
  auto at = reinterpret_cast<uintptr_t>(v.text.data()), begin = reinterpret_cast<uintptr_t>(input.data());
  r.text_in_input = !v.text.empty() && at >= begin && at + v.text.size() <= begin + input.size() &&
                    at - begin <= UINT32_MAX;
  r.text_at = r.text_in_input ? static_cast<uint32_t>(at - begin) : append(strings, v.text);
  if (!v.tag_text.empty()) r.tag_at = append(strings, v.tag_text);  // rare: most events have neither
  if (!v.anchor_text.empty()) r.anchor_at = append(strings, v.anchor_text);
  events.push_back(r);
}

EventView EventBatch::view(size_t i) const {
  const Raw& r = events[i];
  std::string_view s = strings;
  return EventView{r.kind, r.style, r.position, r.tag_position, (r.text_in_input ? input : s).substr(r.text_at, r.text_len),
                   s.substr(r.tag_at, r.tag_len), s.substr(r.anchor_at, r.anchor_len)};
}

EventPipe::EventPipe(std::string_view text, bool json) : thread_([this, text, json] { produce(text, json); }) {}

EventPipe::~EventPipe() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void EventPipe::produce(std::string_view text, bool json) {
  Parser parser(text, json);
  auto fresh = [&] {
    EventBatch b;
    b.input = text;
    b.events.reserve(kBatchEvents);
    b.strings.reserve(kBatchStrings);
    return b;
  };
  EventBatch batch = fresh();
  auto ship = [&]() -> bool {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return stop_ || queue_.size() < kMaxQueued; });
    if (stop_) return false;
    queue_.push_back(std::move(batch));
    if (spare_.empty()) {
      batch = fresh();
    } else {
      batch = std::move(spare_.back());
      spare_.pop_back();
    }
    changed_.notify_all();
    return true;
  };
  for (;;) {
    Event ev = parser.next();
    if (!ev) break;
    batch.add(ev.view());
    if (batch.events.size() == kBatchEvents && !ship()) return;
  }
  if (!batch.events.empty() && !ship()) return;
  std::lock_guard lock(mutex_);
  failed_ = parser.failed();
  if (failed_) error_ = parser.first_error();
  done_ = true;
  changed_.notify_all();
}

bool EventPipe::next(EventBatch& batch) {
  std::unique_lock lock(mutex_);
  if (batch.events.capacity() != 0) {  // the batch the caller is done with
    batch.events.clear();
    batch.strings.clear();
    spare_.push_back(std::move(batch));
  }
  changed_.wait(lock, [&] { return !queue_.empty() || done_; });
  if (queue_.empty()) return false;
  batch = std::move(queue_.front());
  queue_.pop_front();
  changed_.notify_all();
  return true;
}

}  // namespace rig::detail::fy
