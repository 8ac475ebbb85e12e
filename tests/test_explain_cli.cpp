// `gradcam explain` for every method, the report and the friendlier refusals,
// run as a user runs them (a child process of the float build's tool). The
// tool exists only in the float build, so these tests are compiled only with
// GCAM_FLOAT32 (the double build's "~[trained]" does not run them).
#include <catch2/catch.hpp>

#ifdef GCAM_FLOAT32

#include <cstring>
#include <filesystem>
#include <fstream>

#include "child_process.hpp"
#include "gcam/data/dataset.hpp"
#include "gcam/io/checkpoint.hpp"
#include "gcam/io/convert.hpp"
#include "gcam/io/image_codec.hpp"
#include "gcam/methods/cam_methods.hpp"
#include "gcam/nn/predict.hpp"
#include "handmade_images.hpp"
#include "scratch_folder.hpp"

using namespace gcam;
using gcam_test::pattern_image;
using gcam_test::ScratchFolder;

namespace {

std::string file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// A float32 .npy of shape (H, W) as save_npy writes it: its values.
std::vector<float> read_npy(const std::string& path, int H, int W) {
  const std::string bytes = file_text(path);
  const std::string shape = "'shape': (" + std::to_string(H) + ", " + std::to_string(W) + ")";
  REQUIRE(bytes.find("'descr': '<f4'") != std::string::npos);
  REQUIRE(bytes.find(shape) != std::string::npos);
  REQUIRE(bytes.size() == 128 + 4 * std::size_t(H) * std::size_t(W));
  std::vector<float> values(std::size_t(H) * std::size_t(W));
  std::memcpy(values.data(), bytes.data() + 128, 4 * values.size());
  return values;
}

gcam_test::RunResult gradcam(const std::vector<std::string>& args) {
  return gcam_test::run_child(gcam_test::cli_path(), args);
}

// Every method on one input; the .npy must equal explain()'s map for the predicted class.
void check_every_method(const ScratchFolder& folder, Model& model, const std::vector<std::string>& input,
                        const Tensor& batch) {
  const Tensor logits = predict(model, batch);
  const int predicted = int(std::max_element(logits.data(), logits.data() + logits.dim(1)) - logits.data());
  for (const std::string& method : method_names()) {
    INFO("method " << method);
    std::vector<std::string> args{"explain",
                                  "--ckpt",
                                  folder.file("m.ckpt"),
                                  "--method",
                                  method,
                                  "--out",
                                  folder.file("m.png"),
                                  "--save-map",
                                  folder.file("m.npy"),
                                  "--labels"};
    args.insert(args.end(), input.begin(), input.end());
    const gcam_test::RunResult r = gradcam(args);
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.output, Catch::Contains("with " + method) && Catch::Contains("probability"));
    const Tensor expected = explain(method, model, batch, {predicted});
    const std::vector<float> saved = read_npy(folder.file("m.npy"), batch.dim(2), batch.dim(3));
    for (std::size_t e = 0; e < saved.size(); ++e) REQUIRE(saved[e] == Approx(double(expected[e])).margin(1e-6));
    CHECK(load_image(folder.file("m.png")).height > 256);  // the labelled picture: title and colour bar added
  }
}

}  // namespace

TEST_CASE("explain --method runs every method on a Fashion-MNIST image; the .npy is explain()'s map", "[float][cli]") {
  ScratchFolder folder("every_method_fashion");
  // gap-cnn: CAM needs its head (global average pooling, then one dense layer).
  Model model = make_model("gap-cnn", {1, 28, 28}, 10, 2);
  save_checkpoint(folder.file("m.ckpt"), model, {});
  const Dataset test = load_dataset("fashion", "test");  // make test installs dataset-fashion-mnist
  check_every_method(folder, model, {"--data", "fashion-test", "--index", "3"}, test.images({3}));
  // fashion-cnn has no such head: CAM is refused, saying that Grad-CAM needs none.
  Model plain = make_model("fashion-cnn", {1, 28, 28}, 10, 2);
  save_checkpoint(folder.file("plain.ckpt"), plain, {});
  const gcam_test::RunResult cam = gradcam({"explain", "--ckpt", folder.file("plain.ckpt"), "--data", "fashion-test",
                                            "--method", "cam", "--out", folder.file("cam.png")});
  CHECK(cam.exit_code == 1);
  CHECK_THAT(cam.output, Catch::Contains("Grad-CAM (method gradcam) needs no such head"));
}

