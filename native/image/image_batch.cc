#include "image/image_batch.h"

#include <algorithm>
#include <new>

namespace sk::image {

std::vector<Status> PreprocessBatch(const std::vector<ImageView>& images, const ImageProcessorConfig& config,
                                    size_t out_height, size_t out_width, float* out) {
  std::vector<Status> statuses(images.size());
  const size_t image_floats = 3 * out_height * out_width;
  for (size_t index = 0; index < images.size(); ++index) {
    float* rows = out + index * image_floats;
    Status status;
    try {
      status = PreprocessImage(images[index], config, out_height, out_width, rows);
    } catch (const std::bad_alloc&) {
      status = InvalidArgument("not enough memory to preprocess this image");
    }
    if (!status.ok()) std::fill(rows, rows + image_floats, 0.0f);
    statuses[index] = std::move(status);
  }
  return statuses;
}

}  // namespace sk::image
