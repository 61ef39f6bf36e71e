#include "samplers/above_density.h"

#include <algorithm>
#include <cmath>

#include "samplers/truncnorm.h"

namespace rungs {

namespace {

constexpr std::size_t kMaxNodes = 2048;  // grid points per block array
// Blocks start small and double (merging pairs) to stay at most kMaxBlocks: a member
// joining or leaving the middle of the history costs O(block size) kernels plus one array
// per later block.
constexpr std::size_t kFirstBlockSize = 32;
constexpr std::size_t kMaxBlocks = 256;
constexpr double kCutoff = 9.0;  // kernels are dropped beyond 9 sigma (e^-40.5)
constexpr double kSqrt2Pi = 2.5066282746310005024;
const double kNaN = std::nan("");

// Phi(zh) - Phi(zl) for zl <= zh, from the tail where it does not cancel.
double normal_mass(double zl, double zh) {
  if (zl > 0) return truncnorm::ndtr(-zl) - truncnorm::ndtr(-zh);
  return truncnorm::ndtr(zh) - truncnorm::ndtr(zl);
}

}  // namespace

AboveDensity::AboveDensity(const ParzenDomain& domain, const ParzenSettings& settings)
    : domain_(domain), settings_(settings) {
  if (domain_.categorical) {
    interpolated_ = false;
    n_nodes_ = domain_.n_choices;
    x0_ = 0.0;
    h_ = 1.0;
    return;
  }
  prior_mu_ = 0.5 * (domain_.low + domain_.high);
  range_ = domain_.high - domain_.low;
  sorted_.insert({prior_mu_, kPrior});
  const double n_values =
      domain_.step > 0 ? std::floor((domain_.last - domain_.first) / domain_.step + 0.5) + 1 : 0;
  if (domain_.step > 0 && n_values <= static_cast<double>(kMaxNodes)) {
    interpolated_ = false;
    n_nodes_ = static_cast<std::size_t>(n_values);
    x0_ = domain_.first;
    h_ = domain_.step;
  } else {
    // Candidates lie in [first, last] for stepped values, [low, high] for densities.
    const double lo = domain_.step > 0 ? domain_.first : domain_.low;
    const double hi = domain_.step > 0 ? domain_.last : domain_.high;
    n_nodes_ = kMaxNodes;
    x0_ = lo;
    h_ = (hi - lo) / static_cast<double>(kMaxNodes - 1);
  }
}

bool AboveDensity::contains(int trial) const {
  const auto t = static_cast<std::size_t>(trial);
  return t < value_.size() && !std::isnan(value_[t]);
}

void AboveDensity::insert(int trial, double value) {
  const auto t = static_cast<std::size_t>(trial);
  if (value_.size() <= t) {
    value_.resize(std::max(t + 1, value_.size() * 2), kNaN);
    applied_sigma_.resize(value_.size(), 0.0);
    applied_value_.resize(value_.size(), 0.0);
    applied_recent_.resize(value_.size(), 0);
    applied_norm_.resize(value_.size(), 0.0);
  }
  n_trials_ = std::max(n_trials_, t + 1);
  value_[t] = value;
  member_ranks_.add(t, 1);
  ++m_;
  const auto it = sorted_.insert({value, trial}).first;
  if (built_) {
    dirty_.push_back(trial);
    mark_neighbours(it);
  }
}

void AboveDensity::erase(int trial) {
  const auto t = static_cast<std::size_t>(trial);
  const auto it = sorted_.find({value_[t], trial});
  if (built_) {
    dirty_.push_back(trial);
    mark_neighbours(it);
  }
  sorted_.erase(it);
  value_[t] = kNaN;
  member_ranks_.add(t, -1);
  --m_;
}

void AboveDensity::mark_neighbours(std::set<Key>::const_iterator it) {
  if (it != sorted_.begin() && std::prev(it)->second != kPrior)
    dirty_.push_back(std::prev(it)->second);
  const auto next = std::next(it);
  if (next != sorted_.end() && next->second != kPrior) dirty_.push_back(next->second);
}

std::vector<std::pair<int, double>> AboveDensity::members() const {
  std::vector<std::pair<int, double>> out;
  out.reserve(m_);
  for (const auto& [value, trial] : sorted_) {
    if (trial != kPrior) out.emplace_back(trial, value);
  }
  std::sort(out.begin(), out.end());
  return out;
}

double AboveDensity::sigma_of(std::set<Key>::const_iterator it) const {
  // The same rule as univariate_sigmas(), from the neighbours in sorted order.
  const double mu = it->first;
  const bool first = it == sorted_.begin();
  const auto next = std::next(it);
  const bool last = next == sorted_.end();
  double s;
  if (!settings_.consider_endpoints && sorted_.size() >= 2 && (first || last)) {
    s = first ? next->first - mu : mu - std::prev(it)->first;
  } else {
    const double left = first ? domain_.low : std::prev(it)->first;
    const double right = last ? domain_.high : next->first;
    s = std::max(mu - left, right - mu);
  }
  return std::clamp(s, min_sigma(sorted_.size(), domain_.low, domain_.high, settings_), range_);
}

double AboveDensity::sigma_of_trial(int trial) const {
  if (domain_.categorical) return 1.0;  // indicator kernels have no bandwidth
  return sigma_of(sorted_.find({value_[static_cast<std::size_t>(trial)], trial}));
}

AboveDensity::Kernel AboveDensity::kernel(double mu, double sigma) const {
  Kernel k;
  k.mu = mu;
  k.sigma = sigma;
  if (domain_.categorical) return k;
  // Divided by the kernel's mass inside the domain; densities (as Optuna 3.1, see
  // parzen_estimator.h) by sqrt(2 pi) but not by sigma.
  const double z_mass =
      std::exp(truncnorm::log_gauss_mass((domain_.low - mu) / sigma, (domain_.high - mu) / sigma));
  k.norm = domain_.step > 0 ? 1.0 / z_mass : 1.0 / (kSqrt2Pi * z_mass);
  return k;
}

double AboveDensity::kernel_at(const Kernel& k, double x) const {
  if (domain_.categorical) return std::llround(k.mu) == std::llround(x) ? 1.0 : 0.0;
  if (domain_.step > 0) {
    const double q = domain_.step;
    const double lo = std::max(x - 0.5 * q, domain_.low), hi = std::min(x + 0.5 * q, domain_.high);
    return normal_mass((lo - k.mu) / k.sigma, (hi - k.mu) / k.sigma) * k.norm;
  }
  const double z = (x - k.mu) / k.sigma;
  return k.norm * std::exp(-0.5 * z * z);
}

void AboveDensity::kernel_span(const Kernel& k, Span& span) const {
  const double mu = k.mu, sigma = k.sigma;
  if (domain_.categorical) {
    span.first = static_cast<std::size_t>(std::llround(mu));
    span.values.assign(1, 1.0);
    return;
  }
  const double reach = kCutoff * sigma + domain_.step;
  const double j_lo = std::max(0.0, std::ceil((mu - reach - x0_) / h_));
  const double j_hi =
      std::min(static_cast<double>(n_nodes_ - 1), std::floor((mu + reach - x0_) / h_));
  span.first = static_cast<std::size_t>(j_lo);
  span.values.clear();
  if (j_hi < j_lo) return;
  const auto n = static_cast<std::size_t>(j_hi - j_lo) + 1;
  span.values.resize(n);
  double* v = span.values.data();
  const double q = domain_.step;
  if (q > 0 && !interpolated_) {
    // One node per value: the cells [x - q/2, x + q/2] share their edges, so one tail
    // probability per edge: t = Phi(-|z|).
    std::vector<double>& tail = edges_;
    tail.resize(n + 1);
    for (std::size_t i = 0; i <= n; ++i) {
      const double edge = std::clamp(x0_ + (static_cast<double>(span.first + i) - 0.5) * h_,
                                     domain_.low, domain_.high);
      tail[i] = truncnorm::ndtr(-std::abs((edge - mu) / sigma));
    }
    for (std::size_t i = 0; i < n; ++i) {
      const double zl = x0_ + (static_cast<double>(span.first + i) - 0.5) * h_ - mu;
      const double zh = zl + h_;
      const double mass = zh <= 0   ? tail[i + 1] - tail[i]
                          : zl >= 0 ? tail[i] - tail[i + 1]
                                    : 1.0 - tail[i] - tail[i + 1];
      v[i] = std::max(mass, 0.0) * k.norm;
    }
  } else if (q > 0) {
    for (std::size_t i = 0; i < n; ++i)
      v[i] = kernel_at(k, x0_ + static_cast<double>(span.first + i) * h_);
  } else {
    // A Gaussian on a lattice by recurrence from the node nearest mu: the ratio of
    // neighbouring values is itself geometric, so three exps serve the whole span.
    const double delta = h_ / sigma;
    const double shrink = std::exp(-delta * delta);
    const std::size_t c =
        std::clamp(static_cast<std::size_t>(std::max(0.0, std::round((mu - x0_) / h_))), span.first,
                   span.first + n - 1) -
        span.first;
    const double zc = (x0_ + static_cast<double>(span.first + c) * h_ - mu) / sigma;
    v[c] = k.norm * std::exp(-0.5 * zc * zc);
    double up = std::exp(-zc * delta - 0.5 * delta * delta);   // v[j+1] / v[j] at j = c
    double down = std::exp(zc * delta - 0.5 * delta * delta);  // v[j-1] / v[j] at j = c
    for (std::size_t j = c; j + 1 < n; ++j) {
      v[j + 1] = v[j] * up;
      up *= shrink;
    }
    for (std::size_t j = c; j > 0; --j) {
      v[j - 1] = v[j] * down;
      down *= shrink;
    }
  }
}

void AboveDensity::add_span(std::vector<double>& z, const Span& span, double c) const {
  if (z.empty()) z.assign(n_nodes_, 0.0);
  double* out = z.data() + span.first;
  const std::size_t n = span.values.size();
  for (std::size_t i = 0; i < n; ++i) out[i] += c * span.values[i];
}

void AboveDensity::ensure_blocks(std::size_t n_trials) {
  while ((n_trials + block_size_ - 1) / block_size_ > kMaxBlocks) {
    std::vector<Block> merged((blocks_.size() + 1) / 2);
    for (std::size_t i = 0; i < blocks_.size(); ++i) {
      Block& out = merged[i / 2];
      Block& in = blocks_[i];
      if (in.z0.empty()) continue;
      if (out.z0.empty()) out.z0.assign(n_nodes_, 0.0);
      for (std::size_t j = 0; j < n_nodes_; ++j) out.z0[j] += in.z0[j];
      out.count += in.count;
    }
    blocks_ = std::move(merged);
    block_size_ *= 2;
  }
  const std::size_t n_blocks = (n_trials + block_size_ - 1) / block_size_;
  if (blocks_.size() < n_blocks) blocks_.resize(n_blocks);
}

void AboveDensity::add_later(int trial, double sign) {
  // Every old member after `trial` moves one rank: s1 gains (or loses) their kernels, the
  // rest of trial's block one by one, the later blocks by their sums.
  const auto t = static_cast<std::size_t>(trial);
  if (applied_ranks_.prefix(n_trials_) - applied_ranks_.prefix(t + 1) == 0) return;
  const std::size_t k = t / block_size_;
  const std::size_t end = std::min((k + 1) * block_size_, n_trials_);
  if (applied_ranks_.prefix(end) - applied_ranks_.prefix(t + 1) > 0) {
    for (std::size_t j = t + 1; j < end; ++j) {
      if (applied_sigma_[j] <= 0 || applied_recent_[j]) continue;
      kernel_span(applied_kernel(j), scratch2_);
      add_span(s1_, scratch2_, sign);
    }
  }
  for (std::size_t b = k + 1; b < blocks_.size(); ++b) {
    if (blocks_[b].count == 0) continue;
    const double* z0 = blocks_[b].z0.data();
    for (std::size_t j = 0; j < n_nodes_; ++j) s1_[j] += sign * z0[j];
  }
}

void AboveDensity::apply(int trial, double sigma) {
  const auto t = static_cast<std::size_t>(trial);
  const double rank = applied_ranks_.prefix(t);
  Block& block = blocks_[t / block_size_];
  applied_norm_[t] = kernel(value_[t], sigma).norm;
  kernel_span(Kernel{value_[t], sigma, applied_norm_[t]}, scratch_);
  add_span(block.z0, scratch_, 1.0);
  add_span(s0_, scratch_, 1.0);
  add_span(s1_, scratch_, rank);
  add_later(trial, 1.0);
  applied_ranks_.add(t, 1);
  ++block.count;
  applied_sigma_[t] = sigma;
  applied_value_[t] = value_[t];
  ++ops_;
}

void AboveDensity::unapply(int trial) {
  const auto t = static_cast<std::size_t>(trial);
  const double rank = applied_ranks_.prefix(t);
  Block& block = blocks_[t / block_size_];
  // The kernel as it was applied (an erased member's value is gone from value_).
  kernel_span(applied_kernel(t), scratch_);
  add_span(block.z0, scratch_, -1.0);
  add_span(s0_, scratch_, -1.0);
  add_span(s1_, scratch_, -rank);
  add_later(trial, -1.0);
  applied_ranks_.add(t, -1);
  --block.count;
  applied_sigma_[t] = 0.0;
  ++ops_;
}

void AboveDensity::reapply(int trial, double sigma) {
  const auto t = static_cast<std::size_t>(trial);
  const double rank = applied_ranks_.prefix(t);
  Block& block = blocks_[t / block_size_];
  kernel_span(applied_kernel(t), scratch_);
  add_span(block.z0, scratch_, -1.0);
  add_span(s0_, scratch_, -1.0);
  add_span(s1_, scratch_, -rank);
  applied_norm_[t] = kernel(value_[t], sigma).norm;
  kernel_span(Kernel{value_[t], sigma, applied_norm_[t]}, scratch_);
  add_span(block.z0, scratch_, 1.0);
  add_span(s0_, scratch_, 1.0);
  add_span(s1_, scratch_, rank);
  applied_sigma_[t] = sigma;
  applied_value_[t] = value_[t];
  ops_ += 2;
}

void AboveDensity::add_recent(int trial, double sigma) {
  const auto t = static_cast<std::size_t>(trial);
  applied_norm_[t] = kernel(value_[t], sigma).norm;
  kernel_span(Kernel{value_[t], sigma, applied_norm_[t]}, scratch_);
  add_span(recent_, scratch_, 1.0);
  applied_sigma_[t] = sigma;
  ++ops_;
  applied_value_[t] = value_[t];
  applied_recent_[t] = 1;
}

void AboveDensity::remove_recent(int trial) {
  const auto t = static_cast<std::size_t>(trial);
  kernel_span(applied_kernel(t), scratch_);
  add_span(recent_, scratch_, -1.0);
  applied_sigma_[t] = 0.0;
  ++ops_;
  applied_recent_[t] = 0;
}

void AboveDensity::build() {
  blocks_.clear();
  block_size_ = kFirstBlockSize;
  std::fill(applied_sigma_.begin(), applied_sigma_.end(), 0.0);
  std::fill(applied_recent_.begin(), applied_recent_.end(), 0);
  recent_.assign(n_nodes_, 0.0);
  s0_.assign(n_nodes_, 0.0);
  s1_.assign(n_nodes_, 0.0);
  ops_ = 0;
  applied_ranks_ = Fenwick();
  ensure_blocks(n_trials_);
  last_old_ = member_ranks_.find_kth(static_cast<int>(m_ - 25));
  for (const auto& [trial, value] : members()) {
    if (static_cast<std::size_t>(trial) <= last_old_) {
      apply(trial, sigma_of_trial(trial));
    } else {
      add_recent(trial, sigma_of_trial(trial));
    }
  }
  dirty_.clear();
  built_ = true;
}

void AboveDensity::reconcile() {
  // From scratch the first time, after long stretches of the direct path, and now and then
  // so that rounding in the running sums cannot build up.
  if (!built_ || dirty_.size() > 4 * m_ + 1024 || ops_ > 64 * m_ + 65536) {
    build();
    return;
  }
  ensure_blocks(n_trials_);
  const std::size_t new_last = member_ranks_.find_kth(static_cast<int>(m_ - 25));
  // Members between the old and the new boundary crossed it.
  const std::size_t lo = std::min(last_old_, new_last), hi = std::max(last_old_, new_last);
  for (std::size_t t = lo + 1; t <= hi && t < n_trials_; ++t) {
    if (!std::isnan(value_[t]) || applied_sigma_[t] > 0) dirty_.push_back(static_cast<int>(t));
  }
  std::sort(dirty_.begin(), dirty_.end());
  dirty_.erase(std::unique(dirty_.begin(), dirty_.end()), dirty_.end());
  // Where each member's kernel belongs: the blocks (old), the recent array, or nowhere.
  enum Place { kNone, kOld, kRecent };
  for (const int trial : dirty_) {
    const auto t = static_cast<std::size_t>(trial);
    const Place want = std::isnan(value_[t]) ? kNone : t <= new_last ? kOld : kRecent;
    const Place have = applied_sigma_[t] == 0.0 ? kNone : applied_recent_[t] ? kRecent : kOld;
    const double sigma = want == kNone ? 0.0 : sigma_of_trial(trial);
    if (want == have &&
        (want == kNone || (sigma == applied_sigma_[t] && value_[t] == applied_value_[t])))
      continue;
    if (want == kOld && have == kOld) {
      reapply(trial, sigma);  // same rank, new bandwidth
      continue;
    }
    if (have == kOld) unapply(trial);
    if (have == kRecent) remove_recent(trial);
    if (want == kOld) apply(trial, sigma);
    if (want == kRecent) add_recent(trial, sigma);
  }
  dirty_.clear();
  last_old_ = new_last;
}

void AboveDensity::stencil(double x, std::size_t& first, double w[4], std::size_t& n) const {
  const double t = (x - x0_) / h_;
  if (!interpolated_) {
    first = static_cast<std::size_t>(
        std::clamp(std::llround(t), 0LL, static_cast<long long>(n_nodes_ - 1)));
    w[0] = 1.0;
    n = 1;
    return;
  }
  // Cubic Lagrange interpolation on nodes j-1 .. j+2.
  const double j = std::clamp(std::floor(t), 1.0, static_cast<double>(n_nodes_ - 3));
  const double s = t - j;
  w[0] = -s * (s - 1) * (s - 2) / 6;
  w[1] = (s + 1) * (s - 1) * (s - 2) / 2;
  w[2] = -(s + 1) * s * (s - 2) / 2;
  w[3] = (s + 1) * s * (s - 1) / 6;
  first = static_cast<std::size_t>(j) - 1;
  n = 4;
}

double AboveDensity::sums_at(double x, double a, double b) const {
  std::size_t first, n;
  double w[4];
  stencil(x, first, w, n);
  double sum = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    sum += w[i] * (a * s0_[first + i] + b * s1_[first + i] + recent_[first + i]);
  }
  return std::max(sum, 0.0);
}