TEST_CASE("explain --method runs every method on a user's PNG", "[float][cli]") {
  ScratchFolder folder("every_method_png");
  Model model = make_model("shapes-cnn", {1, 32, 32}, 4, 2);
  save_checkpoint(folder.file("m.ckpt"), model, {});
  save_png(folder.file("photo.png"), pattern_image(32, 32, 1));
  const Tensor batch = image_to_tensor(load_image(folder.file("photo.png"))).reshaped({1, 1, 32, 32});
  check_every_method(folder, model, {"--image", folder.file("photo.png")}, batch);
}

TEST_CASE("explain --list-methods prints each method with its description, one per line", "[float][cli]") {
  const gcam_test::RunResult r = gradcam({"explain", "--list-methods"});
  REQUIRE(r.exit_code == 0);
  std::size_t lines = 0;
  for (std::size_t at = 0; (at = r.output.find('\n', at)) != std::string::npos; ++at) ++lines;
  CHECK(lines == method_names().size());
  for (const MethodInfo& m : method_catalogue())
    CHECK_THAT(r.output, Catch::Contains(m.name + " ") && Catch::Contains(m.summary));
}

TEST_CASE("explain: did you mean, letter case, aspect ratio and letterbox, --report", "[float][cli]") {
  ScratchFolder folder("explain_friendly");
  Model model = make_model("shapes-cnn", {1, 32, 32}, 4, 2);
  CheckpointInfo info;
  info.class_names = {"circle", "square", "triangle", "cross"};
  save_checkpoint(folder.file("m.ckpt"), model, info);
  save_png(folder.file("wide.png"), pattern_image(64, 32, 1));
  const std::vector<std::string> base{"explain", "--ckpt", folder.file("m.ckpt"), "--image", folder.file("wide.png")};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> a = base;
    a.insert(a.end(), extra.begin(), extra.end());
    return gradcam(a);
  };
  const auto option = with({"--out", folder.file("a.png"), "--colourmap", "jet"});
  CHECK(option.exit_code == 2);
  CHECK_THAT(option.output, Catch::Contains("did you mean '--colormap'?"));
  const auto layer = with({"--out", folder.file("a.png"), "--layer", "relu_4"});
  CHECK_THAT(layer.output, Catch::Contains("did you mean 'relu4'?"));
  const auto stretched = with({"--out", folder.file("a.png"), "--class", "TRIANGLE"});
  INFO(stretched.output);
  CHECK(stretched.exit_code == 0);
  CHECK_THAT(stretched.output,
             Catch::Contains("explaining class triangle") && Catch::Contains("changes the aspect ratio"));
  const auto boxed = with({"--out", folder.file("b.png"), "--resize", "letterbox"});
  CHECK(boxed.exit_code == 0);
  CHECK_THAT(boxed.output, Catch::Contains("letterboxed to 32x32"));
  const auto report = with({"--report", folder.file("report"), "--layers", "relu3,relu4"});
  INFO(report.output);
  REQUIRE(report.exit_code == 0);
  const std::string html = file_text(folder.file("report/index.html"));
  CHECK(html.find("id=\"panel-7-relu4\"") != std::string::npos);
  CHECK(html.find("id=\"panel-layers\"") != std::string::npos);
  const auto no_report = with({"--out", folder.file("c.png"), "--layers", "relu3,relu4"});
  CHECK(no_report.exit_code == 2);
  CHECK_THAT(no_report.output, Catch::Contains("--layers is for --report"));
}

