// hotspot run: the whole job from one configuration file, for cron and for people.
#include "hotspot/run.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "hotspot/error.hpp"
#include "options.hpp"

namespace hotspot::cli {

namespace {

struct RunFlags {
  RunJobOptions job;
  bool json = false, quiet = false, check = false;
  std::string max_memory;
  std::string log_level = "info";
  std::string log_file;
};

// --log-file: every log line at --log-level (--quiet too) appended with its UTC time, and one
// closing line with the outcome, so a cron job's history reads in one place.
class LogFile {
 public:
  // Its folder is made when missing, as the output's is. A file that cannot be opened is
  // error(), thrown inside the run's try so that --json still prints its error document.
  explicit LogFile(const std::string& path) : path_(path) {
    if (path.empty()) return;
    std::error_code ec;
    if (std::filesystem::path(path).has_parent_path())
      std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
    f_ = std::fopen(path.c_str(), "a");
    if (!f_) error_ = "--log-file '" + path + "': cannot open for appending: " + std::strerror(errno);
  }
  const std::string& error() const { return error_; }
  ~LogFile() {
    if (f_) std::fclose(f_);
  }
  LogFile(const LogFile&) = delete;
  LogFile& operator=(const LogFile&) = delete;
  void line(const char* level, const std::string& message) {
    if (!f_) return;
    std::lock_guard<std::mutex> lock(mutex_);
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    std::fprintf(f_, "%s [%d] %s: %s\n", stamp, static_cast<int>(getpid()), level, message.c_str());
    std::fflush(f_);
  }

 private:
  std::string path_, error_;
  std::FILE* f_ = nullptr;
  std::mutex mutex_;
};

LogLevel parse_level(const std::string& s) {
  if (s == "error") return LogLevel::kError;
  if (s == "warn") return LogLevel::kWarn;
  if (s == "info") return LogLevel::kInfo;
  if (s == "debug") return LogLevel::kDebug;
  throw UsageError("--log-level '" + s + "': expected error, warn, info or debug");
}

const char* level_name(LogLevel l) {
  switch (l) {
    case LogLevel::kError:
      return "error";
    case LogLevel::kWarn:
      return "warning";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kDebug:
      return "debug";
  }
  return "";
}

// One line on a terminal, redrawn in place every 200 ms so a long step still shows it is alive:
// "[4/10] kde              ######------------------  30%   2.4 s". Steps are the unit of progress.
class ProgressLine {
 public:
  ~ProgressLine() { stop(); }
  void step(int index, int count, const std::string& name) {
    std::lock_guard<std::mutex> lock(mutex_);
    index_ = index, count_ = count, name_ = name;
    step_start_ = std::chrono::steady_clock::now();
    if (!thread_.joinable() && index <= count) thread_ = std::thread([this] { loop(); });
    if (index > count) done_ = true;
    draw_locked();
  }
  // Clears the line (before a log line or at the end).
  void clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (shown_) std::fputs("\r\033[K", stderr), std::fflush(stderr), shown_ = false;
  }
  void stop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      done_ = true;
    }
    if (thread_.joinable()) thread_.join();
    clear();
  }

 private:
  void loop() {
    for (;;) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      std::lock_guard<std::mutex> lock(mutex_);
      if (done_) return;
      draw_locked();
    }
  }
  void draw_locked() {
    if (done_ || count_ <= 0) return;
    constexpr int kBar = 24;
    const double fraction = static_cast<double>(index_ - 1) / count_;
    std::string bar(static_cast<std::size_t>(fraction * kBar + 0.5), '#');
    bar.resize(kBar, '-');
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - step_start_).count();
    std::fprintf(stderr, "\r\033[K[%d/%d] %-16.16s %s %3d%% %6.1f s", index_, count_, name_.c_str(),
                 bar.c_str(), static_cast<int>(fraction * 100 + 0.5), seconds);
    std::fflush(stderr);
    shown_ = true;
  }

  std::mutex mutex_;
  std::thread thread_;
  int index_ = 0, count_ = 0;
  std::string name_;
  std::chrono::steady_clock::time_point step_start_;
  bool done_ = false, shown_ = false;
};

}  // namespace

