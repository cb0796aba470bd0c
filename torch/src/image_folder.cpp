// The image-folder dataset and the tensor side of images (rig/torch/image.hpp).
#include <filesystem>

#include "rig/error.hpp"
#include "rig/registry.hpp"
#include "rig/torch/image.hpp"

namespace rig::torch {

Tensor image_tensor(const Image& image, int64_t size) {
  Tensor x = ::torch::from_blob(const_cast<uint8_t*>(image.pixels.data()), {image.height, image.width, image.channels},
                                ::torch::kUInt8)
                 .permute({2, 0, 1})
                 .to(::torch::kFloat32)
                 .div_(255.0f);
  if (image.height == size && image.width == size) return x.contiguous();
  namespace F = ::torch::nn::functional;
  return F::interpolate(x.unsqueeze(0), F::InterpolateFuncOptions()
                                            .size(std::vector<int64_t>{size, size})
                                            .mode(::torch::kBilinear)
                                            .align_corners(false)
                                            .antialias(true))
      .squeeze(0)
      .clamp_(0.0f, 1.0f);
}

Tensor normalize_channels(const Tensor& x, const std::vector<double>& mean, const std::vector<double>& std) {
  auto shape = [&](const std::vector<double>& v) {
    return ::torch::tensor(v, ::torch::kDouble).view({1, static_cast<int64_t>(v.size()), 1, 1});
  };
  return ((x.to(::torch::kDouble) - shape(mean)) / shape(std)).to(::torch::kFloat32);
}

ImageFolder::ImageFolder(ImageFolderOptions options) {
  if (options.image_size <= 0 || (options.channels != 1 && options.channels != 3))
    throw Error("rig.torch.data.option", "ImageFolder: image_size must be positive and channels 1 or 3", {},
                options.image_size <= 0 ? "image_size" : "channels");
  classes_ = image_folder_classes(options.root);
  std::vector<Tensor> images;
  std::vector<int64_t> labels;
  for (size_t k = 0; k < classes_.size(); ++k) {
    std::string dir = (std::filesystem::path(options.root) / classes_[k]).string();
    std::vector<std::string> files = image_files(dir);
    if (files.empty())
      throw Error("rig.torch.data.image", "ImageFolder: class '" + classes_[k] + "' (" + dir + ") has no image", {},
                  "root", "put its .png/.jpg files in it, or remove the folder");
    for (auto& f : files) {
      images.push_back(image_tensor(read_image(f, options.channels), options.image_size));
      labels.push_back(static_cast<int64_t>(k));
      paths_.push_back(std::move(f));
    }
  }
  Tensor x = ::torch::stack(images);
  if (options.normalize) {
    Tensor channels = x.transpose(0, 1).reshape({options.channels, -1}).to(::torch::kDouble);
    Tensor mean = channels.mean(1), std = channels.std(1, true).clamp_min(1e-6);
    mean_.assign(mean.data_ptr<double>(), mean.data_ptr<double>() + mean.numel());
    std_.assign(std.data_ptr<double>(), std.data_ptr<double>() + std.numel());
    x = normalize_channels(x, mean_, std_);
  }
  inputs_ = x.contiguous();
  labels_ = ::torch::tensor(labels, ::torch::kLong);
  num_classes_ = static_cast<int64_t>(classes_.size());
}

}  // namespace rig::torch

RIG_COMPONENT(rig::torch::ImageFolder, rig::options<rig::torch::ImageFolderOptions>,
              rig::interfaces<rig::torch::TensorDataset>,
              rig::doc("A folder of PNG/JPEG images, one subfolder per class, resized and standardised"));
