#include "pipeline/position_limit.h"

#include <string>

namespace sk::pipeline {

Status CheckPositionLimit(const std::vector<tok::Encoding>& encodings, size_t positions) {
  for (size_t i = 0; i < encodings.size(); ++i) {
    const size_t length = encodings[i].ids.size();
    if (length > positions) {
      return InvalidArgument("input " + std::to_string(i) + " has " + std::to_string(length) +
                             " tokens but the model has only " + std::to_string(positions) +
                             " positions: max_seq_length is set past the model's limit");
    }
  }
  return Status::Ok();
}

}  // namespace sk::pipeline
