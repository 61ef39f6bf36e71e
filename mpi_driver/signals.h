#pragma once
/// Signals that ask a study to stop (preemption, time limit, Ctrl-C). The handlers only
/// count: the coordinator and workers poll stop_requests() from their loops and do the work
/// there. SIGTERM and SIGINT are always watched; SIGUSR1 and SIGUSR2 too unless the study
/// file's `preemption.signal` is `none` (USR1 or USR2 there watches both).
#include <string>

namespace rungs {

/// Installs the counting handler for SIGTERM, SIGINT and `extra_signal` (0 for none);
/// SIGUSR1 or SIGUSR2 there installs it for both.
void watch_stop_signals(int extra_signal);
/// How many watched signals arrived so far.
int stop_requests();
/// The number of the last one (0 before any).
int last_stop_signal();
/// "SIGUSR1", "SIGTERM", ...; the number for others.
std::string signal_name(int signal);
/// SIGUSR1 from "USR1" or "SIGUSR1"; 0 when unknown.
int parse_signal(const std::string& name);

}  // namespace rungs
