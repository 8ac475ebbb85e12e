// The HTML report of `gradcam explain --report` (include/gcam/report/report.hpp):
// its JSON data block read back and compared with a GradCamResult computed
// here, every panel present, nothing fetched from anywhere, for a plain CNN,
// the shapes CNN and a net of residual blocks.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "gcam/core/error.hpp"
#include "gcam/core/rng.hpp"
#include "gcam/io/convert.hpp"
#include "gcam/ops/softmax.hpp"
#include "gcam/report/report.hpp"
#include "json_reader.hpp"

using namespace gcam;
using gcam_test::Json;

namespace {

struct Sample {
  Tensor image;  // (1, C, H, W) in [0, 1]
  Image picture;
};

Sample random_sample(const Shape& shape, std::uint64_t seed) {
  Rng rng(seed);
  Tensor x({1, shape[0], shape[1], shape[2]});
  for (std::size_t e = 0; e < x.size(); ++e) x[e] = Scalar(rng.uniform());
  return {x, tensor_to_image(x.reshaped(shape))};
}

ReportRequest request_for(const Model& model) {
  ReportRequest request;
  request.source = "random image";
  request.checkpoint = "(untrained)";
  for (int k = 0; k < model.classes(); ++k) request.class_names.push_back("class " + std::to_string(k));
  return request;
}

// The JSON of the page's <script type="application/json" id="gradcam-data"> block.
Json data_block(const std::string& html) {
  const std::string open = "<script type=\"application/json\" id=\"gradcam-data\">";
  const std::size_t start = html.find(open);
  REQUIRE(start != std::string::npos);
  const std::size_t end = html.find("</script>", start);
  REQUIRE(end != std::string::npos);
  return gcam_test::JsonParser(html.substr(start + open.size(), end - start - open.size())).parse();
}

void check_range(const Json& range, const Tensor& t) {
  CHECK(range["min"].number == Approx(double(*std::min_element(t.data(), t.data() + t.size()))).margin(1e-12));
  CHECK(range["max"].number == Approx(double(*std::max_element(t.data(), t.data() + t.size()))).margin(1e-12));
}

void check_classes(const Json& classes, const GradCamResult& r) {
  const Tensor p = softmax_forward(r.logits);
  REQUIRE(int(classes.size()) == r.logits.dim(1));
  for (std::size_t i = 0; i < classes.size(); ++i) {
    const int k = int(classes[i]["index"].number);
    CHECK(classes[i]["logit"].number == Approx(double(r.logits.at(0, k))).margin(1e-12));
    CHECK(classes[i]["probability"].number == Approx(double(p.at(0, k))).margin(1e-12));
    if (i > 0) CHECK(classes[i - 1]["logit"].number >= classes[i]["logit"].number);  // largest logit first
  }
}

void check_layer(const Json& layer, const GradCamResult& r, const std::string& html) {
  CHECK(layer["name"].text == r.layer);
  const int K = r.weights.dim(1);
  REQUIRE(int(layer["alpha"].size()) == K);
  for (int k = 0; k < K; ++k)
    CHECK(layer["alpha"][std::size_t(k)].number == Approx(double(r.weights.at(0, k))).margin(1e-12));
  REQUIRE(int(layer["bar_order"].size()) == K);
  std::vector<int> order;
  for (int k = 0; k < K; ++k) order.push_back(int(layer["bar_order"][std::size_t(k)].number));
  std::vector<int> sorted = order;
  std::sort(sorted.begin(), sorted.end());
  for (int k = 0; k < K; ++k) CHECK(sorted[std::size_t(k)] == k);  // a permutation of the channels ...
  for (int i = 1; i < K; ++i)                                      // ... by α, largest first
    CHECK(r.weights.at(0, order[std::size_t(i - 1)]) >= r.weights.at(0, order[std::size_t(i)]));
  CHECK(layer["Z"].number == r.activations.dim(2) * r.activations.dim(3));
  check_range(layer["weighted_sum"], r.weighted_sum);
  check_range(layer["map"], r.map);
  check_range(layer["upsampled"], r.upsampled);
  // The records the report highlights are exactly those whose rule the walk ran.
  CHECK(layer["rules_run"].number == r.rules_run);
  CHECK(int(layer["tape"]["visited"].size()) == r.rules_run);
  for (std::size_t p = 0; p < layer["panels"].size(); ++p)
    CHECK(html.find("id=\"" + layer["panels"][p].text + "\"") != std::string::npos);
  CHECK(layer["panels"].size() == 6);
}

}  // namespace

