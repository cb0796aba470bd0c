// rig/torch/csv.hpp — CSV files per RFC 4180, read with Debian's libcsv, every cell located.
//
//   rig::torch::CSVTable t = rig::torch::read_csv("flowers.csv");
//   std::string name = t.header[0].text;       // "sepal length, cm" (quotes removed, "" unescaped)
//   rig::Origin where = t.at(t.rows[3][1]);    // flowers.csv:5:9 — the line and column the cell starts at
//
// What R's write.csv, pandas' to_csv and Excel's exports write: fields quoted or not, quoted fields holding the
// delimiter, doubled quotes and line breaks; CRLF or LF line ends; a UTF-8 byte order mark (Excel) is skipped.
// Spaces are part of a field (RFC 4180: libcsv's trimming is off); blank lines are skipped. A quote that RFC 4180 does not allow
// (inside an unquoted field, after a closing quote, never closed) is rig.torch.data.csv at its line and column.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rig/origin.hpp"

namespace rig::torch {

struct CSVCell {
  std::string text;
  uint32_t line = 0, column = 0;  // 1-based: where the field starts (its opening quote, if quoted)
};

struct CSVTable {
  std::shared_ptr<const Source> source;  // the file's text, for located errors
  std::vector<CSVCell> header;           // the first row
  std::vector<std::vector<CSVCell>> rows;  // the others, each as written (rows may differ in length)
  Origin at(const CSVCell& cell) const { return Origin{source, cell.line, cell.column}; }
};

// Reads `path` (rig.io.read when it cannot), splitting fields at `delimiter` (one byte: ',' ';' '\t' ...).
// rig.torch.data.csv, located, for a malformed quote or a file without a header row.
CSVTable read_csv(const std::string& path, char delimiter = ',');
CSVTable parse_csv(std::string text, const std::string& name, char delimiter = ',');

// `text` as one CSV field: quoted, its quotes doubled (libcsv's csv_write).
std::string csv_quoted(const std::string& text);

// True for the cells the usual producers write for a missing value: empty, NA (R), NaN/nan (pandas), N/A, #N/A
// (Excel), null, NULL, None.
bool is_missing_value(const std::string& text);

}  // namespace rig::torch
