#pragma once
/// Which of a trial's checkpoint files or folders (study/checkpoint_path.h) the worker keeps.
#include <string>

namespace rungs {

/// Deletes the files checkpoint_file(stem, E) for every E except `newest` (just written,
/// maybe not recorded by rank 0 yet) and `previous` (this run's checkpoint before it, or
/// the one it resumed from: recorded, because a worker starts an epoch only after rank 0
/// recorded and answered the previous report). Files left by earlier attempts go too.
/// Best effort: a file that cannot be deleted stays (it is harmless) and nothing throws.
void remove_old_checkpoints(const std::string& stem, int newest, int previous) noexcept;

}  // namespace rungs
