// rungs with the models this executable registers (tinynet.cpp): every rungs subcommand,
// `objective.model: tinynet` known to them.
#include <rungs/main.h>

int main(int argc, char** argv) { return rungs::main(argc, argv); }
