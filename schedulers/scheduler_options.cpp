#include "schedulers/scheduler_options.h"

#include <limits>

namespace rungs {

int read_int_at_least(const AlgorithmOptions& options, const std::string& key, int fallback,
                      int low) {
  const long long value = options.get_int(key, fallback);
  if (value < low) options.fail(key, "must be >= " + std::to_string(low));
  if (value > std::numeric_limits<int>::max()) options.fail(key, "is too large");
  return static_cast<int>(value);
}

LadderSpec read_ladder(const AlgorithmOptions& options, int max_epochs, bool with_bracket) {
  LadderSpec spec;
  // Range checks that need no other option come first, so that the message names the
  // option the user got wrong rather than one it conflicts with.
  spec.reduction_factor = read_int_at_least(options, "reduction_factor", 3, 2);
  spec.min_resource = read_int_at_least(options, "min_resource", 1, 1);
  spec.max_resource = read_int_at_least(options, "max_resource", max_epochs, 1);
  spec.bracket = with_bracket ? read_int_at_least(options, "bracket", 0, 0) : 0;
  if (auto problem = check_ladder(spec, max_epochs)) options.fail(problem->key, problem->message);
  return spec;
}

bool read_promotion_mode(const AlgorithmOptions& options) {
  const std::string mode = options.get_string("mode", "stop");
  if (mode != "stop" && mode != "promotion") options.fail("mode", "must be 'stop' or 'promotion'");
  return mode == "promotion";
}

}  // namespace rungs
