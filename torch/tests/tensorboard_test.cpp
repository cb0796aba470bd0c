// TensorBoardLogger: its event files read back by a reader written here in Python (TFRecord framing, CRC32C and the
// protobuf wire format decoded by hand: nothing shared with libprotobuf or with the logger's CRC code).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "rig/config.hpp"
#include "rig/error.hpp"
#include "rig/torch/logger.hpp"
#include "rig/torch/tensorboard.hpp"
#include "rig/yaml.hpp"

namespace rt = rig::torch;
namespace fs = std::filesystem;

namespace {

const char* kReader = R"PY(
import struct, sys

def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF

def masked(data):
    c = crc32c(data)
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF

def varint(buf, i):
    shift = result = 0
    while True:
        b = buf[i]; i += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return result, i

def fields(buf):
    i = 0
    while i < len(buf):
        key, i = varint(buf, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = varint(buf, i)
        elif wire == 1:
            value = buf[i:i + 8]; i += 8
        elif wire == 5:
            value = buf[i:i + 4]; i += 4
        elif wire == 2:
            n, i = varint(buf, i)
            value = buf[i:i + n]; i += n
        else:
            raise ValueError("wire type %d" % wire)
        yield number, wire, value

data = open(sys.argv[1], "rb").read()
assert crc32c(b"123456789") == 0xE3069283  # the CRC-32C check value
pos = 0
records = 0
while pos < len(data):
    header = data[pos:pos + 8]
    (length,) = struct.unpack("<Q", header)
    (length_crc,) = struct.unpack("<I", data[pos + 8:pos + 12])
    assert length_crc == masked(header), "length CRC at %d" % pos
    body = data[pos + 12:pos + 12 + length]
    (body_crc,) = struct.unpack("<I", data[pos + 12 + length:pos + 16 + length])
    assert body_crc == masked(body), "data CRC at %d" % pos
    pos += 16 + length
    records += 1
    wall_time, step, version, values = None, 0, None, []
    for number, wire, value in fields(body):
        if number == 1 and wire == 1: wall_time = struct.unpack("<d", value)[0]
        elif number == 2 and wire == 0: step = value - (1 << 64) if value >= 1 << 63 else value
        elif number == 3 and wire == 2: version = value.decode()
        elif number == 5 and wire == 2:
            for n, w, v in fields(value):
                assert n == 1 and w == 2
                tag, simple = None, 0.0
                for n2, w2, v2 in fields(v):
                    if n2 == 1 and w2 == 2: tag = v2
                    elif n2 == 2 and w2 == 5: simple = struct.unpack("<f", v2)[0]
                values.append((tag, simple))
        else:
            raise ValueError("unexpected field %d" % number)
    assert wall_time is not None
    if version is not None:
        print("version", version, repr(wall_time))
    for tag, simple in values:
        print("scalar", step, repr(wall_time), tag.hex(), repr(simple))
assert pos == len(data)
print("records", records)
)PY";

std::string read_event_file(const fs::path& dir, const std::string& event_file) {
  std::ofstream(dir / "read.py") << kReader;
  std::string command = "python3 " + (dir / "read.py").string() + " '" + event_file + "' 2>&1";
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return "popen failed";
  std::string out;
  char buf[4096];
  while (size_t n = std::fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
  int status = ::pclose(pipe);
  return status == 0 ? out : "reader failed: " + out;
}

double unix_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string hex(const std::string& s) {
  std::string h;
  char b[3];
  for (unsigned char c : s) std::snprintf(b, sizeof b, "%02x", c), h += b;
  return h;
}

}  // namespace

TEST(TensorBoardLogger, CRC32CKnownValues) {
  EXPECT_EQ(rt::crc32c("123456789"), 0xE3069283u);  // RFC 3720's check value
  EXPECT_EQ(rt::crc32c(""), 0u);
  EXPECT_EQ(rt::crc32c(std::string(32, '\0')), 0x8A9136AAu);  // RFC 3720 B.4: 32 bytes of zeros
}

TEST(TensorBoardLogger, AnIndependentReaderReadsEveryScalarBack) {
  fs::path dir = fs::temp_directory_path() / ("rig_tb_test_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const double before = unix_seconds();
  struct Point {
    int64_t step;
    std::string tag;
    double value;
  };
  const std::vector<Point> points = {{1, "loss", 2.302585},   {1, "lr", 1e-3},           {2, "loss", 1.5},
                                     {2, "lr", 0.002},        {500, "val/accuracy", 0.875}, {500, "caf\xc3\xa9", -3.25e-9},
                                     {1LL << 40, "big", 1e30}, {1LL << 40, "inf", std::numeric_limits<double>::infinity()}};
  std::string path;
  {
    rig::Config cfg(rig::load_yaml("loggers:\n  - {_component_: rig.torch.TensorBoardLogger, log_dir: " +
                                      (dir / "tb").string() + "}\n",
                                  "tb.yaml"));
    rt::MultiLogger log = rt::make_loggers(cfg["loggers"]);  // reachable from a config
    for (size_t i = 0; i < points.size(); i += 2)
      log.log(points[i].step, {{points[i].tag, points[i].value}, {points[i + 1].tag, points[i + 1].value}});
    log.flush();
  }
  const double after = unix_seconds();
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir / "tb")) files.push_back(e.path());
  ASSERT_EQ(files.size(), 1u);
  path = files[0].string();
  EXPECT_EQ(files[0].filename().string().rfind("events.out.tfevents.", 0), 0u) << path;

  std::string out = read_event_file(dir, path);
  std::istringstream lines(out);
  std::string kind;
  std::vector<Point> read;
  bool version = false;
  int records = 0;
  for (std::string line; std::getline(lines, line);) {
    std::istringstream in(line);
    in >> kind;
    if (kind == "version") {
      std::string v;
      double t;
      in >> v >> t;
      EXPECT_EQ(v, "brain.Event:2");
      EXPECT_TRUE(t >= before - 1 && t <= after + 1) << t;
      version = true;
    } else if (kind == "scalar") {
      Point p;
      double t;
      std::string tag_hex, value;
      in >> p.step >> t >> tag_hex >> value;
      EXPECT_TRUE(t >= before - 1 && t <= after + 1) << t;  // seconds since the epoch
      p.tag = tag_hex;
      p.value = std::strtod(value.c_str(), nullptr);
      read.push_back(p);
    } else if (kind == "records") {
      in >> records;
    } else {
      ADD_FAILURE() << out;
    }
  }
  EXPECT_TRUE(version) << out;
  EXPECT_EQ(records, 1 + static_cast<int>(points.size()) / 2) << out;
  ASSERT_EQ(read.size(), points.size()) << out;
  for (size_t i = 0; i < points.size(); ++i) {
    EXPECT_EQ(read[i].step, points[i].step);
    EXPECT_EQ(read[i].tag, hex(points[i].tag));
    EXPECT_EQ(read[i].value, static_cast<double>(static_cast<float>(points[i].value))) << points[i].tag;  // float32
  }
  fs::remove_all(dir);
}

TEST(TensorBoardLogger, AnUnwritableDirectoryIsAnIoError) {
  EXPECT_THROW(rt::TensorBoardLogger({.log_dir = "/proc/nonexistent/tb"}), rig::IoError);
}
