// dataset.hpp — labelled image collections: Fashion-MNIST and synthetic shapes.
//
// A Dataset keeps its images as bytes (0..255), exactly as the files store
// them: the 60 000 Fashion-MNIST training images take 47 MB as bytes but
// would take 376 MB as doubles. Dataset::images() converts just the batch a
// training step needs into a Tensor.
//
// The synthetic shapes datasets come with ground-truth object masks: for
// every image we know exactly which pixels belong to the object. That is what
// makes Grad-CAM measurable here: a good heatmap should put its mass inside
// the mask, not on the background noise or the clutter.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "gcam/core/image.hpp"
#include "gcam/core/tensor.hpp"

namespace gcam {

struct Dataset {
  std::string name;                      // e.g. "fashion-mnist-train", "shapes"
  Shape image_shape;                     // (C, H, W) of one image
  std::vector<std::string> class_names;  // label k is class_names[k]
  // N·C·H·W bytes: image n starts at n·C·H·W and is planar (C, H, W).
  std::vector<std::uint8_t> pixels;
  std::vector<int> labels;  // N labels in [0, classes())
  // Optional ground truth: N·H·W bytes, 1 where the pixel belongs to the
  // labelled object(s), 0 elsewhere. Empty when unknown (Fashion-MNIST).
  std::vector<std::uint8_t> masks;

  // Number of images.
  std::size_t size() const { return labels.size(); }
  // Number of classes.
  int classes() const { return static_cast<int>(class_names.size()); }
  // Bytes per image (C·H·W) and per mask (H·W).
  std::size_t image_bytes() const;
  std::size_t mask_bytes() const;
  bool has_masks() const { return !masks.empty(); }

  // The images at `indices` as a (B, C, H, W) tensor with values byte / 255
  // in [0, 1]. Throws std::out_of_range naming a bad index.
  Tensor images(const std::vector<std::size_t>& indices) const;
  // The same into `batch`, reusing its storage when it is large enough.
  void images(const std::vector<std::size_t>& indices, Tensor& batch) const;
  // The labels at `indices`, in the same order.
  std::vector<int> labels_of(const std::vector<std::size_t>& indices) const;
  // Pointer to the H·W mask bytes of image `index` (requires has_masks()).
  const std::uint8_t* mask(std::size_t index) const;

