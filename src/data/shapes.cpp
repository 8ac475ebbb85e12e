// Synthetic shapes with exact ground-truth masks (see dataset.hpp for the
// drawing rules). Only gcam::Rng and integer arithmetic are used, so the
// bytes are identical on every compiler and platform.
#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <utility>

#include "gcam/core/rng.hpp"
#include "gcam/data/dataset.hpp"

namespace gcam {

namespace {

enum ShapeClass { kCircle = 0, kSquare = 1, kTriangle = 2, kCross = 3, kShapeClasses = 4 };

// Intensity ranges (inclusive). Objects are brighter than anything else, so
// "pixel ≥ kObjectMin" is exactly the mask — a property the tests check.
constexpr int kNoiseMax = 40;
constexpr int kClutterMin = 60, kClutterMax = 120;
constexpr int kObjectMin = 150, kObjectMax = 255;

// Separate random streams for the two generators, so make_shapes and
// make_two_object_scenes with the same seed do not draw the same images.
constexpr std::uint64_t kSingleStream = 0x5348415045533031ull;  // "SHAPES01"
constexpr std::uint64_t kSceneStream = 0x5343454E45533031ull;   // "SCENES01"

struct Object {
  int cls;                 // ShapeClass
  int cx, cy;              // centre pixel
  int extent;              // radius / half-size in pixels
  std::uint8_t intensity;  // one gray value for the whole object
};

// Uniform integer in [lo, hi].
int uniform_int(Rng& rng, int lo, int hi) {
  return lo + static_cast<int>(rng.below(static_cast<std::uint64_t>(hi - lo + 1)));
}

// Each image gets its own generator, derived from (seed, stream, index): image
// i is then the same whatever the dataset size. Multiplying the index by an
// odd constant spreads neighbouring indices over the whole seed space.
Rng image_rng(std::uint64_t seed, std::uint64_t stream, std::size_t index) {
  Rng mixer(seed ^ stream ^ (0xD1B54A32D192ED03ull * (static_cast<std::uint64_t>(index) + 1)));
  return Rng(mixer.next_u64());
}

// Whether offset (dx, dy) from the centre lies in the shape (dataset.hpp).
bool inside_shape(int cls, int e, int dx, int dy) {
  const int ax = std::abs(dx), ay = std::abs(dy);
  switch (cls) {
    case kCircle: return dx * dx + dy * dy <= e * e;
    case kSquare: return ax <= e && ay <= e;
    case kTriangle: return ay <= e && 2 * ax <= dy + e;
    default: {
      const int t = std::max(1, e / 3);
      return (ax <= t && ay <= e) || (ay <= t && ax <= e);
    }
  }
}

// Extent range [lo, hi] scaled from a range given for 32×32 images.
std::pair<int, int> extent_range(int size, int lo32, int hi32) {
  const int lo = std::max(2, (lo32 * size + 16) / 32);
  return {lo, std::max(lo, (hi32 * size + 16) / 32)};
}

// A random object of class `cls` lying fully inside the image.
Object random_object(Rng& rng, int cls, std::pair<int, int> extents, int size) {
  Object o;
  o.cls = cls;
  o.extent = uniform_int(rng, extents.first, extents.second);
  o.cx = uniform_int(rng, o.extent, size - 1 - o.extent);
  o.cy = uniform_int(rng, o.extent, size - 1 - o.extent);
  o.intensity = static_cast<std::uint8_t>(uniform_int(rng, kObjectMin, kObjectMax));
  return o;
}

void draw_noise(Rng& rng, std::uint8_t* image, int size) {
  for (int i = 0; i < size * size; ++i) image[i] = static_cast<std::uint8_t>(uniform_int(rng, 0, kNoiseMax));
}

// Sets the object's pixels in `image` (if not null) and 1 in `mask`.
void draw_object(const Object& o, std::uint8_t* image, std::uint8_t* mask, int size) {
  for (int dy = -o.extent; dy <= o.extent; ++dy)
    for (int dx = -o.extent; dx <= o.extent; ++dx) {
      if (!inside_shape(o.cls, o.extent, dx, dy)) continue;
      const int at = (o.cy + dy) * size + (o.cx + dx);
      if (image) image[at] = o.intensity;
      mask[at] = 1;
    }
}

// 2 to 4 dots (2×2) and short lines (3..6 px, in 4 directions) anywhere in
// the image, skipping pixels where `keep_out` is set (the objects), so the
// clutter never changes the object or its mask.
void draw_clutter(Rng& rng, std::uint8_t* image, const std::uint8_t* keep_out, int size) {
  static const int kSteps[4][2] = {{1, 0}, {0, 1}, {1, 1}, {1, -1}};
  const int items = uniform_int(rng, 2, 4);
  for (int item = 0; item < items; ++item) {
    const bool dot = rng.below(2) == 0;
    int x = uniform_int(rng, 0, size - 1), y = uniform_int(rng, 0, size - 1);
    const auto value = static_cast<std::uint8_t>(uniform_int(rng, kClutterMin, kClutterMax));
    const auto put = [&](int px, int py) {
      if (px < 0 || py < 0 || px >= size || py >= size || keep_out[py * size + px]) return;
      image[py * size + px] = value;
    };
    if (dot) {
      for (int k = 0; k < 4; ++k) put(x + k % 2, y + k / 2);
      continue;
    }
    const int length = uniform_int(rng, 3, 6);
    const int* step = kSteps[rng.below(4)];
    for (int k = 0; k < length; ++k, x += step[0], y += step[1]) put(x, y);
  }
}

// True if some pixel of mask `b` is in mask `a` or one of its 8 neighbours.
bool touching(const std::uint8_t* a, const std::uint8_t* b, int size) {
  for (int y = 0; y < size; ++y)
    for (int x = 0; x < size; ++x) {
      if (!b[y * size + x]) continue;
      for (int ny = std::max(0, y - 1); ny <= std::min(size - 1, y + 1); ++ny)
        for (int nx = std::max(0, x - 1); nx <= std::min(size - 1, x + 1); ++nx)
          if (a[ny * size + nx]) return true;
    }
  return false;
}

void check_size(const char* op, int size) {
  if (size < 16 || size > 1024)
    throw std::invalid_argument(std::string(op) + ": image size " + std::to_string(size) + " is outside 16..1024");
}

// A dataset of `count` blank size×size gray images with masks.
Dataset blank_dataset(const std::string& name, std::size_t count, int size) {
  Dataset data;
  data.name = name;
  data.image_shape = {1, size, size};
  data.class_names = shape_classes();
  const std::size_t bytes = count * static_cast<std::size_t>(size) * size;
  data.pixels.assign(bytes, 0);
  data.masks.assign(bytes, 0);
  data.labels.assign(count, 0);
  return data;
}

}  // namespace

std::vector<std::string> shape_classes() { return {"circle", "square", "triangle", "cross"}; }

Dataset make_shapes(std::size_t count, std::uint64_t seed, int size) {
  check_size("make_shapes", size);
  Dataset data = blank_dataset("shapes", count, size);
  const auto extents = extent_range(size, 5, 10);
  const std::size_t n = static_cast<std::size_t>(size) * size;
  for (std::size_t i = 0; i < count; ++i) {
    Rng rng = image_rng(seed, kSingleStream, i);
    std::uint8_t* image = &data.pixels[i * n];
    std::uint8_t* mask = &data.masks[i * n];
    data.labels[i] = static_cast<int>(i % kShapeClasses);
    draw_noise(rng, image, size);
    draw_object(random_object(rng, data.labels[i], extents, size), image, mask, size);
    draw_clutter(rng, image, mask, size);
  }
  data.check();
  return data;
}

TwoObjectScenes make_two_object_scenes(std::size_t count, std::uint64_t seed, int size) {
  check_size("make_two_object_scenes", size);
  TwoObjectScenes scenes;
  scenes.images = blank_dataset("two-object-scenes", count, size);
  const std::size_t n = static_cast<std::size_t>(size) * size;
  scenes.masks_a.assign(count * n, 0);
  scenes.masks_b.assign(count * n, 0);
  scenes.classes.resize(count);
  // Smaller objects than make_shapes, capped so that two always fit side by
  // side with a gap: 2·(2e + 1) + 1 ≤ size.
  auto extents = extent_range(size, 4, 7);
  extents.second = std::min(extents.second, (size - 3) / 4);
  extents.first = std::min(extents.first, extents.second);
  constexpr int kMaxAttempts = 10000;  // success takes a few tries; this is a safety net

  for (std::size_t i = 0; i < count; ++i) {
    Rng rng = image_rng(seed, kSceneStream, i);
    std::uint8_t* a_mask = &scenes.masks_a[i * n];
    std::uint8_t* b_mask = &scenes.masks_b[i * n];
    const int a_cls = uniform_int(rng, 0, kShapeClasses - 1);
    const int b_cls = (a_cls + uniform_int(rng, 1, kShapeClasses - 1)) % kShapeClasses;
    Object a{}, b{};
    int attempt = 0;
    for (;; ++attempt) {
      if (attempt == kMaxAttempts)
        throw std::logic_error("make_two_object_scenes: could not place two objects apart (a bug)");
      std::fill(a_mask, a_mask + n, std::uint8_t{0});
      std::fill(b_mask, b_mask + n, std::uint8_t{0});
      a = random_object(rng, a_cls, extents, size);
      b = random_object(rng, b_cls, extents, size);
      draw_object(a, nullptr, a_mask, size);
      draw_object(b, nullptr, b_mask, size);
      if (!touching(a_mask, b_mask, size)) break;
    }
    std::uint8_t* image = &scenes.images.pixels[i * n];
    std::uint8_t* both = &scenes.images.masks[i * n];
    draw_noise(rng, image, size);
    draw_object(a, image, both, size);
    draw_object(b, image, both, size);
    draw_clutter(rng, image, both, size);
    scenes.classes[i] = {a_cls, b_cls};
    scenes.images.labels[i] = a_cls;
  }
  scenes.images.check();
  return scenes;
}

}  // namespace gcam
