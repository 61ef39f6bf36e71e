#include "samplers/gp_space.h"

#include <algorithm>

#include "samplers/parzen_domain.h"
#include "samplers/random_sampler.h"

namespace rungs {

GpSpace::GpSpace(SearchSpace space) : space_(std::move(space)) {
  for (const auto& spec : space_.params()) {
    if (is_single_valued(spec)) {
      feature_of_.push_back(-1);
      continue;
    }
    feature_of_.push_back(static_cast<int>(kinds_.size()));
    kinds_.push_back(spec.kind == ParamKind::Categorical ? GpFeature::Categorical
                                                         : GpFeature::Numeric);
  }
}

void GpSpace::encode(const Params& params, double* out) const {
  const auto& specs = space_.params();
  for (std::size_t p = 0; p < specs.size(); ++p) {
    const int f = feature_of_[p];
    if (f < 0) continue;
    const auto it = params.find(specs[p].name);
    if (it == params.end()) {
      out[f] = kInactive;
    } else if (specs[p].kind == ParamKind::Categorical) {
      const auto& choices = specs[p].choices;
      out[f] = static_cast<double>(
          std::find_if(choices.begin(), choices.end(),
                       [&](const ParamValue& c) { return same_value(c, it->second); }) -
          choices.begin());
    } else {
      out[f] = specs[p].to_unit(it->second);
    }
  }
}

Eigen::MatrixXd GpSpace::encode(const std::vector<const Params*>& points) const {
  // Row-major while filling (a point's features are contiguous), column-major for Eigen.
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> x(
      static_cast<Eigen::Index>(points.size()), static_cast<Eigen::Index>(n_features()));
  for (std::size_t i = 0; i < points.size(); ++i) encode(*points[i], x.row(static_cast<Eigen::Index>(i)).data());
  return x;
}

Params GpSpace::decode(const std::vector<double>& u) const {
  std::size_t next = 0;
  return sample_space(space_, [&] { return u[next++]; });
}

std::vector<double> GpSpace::unit_of(const Params& params, const std::vector<double>& fill) const {
  std::vector<double> u = fill;
  const auto& specs = space_.params();
  for (std::size_t p = 0; p < specs.size(); ++p) {
    const auto it = params.find(specs[p].name);
    if (it != params.end()) u[p] = specs[p].to_unit(it->second);
  }
  return u;
}

}  // namespace rungs
