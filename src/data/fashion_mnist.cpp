// Fashion-MNIST (Zalando, 2017): 28×28 gray photos of clothing in 10 classes,
// stored as four IDX files — images and labels for "train" and "t10k".
#include <fstream>

#include "gcam/core/error.hpp"
#include "gcam/data/dataset.hpp"

namespace gcam {

static const char* const kInstallHint =
    "install with `apt-get install dataset-fashion-mnist` (as root) or `make fashion-data`";

std::vector<std::string> fashion_mnist_classes() {
  return {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};
}

static bool file_exists(const std::string& path) { return std::ifstream(path).good(); }

// dir/base.gz if it exists, else dir/base (uncompressed); throws with the
// install hint when neither is there.
static std::string find_file(const std::string& dir, const std::string& base) {
  const std::string plain = dir + "/" + base;
  if (file_exists(plain + ".gz")) return plain + ".gz";
  if (file_exists(plain)) return plain;
  throw FormatError("Fashion-MNIST: '" + plain + ".gz' not found (nor the uncompressed '" + plain + "'); " +
                    kInstallHint);
}

Dataset load_fashion_mnist(const std::string& split, const std::string& dir) {
  if (split != "train" && split != "test")
    throw UnknownName("Fashion-MNIST: unknown split '" + split + "'; use \"train\" or \"test\"");
  const std::string prefix = split == "train" ? "train" : "t10k";
  const std::string images_path = find_file(dir, prefix + "-images-idx3-ubyte");
  const std::string labels_path = find_file(dir, prefix + "-labels-idx1-ubyte");
  IdxArray images = load_idx(images_path);
  IdxArray labels = load_idx(labels_path);

  if (images.dims.size() != 3 || images.dims[1] != 28 || images.dims[2] != 28)
    throw FormatError("Fashion-MNIST: '" + images_path + "' should hold N×28×28 images, but has dimensions " +
                      shape_string(images.dims));
  if (labels.dims.size() != 1)
    throw FormatError("Fashion-MNIST: '" + labels_path + "' should hold one label per image, but has dimensions " +
                      shape_string(labels.dims));
  if (images.dims[0] != labels.dims[0] || images.dims[0] == 0)
    throw FormatError("Fashion-MNIST: " + std::to_string(images.dims[0]) + " images in '" + images_path + "' but " +
                      std::to_string(labels.dims[0]) + " labels in '" + labels_path +
                      "'; the files do not belong together (or are empty)");

  Dataset data;
  data.name = "fashion-mnist-" + split;
  data.image_shape = {1, 28, 28};
  data.class_names = fashion_mnist_classes();
  data.pixels = std::move(images.data);
  data.labels.reserve(labels.data.size());
  for (std::size_t i = 0; i < labels.data.size(); ++i) {
    if (labels.data[i] >= 10)
      throw FormatError("Fashion-MNIST: label " + std::to_string(labels.data[i]) + " of image " + std::to_string(i) +
                        " in '" + labels_path + "' is not a class 0..9; the file is corrupt");
    data.labels.push_back(labels.data[i]);
  }
  data.check();
  return data;
}

}  // namespace gcam
