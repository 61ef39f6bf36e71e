#pragma once
/// Standard optimisation test functions (all minimised), shared by the sampler benchmarks;
/// bench/samplers/optuna_bench.py defines the same ones for Optuna.
#include <cmath>
#include <string>
#include <vector>

namespace rungs::bench {

struct TestFunction {
  std::string name;
  int dims;
  std::vector<double> low, high;
  double minimum;  ///< the known global minimum
  double (*f)(const std::vector<double>&);
};

inline double branin(const std::vector<double>& x) {
  const double pi = 3.14159265358979323846;
  const double b = 5.1 / (4 * pi * pi), c = 5 / pi, t = 1 / (8 * pi);
  const double u = x[1] - b * x[0] * x[0] + c * x[0] - 6;
  return u * u + 10 * (1 - t) * std::cos(x[0]) + 10;
}

inline double hartmann6(const std::vector<double>& x) {
  static const double alpha[4] = {1.0, 1.2, 3.0, 3.2};
  static const double a[4][6] = {{10, 3, 17, 3.5, 1.7, 8},
                                 {0.05, 10, 17, 0.1, 8, 14},
                                 {3, 3.5, 1.7, 10, 17, 8},
                                 {17, 8, 0.05, 10, 0.1, 14}};
  static const double p[4][6] = {{0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886},
                                 {0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991},
                                 {0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650},
                                 {0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381}};
  double s = 0;
  for (int i = 0; i < 4; ++i) {
    double inner = 0;
    for (int j = 0; j < 6; ++j) inner += a[i][j] * (x[j] - p[i][j]) * (x[j] - p[i][j]);
    s += alpha[i] * std::exp(-inner);
  }
  return -s;
}

inline double rosenbrock(const std::vector<double>& x) {
  double s = 0;
  for (std::size_t i = 0; i + 1 < x.size(); ++i) {
    s += 100 * (x[i + 1] - x[i] * x[i]) * (x[i + 1] - x[i] * x[i]) + (1 - x[i]) * (1 - x[i]);
  }
  return s;
}

inline double ackley(const std::vector<double>& x) {
  const double pi = 3.14159265358979323846;
  double s1 = 0, s2 = 0;
  for (double v : x) {
    s1 += v * v;
    s2 += std::cos(2 * pi * v);
  }
  const double n = static_cast<double>(x.size());
  return -20 * std::exp(-0.2 * std::sqrt(s1 / n)) - std::exp(s2 / n) + 20 + std::exp(1.0);
}

inline double styblinski_tang(const std::vector<double>& x) {
  double s = 0;
  for (double v : x) s += v * v * v * v - 16 * v * v + 5 * v;
  return s / 2;
}

inline std::vector<TestFunction> test_functions() {
  return {
      {"branin", 2, {-5, 0}, {10, 15}, 0.397887, branin},
      {"hartmann6", 6, std::vector<double>(6, 0.0), std::vector<double>(6, 1.0), -3.32237,
       hartmann6},
      {"rosenbrock10", 10, std::vector<double>(10, -5.0), std::vector<double>(10, 10.0), 0.0,
       rosenbrock},
      {"ackley10", 10, std::vector<double>(10, -32.768), std::vector<double>(10, 32.768), 0.0,
       ackley},
      {"styblinski_tang10", 10, std::vector<double>(10, -5.0), std::vector<double>(10, 5.0),
       -391.6617, styblinski_tang},
  };
}

}  // namespace rungs::bench
