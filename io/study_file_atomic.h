#pragma once
/// Crash-safe replacement of a whole file (used by write_study_file).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace rungs {

/// Replaces `path` with the file that `write` creates at `path + ".tmp"`, so that a crash
/// at any instant leaves `path` either as it was or complete with the new content: the
/// temporary is written, fsynced, renamed over `path`, and the directory fsynced. A stale
/// temporary left by a killed writer is removed first. When `write` or a later step
/// throws, the temporary is removed and the exception propagates (IoError naming the file
/// for the POSIX steps). `fault_point` names the fault::point (study/fault.h) reached between
/// writing and renaming, so that a crash test can aim at one kind of file.
void replace_file_atomically(const std::string& path,
                             const std::function<void(const std::string& temporary)>& write,
                             const char* fault_point = "snapshot.before_rename");
/// Creates `folder` and any missing parents, each made durable: a new folder's name is on
/// disk only once the folder holding it is fsynced, and without that a power cut can take
/// away the folder with every file fsynced in it. Throws IoError (StorageError) naming it.
void create_folders_durably(const std::string& folder);

/// The same with the new content given whole: written to the temporary with write(2).
void replace_file_atomically(const std::string& path, const std::vector<std::uint8_t>& content,
                             const char* fault_point = "snapshot.before_rename");

}  // namespace rungs
