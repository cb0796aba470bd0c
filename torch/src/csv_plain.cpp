// CSV files read with libcsv (rig/torch/csv.hpp).
#include <csv.h>

#include <algorithm>
#include <array>
#include <string_view>

#include "rig/error.hpp"
#include "rig/torch/csv.hpp"
#include "rig/yaml.hpp"

namespace rig::torch {
namespace {

// The parse's state, shared with libcsv's callbacks: the cells of the current row and where the next one starts.
struct Reader {
  CSVTable table;
  std::vector<CSVCell> row;
  bool first_row = true;
  bool field_pending = true;  // the next byte starts a field
  bool row_start = true;      // between rows: line breaks are no field
  uint32_t start_line = 1, start_column = 1;
  uint32_t line = 1, column = 1;  // of the byte being fed

  void field(std::string_view text) {
    row.push_back({std::string(text), start_line, start_column});
    field_pending = true;
  }
  void end_row() {
    // A line of blanks alone is a blank line, not a row of one empty cell.
    if (!(row.size() == 1 && row[0].text.find_first_not_of(" \t") == std::string::npos)) {
      if (first_row) table.header = std::move(row);
      else table.rows.push_back(std::move(row));
      first_row = false;
    }
    row.clear();
    field_pending = row_start = true;
  }
};

void on_field(void* data, size_t size, void* reader) {
  static_cast<Reader*>(reader)->field({static_cast<const char*>(data), data ? size : 0});
}
void on_row(int, void* reader) { static_cast<Reader*>(reader)->end_row(); }

[[noreturn]] void bad_csv(const CSVTable& t, uint32_t line, uint32_t column, const std::string& why) {
  throw Error("rig.torch.data.csv", t.source->name + " is not valid CSV: " + why, Origin{t.source, line, column},
              "path", "RFC 4180: a field holding the delimiter, a quote or a line break is quoted, and a quote inside it is doubled (\"\")");
}

}  // namespace

bool is_missing_value(const std::string& text) {
  static constexpr std::array<std::string_view, 10> kMissing = {"", "NA", "N/A", "#N/A", "NaN", "nan", "null", "NULL",
                                                                "None", "<NA>"};
  return std::find(kMissing.begin(), kMissing.end(), text) != kMissing.end();
}

CSVTable parse_csv(std::string text, const std::string& name, char delimiter) {
  if (text.starts_with("\xEF\xBB\xBF")) text.erase(0, 3);  // Excel's "CSV UTF-8" byte order mark
  Reader r;
  r.table.source = Source::make(name, std::move(text));
  const std::string& s = r.table.source->text;
  csv_parser parser;
  csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI);
  csv_set_delim(&parser, static_cast<unsigned char>(delimiter));
  csv_set_space_func(&parser, [](unsigned char) { return 0; });  // RFC 4180: spaces are part of a field
  struct Free {
    csv_parser* p;
    ~Free() { csv_free(p); }
  } free_parser{&parser};

  // libcsv reports a field only when it ends, so the reader tracks where each one starts. Callbacks fire only at
  // the delimiter, quotes and line breaks: runs of other bytes are fed in one call.
  auto special = [&](char c) { return c == delimiter || c == '"' || c == '\r' || c == '\n'; };
  auto advance = [&](size_t from, size_t to) {
    for (size_t k = from; k < to; ++k) {
      if (s[k] == '\n') ++r.line, r.column = 1;
      else r.column += (static_cast<unsigned char>(s[k]) & 0xC0) != 0x80;  // characters, not UTF-8 bytes
    }
  };
  for (size_t i = 0; i < s.size();) {
    char c = s[i];
    if (r.field_pending && !(r.row_start && (c == '\r' || c == '\n'))) {
      r.start_line = r.line, r.start_column = r.column;
      r.field_pending = r.row_start = false;
    }
    size_t j = i + 1;
    if (!special(c))
      while (j < s.size() && !special(s[j])) ++j;
    size_t fed = csv_parse(&parser, s.data() + i, j - i, on_field, on_row, &r);
    if (fed != j - i) {
      advance(i, i + fed);
      bad_csv(r.table, r.line, r.column, csv_error(&parser) == CSV_EPARSE ? "a quote where a field cannot have one"
                                                                      : csv_strerror(csv_error(&parser)));
    }
    advance(i, j);
    i = j;
  }
  if (csv_fini(&parser, on_field, on_row, &r) != 0)
    bad_csv(r.table, r.start_line, r.start_column, "a quoted field is never closed");
  if (r.first_row) bad_csv(r.table, 1, 1, "no header row (the file is empty)");
  return std::move(r.table);
}

std::string csv_quoted(const std::string& text) {
  std::string out(2 * text.size() + 2, '\0');
  out.resize(csv_write(out.data(), out.size(), text.data(), text.size()));
  return out;
}

CSVTable read_csv(const std::string& path, char delimiter) { return parse_csv(read_file(path), path, delimiter); }

}  // namespace rig::torch
