// Training on two-object scenes with a plain softmax classifier.
//
// A scene holding objects of classes a and b should score both. Its ideal
// target is the soft label (½ at a, ½ at b), and the mean cross-entropy of
// the scene listed twice — once labelled a, once labelled b — is exactly the
// cross-entropy against that soft target:
//   ½·(−log p_a) + ½·(−log p_b) = −Σ_k t_k log p_k,  t = (½ at a, ½ at b).
// So listing each scene once per object teaches the network that both
// objects are evidence, using only the hard-label loss of ops.hpp.
#include <stdexcept>

#include "gcam/data/dataset.hpp"

namespace gcam {

Dataset scenes_with_each_label(const TwoObjectScenes& scenes) {
  const Dataset& src = scenes.images;
  Dataset out;
  out.name = src.name + "-each-label";
  out.image_shape = src.image_shape;
  out.class_names = src.class_names;
  const std::size_t bytes = src.image_bytes(), plane = src.mask_bytes();
  for (std::size_t i = 0; i < src.size(); ++i)
    for (int k = 0; k < 2; ++k) {
      const auto image = src.pixels.begin() + static_cast<std::ptrdiff_t>(i * bytes);
      out.pixels.insert(out.pixels.end(), image, image + static_cast<std::ptrdiff_t>(bytes));
      out.labels.push_back(scenes.classes[i][static_cast<std::size_t>(k)]);
      const std::vector<std::uint8_t>& own = k == 0 ? scenes.masks_a : scenes.masks_b;
      const auto mask = own.begin() + static_cast<std::ptrdiff_t>(i * plane);
      out.masks.insert(out.masks.end(), mask, mask + static_cast<std::ptrdiff_t>(plane));
    }
  out.check();
  return out;
}

Dataset concatenate(const Dataset& first, const Dataset& second) {
  if (first.image_shape != second.image_shape || first.class_names != second.class_names)
    throw std::invalid_argument("concatenate: '" + first.name + "' and '" + second.name +
                                "' differ in image shape or classes");
  Dataset out = first;
  out.name = first.name + "+" + second.name;
  out.pixels.insert(out.pixels.end(), second.pixels.begin(), second.pixels.end());
  out.labels.insert(out.labels.end(), second.labels.begin(), second.labels.end());
  if (first.has_masks() && second.has_masks())
    out.masks.insert(out.masks.end(), second.masks.begin(), second.masks.end());
  else
    out.masks.clear();  // masks only when every image has one
  out.check();
  return out;
}

}  // namespace gcam
