#pragma once
/// The rungs command line as a function, for an executable of one's own:
///   int main(int argc, char** argv) { return rungs::main(argc, argv); }
/// with the models it registered (<rungs/model.h>) known to every subcommand.

namespace rungs {

/// Runs `rungs ARGS...` (run, validate, simulate, status, ...) and returns its exit status:
/// 0 done, 2 bad input, 75 stopped and saved, 1 an error on a rank (rungs --help).
int main(int argc, char** argv);

}  // namespace rungs
