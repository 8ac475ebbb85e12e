// The data sets the command line and the tests know by name.
#include "gcam/core/error.hpp"
#include "gcam/core/names.hpp"
#include "gcam/data/dataset.hpp"

namespace gcam {

namespace {
// Fixed seeds: the synthetic splits are the same data for everybody. The
// two-object scenes used for explanations (seed 3, see demo) are not trained on.
constexpr std::uint64_t kShapesTrainSeed = 1, kShapesTestSeed = 2, kShapesSceneTrainSeed = 4;
constexpr std::size_t kShapesTrainSize = 6000, kShapesTestSize = 1000, kShapesSceneTrainSize = 8000;
}  // namespace

// Single shapes plus two-object scenes listed once per object: a classifier
// trained on single shapes alone never sees two objects and, asked about one
// of them, often looks at the other (see docs/training.md).
Dataset shapes_training_set() {
  return concatenate(make_shapes(kShapesTrainSize, kShapesTrainSeed),
                     scenes_with_each_label(make_two_object_scenes(kShapesSceneTrainSize, kShapesSceneTrainSeed)));
}

const char* dataset_names() { return "fashion, shapes"; }

Dataset load_dataset(const std::string& name, const std::string& split) {
  if (split != "train" && split != "test") throw UnknownName(unknown_name_message("split", split, {"train", "test"}));
  if (name == "fashion") return load_fashion_mnist(split);
  if (name == "shapes") return split == "train" ? shapes_training_set() : make_shapes(kShapesTestSize, kShapesTestSeed);
  throw UnknownName(unknown_name_message("data set", name, {"fashion", "shapes"}));
}

}  // namespace gcam
