#pragma once
/// The optimiser of the `gp` sampler's acquisition over the mixed space (gp_space.h):
/// `n_candidates` uniform random points plus the given starts (the best trials so far) are
/// scored in one batch; from the best `n_local` of them, a local search moves one parameter
/// at a time to whichever neighbour scores best, until no neighbour improves:
/// - a float parameter moves by +-delta in its unit coordinate (delta shrinking from 0.1 to
///   0.001 whenever no move improves), an int or stepped one as well, plus one step either
///   way, so it always reaches its neighbouring values;
/// - a categorical parameter tries every other choice;
/// - moving a parent re-decodes the point, so children appear and disappear as in `random`.
/// Each round's moves are scored together (one batch per round). Deterministic given `rng`.
#include <Eigen/Dense>
#include <functional>
#include <random>
#include <vector>

#include "samplers/gp_space.h"

namespace rungs {

/// Scores encoded points (rows), higher is better.
using GpScore = std::function<Eigen::VectorXd(const Eigen::MatrixXd& features)>;

struct GpSearchSettings {
  int n_candidates = 1024;
  int n_local = 4;
  int max_rounds = 40;
};

/// The unit vector (gp_space.h) of the best point found.
std::vector<double> gp_maximize(const GpSpace& space, const GpScore& score,
                                const std::vector<std::vector<double>>& starts,
                                const GpSearchSettings& settings, std::mt19937_64& rng);

}  // namespace rungs
