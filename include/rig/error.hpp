// rig/error.hpp — one error hierarchy for everything rig reports.
//
// Every error has a stable id ("rig.yaml.duplicate_key"), a message, the key path it concerns, the Origin of the
// offending text, an optional hint (usually a did-you-mean) and optional notes pointing at other places. Catch
// rig::Error to handle them all; format() renders a compiler-style diagnostic:
//
//   configs/a.yaml:3:5: error[rig.yaml.duplicate_key]: duplicate key 'lr'
//       3 |   lr: 2
//         |   ^
//     = key: optimizer.lr
//     = note: configs/a.yaml:2:3: first defined here
//
// Ids are part of rig's interface: tests and users match on them, messages may improve. Every id is listed, with what
// it means and an example, in docs/errors.md (generated from tools/errors/catalogue.txt). The class of an error
// follows from its id's family there: rig.yaml.* and rig.json.* are ParseError, rig.type.* TypeError, and so on.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "rig/origin.hpp"

namespace rig {

// Exit statuses used by rig's tools and recipes.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;     // the program itself failed (a recipe threw, a job failed)
inline constexpr int kExitConfigError = 2;  // a config, override or usage error

struct ErrorNote {
  Origin origin;
  std::string message;
};

class Error : public std::runtime_error {
 public:
  Error(std::string id, std::string message, Origin origin = {}, std::string key_path = {}, std::string hint = {});

  const std::string& id() const { return id_; }
  const std::string& message() const { return message_; }
  const Origin& origin() const { return origin_; }
  const std::string& key_path() const { return key_path_; }
  const std::string& hint() const { return hint_; }
  const std::vector<ErrorNote>& notes() const { return notes_; }

  // Builders used while an error travels up: the first key path and origin set win.
  Error& with_key_path(std::string path);
  Error& with_origin(Origin origin);
  Error& with_hint(std::string hint);
  Error& add_note(Origin origin, std::string message);

  virtual int exit_code() const { return kExitConfigError; }

 private:
  void refresh_what();

  std::string id_, message_;
  Origin origin_;
  std::string key_path_, hint_;
  std::vector<ErrorNote> notes_;
};

// Malformed YAML or JSON text (rig.yaml.*, rig.json.*).
class ParseError : public Error {
  using Error::Error;
};
// A value of the wrong kind or out of range for the requested C++ type (rig.type.*).
class TypeError : public Error {
  using Error::Error;
};
// A key path that does not exist, or is malformed (rig.key.*).
class KeyError : public Error {
  using Error::Error;
};
// A MISSING (`???`) value was read (rig.value.missing).
class MissingValueError : public Error {
  using Error::Error;
};
// A configured limit was exceeded: depth, alias expansion, file size (rig.limit.*).
class LimitError : public Error {
  using Error::Error;
};
// The program was called wrongly (rig.usage.*).
class UsageError : public Error {
  using Error::Error;
};
// A file could not be read or written (rig.io.*).
class IoError : public Error {
  using Error::Error;
};

// Several errors reported at once (for example every problem of a whole config). what() lists them all.
class ErrorList : public Error {
 public:
  explicit ErrorList(std::vector<Error> errors);
  const std::vector<Error>& errors() const { return errors_; }

 private:
  std::vector<Error> errors_;
};

struct FormatOptions {
  bool color = false;
};

// Renders `e` as a diagnostic: location, id, message, the source line with a caret, key path, notes, hint.
// An ErrorList renders each of its errors in turn.
std::string format(const Error& e, const FormatOptions& options = {});

// True when diagnostics written to `fd` should be coloured: a TTY, and NO_COLOR unset.
bool use_color(int fd);

// The candidates closest to `word` (Damerau-Levenshtein, case-insensitive), best first, at most `max` of them and
// only those close enough to be plausible typos.
std::vector<std::string> closest(std::string_view word, const std::vector<std::string>& candidates, size_t max = 3);

// "did you mean 'lr'?" / "did you mean 'lr' or 'lr_min'?" — or empty when nothing is close.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace rig
