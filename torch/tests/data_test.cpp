// Tokenizers, datasets, splits and the data loader.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "rig/error.hpp"
#include "rig/torch/data.hpp"
#include "rig/torch/image.hpp"
#include "rig/torch/text.hpp"
#include "rig/yaml.hpp"

namespace rt = rig::torch;
namespace fs = std::filesystem;
using ::torch::Tensor;

namespace {

// A fresh directory under the system temp dir, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("rig_torch_test_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  fs::path write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ / name, std::ios::binary) << text;
    return path_ / name;
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

template <class F>
rig::Error catch_error(F&& f) {
  try {
    f();
  } catch (const rig::Error& e) {
    return e;
  }
  ADD_FAILURE() << "no rig::Error thrown";
  return rig::Error("none", "none");
}

Tensor longs(std::vector<int64_t> v) { return ::torch::tensor(v, ::torch::kLong); }

bool have_fashion_mnist() { return fs::exists("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"); }

}  // namespace

TEST(Globs, SortedMatchesAndErrors) {
  TempDir dir;
  dir.write("b.txt", "b");
  dir.write("a.txt", "a");
  dir.write("c.md", "c");
  auto files = rt::expand_globs({(dir.path() / "*.txt").string(), (dir.path() / "a.txt").string()});
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].filename(), "a.txt");
  EXPECT_EQ(files[1].filename(), "b.txt");
  EXPECT_EQ(rt::read_corpus(files), "a\nb\n");
  EXPECT_EQ(catch_error([&] { rt::expand_globs({(dir.path() / "*.csv").string()}); }).id(), "rig.torch.data.no_files");
}

TEST(ByteTokenizer, RoundTripsAnyBytes) {
  rt::ByteTokenizer t;
  std::string text = "héllo\x01\xff";
  auto ids = t.encode(text);
  EXPECT_EQ(ids.size(), text.size());
  EXPECT_EQ(ids[1], 0xC3);
  EXPECT_EQ(t.decode(ids), text);
  EXPECT_EQ(t.vocab_size(), 257);
}

TEST(CharTokenizer, CodePointsFromCorpusWithUnknown) {
  TempDir dir;
  auto file = dir.write("corpus.txt", "abcé");
  rt::CharTokenizer t({.corpus = {file.string()}});
  EXPECT_EQ(t.vocab_size(), 2 + 5);  // a b c é and the newline read_corpus appends
  auto ids = t.encode("cab é");
  EXPECT_EQ(t.decode(std::vector<int64_t>{ids[1], ids[2], ids[0]}), "abc");
  EXPECT_EQ(ids[3], 0);                 // ' ' is not in the corpus
  EXPECT_EQ(t.decode(t.encode("é")), "é");
  rt::CharTokenizer alpha({.alphabet = "xy"});
  EXPECT_EQ(alpha.vocab_size(), 4);
  EXPECT_EQ(alpha.encode("yx"), (std::vector<int64_t>{3, 2}));
}

TEST(SentencePiece, TrainSaveLoadRoundTrip) {
  TempDir dir;
  std::string text;
  for (int i = 0; i < 200; ++i)
    text += "the quick brown fox jumps over the lazy dog number " + std::to_string(i) + "\n";
  auto corpus = dir.write("corpus.txt", text);
  auto model_path = dir.path() / "sp.model";
  rt::SentencePieceTokenizer trained(
      {.corpus = {corpus.string()}, .vocab_size = 60, .model_type = "bpe", .save_to = model_path.string()});
  EXPECT_LE(trained.vocab_size(), 60);
  EXPECT_GT(trained.vocab_size(), 20);
  ASSERT_TRUE(fs::exists(model_path));
  auto ids = trained.encode("the lazy fox");
  EXPECT_LT(ids.size(), std::string("the lazy fox").size());  // pieces longer than one character
  EXPECT_EQ(trained.decode(ids), "the lazy fox");

  rt::SentencePieceTokenizer loaded({.model = model_path.string()});
  EXPECT_EQ(loaded.encode("the lazy fox"), ids);
  EXPECT_EQ(loaded.eos_id(), 1);
  EXPECT_EQ(catch_error([&] { rt::SentencePieceTokenizer({.model = (dir.path() / "nope").string()}); }).id(),
            "rig.io.read");
}

