#include "mpi_driver/signals.h"

#include <csignal>

namespace rungs {

namespace {
volatile std::sig_atomic_t g_requests = 0;
volatile std::sig_atomic_t g_last = 0;

extern "C" void on_stop_signal(int signal) {
  g_requests = g_requests + 1;
  g_last = signal;
}

struct Named {
  int number;
  const char* name;
};
constexpr Named kSignals[] = {{SIGTERM, "SIGTERM"}, {SIGINT, "SIGINT"}, {SIGUSR1, "SIGUSR1"},
                              {SIGUSR2, "SIGUSR2"}, {SIGHUP, "SIGHUP"}};
}  // namespace

void watch_stop_signals(int extra_signal) {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (int s : {SIGTERM, SIGINT, extra_signal}) {
    if (s > 0) sigaction(s, &action, nullptr);
  }
}

int stop_requests() { return g_requests; }
int last_stop_signal() { return g_last; }

std::string signal_name(int signal) {
  for (const auto& s : kSignals) {
    if (s.number == signal) return s.name;
  }
  return std::to_string(signal);
}

int parse_signal(const std::string& name) {
  const std::string full = name.rfind("SIG", 0) == 0 ? name : "SIG" + name;
  for (const auto& s : kSignals) {
    if (full == s.name) return s.number;
  }
  return 0;
}

}  // namespace rungs
