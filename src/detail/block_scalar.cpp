#include "detail/block_scalar.hpp"

#include <algorithm>
#include <utility>

namespace rig::detail {

namespace {

bool is_break(char c) { return c == '\n' || c == '\r'; }

// A cursor over the scalar's bytes [p, end) that knows its column.
struct Cursor {
  std::string_view in;
  size_t p, end;
  int column = 0;

  int peek() const { return p < end ? static_cast<unsigned char>(in[p]) : -1; }
  bool at_break() const { return p < end && is_break(in[p]); }
  // Consumes one line break (CRLF counts as one) and returns it as "\n", or "" at the end.
  std::string_view line_break() {
    if (!at_break()) return {};
    if (in[p] == '\r' && p + 1 < end && in[p + 1] == '\n') ++p;
    ++p;
    column = 0;
    return "\n";
  }
  // `---` or `...` at the start of a line, then white space or the end: a document marker ends any scalar.
  bool at_document_marker() const {
    if (column != 0 || p + 3 > end) return false;
    std::string_view three = in.substr(p, 3);
    if (three != "---" && three != "...") return false;
    return p + 3 == end || in[p + 3] == ' ' || in[p + 3] == '\t' || is_break(in[p + 3]);
  }
  void skip_spaces_below(int indent) {
    while (column < indent && peek() == ' ') {
      ++p;
      ++column;
    }
  }
  // Empty lines (spaces up to the indentation, then a break) as one "\n" each; stops at the first content line.
  std::string breaks(int indent) {
    std::string out;
    skip_spaces_below(indent);
    while (at_break()) {
      out += line_break();
      skip_spaces_below(indent);
    }
    return out;
  }
};

}  // namespace

std::vector<std::pair<size_t, int>> empty_block_headers(std::string_view in, size_t from) {
  std::vector<std::pair<size_t, int>> out;
  auto line_end = [&](size_t p) {
    while (p < in.size() && !is_break(in[p])) ++p;
    return p;
  };
  auto next_line = [&](size_t eol) { return eol < in.size() && in[eol] == '\r' && eol + 1 < in.size() && in[eol + 1] == '\n' ? eol + 2 : eol + 1; };
  auto indent_of = [&](size_t p, size_t eol) {
    size_t q = p;
    while (q < eol && in[q] == ' ') ++q;
    return q - p;
  };
  size_t p = from;
  while (p > 0 && !is_break(in[p - 1])) --p;
  for (; p < in.size(); p = next_line(line_end(p))) {
    size_t eol = line_end(p);
    std::string_view line = in.substr(p, eol - p);
    // The header ends the line, or the part before a comment.
    size_t stop = line.size();
    for (size_t i = 1; i < line.size(); ++i)
      if (line[i] == '#' && (line[i - 1] == ' ' || line[i - 1] == '\t')) {
        stop = i;
        break;
      }
    std::string_view head = line.substr(0, stop);
    while (!head.empty() && (head.back() == ' ' || head.back() == '\t')) head.remove_suffix(1);
    if (!head.empty() && (head.back() == '-' || head.back() == '+')) head.remove_suffix(1);
    if (head.empty() || (head.back() != '|' && head.back() != '>')) continue;
    size_t at = p + head.size() - 1;
    if (at < from || (head.size() > 1 && head[head.size() - 2] != ' ' && head[head.size() - 2] != '\t')) continue;
    size_t own = indent_of(p, eol), widest = 0;
    for (size_t q = next_line(eol); q < in.size(); q = next_line(line_end(q))) {
      size_t qe = line_end(q), spaces = indent_of(q, qe);
      if (q + spaces == qe) {  // spaces only
        widest = std::max(widest, spaces);
        continue;
      }
      if (spaces >= 1 && spaces <= own) {
        size_t m = std::max<size_t>(1, widest > own ? widest - own : 1);
        if (m <= 9) out.emplace_back(at, static_cast<int>(m));
      }
      break;
    }
  }
  return out;
}

size_t find_block_header(std::string_view input, size_t from, size_t limit) {
  limit = std::min(limit, input.size());
  bool after_space = true;  // a '#' starts a comment only at the start of a line or after white space
  for (size_t i = from; i < limit; ++i) {
    char c = input[i];
    if (c == '|' || c == '>') return i;
    if (c == '#' && after_space) {
      while (i < limit && !is_break(input[i])) ++i;
      after_space = true;
      continue;
    }
    after_space = c == ' ' || c == '\t' || is_break(c);
  }
  return std::string_view::npos;
}

DecodedBlockScalar decode_block_scalar(std::string_view in, const BlockScalarSpan& span) {
  // A last line without a line break reads as if it had one, as libfyaml and the YAML test suite have it (L24T/01,
  // JEF9/02: `foo: |` then `  x` then spaces at the end give "x\n \n"); PyYAML leaves the break out.
  if (span.end == in.size() && span.begin < in.size() && !is_break(in.back())) {
    std::string terminated(in);
    terminated += '\n';
    BlockScalarSpan whole = span;
    whole.end = terminated.size();
    DecodedBlockScalar out = decode_block_scalar(terminated, whole);
    out.end = std::min(out.end, in.size());
    return out;
  }
  const bool folded = in[span.header] == '>';
  enum { kClip, kStrip, kKeep } chomp = kClip;
  int increment = 0;
  for (size_t i = span.header + 1; i < in.size() && i <= span.header + 2; ++i) {
    char c = in[i];
    if ((c == '-' || c == '+') && chomp == kClip) chomp = c == '-' ? kStrip : kKeep;
    else if (c >= '1' && c <= '9' && increment == 0) increment = c - '0';
    else break;
  }

  if (span.added_indicator) increment = 0;

  Cursor cur{in, span.begin, std::min(span.end, in.size())};
  size_t line_start = span.begin;
  while (line_start > 0 && !is_break(in[line_start - 1])) --line_start;
  cur.column = static_cast<int>(span.begin - line_start);

  std::string out, breaks;
  int indent;
  if (increment == 0) {
    // Auto-detection: the indentation of the first non-empty line (leading empty lines may not be deeper).
    int max_indent = 0;
    while (cur.peek() == ' ' || cur.at_break()) {
      if (cur.peek() == ' ') {
        ++cur.p;
        ++cur.column;
      } else {
        breaks += cur.line_break();
      }
      max_indent = std::max(max_indent, cur.column);
    }
    indent = std::max(span.parent_indent + 1, max_indent);
    // At a document's root the content may start at column 0 (yaml-test-suite DK3J: `--- >` then `line1`), but a
    // first line there that starts with '#' is a comment that ends an empty scalar, as libfyaml and PyYAML read it.
    if (indent == 0 && cur.peek() == '#') indent = 1;
  } else {
    indent = std::max(span.parent_indent, 0) + increment;
    breaks = cur.breaks(indent);
  }

  std::string_view last_break;  // the break after the last content line: what clipping keeps
  while (cur.column == indent && cur.peek() != -1 && !cur.at_document_marker()) {
    out += breaks;
    const bool leading_space = cur.peek() == ' ' || cur.peek() == '\t';
    size_t eol = cur.p;
    while (eol < cur.end && !is_break(in[eol])) ++eol;
    out.append(in.substr(cur.p, eol - cur.p));
    cur.p = eol;
    last_break = cur.line_break();
    breaks = cur.breaks(indent);
    if (cur.column != indent || cur.peek() == -1 || cur.at_document_marker()) break;
    // Folding (8.1.3): a break between two lines that do not start with white space becomes a space, or
    // disappears when empty lines follow it; around more-indented lines every break is kept.
    if (folded && !leading_space && cur.peek() != ' ' && cur.peek() != '\t') {
      if (breaks.empty()) out += ' ';
    } else {
      out += last_break;
    }
  }
  if (chomp != kStrip) out += last_break;
  if (chomp == kKeep) out += breaks;
  return {std::move(out), indent, increment != 0, cur.p};
}

}  // namespace rig::detail
