// rungs: hyperparameter search for MPI clusters. See README.md.
#include "rungs/main.h"

int main(int argc, char** argv) { return rungs::main(argc, argv); }
