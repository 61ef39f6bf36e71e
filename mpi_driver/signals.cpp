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
  // Batch scripts, admins and users send either user signal (--signal=B:USR1@120, a guide's
  // USR2, scancel --signal=...); an unwatched one kills the rank before it saves. So a study
  // that watches one watches both, and what is sent cannot disagree with what is watched.
  const bool user = extra_signal == SIGUSR1 || extra_signal == SIGUSR2;
  for (int s : {SIGTERM, SIGINT, user ? SIGUSR1 : extra_signal, user ? SIGUSR2 : 0}) {
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