TEST(SentencePiece, TrainsOnDefaultCorpus) {
  if (!fs::exists("/usr/share/common-licenses/GPL-3")) GTEST_SKIP() << "no /usr/share/common-licenses";
  rt::SentencePieceTokenizer sp({.corpus = {"/usr/share/common-licenses/GPL-3"}, .vocab_size = 300});
  std::string s = "This program is free software";
  EXPECT_EQ(sp.decode(sp.encode(s)), s);
}

TEST(FashionMNIST, ReadsDebianFiles) {
  if (!have_fashion_mnist()) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  rt::FashionMNIST test({.split = "test", .normalize = false});
  EXPECT_EQ(test.size(), 10000);
  EXPECT_EQ(test.inputs().sizes(), (std::vector<int64_t>{10000, 1, 28, 28}));
  EXPECT_EQ(test.num_classes(), 10);
  EXPECT_EQ(test.labels().min().item<int64_t>(), 0);
  EXPECT_EQ(test.labels().max().item<int64_t>(), 9);
  // Balanced test set: 1,000 images per class.
  EXPECT_TRUE(::torch::equal(::torch::bincount(test.labels()), ::torch::full({10}, 1000, ::torch::kLong)));
  EXPECT_GE(test.inputs().min().item<float>(), 0.0f);
  EXPECT_LE(test.inputs().max().item<float>(), 1.0f);
  EXPECT_NEAR(test.inputs().mean().item<double>(), 0.286, 0.01);
  EXPECT_EQ(catch_error([] { rt::FashionMNIST({.split = "tset"}); }).hint(), "did you mean 'test'?");
  EXPECT_EQ(catch_error([] { rt::FashionMNIST({.root = "/nonexistent"}); }).id(), "rig.io.read");
}

TEST(CSVTabular, ReadsFeaturesAndLabelsWithLocatedErrors) {
  TempDir dir;
  auto ok = dir.write("ok.csv", "x1,species,x2\n1.0,cat,2\n3,dog,4\n5,cat,6\n");
  rt::CSVTabular data({.path = ok.string(), .label_column = "species", .standardize = false});
  EXPECT_EQ(data.size(), 3);
  EXPECT_EQ(data.feature_names(), (std::vector<std::string>{"x1", "x2"}));
  EXPECT_EQ(data.class_names(), (std::vector<std::string>{"cat", "dog"}));
  EXPECT_TRUE(::torch::equal(data.labels(), ::torch::tensor({0, 1, 0}, ::torch::kLong)));
  EXPECT_TRUE(::torch::equal(data.inputs()[1], ::torch::tensor({3.0f, 4.0f})));
  auto batch = data.collate(std::vector<int64_t>{2, 0});
  EXPECT_TRUE(::torch::equal(batch.inputs[0], ::torch::tensor({5.0f, 6.0f})));

  auto bad = dir.write("bad.csv", "a,label\n1,0\n2x,1\n");
  auto e = catch_error([&] { rt::CSVTabular({.path = bad.string()}); });
  EXPECT_EQ(e.id(), "rig.torch.data.csv");
  EXPECT_EQ(e.origin().line, 3u);
  EXPECT_EQ(e.origin().column, 1u);
  auto e2 = catch_error([&] { rt::CSVTabular({.path = ok.string(), .label_column = "specis"}); });
  EXPECT_EQ(e2.hint(), "did you mean 'species'?");
  EXPECT_NE(rig::format(e).find("2x,1"), std::string::npos) << rig::format(e);
}

