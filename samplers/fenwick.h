#pragma once
/// A Fenwick (binary indexed) tree of counts over trial indices: prefix counts and the k-th
/// set index in O(log n), growing as trials are added. Used by the TPE caches to know a
/// trial's chronological rank among the observations of one parameter.
#include <cstddef>
#include <vector>

namespace rungs {

class Fenwick {
 public:
  std::size_t size() const { return counts_.size(); }
  /// Makes room for indices < n (keeps the counts).
  void grow(std::size_t n) {
    if (n <= counts_.size()) return;
    std::size_t capacity = counts_.empty() ? 1024 : counts_.size();
    while (capacity < n) capacity *= 2;
    counts_.resize(capacity, 0);
    tree_.assign(capacity + 1, 0);
    for (std::size_t i = 0; i < capacity; ++i) {
      if (counts_[i]) add_tree(i, counts_[i]);
    }
  }
  int count(std::size_t i) const { return i < counts_.size() ? counts_[i] : 0; }
  void add(std::size_t i, int delta) {
    grow(i + 1);
    counts_[i] += delta;
    add_tree(i, delta);
  }
  /// Sum of counts at indices < i.
  int prefix(std::size_t i) const {
    int s = 0;
    for (std::size_t j = std::min(i, counts_.size()); j > 0; j -= j & (~j + 1)) s += tree_[j];
    return s;
  }
  /// The smallest index i with prefix(i + 1) >= k (k >= 1); size() when there is none.
  std::size_t find_kth(int k) const {
    std::size_t pos = 0;
    std::size_t step = 1;
    while (step * 2 <= counts_.size()) step *= 2;
    for (; step > 0; step /= 2) {
      if (pos + step <= counts_.size() && tree_[pos + step] < k) {
        pos += step;
        k -= tree_[pos];
      }
    }
    return pos;  // 0-based index of the k-th
  }

 private:
  void add_tree(std::size_t i, int delta) {
    for (std::size_t j = i + 1; j < tree_.size(); j += j & (~j + 1)) tree_[j] += delta;
  }
  std::vector<int> counts_;
  std::vector<int> tree_;
};

}  // namespace rungs
