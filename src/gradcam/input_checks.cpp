// The input checks of Grad-CAM and every explanation method: images, classes,
// logits, class names. Each error names what is wrong and what would be right.
#include "input_checks.hpp"

#include <cmath>
#include <cstdlib>
#include <stdexcept>

#include "gcam/core/error.hpp"
#include "gcam/core/names.hpp"
#include "gcam/gradcam/gradcam.hpp"

namespace gcam {

// "NaN", "+Inf" or "-Inf".
const char* non_finite_name(Scalar v) { return std::isnan(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf"; }

// The model's output must be finite too: finite inputs with weights that
// overflow (a diverged training, say) give NaN or infinite logits.
void check_logits(const Tensor& logits, const std::string& architecture) {
  const int classes = logits.dim(1);
  for (std::size_t e = 0; e < logits.size(); ++e)
    if (!std::isfinite(logits[e]))
      throw NumericError("grad_cam: " + architecture + " outputs " + non_finite_name(logits[e]) + " for image " +
                         std::to_string(e / static_cast<std::size_t>(classes)) + ", class " +
                         std::to_string(e % static_cast<std::size_t>(classes)) +
                         "; its weights are not usable (did the training diverge?)");
}

void check_classes(const std::string& who, const std::vector<int>& classes, int images, int class_count) {
  if (static_cast<int>(classes.size()) != images)
    throw std::invalid_argument(who + ": " + std::to_string(classes.size()) + " target classes for " +
                                std::to_string(images) + " images (give one per image, or none)");
  for (int c : classes)
    if (c < 0 || c >= class_count)
      throw std::invalid_argument(who + ": class " + std::to_string(c) + " out of range: the model has " +
                                  std::to_string(class_count) + " classes (0.." + std::to_string(class_count - 1) +
                                  ")");
}

// Input checks: a batch (N, C, H, W) with N >= 1 and only finite values. A
// NaN or infinity would flow through every step and come out as a NaN map
// (or, after normalization, as a misleading blank one), so it is refused
// here, naming the image and the element.
void check_images(const std::string& who, const Tensor& images) {
  if (images.rank() != 4 || images.dim(0) < 1)
    throw ShapeError(who + ": images must be a batch (N, C, H, W) with N >= 1, got " + shape_string(images.shape()));
  const int C = images.dim(1), H = images.dim(2), W = images.dim(3);
  for (std::size_t e = 0; e < images.size(); ++e) {
    if (std::isfinite(images[e])) continue;
    const std::size_t plane = static_cast<std::size_t>(H) * static_cast<std::size_t>(W);
    const std::size_t n = e / (plane * static_cast<std::size_t>(C)), c = e / plane % static_cast<std::size_t>(C);
    const std::size_t y = e % plane / static_cast<std::size_t>(W), x = e % static_cast<std::size_t>(W);
    throw NumericError(who + ": image " + std::to_string(n) + " has a non-finite value (" + non_finite_name(images[e]) +
                       ") at channel " + std::to_string(c) + ", row " + std::to_string(y) + ", column " +
                       std::to_string(x) + " (element " + std::to_string(e) + " of the batch); inputs must be finite");
  }
}

int class_index(const std::string& name, const std::vector<std::string>& class_names) {
  for (std::size_t i = 0; i < class_names.size(); ++i)
    if (class_names[i] == name) return static_cast<int>(i);
  for (std::size_t i = 0; i < class_names.size(); ++i)  // "sneaker" for "Sneaker": letter case does not count
    if (edit_distance(class_names[i], name) == 0) return static_cast<int>(i);
  char* end = nullptr;
  const long number = std::strtol(name.c_str(), &end, 10);
  if (!name.empty() && *end == '\0' && number >= 0 && number < static_cast<long>(class_names.size()))
    return static_cast<int>(number);
  std::string message = "unknown class '" + name + "'; ";
  const std::string suggestion = closest_name(name, class_names);
  if (!suggestion.empty()) message += "did you mean '" + suggestion + "'? ";
  std::vector<std::string> numbered;
  for (std::size_t i = 0; i < class_names.size(); ++i) numbered.push_back(std::to_string(i) + " " + class_names[i]);
  throw UnknownName(message + "classes are: " + join_names(numbered));
}

}  // namespace gcam