// R's write.csv, pandas' to_csv and Excel's exports as csv_dialects.py writes them (their quoting, line ends, byte
// order mark, index column): every cell's text as Python's csv module reads the file, and where its field starts.
TEST(CSV, ProducersDialectsMatchPythonsReader) {
  TempDir dir;
  std::string cmd = "python3 '" RIG_SOURCE_DIR "/torch/tests/csv_dialects.py' '" + dir.path().string() + "' 4";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  for (int seed = 0; seed < 4; ++seed) {
    for (std::string dialect : {"r", "pandas", "excel"}) {
      std::string name = dialect + std::to_string(seed);
      SCOPED_TRACE(name + " seed " + std::to_string(seed));
      rig::Node oracle = rig::load_json(rig::read_file(dir.path() / (name + ".json")));
      rt::CSVTable t = rt::read_csv((dir.path() / (name + ".csv")).string());
      ASSERT_EQ(t.rows.size() + 1, oracle.size());
      for (size_t r = 0; r < oracle.size(); ++r) {
        const auto& cells = r == 0 ? t.header : t.rows[r - 1];
        ASSERT_EQ(cells.size(), oracle[r].size()) << "row " << r;
        for (size_t c = 0; c < cells.size(); ++c) {
          EXPECT_EQ(cells[c].text, oracle[r][c][0].str()) << "row " << r << " column " << c;
          EXPECT_EQ(cells[c].line, static_cast<uint32_t>(oracle[r][c][1].int_value())) << "row " << r << " col " << c;
          EXPECT_EQ(cells[c].column, static_cast<uint32_t>(oracle[r][c][2].int_value())) << "row " << r << " col " << c;
        }
      }
    }
  }
}

TEST(CSV, MalformedQuotesAreLocated) {
  auto e = catch_error([] { rt::parse_csv("a,b\n1,2\"x\n", "q.csv"); });
  EXPECT_EQ(e.id(), "rig.torch.data.csv");
  EXPECT_EQ(e.origin().line, 2u);
  EXPECT_EQ(e.origin().column, 4u);
  auto unclosed = catch_error([] { rt::parse_csv("a,b\n1,\"never\nclosed\n", "u.csv"); });
  EXPECT_EQ(unclosed.id(), "rig.torch.data.csv");
  EXPECT_EQ(unclosed.origin().line, 2u);
  EXPECT_EQ(unclosed.origin().column, 3u);
  auto after = catch_error([] { rt::parse_csv("a,b\n\"x\"y,1\n", "a.csv"); });
  EXPECT_EQ(after.origin().line, 2u);
  EXPECT_EQ(after.origin().column, 4u);
  EXPECT_EQ(catch_error([] { rt::parse_csv("", "e.csv"); }).id(), "rig.torch.data.csv");
  EXPECT_EQ(rt::parse_csv("a;b\n\"1;2\";3\n", "s.csv", ';').rows[0][0].text, "1;2");
}

TEST(CSVTabular, QuotedHeadersMissingValuesAndIndexColumns) {
  TempDir dir;
  // R's write.csv: quoted names with a comma and quotes, NA for a missing value.
  auto r = dir.write("r.csv", "\"sepal, cm\",\"say \"\"hi\"\"\",\"species\"\n5.1,3,\"setosa\"\n4.9,NA,\"setosa\"\n");
  auto e = catch_error([&] { rt::CSVTabular({.path = r.string(), .label_column = "species"}); });
  EXPECT_EQ(e.id(), "rig.torch.data.missing");
  EXPECT_EQ(e.origin().line, 3u);
  EXPECT_EQ(e.origin().column, 5u);
  EXPECT_NE(rig::format(e).find("column 'say \"hi\"'"), std::string::npos) << rig::format(e);
  EXPECT_NE(rig::format(e).find("4.9,NA,\"setosa\""), std::string::npos) << rig::format(e);
  // A label spanning lines moves the rows below it: the empty cell is on line 5.
  auto multi = dir.write("m.csv", "x,label\n1,\"two\nlines\"\n2,b\n,b\n");
  auto e2 = catch_error([&] { rt::CSVTabular({.path = multi.string()}); });
  EXPECT_EQ(e2.id(), "rig.torch.data.missing");
  EXPECT_EQ(e2.origin().line, 5u);
  EXPECT_EQ(e2.origin().column, 1u);
  // pandas' to_csv writes an unnamed index column: refused with a hint, used once ignored by name.
  auto pandas = dir.write("p.csv", ",x,y,label\n0,1.5,2,a\n1,2.5,4,b\n2,3.5,6,a\n");
  auto e3 = catch_error([&] { rt::CSVTabular({.path = pandas.string()}); });
  EXPECT_EQ(e3.origin().line, 1u);
  EXPECT_EQ(e3.origin().column, 1u);
  EXPECT_NE(e3.hint().find("ignore_columns=['']"), std::string::npos) << e3.hint();
  rt::CSVTabular data({.path = pandas.string(), .ignore_columns = {""}});
  EXPECT_EQ(data.feature_names(), (std::vector<std::string>{"x", "y"}));
  ASSERT_EQ(data.mean().size(), 2u);
  EXPECT_DOUBLE_EQ(data.mean()[0], 2.5);
  EXPECT_DOUBLE_EQ(data.stddev()[1], 2.0);
  EXPECT_TRUE(::torch::allclose(data.inputs()[0], ::torch::tensor({-1.0f, -1.0f})));
  // A row with a field too many: at that field.
  auto extra = dir.write("x.csv", "x,label\n1,a\n2,b,3\n");
  auto e4 = catch_error([&] { rt::CSVTabular({.path = extra.string()}); });
  EXPECT_EQ(e4.origin().line, 3u);
  EXPECT_EQ(e4.origin().column, 5u);
}