TEST_CASE("report: the data block carries every number of the GradCamResult, every panel is there", "[report]") {
  struct Net {
    const char* architecture;
    Shape input;
    int classes;
  };
  for (const Net& net :
       {Net{"fashion-cnn", {1, 28, 28}, 10}, Net{"shapes-cnn", {1, 32, 32}, 4}, Net{"resnet-mini", {1, 28, 28}, 10}}) {
    INFO(net.architecture);
    Model model = make_model(net.architecture, net.input, net.classes, 5);
    const Sample s = random_sample(net.input, 9);
    const std::string html = gradcam_report_html(model, s.image, s.picture, request_for(model));
    const Json data = data_block(html);
    GradCamOptions options;
    options.kernels = Kernels::Reference;
    const GradCamResult r = grad_cam(model, s.image, options);  // the predicted class at the default layer
    CHECK(data["model"].text == net.architecture);
    CHECK(data["target"]["class"].number == r.classes[0]);
    CHECK(data["target"]["y_c"].number == Approx(double(r.scores[0])).margin(1e-12));
    check_classes(data["classes"], r);
    REQUIRE(data["layers"].size() == 1);
    check_layer(data["layers"][0], r, html);
    CHECK(html.find("id=\"panel-1\"") != std::string::npos);
    // Self-contained: one script block (the data), nothing loaded from elsewhere.
    CHECK(html.find("<script") == html.rfind("<script"));
    CHECK(html.find("src=\"http") == std::string::npos);
    CHECK(html.find("<link") == std::string::npos);
  }
}

TEST_CASE("report: several layers side by side, a chosen class, the counterfactual and the runner-up", "[report]") {
  Model model = make_model("resnet-mini", {1, 28, 28}, 10, 3);
  const Sample s = random_sample({1, 28, 28}, 4);
  ReportRequest request = request_for(model);
  request.layers = {"layer1", "layer2.0.conv1", "layer3"};
  request.target_class = 7;
  const std::string html = gradcam_report_html(model, s.image, s.picture, request);
  const Json data = data_block(html);
  CHECK(data["target"]["class"].number == 7);
  REQUIRE(data["layers"].size() == 3);
  CHECK(html.find("id=\"panel-layers\"") != std::string::npos);
  for (std::size_t i = 0; i < 3; ++i) {
    GradCamOptions options;
    options.layer = request.layers[i];
    options.classes = {7};
    options.kernels = Kernels::Reference;
    check_layer(data["layers"][i], grad_cam(model, s.image, options), html);
    options.counterfactual = true;
    const GradCamResult against = grad_cam(model, s.image, options);
    check_range(data["layers"][i]["counterfactual"]["upsampled"], against.upsampled);
    CHECK(data["layers"][i]["second_class"]["class"].number != 7);
  }
  request.layers = {"layer9"};
  CHECK_THROWS_WITH(gradcam_report_html(model, s.image, s.picture, request),
                    Catch::Contains("unknown layer 'layer9'") && Catch::Contains("did you mean 'layer1'?"));
  request.layers = {};
  request.class_names.pop_back();
  CHECK_THROWS_WITH(gradcam_report_html(model, s.image, s.picture, request), Catch::Contains("9 class names for 10"));
}
