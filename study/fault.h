#pragma once
/// Fault injection for the crash tests: named points in the code where a test can have the
/// process SIGKILL itself. RUNGS_FAULT="NAME" (or "NAME:N") kills the process the first (or
/// N-th) time it reaches point NAME. Without the variable a point costs one branch.
namespace rungs::fault {

/// Kills the process with SIGKILL when RUNGS_FAULT names this point (and count).
void point(const char* name);

/// For points where a test wants an error rather than a kill: true the N-th time the point
/// named by RUNGS_FAULT is reached, and only then (the caller fails as the real error would).
bool fails(const char* name);

}  // namespace rungs::fault
