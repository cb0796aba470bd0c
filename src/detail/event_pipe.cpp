#include "detail/event_pipe.hpp"

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
        static_cast<uint32_t>(v.tag_text.size()), 0, static_cast<uint32_t>(v.anchor_text.size())};
  r.text_at = append(strings, v.text);
  r.tag_at = append(strings, v.tag_text);
  r.anchor_at = append(strings, v.anchor_text);
  events.push_back(r);
}

EventView EventBatch::view(size_t i) const {
  const Raw& r = events[i];
  std::string_view s = strings;
  return EventView{r.kind, r.style, r.position, r.tag_position, s.substr(r.text_at, r.text_len), s.substr(r.tag_at, r.tag_len),
                   s.substr(r.anchor_at, r.anchor_len)};
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
  EventBatch batch;
  auto ship = [&]() -> bool {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return stop_ || queue_.size() < kMaxQueued; });
    if (stop_) return false;
    queue_.push_back(std::move(batch));
    batch = EventBatch{};
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
  changed_.wait(lock, [&] { return !queue_.empty() || done_; });
  if (queue_.empty()) return false;
  batch = std::move(queue_.front());
  queue_.pop_front();
  changed_.notify_all();
  return true;
}

}  // namespace rig::detail::fy
