#include <cstdint>

#include "trainer/resnet.h"

namespace rungs {

std::vector<HyperparameterSpec> resnet_hyperparameters() {
  using specs::number;
  return {number("stages", HyperType::Int, std::int64_t{3}, 1.0, false, 6.0),
          number("blocks", HyperType::Int, std::int64_t{1}, 1.0, false, 16.0),
          number("width", HyperType::Int, std::int64_t{16}, 1.0, false, 1024.0)};
}

}  // namespace rungs
