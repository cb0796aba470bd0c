// device:, dtype: and autocast: (rig/torch/device.hpp), and checkpoints that record their dtype and load into either.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "rig/config.hpp"
#include "rig/error.hpp"
#include "rig/torch/checkpoint.hpp"
#include "rig/torch/device.hpp"
#include "rig/torch/model.hpp"
#include "rig/yaml.hpp"

namespace rt = rig::torch;
namespace fs = std::filesystem;

namespace {

rt::Placement placement_of(const std::string& device, const std::string& dtype, bool autocast = false) {
  rig::Config cfg(rig::load_yaml("seed: 0\ndevice: " + device + "\ndtype: " + dtype +
                                     "\nautocast: " + (autocast ? "true" : "false") + "\n",
                                 "placement.yaml"));
  return rt::placement(cfg);
}

// The error placement() throws, as text ("" when it does not throw).
std::string error_of(const std::string& device, const std::string& dtype, std::string* id = nullptr) {
  try {
    (void)placement_of(device, dtype);
  } catch (const rig::Error& e) {
    if (id) *id = e.id();
    return e.what();
  }
  return "";
}

}  // namespace

TEST(Device, CudaOnACpuOnlyLibTorchIsALocatedConfigError) {
  if (::torch::cuda::is_available()) GTEST_SKIP() << "this LibTorch has CUDA: the CPU-only error cannot happen here";
  for (const char* device : {"cuda", "cuda:0", "cuda:1"}) {
    std::string id, text = error_of(device, "fp32", &id);
    EXPECT_EQ(id, "rig.torch.device") << text;
    EXPECT_NE(text.find("placement.yaml:2:9"), std::string::npos) << text;
    EXPECT_NE(text.find("this LibTorch has no CUDA"), std::string::npos) << text;
    EXPECT_NE(text.find("device=cpu"), std::string::npos) << text;  // the hint
  }
  EXPECT_TRUE(placement_of("auto", "fp32").device.is_cpu());
}

TEST(Device, WhatIsNoDeviceOrDtypeIsRefusedAtItsKey) {
  std::string id;
  EXPECT_NE(error_of("gpu", "fp32", &id).find("'gpu' is not a device"), std::string::npos);
  EXPECT_EQ(id, "rig.torch.device");
  EXPECT_NE(error_of("cuda:x", "fp32", &id).find("is not a device"), std::string::npos);
  std::string text = error_of("cpu", "fp64", &id);
  EXPECT_EQ(id, "rig.torch.dtype");
  EXPECT_NE(text.find("placement.yaml:3:8"), std::string::npos) << text;
  text = error_of("cpu", "fp16", &id);
  EXPECT_EQ(id, "rig.torch.dtype");
  EXPECT_NE(text.find("dtype=bf16"), std::string::npos) << text;
}

TEST(Device, Bf16PlacesFloatingTensorsOnly) {
  rt::Placement at = placement_of("cpu", "bf16");
  EXPECT_TRUE(at.device.is_cpu());
  rt::MLP model({.in_features = 4, .hidden = {8}, .out_features = 3});
  at.place(model);
  for (const auto& p : model.parameters()) EXPECT_EQ(p.scalar_type(), ::torch::kBFloat16);
  EXPECT_EQ(at.input(::torch::ones({2, 4})).scalar_type(), ::torch::kBFloat16);
  EXPECT_EQ(at.input(::torch::ones({2}, ::torch::kLong)).scalar_type(), ::torch::kLong);
  ::torch::Tensor out = model.forward(at.input(::torch::ones({2, 4})));  // LibTorch computes it on the CPU
  EXPECT_EQ(out.scalar_type(), ::torch::kBFloat16);
}

