#include "report/random_forest.h"

#include <algorithm>
#include <numeric>
#include <random>

namespace rungs::report {
namespace {

struct Split {
  int feature = -1;
  double threshold = 0.0;
  double error = 0.0;  ///< summed squared error of both sides
};

/// The best split of `rows` on `feature`, by summed squared error of both sides.
void best_split_on(const std::vector<std::vector<double>>& x, const std::vector<double>& y,
                   std::vector<int> rows, int feature, int min_leaf, Split& best) {
  std::sort(rows.begin(), rows.end(),
            [&](int a, int b) { return x[a][feature] < x[b][feature]; });
  const std::size_t n = rows.size();
  double total = 0.0, total_sq = 0.0;
  for (int r : rows) {
    total += y[r];
    total_sq += y[r] * y[r];
  }
  double left = 0.0, left_sq = 0.0;
  for (std::size_t i = 0; i + 1 < n; ++i) {
    left += y[rows[i]];
    left_sq += y[rows[i]] * y[rows[i]];
    const double here = x[rows[i]][feature], next = x[rows[i + 1]][feature];
    const std::size_t n_left = i + 1, n_right = n - n_left;
    if (here == next || n_left < static_cast<std::size_t>(min_leaf) ||
        n_right < static_cast<std::size_t>(min_leaf)) {
      continue;
    }
    const double right = total - left, right_sq = total_sq - left_sq;
    const double error = (left_sq - left * left / n_left) + (right_sq - right * right / n_right);
    if (best.feature < 0 || error < best.error - 1e-12) {
      best = {feature, 0.5 * (here + next), error};
    }
  }
}

/// A leaf: its value and its box [low, high] per feature.
struct Leaf {
  double value;
  std::vector<double> low, high;
};

void collect_leaves(const std::vector<RegressionTree::Node>& nodes, int index,
                    std::vector<double>& low, std::vector<double>& high, std::vector<Leaf>& leaves) {
  const RegressionTree::Node& node = nodes[index];
  if (node.feature < 0) {
    leaves.push_back({node.value, low, high});
    return;
  }
  const double old_high = high[node.feature];
  high[node.feature] = std::min(old_high, node.threshold);
  collect_leaves(nodes, node.left, low, high, leaves);
  high[node.feature] = old_high;
  const double old_low = low[node.feature];
  low[node.feature] = std::max(old_low, node.threshold);
  collect_leaves(nodes, node.right, low, high, leaves);
  low[node.feature] = old_low;
}

}  // namespace

RegressionTree::RegressionTree(const std::vector<std::vector<double>>& x,
                               const std::vector<double>& y, const std::vector<int>& sample,
                               const ForestOptions& options) {
  std::vector<int> rows = sample;
  grow(x, y, rows, 0, options);
}

int RegressionTree::grow(const std::vector<std::vector<double>>& x, const std::vector<double>& y,
                         std::vector<int>& rows, int depth, const ForestOptions& options) {
  const int index = static_cast<int>(nodes_.size());
  nodes_.emplace_back();
  double sum = 0.0;
  for (int r : rows) sum += y[r];
  nodes_[index].value = rows.empty() ? 0.0 : sum / static_cast<double>(rows.size());
  const bool pure = std::all_of(rows.begin(), rows.end(), [&](int r) { return y[r] == y[rows[0]]; });
  if (pure || depth >= options.max_depth || static_cast<int>(rows.size()) < options.min_samples_split) {
    return index;
  }
  Split best;
  const int features = x.empty() ? 0 : static_cast<int>(x[0].size());
  for (int f = 0; f < features; ++f) best_split_on(x, y, rows, f, options.min_samples_leaf, best);
  if (best.feature < 0) return index;

  std::vector<int> left, right;
  for (int r : rows) (x[r][best.feature] <= best.threshold ? left : right).push_back(r);
  rows.clear();
  rows.shrink_to_fit();
  nodes_[index].feature = best.feature;
  nodes_[index].threshold = best.threshold;
  const int left_index = grow(x, y, left, depth + 1, options);
  nodes_[index].left = left_index;
  const int right_index = grow(x, y, right, depth + 1, options);
  nodes_[index].right = right_index;
  return index;
}

double RegressionTree::predict(const std::vector<double>& row) const {
  int index = 0;
  while (nodes_[index].feature >= 0) {
    const Node& node = nodes_[index];
    index = row[node.feature] <= node.threshold ? node.left : node.right;
  }
  return nodes_[index].value;
}

std::vector<double> RegressionTree::main_effects(int features) const {
  std::vector<double> effects(features, 0.0);
  std::vector<double> low(features, 0.0), high(features, 1.0);
  std::vector<Leaf> leaves;
  collect_leaves(nodes_, 0, low, high, leaves);

  // Mean and variance of the prediction under the uniform distribution on the unit cube.
  std::vector<double> volume(leaves.size(), 1.0);
  double mean = 0.0;
  for (std::size_t l = 0; l < leaves.size(); ++l) {
    for (int f = 0; f < features; ++f) volume[l] *= std::max(0.0, leaves[l].high[f] - leaves[l].low[f]);
    mean += volume[l] * leaves[l].value;
  }
  double variance = 0.0;
  for (std::size_t l = 0; l < leaves.size(); ++l) {
    variance += volume[l] * (leaves[l].value - mean) * (leaves[l].value - mean);
  }
  if (variance <= 1e-300) return effects;

  for (int f = 0; f < features; ++f) {
    // The tree's thresholds on f cut [0, 1] into intervals on which the marginal
    // prediction (the mean over every other feature) is constant.
    std::vector<double> cuts = {0.0, 1.0};
    for (const Node& node : nodes_) {
      if (node.feature == f) cuts.push_back(node.threshold);
    }
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    double marginal_variance = 0.0;
    for (std::size_t k = 0; k + 1 < cuts.size(); ++k) {
      const double a = cuts[k], b = cuts[k + 1];
      if (b <= a) continue;
      const double mid = 0.5 * (a + b);
      double marginal = 0.0;
      for (std::size_t l = 0; l < leaves.size(); ++l) {
        const double width = leaves[l].high[f] - leaves[l].low[f];
        if (width <= 0 || mid < leaves[l].low[f] || mid > leaves[l].high[f]) continue;
        marginal += volume[l] / width * leaves[l].value;  // the leaf's share of the other features
      }
      marginal_variance += (b - a) * (marginal - mean) * (marginal - mean);
    }
    effects[f] = std::min(1.0, marginal_variance / variance);
  }
  return effects;
}

std::vector<RegressionTree> fit_forest(const std::vector<std::vector<double>>& x,
                                       const std::vector<double>& y, const ForestOptions& options) {
  std::vector<RegressionTree> forest;
  if (y.empty()) return forest;
  std::mt19937_64 rng(options.seed);
  std::uniform_int_distribution<int> pick(0, static_cast<int>(y.size()) - 1);
  for (int t = 0; t < options.trees; ++t) {
    std::vector<int> sample(y.size());
    for (int& row : sample) row = pick(rng);
    forest.emplace_back(x, y, sample, options);
  }
  return forest;
}

}  // namespace rungs::report