void AboveDensity::log_pdf(const double* xs, std::size_t count, double* out) {
  if (m_ < kBlockedMin) {
    log_pdf_direct(xs, count, out);
    return;
  }
  reconcile();
  const double m = static_cast<double>(m_);
  // default_weights(m): a ramp 1/m + r * b over the m - 25 oldest, then 25 ones.
  const double a = 1.0 / m;
  const double b = (1.0 - a) / (m - 26.0);
  const double total = (m - 25.0) * (a + 1.0) / 2.0 + 25.0;
  const Kernel prior = kernel(prior_mu_, range_);
  const double pw = settings_.prior_weight;
  const double log_total = std::log(total + pw);
  for (std::size_t s = 0; s < count; ++s) {
    const double x = xs[s];
    double g = sums_at(x, a, b);  // old members (ramp weights) and the newest 25 (weight 1)
    if (domain_.categorical) {
      const double k = static_cast<double>(domain_.n_choices);
      const double base = pw / (m + 1.0);
      g = (base * total + g) / (k * base + 1.0) + pw / k;
    } else {
      g += pw * kernel_at(prior, x);
    }
    out[s] = std::log(g) - log_total;
  }
}

void AboveDensity::log_pdf_direct(const double* xs, std::size_t count, double* out) const {
  const auto list = members();
  std::vector<double> values(list.size());
  for (std::size_t i = 0; i < list.size(); ++i) values[i] = list[i].second;
  const ParzenEstimator estimator({domain_}, values, default_weights(values.size()), settings_);
  estimator.log_pdf(xs, count, out);
}

}  // namespace rungs
