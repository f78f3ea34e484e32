#pragma once
// Outputs are written to a hidden temporary file beside the target, then renamed over it. A run
// killed mid-write (kill -9, power cut) leaves its temporary file behind; the next write of the
// same target removes those whose process is gone (a live process's file is left alone, so two
// concurrent runs do not break each other).
#include <string>

namespace hotspot {

// ".<name>.tmp-<pid>" beside `target`, after removing the stale ones of dead processes.
std::string temp_path_for(const std::string& target);

}  // namespace hotspot
