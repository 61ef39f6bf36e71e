#pragma once
/// The samplers the benchmarks' --samplers lists name (sampler_tables, sampler_bench).
#include <cstdint>
#include <cstdlib>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>

#include "study/config.h"

namespace rungs::bench {

/// The sampler a --samplers entry names: `default` (a study file without `sampler:`),
/// `tpe-mv` (tpe with `multivariate: true`, the name Optuna's side uses too), a sampler's
/// name, or NAME:KEY=VALUE:... with options (e.g. tpe:multivariate=true:gamma=0.2).
inline AlgorithmOptions sampler_options(const std::string& entry) {
  const std::string where = "bench: sampler";
  if (entry == "default") return default_sampler(where);
  if (entry == "tpe-mv") return AlgorithmOptions("tpe", {{"multivariate", true}}, where);
  std::stringstream in(entry);
  std::string name;
  std::getline(in, name, ':');
  std::map<std::string, ParamValue> options;
  for (std::string item; std::getline(in, item, ':');) {
    const auto eq = item.find('=');
    if (eq == std::string::npos)
      throw std::invalid_argument("--samplers " + entry + ": an option must be KEY=VALUE");
    const std::string key = item.substr(0, eq), value = item.substr(eq + 1);
    char* end = nullptr;
    const long long i = std::strtoll(value.c_str(), &end, 10);
    if (value == "true" || value == "false") {
      options[key] = value == "true";
    } else if (!value.empty() && *end == '\0') {
      options[key] = static_cast<std::int64_t>(i);
    } else if (const double d = std::strtod(value.c_str(), &end); !value.empty() && *end == '\0') {
      options[key] = d;
    } else {
      options[key] = value;
    }
  }
  return AlgorithmOptions(name, options, where);
}

}  // namespace rungs::bench