// PNG (written byte by byte by images.py with zlib) and JPEG (cjpeg; the oracle is djpeg's decoding) files decoded
// to the pixels written; grey and RGBA converted; a file that is no image refused by name.
TEST(Image, DecodesPNGAndJPEGToThePixelsWritten) {
  TempDir dir;
  std::string cmd = "python3 '" RIG_SOURCE_DIR "/torch/tests/images.py' files '" + dir.path().string() + "'";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  rig::Node pixels = rig::load_json(rig::read_file(dir.path() / "pixels.json"));
  auto bytes = [](const rig::Node& list) {
    std::vector<uint8_t> out;
    for (const auto& v : list.elements()) out.push_back(static_cast<uint8_t>(v.int_value()));
    return out;
  };
  rt::Image rgb = rt::read_image((dir.path() / "rgb.png").string(), 3);
  EXPECT_EQ(rgb.width, 5);
  EXPECT_EQ(rgb.height, 4);
  EXPECT_EQ(rgb.pixels, bytes(pixels["rgb"]));
  rt::Image jpeg = rt::read_image((dir.path() / "photo.jpg").string(), 3);
  EXPECT_EQ(jpeg.width, 8);
  EXPECT_EQ(jpeg.height, 6);
  EXPECT_EQ(jpeg.pixels, bytes(pixels["jpeg"]));
  EXPECT_EQ(rt::read_image((dir.path() / "grey.png").string(), 1).pixels,
            (std::vector<uint8_t>{0, 50, 100, 150, 200, 255}));
  EXPECT_EQ(rt::read_image((dir.path() / "grey.png").string(), 3).pixels[3 * 5 + 2], 255);  // grey to RGB
  EXPECT_EQ(rt::read_image((dir.path() / "rgba.png").string(), 3).pixels,
            (std::vector<uint8_t>{10, 20, 30, 200, 100, 50}));
  // As a tensor: [C, H, W] in [0, 1]; resized, a flat colour stays that colour.
  Tensor t = rt::image_tensor(rgb, 4);
  EXPECT_EQ(t.sizes(), (std::vector<int64_t>{3, 4, 4}));
  Tensor same = rt::image_tensor(rt::read_image((dir.path() / "rgb.png").string(), 3), 5);  // 5x4 -> 5x5: resized
  EXPECT_EQ(same.sizes(), (std::vector<int64_t>{3, 5, 5}));
  Tensor flat = rt::image_tensor(rt::read_image((dir.path() / "flat.png").string(), 3), 4);
  EXPECT_TRUE(::torch::allclose(flat[2], ::torch::full({4, 4}, 200.0f / 255.0f), 1e-5, 1e-6));
  Tensor tall = rt::image_tensor(jpeg, 8);  // 8x6: resized to 8x8
  EXPECT_EQ(tall.sizes(), (std::vector<int64_t>{3, 8, 8}));
  fs::create_directories(dir.path() / "more" / ".hidden");
  fs::copy_file(dir.path() / "rgb.png", dir.path() / "more" / "b.PNG");
  fs::copy_file(dir.path() / "photo.jpg", dir.path() / "more" / "a.jpeg");
  dir.write("more/.hidden/x.txt", "skipped");
  auto listed = rt::image_files((dir.path() / "more").string());
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(fs::path(listed[0]).filename(), "a.jpeg");
  dir.write("more/notes.txt", "not an image");
  auto e = catch_error([&] { rt::image_files((dir.path() / "more").string()); });
  EXPECT_EQ(e.id(), "rig.torch.data.image");
  EXPECT_NE(e.message().find("notes.txt"), std::string::npos) << e.message();
  auto fake = dir.write("fake.png", "GIF89a...");
  EXPECT_EQ(catch_error([&] { rt::read_image(fake.string(), 3); }).id(), "rig.torch.data.image");
  auto truncated = dir.write("cut.png", rig::read_file(dir.path() / "rgb.png").substr(0, 40));
  EXPECT_EQ(catch_error([&] { rt::read_image(truncated.string(), 3); }).id(), "rig.torch.data.image");
}

