// rig/torch/image.hpp — image files (PNG with Debian's libpng, JPEG with libjpeg-turbo) and a dataset of a folder of
// them, one subfolder per class (torchvision's ImageFolder layout).
//
//   root/cat/001.png  root/cat/002.jpg  root/dog/a.jpeg ...
//
//   rig::torch::ImageFolder data({.root = "root", .image_size = 32, .channels = 3});
//   torch::Tensor x = data.inputs();     // float [N, 3, 32, 32]: resized (bilinear, antialiased), [0, 1], standardised
//   auto names = data.class_names();     // {"cat", "dog"}: the subfolders in name order, label ids in that order
//
// A file that is not a PNG or a JPEG, or that cannot be decoded, is rig.torch.data.image naming the file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rig/constraints.hpp"
#include "rig/torch/data.hpp"

namespace rig::torch {

// Decoded pixels, row-major, channels interleaved (HWC), 8 bits each.
struct Image {
  int64_t width = 0, height = 0, channels = 0;
  std::vector<uint8_t> pixels;
};

// The file decoded as `channels` channels: 1 (grey) or 3 (RGB); other layouts are converted (alpha dropped).
Image read_image(const std::string& path, int64_t channels);

// The PNG and JPEG files (.png .jpg .jpeg, any case) below `dir`, recursively, in path order; files whose name
// starts with '.' are skipped, any other file is rig.torch.data.image (not an image: say so rather than skip it).
std::vector<std::string> image_files(const std::string& dir);

// An image as float [channels, size, size] in [0, 1], resized when it is not size x size.
Tensor image_tensor(const Image& image, int64_t size);

// (x - mean[c]) / std[c] for each channel c of x [N, C, H, W], computed in double: the one transform the dataset
// and prediction share.
Tensor normalize_channels(const Tensor& x, const std::vector<double>& mean, const std::vector<double>& std);

struct ImageFolderOptions {
  std::string root = "";
  int64_t image_size = 32;  // every image resized to image_size x image_size
  int64_t channels = 3;     // 3: RGB, 1: grey
  bool normalize = true;    // standardise each channel with this folder's mean and std (kept: mean(), stddev())
  static constexpr auto checks = rig::checks(rig::require("root", rig::non_empty(), "rig.torch.data.path"),
                                             rig::require("image_size", rig::positive(), "rig.torch.data.option"),
                                             rig::require("channels", rig::one_of("1|3"), "rig.torch.data.option"));
};
class ImageFolder : public TensorDataset {
 public:
  explicit ImageFolder(ImageFolderOptions options = {});
  const std::vector<std::string>& class_names() const { return classes_; }
  const std::vector<std::string>& paths() const { return paths_; }  // example i's file
  const std::vector<double>& mean() const { return mean_; }          // per channel; empty unless normalize
  const std::vector<double>& stddev() const { return std_; }

 private:
  std::vector<std::string> classes_, paths_;
  std::vector<double> mean_, std_;
};

// The class subfolders of `root` in name order (cheap: no image is read). rig.torch.data.path when root is not a
// folder, rig.torch.data.image when it has fewer than two subfolders.
std::vector<std::string> image_folder_classes(const std::string& root);

}  // namespace rig::torch