TEST_CASE("compare on Fashion-MNIST and on a folder of images: the mask columns say n/a", "[float][cli]") {
  ScratchFolder folder("compare_any_data");
  Model fashion = make_model("fashion-cnn", {1, 28, 28}, 10, 2);
  save_checkpoint(folder.file("fashion.ckpt"), fashion, {});
  const std::vector<std::string> quick{"--count",         "4", "--methods", "gradcam,saliency,random",
                                       "--sanity-images", "1", "--steps",   "4"};
  std::vector<std::string> args{"compare",      "--ckpt",    folder.file("fashion.ckpt"), "--data",
                                "fashion-test", "--out-dir", folder.file("fashion")};
  args.insert(args.end(), quick.begin(), quick.end());
  const gcam_test::RunResult r = gradcam(args);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const std::string md = file_text(folder.file("fashion/compare.md")),
                    csv = file_text(folder.file("fashion/compare.csv"));
  // Each of the 3 rows: the 4 mask columns of the first table and the 2 of the
  // second (Quantus) n/a, the other columns numbers.
  std::size_t marks = 0;
  for (std::size_t at = 0; (at = md.find("| n/a (no masks) |", at)) != std::string::npos; at += 5) ++marks;
  CHECK(marks == 3 * (4 + 2));
  CHECK_THAT(csv, Catch::Contains("gradcam,n/a,n/a,n/a,n/a,0."));
  CHECK_THAT(md, Catch::Contains("## Quantus-family metrics") &&
                     Catch::Contains("| method | sparseness ↑ | entropy ↓ | eff. complexity % ↓ | rank accuracy ↑"));
  // The random map ignores the image (a fixed seed): perturbing or shifting the
  // input leaves it as it was (sensitivities, Lipschitz and input invariance 0),
  // and it is the same for any class (random logit ρ = 1). The CSV's last columns:
  // max_sensitivity, avg_sensitivity, local_lipschitz, random_logit, input_invariance, seconds.
  const std::size_t random_row = csv.find("\nrandom,");
  REQUIRE(random_row != std::string::npos);
  const std::string row = csv.substr(random_row + 1, csv.find('\n', random_row + 1) - random_row - 1);
  CHECK_THAT(row, Catch::Contains(",0.000000,0.000000,0.000000,1.000000,0.000000,"));
  CHECK_THAT(csv,
             Catch::StartsWith("method,pointing_pct") && Catch::Contains(",random_logit,input_invariance,seconds"));
  CHECK_THAT(md, Catch::Contains("images of fashion-test"));

  Model shapes = make_model("shapes-cnn", {1, 32, 32}, 4, 2);
  save_checkpoint(folder.file("shapes.ckpt"), shapes, {});
  std::filesystem::create_directory(folder.file("photos"));
  for (int i = 0; i < 3; ++i)
    save_png(folder.file("photos/p" + std::to_string(i) + ".png"), pattern_image(40 + i, 32, 3));
  args = {"compare",   "--ckpt",          folder.file("shapes.ckpt"), "--data", folder.file("photos"),
          "--out-dir", folder.file("out")};
  args.insert(args.end(), quick.begin(), quick.end());
  const gcam_test::RunResult photos = gradcam(args);
  INFO(photos.output);
  REQUIRE(photos.exit_code == 0);
  const std::string text = file_text(folder.file("out/compare.md"));
  CHECK_THAT(text, Catch::Contains("3 images of the folder") && Catch::Contains("n/a (no masks)"));
  // A model of another input size is refused before any work.
  args[2] = folder.file("fashion.ckpt"), args[4] = "shapes-test";
  const gcam_test::RunResult wrong = gradcam(args);
  CHECK(wrong.exit_code == 2);
  CHECK_THAT(wrong.output, Catch::Contains("use a checkpoint trained on that data"));
}

#endif  // GCAM_FLOAT32
