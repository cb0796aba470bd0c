// Block scalars (`|` literal, `>` folded) decoded from the input, YAML 1.2 section 8.1. libfyaml 0.7.12's
// fy_token_get_text returns wrong text for some of them (a root scalar whose header is indented loses trailing
// breaks, an empty one at the end of the input reads as a NUL byte), so rig decodes every block scalar itself from
// the bytes libfyaml's token covers. Where that token covers more than the scalar (libfyaml takes the lines after an
// empty scalar, at its parent's indentation, as its content), the parser reads the text again with an explicit
// indentation indicator (detail/fyaml.cpp).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rig::detail {

struct BlockScalarSpan {
  size_t header = 0;         // offset of the '|' or '>' indicator
  size_t begin = 0;          // the line after the header
  size_t end = 0;            // where to stop reading at the latest (the scalar ends by itself before it)
  int parent_indent = -1;    // column of the innermost enclosing block collection; -1 at the document's root
  bool added_indicator = false;  // the header's indentation indicator is rig's (fyaml.cpp), not the input's
};

// Where an indentation indicator would keep libfyaml from taking the following lines as a block scalar's text: each
// header in [from, input.size()) ending its line (before any comment) whose next non-empty line is indented by at
// least one space but not deeper than the header's line, so the scalar is empty. Returns (offset of the '|' or '>',
// the indicator: deep enough for the white space lines in between). Candidates only: the parser confirms each.
std::vector<std::pair<size_t, int>> empty_block_headers(std::string_view input, size_t from);

// The offset of the block scalar indicator at or after `from`, skipping white space, line breaks, comments and the
// indicators that may precede a node (`-`, `?`, `:`), or npos when none comes before `limit`.
size_t find_block_header(std::string_view input, size_t from, size_t limit);

struct DecodedBlockScalar {
  std::string text;
  int indent = 0;        // the content's indentation
  bool explicit_indent;  // given by an indentation indicator rather than detected
  // Where the scalar ends: the first line that is neither empty nor indented enough, a document marker, or span.end.
  size_t end = 0;
};

// The scalar's value: header indicators (chomping, explicit indentation), content indentation (explicit or
// detected from the first non-empty line), literal lines kept, folded lines joined per 8.1.3, trailing breaks
// chomped per 8.1.1.2. Line breaks (LF, CRLF, CR) become LF.
DecodedBlockScalar decode_block_scalar(std::string_view input, const BlockScalarSpan& span);

}  // namespace rig::detail