void add_run(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "run", "Every analysis of a run configuration (schemas/run.schema.json) into one GeoPackage");
  auto f = std::make_shared<RunFlags>();
  cmd->add_option("--config", f->job.config, "Run configuration (JSON)")->required();
  cmd->add_option("--previous", f->job.previous,
                  "Earlier output whose hotspot ids carry over (default: the config's, else the "
                  "output being replaced)");
  cmd->add_flag("--overwrite", f->job.overwrite,
                "Replace an output file that hotspot did not write");
  cmd->add_flag("--if-changed", f->job.if_changed,
                "Do nothing (exit 0) when the config and the inputs are those the existing output "
                "was made from");
  cmd->add_flag("--json", f->json,
                "Print the summary as JSON (schemas/run-summary.schema.json) on stdout");
  cmd->add_flag("--check", f->check,
                "Only check: the schema and option values, then every input opened (files, layers, "
                "fields, CRSs, the first 1,000 rows and times); nothing is written");
  cmd->add_flag("-q,--quiet", f->quiet,
                "Errors only: no summary, no progress, no warnings (--json still prints its "
                "document)");
  cmd->add_flag("--strict", f->job.strict,
                "All or nothing: the first analysis that fails ends the run (exit 2, 3 or 4) and "
                "nothing is written (default: the others are written, exit 5)");
  cmd->add_option("--log-file", f->log_file,
                  "Append the log lines (at --log-level, also with --quiet) with UTC timestamps, "
                  "and the outcome, to this file");
  cmd->add_option("--log-level", f->log_level, "error | warn | info | debug (stderr)")
      ->capture_default_str();
  cmd->add_option("--threads", f->job.threads, "Threads (default: the config's, else all cores)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--max-memory", f->max_memory,
                  "Memory budget, e.g. 4G (default: the config's max_memory, else half the "
                  "physical memory)");
  cmd->callback([f] {
    LogLevel file_level = LogLevel::kInfo, level = LogLevel::kError;  // set in the try below
    LogFile log_file(f->log_file);
    std::unique_ptr<ProgressLine> bar;
    if (!f->quiet && isatty(STDERR_FILENO)) bar = std::make_unique<ProgressLine>();
    f->job.log = [&](LogLevel l, const std::string& m) {
      if (l <= file_level) log_file.line(level_name(l), m);
      if (l > level) return;
      if (bar) bar->clear();
      std::fprintf(stderr, "hotspot: %s: %s\n", level_name(l), m.c_str());
    };
    if (bar)
      f->job.progress = [&](int index, int count, const std::string& step) {
        bar->step(index, count, step);
      };
    try {
      file_level = parse_level(f->log_level);
      level = f->quiet ? LogLevel::kError : file_level;
      if (!log_file.error().empty()) throw IoError(log_file.error());
      log_file.line("info", "start: " + command_line());
      if (!f->max_memory.empty()) {
        try {
          f->job.max_memory = parse_memory_size(f->max_memory);
        } catch (const UsageError& e) {
          throw UsageError(std::string("--max-memory: ") + e.what());
        }
      }
      // The engine clamps too (resolve_threads); here the user is told.
      if (f->job.threads > static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))) {
        const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
        std::fprintf(stderr, "note: --threads %d is more than the %d hardware threads; using %d\n",
                     f->job.threads, cores, cores);
        f->job.threads = cores;
      }
      // stdout carries the result only: the summary (none with --quiet) or the --json document
      // (always: it was asked for). Warnings and logs go to stderr through job.log.
      if (f->check) {
        const ConfigCheck checked = check_run_config(f->job.config, f->job.max_memory);
        for (const auto& w : checked.warnings) f->job.log(LogLevel::kWarn, w);
        if (f->json)
          std::cout << nlohmann::json{{"status", "valid"},
                                      {"config", f->job.config},
                                      {"checks", checked.checks},
                                      {"warnings", checked.warnings}}
                           .dump(2)
                    << "\n";
        else if (!f->quiet) {
          for (const auto& c : checked.checks) std::cout << "checked    " << c << "\n";
          std::cout << "config     " << f->job.config << " is valid\n";
        }
        return;
      }
      RunJobResult r = run_job(f->job);
      if (bar) bar->stop();
      for (const auto& w : r.run.warnings) f->job.log(LogLevel::kWarn, w);
      if (!r.run.failed.empty()) set_exit_status(kExitPartial);
      if (r.skipped)
        log_file.line("info", "end: skipped (exit 0): " + r.skip_reason);
      else if (r.run.failed.empty())
        log_file.line("info", "end: ok (exit 0), wrote " + r.run.out);
      std::string failed_names;
      for (const auto& failed : r.run.failed) {
        // ("briefing night" names itself; an analysis is named by its step)
        const bool briefing = failed.name.rfind("briefing ", 0) == 0;
        log_file.line("error", (briefing ? "" : "analysis ") + failed.name + " failed (" +
                                   failed.exit_class + "): " + failed.error);
        failed_names += (failed_names.empty() ? "" : ", ") + failed.name;
      }
      if (!r.run.failed.empty())
        log_file.line("warning", "end: partial (exit 5), wrote " + r.run.out + "; failed: " +
                                     failed_names);
      if (f->json) {
        std::cout << r.summary_json << "\n";
      } else if (f->quiet) {
      } else if (r.skipped) {
        std::cout << "unchanged  " << r.skip_reason << "; nothing to do\n";
      } else {
        std::cout << format_summary(r.run);
        if (!r.quicklook.empty()) std::cout << "map        " << r.quicklook << "\n";
      }
    } catch (const Error& e) {
      if (bar) bar->stop();
      log_file.line("error", std::string("end: error (exit ") + std::to_string(exit_code(e)) +
                                 "): " + e.what());
      if (f->json)
        std::cout << nlohmann::json{{"status", "error"},
                                    {"exit_code", exit_code(e)},
                                    {"message", e.what()}}
                         .dump(2)
                  << "\n";
      throw;
    }
  });
}

}  // namespace hotspot::cli
