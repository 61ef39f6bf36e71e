#include "study/command_line.h"

#include <cmath>
#include <cstdio>
#include <optional>

#include "study/errors.h"

namespace rungs {
namespace {

const char* const kBuiltins[] = {"args",  "params_json", "trial_id",    "trial_dir", "checkpoint_dir",
                                 "epochs", "seed",       "start_epoch", "end_epoch", "study_dir"};

bool is_builtin(const std::string& name) {
  for (const char* b : kBuiltins) {
    if (name == b) return true;
  }
  return false;
}

/// Calls `literal(text)` and `placeholder(name)` for the pieces of `arg` in order; throws
/// std::string with the problem for an unclosed or empty placeholder.
template <class Literal, class Placeholder>
void scan(const std::string& arg, Literal&& literal, Placeholder&& placeholder) {
  std::string text;
  for (std::size_t i = 0; i < arg.size(); ++i) {
    const char c = arg[i];
    if ((c == '{' || c == '}') && i + 1 < arg.size() && arg[i + 1] == c) {
      text += c;  // "{{" or "}}"
      ++i;
    } else if (c == '{') {
      const std::size_t close = arg.find('}', i);
      if (close == std::string::npos) throw std::string("'{' without a closing '}'");
      const std::string name = arg.substr(i + 1, close - i - 1);
      if (name.empty()) throw std::string("an empty placeholder {}");
      literal(text);
      text.clear();
      placeholder(name);
      i = close;
    } else {
      text += c;
    }
  }
  literal(text);
}

std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

}  // namespace

std::string params_to_json(const Params& params) {
  std::string out = "{";
  bool first = true;
  for (const auto& [name, value] : params) {
    out += (first ? "" : ", ") + json_string(name) + ": ";
    first = false;
    if (const bool* b = std::get_if<bool>(&value)) {
      out += *b ? "true" : "false";
    } else if (const std::string* s = std::get_if<std::string>(&value)) {
      out += json_string(*s);
    } else if (const double* d = std::get_if<double>(&value); d && !std::isfinite(*d)) {
      out += "null";
    } else {
      out += to_string(value);
    }
  }
  return out + "}";
}

std::vector<std::string> expand_command(const std::vector<std::string>& command,
                                        const CommandContext& context) {
  std::vector<std::string> out;
  for (const std::string& arg : command) {
    if (arg == "{args}") {  // one argument per flag and per value
      for (const auto& [name, value] : context.params) {
        out.push_back("--" + name);
        out.push_back(to_string(value));
      }
      continue;
    }
    std::string expanded;
    scan(
        arg, [&](const std::string& text) { expanded += text; },
        [&](const std::string& name) {
          if (name == "params_json") expanded += context.params_json;
          else if (name == "trial_id") expanded += std::to_string(context.trial_id);
          else if (name == "trial_dir") expanded += context.trial_dir;
          else if (name == "checkpoint_dir") expanded += context.checkpoint_dir;
          else if (name == "epochs") expanded += std::to_string(context.epochs);
          else if (name == "seed") expanded += std::to_string(context.seed);
          else if (name == "start_epoch") expanded += std::to_string(context.start_epoch);
          else if (name == "end_epoch") expanded += std::to_string(context.end_epoch);
          else if (name == "study_dir") expanded += context.study_dir;
          else if (name == "args") throw Error("{args} must be a command element of its own");
          else if (const auto it = context.params.find(name); it != context.params.end())
            expanded += to_string(it->second);
          else throw Error("the command's {" + name + "} has no value for trial " +
                           std::to_string(context.trial_id));
        });
    out.push_back(expanded);
  }
  return out;
}

bool uses_placeholder(const std::vector<std::string>& command, const std::string& name) {
  bool found = false;
  for (const std::string& arg : command) {
    try {
      scan(
          arg, [](const std::string&) {}, [&](const std::string& n) { found = found || n == name; });
    } catch (const std::string&) {
      // an unclosed '{': command_problem() reports it
    }
  }
  return found;
}

std::string command_problem(const std::vector<std::string>& command, const SearchSpace& space,
                            const Params& fixed, const std::string& field) {
  std::string known;
  for (const auto& p : space.params()) known += (known.empty() ? "" : ", ") + p.name;
  for (const auto& [name, value] : fixed) known += (known.empty() ? "" : ", ") + name;
  for (std::size_t i = 0; i < command.size(); ++i) {
    const std::string where = field + "[" + std::to_string(i) + "]: ";
    std::optional<std::string> problem;
    try {
      scan(
          command[i], [](const std::string&) {},
          [&](const std::string& name) {
            if (problem) return;
            if (name == "args") {
              if (command[i] != "{args}") problem = "{args} must be a command element of its own";
              return;
            }
            if (is_builtin(name) || fixed.count(name)) return;
            const ParamSpec* spec = space.find(name);
            if (!spec) {
              problem = "{" + name + "} names no hyperparameter; the study has " +
                        (known.empty() ? "none" : known) +
                        ", and rungs gives args, params_json, trial_id, trial_dir, "
                        "checkpoint_dir, epochs, seed, start_epoch, end_epoch, study_dir";
            } else if (spec->when) {
              problem = "{" + name + "} is conditional (absent from some trials): pass it "
                        "with {args} or {params_json}";
            }
          });
    } catch (const std::string& e) {
      problem = e;
    }
    if (problem) return where + command[i] + ": " + *problem;
  }
  return {};
}

}  // namespace rungs