TEST(ImageFolder, ClassesLabelsAndNormalization) {
  TempDir dir;
  std::string root = (dir.path() / "pics").string();
  std::string cmd = "python3 '" RIG_SOURCE_DIR "/torch/tests/images.py' folder '" + root + "' 3 4 6";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  rig::Node written = rig::load_json(rig::read_file(root + ".json"));
  rt::ImageFolder raw({.root = root, .image_size = 6, .channels = 3, .normalize = false});
  EXPECT_EQ(raw.class_names(), (std::vector<std::string>{"blue", "red"}));
  ASSERT_EQ(raw.size(), 8);
  EXPECT_TRUE(::torch::equal(raw.labels(), ::torch::tensor({0, 0, 0, 0, 1, 1, 1, 1}, ::torch::kLong)));
  for (int64_t i = 0; i < raw.size(); ++i) {  // each example is its file's pixels, HWC -> CHW, / 255
    std::string rel = fs::path(raw.paths()[static_cast<size_t>(i)]).lexically_relative(root).string();
    const rig::Node& px = written[rel][3];
    std::vector<float> want;
    for (const auto& v : px.elements()) want.push_back(static_cast<float>(v.int_value()) / 255.0f);
    Tensor expected = ::torch::tensor(want).view({6, 6, 3}).permute({2, 0, 1});
    EXPECT_TRUE(::torch::allclose(raw.inputs()[i], expected, 1e-6, 1e-7)) << rel;
  }
  rt::ImageFolder data({.root = root, .image_size = 4, .channels = 1});
  EXPECT_EQ(data.inputs().sizes(), (std::vector<int64_t>{8, 1, 4, 4}));
  ASSERT_EQ(data.mean().size(), 1u);
  EXPECT_NEAR(data.inputs().mean().item<double>(), 0.0, 1e-5);
  EXPECT_NEAR(data.inputs().std().item<double>(), 1.0, 1e-4);
  fs::create_directories(dir.path() / "pics" / "empty");
  EXPECT_EQ(catch_error([&] { rt::ImageFolder({.root = root}); }).id(), "rig.torch.data.image");
  EXPECT_EQ(catch_error([&] { rt::ImageFolder({.root = root + "/nope"}); }).id(), "rig.torch.data.path");
}

TEST(SyntheticClassification, SeededAndLearnableShape) {
  rt::SyntheticClassification a({.num_examples = 100, .num_features = 5, .num_classes = 3, .seed = 7});
  rt::SyntheticClassification b({.num_examples = 100, .num_features = 5, .num_classes = 3, .seed = 7});
  rt::SyntheticClassification c({.num_examples = 100, .num_features = 5, .num_classes = 3, .seed = 8});
  EXPECT_TRUE(::torch::equal(a.inputs(), b.inputs()));
  EXPECT_FALSE(::torch::equal(a.inputs(), c.inputs()));
  EXPECT_EQ(a.inputs().sizes(), (std::vector<int64_t>{100, 5}));
  EXPECT_EQ(a.num_classes(), 3);
}

