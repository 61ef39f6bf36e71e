#include "report/retrain_study.h"

#include <algorithm>
#include <cstdlib>
#include <vector>

#include "study/config.h"

namespace rungs::report {

std::string yaml_scalar(const ParamValue& value) {
  std::string text = to_string(value);
  if (std::holds_alternative<double>(value)) {
    if (text.find_first_of(".en") == std::string::npos) text += ".0";  // nan, inf keep theirs
    return text;
  }
  if (const auto* s = std::get_if<std::string>(&value)) {
    bool plain = !s->empty() && s->find_first_of(":#{}[],&*!|>'\"%@`\n") == std::string::npos &&
                 s->front() != '-' && s->front() != '?' && s->front() != ' ' && s->back() != ' ';
    if (plain) {
      // A word that YAML would read as something else (256, 1e-3, true, null) is quoted.
      char* end = nullptr;
      std::strtod(s->c_str(), &end);
      const bool number = *end == '\0';
      static const std::vector<std::string> special{"true", "false", "True", "False", "null",
                                                    "Null", "NULL", "~", "yes", "no", "on", "off"};
      plain = !number && std::find(special.begin(), special.end(), *s) == special.end();
    }
    if (plain) return *s;
    std::string quoted = "\"";
    for (const char c : *s) {
      if (c == '"' || c == '\\') quoted += '\\';
      quoted += c;
    }
    return quoted + "\"";
  }
  return text;
}

std::string retrain_study_yaml(const StoredStudy& study, const TrialRecord& trial) {
  const StudyConfig old = parse_study_config(study.config_text, study.name + " (stored study file)");
  Params fixed = old.fixed;
  for (const auto& [name, value] : trial.params) fixed[name] = value;
  std::string fixed_map = "{";
  for (const auto& [name, value] : fixed) {
    fixed_map += (fixed_map.size() > 1 ? ", " : "") + name + ": " + yaml_scalar(value);
  }
  fixed_map += "}";

  const std::vector<std::string> changes{
      "name=" + old.name + "-best",
      "output=" + yaml_scalar(ParamValue(old.output_dir + "-best")),
      "search_space={}",
      "fixed=" + fixed_map,
      "enqueue=[]",
      "sampler=random",
      "scheduler=fifo",
      "budget.max_trials=1"};
  const std::string header = "# Trial " + std::to_string(trial.id) + " of study " + old.name +
                             ", trained again from scratch for the full budget: rungs run FILE\n";
  return header + apply_overrides(study.config_text, changes, study.name);
}

}  // namespace rungs::report
