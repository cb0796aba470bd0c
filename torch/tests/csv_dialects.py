#!/usr/bin/env python3
"""Writes CSV files as R's write.csv, pandas' to_csv and Excel write them, and the oracle: every cell's text (as
Python's csv module reads the file back) and the line and column its field starts at (counted while writing).

Usage: csv_dialects.py OUT_DIR N   ->  OUT_DIR/{r,pandas,excel}{0..N-1}.csv and .json (seeds 0..N-1)
"""
import csv, io, json, random, sys

out, count = sys.argv[1], int(sys.argv[2])
rng = random.Random()
TRICKY = ["plain", "with, comma", 'say "hi"', '""', "two\nlines", "crlf\r\ninside", " leading", "trailing ", "\t tab",
          "ünïcödé, 名前", "'single'", "a;b", ",", "\n", "x" * 40, "12.5", "-3e-2"]

def cell():
    r = rng.random()
    if r < 0.35: return rng.choice(TRICKY)
    if r < 0.7: return round(rng.uniform(-1e3, 1e3), rng.randint(0, 6))
    return "w" + str(rng.randint(0, 99))

def table():
    cols = rng.randint(2, 6)
    header = [rng.choice(TRICKY) + str(c) if rng.random() < 0.6 else "col" + str(c) for c in range(cols)]
    rows = [[cell() for _ in range(cols)] for _ in range(rng.randint(1, 12))]
    return header, rows

def r_field(v):  # write.csv: strings and names quoted, quotes doubled (qmethod="double"), numbers bare
    return str(v) if isinstance(v, float) else '"' + str(v).replace('"', '""') + '"'

def minimal_field(v, writer_dialect):  # what csv.writer (QUOTE_MINIMAL, like pandas and Excel) writes for this field alone (QUOTE_MINIMAL is per field)
    s = io.StringIO()
    csv.writer(s, dialect=writer_dialect, lineterminator="\r\n").writerow([v, "x"])  # two fields: no lone-"" quoting
    return s.getvalue()[:-4]

def write(name, rows, field, eol, bom):
    text, cells = "", []
    for row in rows:
        line_cells = []
        for k, v in enumerate(row):
            if k: text += ","
            before = text
            line = before.count("\n") + 1
            column = len(before) - (before.rfind("\n") + 1) + 1
            line_cells.append([str(v), line, column])
            text += field(v)
        text += eol
        cells.append(line_cells)
    with open(f"{out}/{name}.csv", "w", encoding="utf-8", newline="") as f:
        f.write(("\ufeff" if bom else "") + text)
    # The oracle's texts come from Python's csv reader, not from what was written.
    with open(f"{out}/{name}.csv", encoding="utf-8-sig", newline="") as f:
        read = [r for r in csv.reader(f) if r]
    assert len(read) == len(cells), name
    for r, c in zip(read, cells):
        assert len(r) == len(c), (name, r, c)
        for k, text in enumerate(r):
            c[k][0] = text
    with open(f"{out}/{name}.json", "w") as f:
        json.dump(cells, f)

for seed in range(count):
    rng.seed(seed)
    header, rows = table()
    write(f"r{seed}", [header] + rows, r_field, "\n", False)
    header, rows = table()  # pandas' to_csv: an unnamed index column, QUOTE_MINIMAL, "\n"
    write(f"pandas{seed}", [[""] + header] + [[i] + row for i, row in enumerate(rows)],
          lambda v: minimal_field(v, "excel"), "\n", False)
    header, rows = table()  # Excel's "CSV UTF-8": a byte order mark, QUOTE_MINIMAL, "\r\n"
    write(f"excel{seed}", [header] + rows, lambda v: minimal_field(v, "excel"), "\r\n", True)