TEST(TextCorpus, WindowsShiftedByOne) {
  TempDir dir;
  auto file = dir.write("t.txt", "abcdefghij");  // + '\n' = 11 bytes
  rt::TextCorpus corpus({.paths = {file.string()}, .context = 4}, std::make_shared<rt::ByteTokenizer>());
  EXPECT_EQ(corpus.size(), 2);  // windows of 5 tokens at 0 and 4
  auto batch = corpus.collate(std::vector<int64_t>{1});
  EXPECT_EQ(batch.inputs.sizes(), (std::vector<int64_t>{1, 4}));
  EXPECT_TRUE(::torch::equal(batch.inputs[0], ::torch::tensor({'e', 'f', 'g', 'h'}, ::torch::kLong)));
  EXPECT_TRUE(::torch::equal(batch.targets[0], ::torch::tensor({'f', 'g', 'h', 'i'}, ::torch::kLong)));
  EXPECT_EQ(catch_error([&] {
              rt::TextCorpus({.paths = {file.string()}, .context = 64}, std::make_shared<rt::ByteTokenizer>());
            }).id(),
            "rig.torch.data.too_short");
}

TEST(TextCorpus, OverlappingWindowsInAnyOrder) {
  TempDir dir;
  const std::string text = "abcdefghij\n";
  auto file = dir.write("t.txt", text.substr(0, 10));  // the corpus reader appends the '\n'
  rt::TextCorpus corpus({.paths = {file.string()}, .context = 4, .stride = 2}, std::make_shared<rt::ByteTokenizer>());
  ASSERT_EQ(corpus.size(), 4);  // windows of 5 bytes at 0, 2, 4, 6
  const std::vector<int64_t> picks = {3, 0, 2, 3};
  auto batch = corpus.collate(picks);
  ASSERT_EQ(batch.inputs.sizes(), (std::vector<int64_t>{4, 4}));
  auto bytes = [&](size_t from) {
    std::vector<int64_t> v;
    for (size_t i = from; i < from + 4; ++i) v.push_back(static_cast<unsigned char>(text[i]));
    return ::torch::tensor(v, ::torch::kLong);
  };
  for (size_t b = 0; b < picks.size(); ++b) {
    const auto start = static_cast<size_t>(picks[b]) * 2;
    EXPECT_TRUE(::torch::equal(batch.inputs[static_cast<int64_t>(b)], bytes(start))) << b;
    EXPECT_TRUE(::torch::equal(batch.targets[static_cast<int64_t>(b)], bytes(start + 1))) << b;
  }
}

TEST(TextCorpus, DefaultCorpusIsDebianLicenses) {
  if (!fs::exists("/usr/share/common-licenses/GPL-3")) GTEST_SKIP() << "no /usr/share/common-licenses";
  rt::TextCorpus corpus({.context = 64}, std::make_shared<rt::ByteTokenizer>());
  EXPECT_GT(corpus.size(), 1000);
}

TEST(PromptResponseJSONL, MasksPromptAndPads) {
  TempDir dir;
  auto file = dir.write("d.jsonl", "{\"prompt\": \"ab\", \"response\": \"cd\"}\n\n{\"prompt\": \"x\", \"response\": \"y\"}\n");
  auto tok = std::make_shared<rt::ByteTokenizer>();
  rt::PromptResponseJSONL data({.path = file.string()}, tok);
  ASSERT_EQ(data.size(), 2);
  auto b = data.collate(std::vector<int64_t>{0, 1});
  // Example 0: tokens a b c d eos -> inputs a b c d, targets (a->b masked) c d eos.
  EXPECT_TRUE(::torch::equal(b.inputs[0], longs({'a', 'b', 'c', 'd'})));
  EXPECT_TRUE(::torch::equal(b.targets[0], longs({rt::kIgnoreIndex, 'c', 'd', 256})));
  // Example 1: x y eos, padded with eos; padding targets ignored.
  EXPECT_TRUE(::torch::equal(b.inputs[1], longs({'x', 'y', 256, 256})));
  EXPECT_TRUE(::torch::equal(b.targets[1], longs({'y', 256, rt::kIgnoreIndex, rt::kIgnoreIndex})));

  auto missing = dir.write("m.jsonl", "{\"prompt\": \"a\", \"response\": \"b\"}\n{\"prompt\": \"a\", \"reponse\": \"b\"}\n");
  auto e = catch_error([&] { rt::PromptResponseJSONL({.path = missing.string()}, tok); });
  EXPECT_EQ(e.id(), "rig.torch.data.jsonl");
  EXPECT_EQ(e.origin().line, 2u);
  EXPECT_EQ(e.hint(), "did you mean 'reponse'?");
  auto broken = dir.write("b.jsonl", "{\"prompt\": \"a\", \"response\": \"b\"}\n{\"prompt\": \"a\",, }\n");
  auto e2 = catch_error([&] { rt::PromptResponseJSONL({.path = broken.string()}, tok); });
  EXPECT_EQ(e2.origin().line, 2u);
  EXPECT_EQ(e2.origin().source_name(), broken.string());
}

