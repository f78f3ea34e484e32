#pragma once
// Outputs are written to a hidden temporary file beside the target, then renamed over it. A run
// killed mid-write (kill -9, power cut) leaves its temporary file behind; the next write of the
// same target removes those whose process is gone (a live process's file is left alone, so two
// concurrent runs do not break each other).
#include <string>

namespace hotspot {

// ".<name>.tmp-<pid>" beside `target`, after removing the stale ones of dead processes. The path is
// remembered until release_temp_path, so that SIGTERM or SIGINT removes the file (see below).
std::string temp_path_for(const std::string& target);
// Forgets a path of temp_path_for once its file has been renamed into place or removed.
void release_temp_path(const std::string& temp);

// The first temp_path_for installs handlers for SIGTERM and SIGINT, where no one else handles them
// (their disposition is still the default; an embedding Python keeps its own SIGINT handler). The
// handler removes every temporary file of this process not yet released, then ends the process by
// the same signal, so the parent sees the conventional status (128 + signal number in a shell).

}  // namespace hotspot
