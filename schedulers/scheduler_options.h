#pragma once
/// Reading the options that several schedulers share from the study file, with their
/// defaults, each validated with a message that names the value (ConfigError through
/// AlgorithmOptions::fail). The caller still calls options.finish() once it read its own.
#include "schedulers/rung_ladder.h"
#include "study/options.h"

namespace rungs {

/// min_resource (default 1), max_resource (default: the study's budget.epochs),
/// reduction_factor (default 3) and, when `with_bracket`, bracket (default 0).
LadderSpec read_ladder(const AlgorithmOptions& options, int max_epochs, bool with_bracket);

/// `mode: stop` (default: a trial goes on or stops when it reaches a rung) or
/// `mode: promotion` (it pauses at every rung and is resumed when promoted). True for promotion.
bool read_promotion_mode(const AlgorithmOptions& options);

/// An integer option that must be >= `low`.
int read_int_at_least(const AlgorithmOptions& options, const std::string& key, int fallback, int low);

}  // namespace rungs
