// Image files: PNG through libpng's simplified API, JPEG through libjpeg(-turbo) (rig/torch/image.hpp).
#include <png.h>
#include <stdio.h>  // jpeglib.h needs FILE first
#include <jpeglib.h>

#include <algorithm>
#include <csetjmp>
#include <filesystem>

#include "rig/error.hpp"
#include "rig/io.hpp"
#include "rig/torch/image.hpp"
#include "rig/yaml.hpp"

namespace rig::torch {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void bad_image(const std::string& path, const std::string& why) {
  throw Error("rig.torch.data.image", "'" + path + "': " + why, {}, "root",
              "the images are PNG or JPEG files (.png, .jpg, .jpeg)");
}

Image decode_png(const std::string& path, const std::string& data, int64_t channels) {
  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&png, data.data(), data.size())) bad_image(path, png.message);
  png.format = channels == 1 ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;  // alpha composited onto black, 16 bits to 8
  Image out{png.width, png.height, channels, std::vector<uint8_t>(PNG_IMAGE_SIZE(png))};
  if (!png_image_finish_read(&png, nullptr, out.pixels.data(), 0, nullptr)) {
    std::string why = png.message;
    png_image_free(&png);
    bad_image(path, why);
  }
  return out;
}

struct JpegError {
  jpeg_error_mgr mgr;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void jpeg_failed(j_common_ptr info) {
  auto* e = reinterpret_cast<JpegError*>(info->err);
  (*info->err->format_message)(info, e->message);
  std::longjmp(e->jump, 1);
}

// libjpeg reports errors by longjmp: nothing with a destructor lives between the setjmp and the calls that may jump
// (out is the caller's), so jumping back is well defined.
bool decode_jpeg_into(const std::string& data, int64_t channels, Image& out, JpegError& error) {
  jpeg_decompress_struct info;
  info.err = jpeg_std_error(&error.mgr);
  error.mgr.error_exit = jpeg_failed;
  if (setjmp(error.jump)) {
    jpeg_destroy_decompress(&info);
    return false;
  }
  jpeg_create_decompress(&info);
  jpeg_mem_src(&info, reinterpret_cast<const unsigned char*>(data.data()), static_cast<unsigned long>(data.size()));
  jpeg_read_header(&info, TRUE);
  info.out_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_start_decompress(&info);
  out.width = info.output_width, out.height = info.output_height, out.channels = info.output_components;
  out.pixels.resize(static_cast<size_t>(out.width * out.height * out.channels));
  while (info.output_scanline < info.output_height) {
    JSAMPROW row = out.pixels.data() + static_cast<size_t>(info.output_scanline) * static_cast<size_t>(out.width * out.channels);
    jpeg_read_scanlines(&info, &row, 1);
  }
  jpeg_finish_decompress(&info);
  jpeg_destroy_decompress(&info);
  return true;
}

bool has_image_extension(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".png" || ext == ".jpg" || ext == ".jpeg";
}

}  // namespace

Image read_image(const std::string& path, int64_t channels) {
  if (channels != 1 && channels != 3) bad_image(path, "channels must be 1 or 3, not " + std::to_string(channels));
  std::string data = read_file(path);
  if (data.starts_with("\x89PNG\r\n\x1a\n")) return decode_png(path, data, channels);
  if (data.starts_with("\xFF\xD8\xFF")) {
    Image out;
    JpegError error{};
    if (!decode_jpeg_into(data, channels, out, error)) bad_image(path, error.message);
    return out;
  }
  bad_image(path, "neither a PNG nor a JPEG file");
}

std::vector<std::string> image_files(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::path& p = it->path();
    if (p.filename().string().starts_with(".")) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file()) continue;
    if (!has_image_extension(p)) bad_image(p.string(), "not a .png, .jpg or .jpeg file");
    files.push_back(p.string());
  }
  if (ec) throw IoError("rig.io.read", "cannot list '" + dir + "': " + ec.message(), {}, "root");
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<std::string> image_folder_classes(const std::string& root) {
  if (!fs::is_directory(root))
    throw Error("rig.torch.data.path", "'" + root + "' is not a folder", {}, "root",
                "an image folder holds one subfolder of images per class: root/<class>/*.png");
  std::vector<std::string> classes;
  for (const auto& entry : fs::directory_iterator(root))
    if (entry.is_directory() && !entry.path().filename().string().starts_with("."))
      classes.push_back(entry.path().filename().string());
  std::sort(classes.begin(), classes.end());
  if (classes.size() < 2)
    throw Error("rig.torch.data.image", "'" + root + "' has " + std::to_string(classes.size()) +
                                            " class subfolder(s); classification needs at least two",
                {}, "root", "an image folder holds one subfolder of images per class: root/<class>/*.png");
  return classes;
}

}  // namespace rig::torch
