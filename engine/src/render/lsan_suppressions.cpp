// LeakSanitizer's defaults, compiled into every executable of an AddressSanitizer build (see
// engine/CMakeLists.txt); LSan asks these hooks for them at start-up.
//
// fontconfig stores the pointer from a pattern to its elements as an offset from the pattern, so
// LSan cannot follow it, and cairo keeps such patterns in its font cache for the life of the
// process. Any executable that draws text (the quick-look map) would otherwise report them as
// leaked at exit, although they stay reachable and FcFini would free them. The used suppression
// is not printed, so stderr stays what the program wrote (the CLI tests read it).
extern "C" const char* __lsan_default_suppressions() { return "leak:libfontconfig.so\n"; }
extern "C" const char* __lsan_default_options() { return "print_suppressions=0"; }
