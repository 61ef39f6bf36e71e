#include "study/fault.h"

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <string>

namespace rungs::fault {

namespace {
struct Target {
  std::string name;
  long countdown = 0;
};

Target* target() {
  static Target* t = [] () -> Target* {
    const char* spec = std::getenv("RUNGS_FAULT");
    if (!spec || !*spec) return nullptr;
    auto* parsed = new Target;
    const char* colon = std::strchr(spec, ':');
    parsed->name = colon ? std::string(spec, colon) : std::string(spec);
    parsed->countdown = colon ? std::atol(colon + 1) : 1;
    return parsed;
  }();
  return t;
}
}  // namespace

bool fails(const char* name) {
  Target* t = target();
  return t && t->name == name && --t->countdown == 0;  // the N-th time only
}

void point(const char* name) {
  if (fails(name)) std::raise(SIGKILL);
}

}  // namespace rungs::fault