  // Throws FormatError if the fields disagree (sizes, label range, mask
  // values). Loaders and generators call it before returning.
  void check() const;
};

// Image `index` as an 8-bit Image (1 or 3 channels) for save_png.
Image dataset_image(const Dataset& data, std::size_t index);

// The mask of image `index` as a gray Image (object 255, background 0).
Image mask_image(const Dataset& data, std::size_t index);

// ---- IDX files (the MNIST family's format) -----------------------------------

// An n-dimensional array of unsigned bytes read from an IDX file.
struct IdxArray {
  std::vector<int> dims;           // e.g. {60000, 28, 28} or {60000}
  std::vector<std::uint8_t> data;  // product(dims) bytes, row-major
};

// Parses an IDX file held in memory. Layout: two zero bytes, a type byte
// (0x08 = unsigned byte, the only type supported), the number of dimensions
// (1 to 4), each dimension as a big-endian 32-bit count, then the data. So
// 0x00000803 starts an image file (count, rows, cols) and 0x00000801 a label
// file (count). The first dimension (the item count) may be zero, the others
// not; the data must have exactly the announced length. Throws FormatError
// naming `name` and the problem. Pass bytes with std::move to avoid a copy.
IdxArray read_idx(std::vector<std::uint8_t> bytes, const std::string& name);

// Reads an IDX file from disk, plain or gzip-compressed (recognised by its
// first bytes, whatever the file name says).
IdxArray load_idx(const std::string& path);

// ---- Fashion-MNIST -------------------------------------------------------------

// Where the Debian package dataset-fashion-mnist installs the files.
constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

// The ten Fashion-MNIST class names, in label order.
std::vector<std::string> fashion_mnist_classes();

// Loads the "train" (60 000 images) or "test" (10 000) split: 1×28×28 gray
// images, 10 classes, no masks. Reads <prefix>-images-idx3-ubyte[.gz] and
// <prefix>-labels-idx1-ubyte[.gz] with prefix "train" or "t10k" from `dir`.
// Throws UnknownName for another split, FormatError when files are missing
// (saying how to install them) or inconsistent.
Dataset load_fashion_mnist(const std::string& split, const std::string& dir = kFashionMnistDir);

// ---- synthetic shapes ------------------------------------------------------------

// The four shape classes, in label order: circle, square, triangle, cross.
std::vector<std::string> shape_classes();

// `count` gray images of size×size (size 16..1024, default 32), each with one
// shape on a noisy, cluttered background, and its exact mask. Deterministic:
// the same (count, seed, size) always gives the same bytes on every platform,
// and image i does not depend on count. Image i has class i % 4 (balanced).
//
// How an image is drawn (all geometry is integer arithmetic, so the mask is
// exact): around a centre pixel (cx, cy) with extent e (5..10 px at size 32,
// scaled with size), a pixel at offset (dx, dy) belongs to the
//   circle    if dx² + dy² ≤ e²
//   square    if |dx| ≤ e and |dy| ≤ e
//   triangle  if |dy| ≤ e and 2·|dx| ≤ dy + e   (apex up, base at dy = e)
//   cross     if (|dx| ≤ t and |dy| ≤ e) or (|dy| ≤ t and |dx| ≤ e),
//             t = max(1, e / 3) (integer division)
// and the centre is chosen so the whole shape is inside the image.
// Background pixels are noise in 0..40; object pixels all have one intensity
// in 150..255; then 2 to 4 clutter items (dots and short lines, intensity
// 60..120) are drawn on background pixels only — clutter never covers the
// object. So the mask is exactly the set of pixels ≥ 150.
Dataset make_shapes(std::size_t count, std::uint64_t seed, int size = 32);

// Images with two objects of two different classes, for testing whether
// Grad-CAM for class A lights up object A and not object B.
struct TwoObjectScenes {
  // The images. labels[i] = classes[i][0]; masks = union of both objects.
  Dataset images;
  std::vector<std::array<int, 2>> classes;     // the two (different) classes
  std::vector<std::uint8_t> masks_a, masks_b;  // N·H·W each: object 0, object 1
};

// `count` two-object scenes, drawn like make_shapes but with smaller objects
// (extent 4..7 at size 32) so two fit. The objects' masks never overlap and
// never touch (not even diagonally): placement is retried with the same
// random stream until they are apart, so the result is still deterministic.
TwoObjectScenes make_two_object_scenes(std::size_t count, std::uint64_t seed, int size = 32);

// ---- building training sets ------------------------------------------------------

// Every scene twice, once labelled with each of its two classes (masks: that
// class's object). Under the mean cross-entropy this equals training on the
// soft target ½/½, so the network learns that both objects are evidence
// (see src/data/scene_labels.cpp).
Dataset scenes_with_each_label(const TwoObjectScenes& scenes);

// The images of `first` followed by those of `second` (same image shape and
// classes, else std::invalid_argument). Masks are kept if both have them.
Dataset concatenate(const Dataset& first, const Dataset& second);

// ---- data sets by name ---------------------------------------------------------

// The "shapes" training split: 6000 single shapes (seed 1) followed by 8000
// two-object scenes (seed 4) listed once per object (scenes_with_each_label).
Dataset shapes_training_set();

// "fashion" (Fashion-MNIST) or "shapes" (synthetic; test split = 1000 single
// shapes, seed 2), split "train" or "test". Throws UnknownName otherwise.
Dataset load_dataset(const std::string& name, const std::string& split);

// The names load_dataset accepts, for help texts: "fashion, shapes".
const char* dataset_names();

}  // namespace gcam
