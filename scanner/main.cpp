// rareconn's entry point: dispatches the sub-command. All work is in scanner/scan.cpp.
#include <cstdio>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "scanner/atomic_output.hpp"
#include "scanner/options.hpp"
#include "scanner/partial_commands.hpp"
#include "scanner/scan.hpp"
#include "scanner/state_command.hpp"

int main(int argc, char** argv) {
  using namespace rareconn::scanner;
#if defined(__GLIBC__)
  // Measured: without this, glibc returns freed heap to the kernel and re-faults it page by page,
  // which cost 40% of a scan with many findings (perf: clear_page_erms under operator new).
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  mallopt(M_TOP_PAD, 64 << 20);
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
#endif
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
    std::fputs(scan_usage(), argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  if (std::strcmp(argv[1], "--version") == 0) {
    std::puts("rareconn 0.1.0");
    return 0;
  }
  const std::string command = argv[1];
  if (command == "merge" || command == "inspect") {
    // rareconn merge -o PART PART... ; rareconn inspect FILE...
    std::string output;
    std::vector<std::string> files;
    for (int i = 2; i < argc; ++i) {
      const std::string a = argv[i];
      if (a == "--help" || a == "-h") {
        std::fputs(command == "merge" ? "usage: rareconn merge -o PART PART...\n" : "usage: rareconn inspect FILE...\n",
                   stdout);
        return 0;
      }
      if (command == "merge" && (a == "-o" || a == "--output") && i + 1 < argc) {
        output = argv[++i];
      } else if (!a.empty() && a[0] == '-' && a != "-") {
        std::fprintf(stderr, "rareconn: %s: unknown option '%s'\n", command.c_str(), a.c_str());
        return 2;
      } else {
        files.push_back(a);
      }
    }
    if (files.empty() || (command == "merge" && output.empty())) {
      std::fprintf(stderr, "rareconn: usage: %s\n",
                   command == "merge" ? "rareconn merge -o PART PART..." : "rareconn inspect FILE...");
      return 2;
    }
    install_output_signal_handlers();
    try {
      return command == "merge" ? run_merge(output, files) : run_inspect(files);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "rareconn: internal error: %s\n", e.what());
      return 3;
    }
  }
  if (command != "scan" && command != "partial" && command != "report") {
    std::fprintf(stderr, "rareconn: unknown command '%s' (commands: scan, partial, merge, report, inspect; "
                 "try: rareconn scan --help)\n", argv[1]);
    return 2;
  }
  for (int i = 2; i < argc; ++i) {
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      std::fputs(scan_usage(), stdout);
      return 0;
    }
  }
  ScanOptions options;
  std::string error;
  if (!parse_scan_options(argc - 2, argv + 2, options, error)) {
    std::fprintf(stderr, "rareconn: %s\n", error.c_str());
    return 2;
  }
  install_output_signal_handlers();
  try {
    if (command == "partial") return run_partial(options);
    if (command == "report") return run_report(options);
    if (!options.state_dir.empty() && command != "scan") {
      std::fprintf(stderr, "rareconn: --state is an option of `rareconn scan`\n");
      return 2;
    }
    if (!options.state_dir.empty()) return run_state_scan(options);
    return run_scan(options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rareconn: internal error: %s\n", e.what());
    return 3;
  }
}
