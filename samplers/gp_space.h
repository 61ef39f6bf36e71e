#pragma once
/// How the `gp` sampler sees the search space. A point is handled in two forms:
/// - a unit vector u, one coordinate in [0, 1] per parameter of the space (single-valued and
///   inactive ones included), decoded exactly as `random` decodes its draws (from_unit, in
///   order, dropping inactive parameters), so every decoded point is valid: ints and steps
///   rounded to their grid, log scales respected, conditions obeyed;
/// - the features the kernel sees (gp_kernel.h), one per parameter that is not single-valued:
///   a float or int (ordered) parameter as to_unit of its value (in [0, 1], on the log scale
///   where `log: true`, the centre of its cell for stepped ones), a categorical one as the
///   index of its choice, an inactive one as kInactive.
#include <Eigen/Dense>
#include <vector>

#include "samplers/gp_kernel.h"
#include "study/search_space.h"

namespace rungs {

class GpSpace {
 public:
  explicit GpSpace(SearchSpace space);

  const SearchSpace& space() const { return space_; }
  const std::vector<GpFeature>& kinds() const { return kinds_; }
  std::size_t n_features() const { return kinds_.size(); }
  /// The feature index of parameter p, or -1 when it is single-valued (no feature).
  int feature_of(std::size_t p) const { return feature_of_[p]; }

  /// The features of valid parameters, written to `out` (n_features() values).
  void encode(const Params& params, double* out) const;
  Eigen::MatrixXd encode(const std::vector<const Params*>& points) const;
  /// The parameters a unit vector decodes to.
  Params decode(const std::vector<double>& u) const;
  /// A unit vector that decodes to `params` (valid for the space); inactive parameters get
  /// `fill` (their coordinate matters only if a move activates them).
  std::vector<double> unit_of(const Params& params, const std::vector<double>& fill) const;

 private:
  SearchSpace space_;
  std::vector<GpFeature> kinds_;
  std::vector<int> feature_of_;
};

}  // namespace rungs