TEST(Device, CheckpointsRecordTheirDtypeAndLoadIntoEither) {
  fs::path dir = fs::temp_directory_path() / ("rig_device_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  ::torch::manual_seed(0);
  rt::MLP fp32({.in_features = 4, .hidden = {8}, .out_features = 3});
  rt::MLP bf16({.in_features = 4, .hidden = {8}, .out_features = 3});
  placement_of("cpu", "bf16").place(bf16);
  rt::save_model(fp32, dir / "fp32.pt");
  rt::save_model(bf16, dir / "bf16.pt");
  EXPECT_EQ(rt::saved_dtype(dir / "fp32.pt"), "fp32");
  EXPECT_EQ(rt::saved_dtype(dir / "bf16.pt"), "bf16");

  rt::MLP into_fp32({.in_features = 4, .hidden = {8}, .out_features = 3});
  rt::load_model(into_fp32, dir / "bf16.pt");  // bf16 weights, widened: the model stays fp32
  auto want = bf16.parameters(), got = into_fp32.parameters();
  ASSERT_EQ(want.size(), got.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].scalar_type(), ::torch::kFloat32);
    EXPECT_TRUE(got[i].equal(want[i].to(::torch::kFloat32)));
  }
  rt::MLP into_bf16({.in_features = 4, .hidden = {8}, .out_features = 3});
  placement_of("cpu", "bf16").place(into_bf16);
  rt::load_model(into_bf16, dir / "fp32.pt");  // fp32 weights, rounded: the model stays bf16
  want = fp32.parameters(), got = into_bf16.parameters();
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].scalar_type(), ::torch::kBFloat16);
    EXPECT_TRUE(got[i].equal(want[i].to(::torch::kBFloat16)));
  }
  fs::remove_all(dir);
}

TEST(Device, AutocastKeepsTheWeightsFp32AndComputesTheLinearLayersInBf16) {
  rt::Placement at = placement_of("cpu", "bf16", /*autocast=*/true);
  ::torch::manual_seed(0);
  rt::MLP model({.in_features = 4, .hidden = {8}, .out_features = 3});
  at.place(model);
  for (const auto& p : model.parameters()) EXPECT_EQ(p.scalar_type(), ::torch::kFloat32);
  ::torch::Tensor x = ::torch::randn({5, 4});
  EXPECT_EQ(at.input(x).scalar_type(), ::torch::kFloat32);
  ::torch::Tensor got;
  {
    rt::AutocastScope amp = at.autocast_scope();
    got = model.forward(at.input(x));
  }
  EXPECT_EQ(got.scalar_type(), ::torch::kBFloat16);  // the last linear layer ran in bf16
  // The same layers computed by hand in bf16 (what autocast's cast policy for linear does): equal bit for bit.
  auto params = model.parameters();  // weight, bias of each Linear, in order
  ASSERT_EQ(params.size(), 4u);
  auto bf = [](const ::torch::Tensor& t) { return t.to(::torch::kBFloat16); };
  ::torch::Tensor h = ::torch::relu(::torch::nn::functional::linear(bf(x), bf(params[0]), bf(params[1])));
  ::torch::Tensor want = ::torch::nn::functional::linear(h, bf(params[2]), bf(params[3]));
  EXPECT_TRUE(got.equal(want)) << got << want;
  // Outside the scope: fp32 again, and no autocast left switched on.
  EXPECT_EQ(model.forward(x).scalar_type(), ::torch::kFloat32);
  // at.forward: autocast inside, fp32 logits out for the loss.
  ::torch::Tensor logits = at.forward(model, x);
  EXPECT_EQ(logits.scalar_type(), ::torch::kFloat32);
  EXPECT_TRUE(logits.equal(want.to(::torch::kFloat32)));
}

TEST(Device, AutocastInFp16OnTheCpuIsRefused) {
  std::string id, text = error_of("cpu", "fp16", &id);
  EXPECT_EQ(id, "rig.torch.dtype");
  try {
    (void)placement_of("cpu", "fp16", true);
    ADD_FAILURE() << "no error";
  } catch (const rig::Error& e) {
    EXPECT_EQ(e.id(), "rig.torch.dtype");
    EXPECT_NE(std::string(e.what()).find("bf16 only"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("placement.yaml:3:8"), std::string::npos) << e.what();
  }
}
