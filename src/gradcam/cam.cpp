// CAM (Zhou et al. 2016), the method Grad-CAM generalizes: it only applies to
// a net that ends in global average pooling and one dense layer.
#include <stdexcept>

#include "gcam/gradcam/gradcam.hpp"

namespace gcam {

Tensor class_activation_map(Model& model, const Tensor& images, const std::vector<int>& classes) {
  const int L = model.layer_count();
  const auto* dense = L >= 2 ? dynamic_cast<const Dense*>(&model.layer(L - 1)) : nullptr;
  const auto* gap = L >= 2 ? dynamic_cast<const GlobalAvgPool*>(&model.layer(L - 2)) : nullptr;
  if (!dense || !gap || L < 3)
    throw std::invalid_argument(
        "CAM needs a model ending in global average pooling followed by one dense layer (gap-cnn, shapes-cnn, "
        "resnet-mini); " +
        model.architecture() +
        " does not, so its class scores are no weighted sum of map averages. Grad-CAM (method gradcam) needs no "
        "such head: it works on any CNN");
  check_classes("class_activation_map", classes, images.dim(0), model.classes());
  Tape tape;
  const ForwardPass pass = model.forward(tape, images);
  const Tensor& A = tape.value(pass.layer_outputs[static_cast<std::size_t>(L - 3)]);
  // M^c = Σ_k w^c_k A^k: the dense weights of class c weight the maps.
  Tensor w({images.dim(0), A.dim(1)});
  for (int n = 0; n < images.dim(0); ++n)
    for (int k = 0; k < A.dim(1); ++k) w.at(n, k) = dense->weight.value.at(classes[static_cast<std::size_t>(n)], k);
  return weighted_combination(w, A);
}

}  // namespace gcam