TEST(Split, SeededDisjointAndComplete) {
  auto [train, val] = rt::split_indices(100, {.validation_ratio = 0.2, .seed = 3});
  EXPECT_EQ(train.size(), 80u);
  EXPECT_EQ(val.size(), 20u);
  std::vector<int64_t> all = train;
  all.insert(all.end(), val.begin(), val.end());
  std::sort(all.begin(), all.end());
  for (int64_t i = 0; i < 100; ++i) EXPECT_EQ(all[static_cast<size_t>(i)], i);
  EXPECT_EQ(rt::split_indices(100, {.validation_ratio = 0.2, .seed = 3}).second, val);
  EXPECT_NE(rt::split_indices(100, {.validation_ratio = 0.2, .seed = 4}).second, val);
  EXPECT_EQ(catch_error([] { rt::split_indices(10, {.validation_ratio = 1.5}); }).id(), "rig.torch.data.split");
}

TEST(DataLoader, SeededShufflePerEpochAndExactResume) {
  auto data = std::make_shared<rt::TensorDataset>(::torch::arange(10).to(::torch::kFloat).unsqueeze(1),
                                                  ::torch::arange(10, ::torch::kLong), 10);
  rt::DataLoader a(std::shared_ptr<const rt::TensorDataset>(data), {.batch_size = 3, .seed = 5});
  EXPECT_EQ(a.batches_per_epoch(), 3);  // drop_last
  std::vector<int64_t> epoch0, epoch1;
  auto labels = [](const rt::ClassBatch& b) {
    return std::vector<int64_t>(b.labels.data_ptr<int64_t>(), b.labels.data_ptr<int64_t>() + b.labels.numel());
  };
  for (int i = 0; i < 3; ++i) for (auto v : labels(a.next())) epoch0.push_back(v);
  for (int i = 0; i < 3; ++i) for (auto v : labels(a.next())) epoch1.push_back(v);
  EXPECT_EQ(epoch0.size(), 9u);
  EXPECT_NE(epoch0, epoch1);  // reshuffled
  std::set<int64_t> distinct(epoch0.begin(), epoch0.end());
  EXPECT_EQ(distinct.size(), 9u);  // no repeats within an epoch
  // Same seed, same order; a restored loader continues exactly.
  rt::DataLoader b(std::shared_ptr<const rt::TensorDataset>(data), {.batch_size = 3, .seed = 5});
  EXPECT_EQ(labels(b.next()), std::vector<int64_t>(epoch0.begin(), epoch0.begin() + 3));
  rt::DataLoader c(std::shared_ptr<const rt::TensorDataset>(data), {.batch_size = 3, .seed = 5});
  c.restore({.epoch = 1, .batch = 1});
  EXPECT_EQ(labels(c.next()), std::vector<int64_t>(epoch1.begin() + 3, epoch1.begin() + 6));
  // No shuffle, keep the last partial batch.
  rt::DataLoader d(std::shared_ptr<const rt::TensorDataset>(data), {.batch_size = 4, .shuffle = false, .drop_last = false});
  EXPECT_EQ(d.batches_per_epoch(), 3);
  EXPECT_EQ(labels(d.batch(0, 2)), (std::vector<int64_t>{8, 9}));
  EXPECT_EQ(catch_error([&] { rt::DataLoader(std::shared_ptr<const rt::TensorDataset>(data), {.batch_size = 0}); }).id(),
            "rig.torch.data.batch_size");
}
