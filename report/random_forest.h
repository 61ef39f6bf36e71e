#pragma once
/// A random forest of regression trees over features scaled to the unit cube [0, 1]^d, and
/// the functional ANOVA of a tree (Hutter et al., "An Efficient Approach for Assessing
/// Hyperparameter Importance", ICML 2014): how much of the variance of the tree's prediction
/// over the whole cube each single feature explains. Deterministic for a given seed.
#include <cstdint>
#include <vector>

namespace rungs::report {

struct ForestOptions {
  int trees = 64;              ///< as Optuna's FanovaImportanceEvaluator
  int max_depth = 64;
  int min_samples_split = 2;
  int min_samples_leaf = 1;
  std::uint64_t seed = 0;
};

/// A regression tree: axis-aligned splits "x[feature] <= threshold", constant leaves
/// (the mean of the training targets that reach them).
class RegressionTree {
 public:
  struct Node {
    int feature = -1;  ///< -1 for a leaf
    double threshold = 0.0;
    int left = -1, right = -1;
    double value = 0.0;  ///< the leaf's prediction (mean target)
  };

  /// Fits on the rows `sample` of `x` (rows of `features` values in [0, 1]) and `y`; a
  /// row may appear more than once (bootstrap). Splits minimise the summed squared error,
  /// at midpoints between distinct feature values.
  RegressionTree(const std::vector<std::vector<double>>& x, const std::vector<double>& y,
                 const std::vector<int>& sample, const ForestOptions& options);

  double predict(const std::vector<double>& row) const;
  const std::vector<Node>& nodes() const { return nodes_; }

  /// The share of the variance of this tree's prediction over the uniform distribution on
  /// [0, 1]^features that each feature's marginal explains (fANOVA main effects): values
  /// in [0, 1] that sum to at most 1 (the rest is interactions). All zero when the
  /// prediction is constant.
  std::vector<double> main_effects(int features) const;

 private:
  int grow(const std::vector<std::vector<double>>& x, const std::vector<double>& y,
           std::vector<int>& rows, int depth, const ForestOptions& options);

  std::vector<Node> nodes_;
};

/// `options.trees` trees, each fitted on a bootstrap sample of the rows.
std::vector<RegressionTree> fit_forest(const std::vector<std::vector<double>>& x,
                                       const std::vector<double>& y, const ForestOptions& options);

}  // namespace rungs::report
