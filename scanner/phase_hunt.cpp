// Phase 2: the hunt. Named with --hunt, or the one the registry's hunts recognise in every input;
// then its options, and which inputs hold its table (a named file that does not is an input error,
// one found in a directory is skipped and counted).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <unordered_map>

#include "scanner/scan_phases.hpp"
#include "scanner/table_fit.hpp"

namespace rareconn::scanner {

// The registered hunt whose table an input looks most like (ties: registration order); `content`
// is its first bytes at least (sniffed by the inputs phase, which keeps the answer).
const HuntEntry* detect_hunt(const InputFile& f, std::string_view content, const std::vector<std::unique_ptr<hunts::Hunt>>& probes) {
  hunts::InputFacts facts;
  const bool events = f.format == parsers::InputFormat::kEvtx || f.format == parsers::InputFormat::kXml;
  facts.kind = events ? hunts::kWindowsEvents : hunts::kTabularRows;
  facts.json = f.format != parsers::InputFormat::kCsv;
  const std::string_view head = content.substr(0, 1 << 16);
  facts.has_field = [&](std::string_view name) {
    if (events) return false;
    if (!facts.json) return has_column(f, name);
    std::string quoted(1, '"');
    quoted.append(name).push_back('"');
    return head.find(quoted) != std::string_view::npos;
  };
  const HuntEntry* best = &hunt_registry().front();
  int best_score = 0;
  for (std::size_t i = 0; i < probes.size(); ++i) {
    const int score = probes[i]->affinity(facts);
    if (score > best_score) best = &hunt_registry()[i], best_score = score;
  }
  return best;
}

namespace {

const HuntEntry* choose_hunt(const ScanRun& run) {
  if (run.opt.hunt != "auto") return find_hunt(run.opt.hunt);
  std::vector<std::unique_ptr<hunts::Hunt>> probes;
  for (const HuntEntry& e : hunt_registry()) probes.push_back(e.make(hunts::RunOptions{}));
  const HuntEntry* seen = nullptr;
  for (const InputFile& f : run.files) {
    if (!f.has_content() || !f.hunt_seen) continue;
    const HuntEntry* h = f.hunt_seen;
    if (seen && seen != h) {
      const auto& reg = hunt_registry();
      const std::size_t a = static_cast<std::size_t>(std::min(seen, h) - reg.data());
      const std::size_t b = static_cast<std::size_t>(std::max(seen, h) - reg.data());
      std::fprintf(stderr, "rareconn: the inputs hold both %s and %s data; choose one with --hunt %s\n",
                   std::string(probes[a]->data_name()).c_str(), std::string(probes[b]->data_name()).c_str(),
                   hunt_names("|").c_str());
      return nullptr;
    }
    seen = h;
  }
  return seen ? seen : &hunt_registry().front();
}

hunts::RunOptions run_options(const ScanOptions& opt, const std::optional<InputZone>& zone) {
  hunts::RunOptions o;
  if (opt.servers_given) o.servers = core::ServerSet(opt.servers, opt.server_match);
  o.by = opt.by;
  o.per_server = opt.per_server;
  o.window.now = opt.now;
  o.window.lookback = opt.lookback;
  o.window.recent = opt.recent;
  o.window.threshold = opt.threshold;
  // RARECONN_TEST_PRUNE_EVERY (tests): prune the window state from the first events on.
  if (const char* v = std::getenv("RARECONN_TEST_PRUNE_EVERY")) o.window.first_prune = static_cast<std::size_t>(std::atoll(v));
  o.allow = opt.allow;
  o.default_allow = opt.default_allow;
  o.linux_sysmon = opt.linux_sysmon;
  o.kusto_pivot = opt.pivot_kusto;
  o.time_from_column = opt.time_from_column;
  o.rule_parse_greedy = opt.rule_parse_greedy;
  o.window.set_drops_empty = opt.set_drops_empty;
  o.window.empty_key_joins = opt.empty_key_joins;
  o.timestamp_required = opt.timestamp_required;
  core::set_excess_fraction_rejected(opt.excess_fraction_rejected);  // U-9: before any thread parses a time
  o.zone = zone ? &*zone : nullptr;
  return o;
}

// "its header names column 'X' twice (columns 3 and 9)" for the first name met twice, else "".
std::string duplicate_column(const std::vector<std::string>& columns) {
  std::unordered_map<std::string_view, std::size_t> first;
  first.reserve(columns.size());
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].empty()) continue;  // unnamed columns (a header's trailing commas) name nothing twice
    const auto [it, fresh] = first.emplace(columns[i], i);
    if (!fresh) {
      return "its header names column '" + printable(columns[i]) + "' twice (columns " + std::to_string(it->second + 1) +
             " and " + std::to_string(i + 1) + "), which no table has";
    }
  }
  return "";
}

}  // namespace

bool ScanRun::refuse(InputFile& f, const std::string& why) {
  if (is_named(f)) {
    std::fprintf(stderr, "rareconn: '%s' cannot be read by the %s hunt: %s\n", f.path.c_str(), entry->name.c_str(),
                 why.c_str());
    return false;
  }
  std::fprintf(stderr, "rareconn: warning: skipping '%s': %s\n", f.path.c_str(), why.c_str());
  f.skipped = true;
  ++mismatched_files;
  return true;
}

std::size_t ScanRun::fitting_files() const {
  return static_cast<std::size_t>(
      std::count_if(files.begin(), files.end(), [](const InputFile& f) { return f.has_content(); }));
}

PhaseResult make_hunt(ScanRun& run) {
  const ScanOptions& opt = run.opt;
  run.entry = choose_hunt(run);
  if (!run.entry) return kExitUsage;
  Plan& plan = run.plan;
  plan.max_record_bytes = opt.max_record_bytes;
  if (!opt.input_timezone.empty()) {
    std::string error;
    plan.zone = InputZone::parse(opt.input_timezone, error);
    if (!plan.zone) {
      std::fprintf(stderr, "rareconn: %s\n", error.c_str());
      return kExitUsage;
    }
  }
  run.hunt = run.entry->make(run_options(opt, plan.zone));
  const hunts::Hunt& hunt = *run.hunt;
  plan.entry = run.entry;
  plan.hunt = run.hunt.get();
  plan.projection = hunt.projection();
  return std::nullopt;
}

PhaseResult phase_hunt(ScanRun& run) {
  if (const PhaseResult stop = make_hunt(run)) return stop;
  const hunts::Hunt& hunt = *run.hunt;
  Plan& plan = run.plan;
  // Inputs that do not hold the hunt's table. JSON files are checked after the scan (a field may
  // first appear late).
  const std::string table_name(hunt.table_name());
  for (InputFile& f : run.files) {
    if (!f.has_content()) continue;
    std::string why;
    const bool events = f.format == parsers::InputFormat::kEvtx || f.format == parsers::InputFormat::kXml;
    if (events && !(run.entry->input_kinds & hunts::kWindowsEvents)) {
      std::string reader;
      for (const HuntEntry& e : hunt_registry()) {
        if (reader.empty() && (e.input_kinds & hunts::kWindowsEvents)) reader = e.name;
      }
      why = std::string(f.format == parsers::InputFormat::kEvtx ? "an EVTX file" : "event XML") +
            " holds Windows events, not " + table_name + " rows (use --hunt " + reader + ")";
    } else if (!events && !(run.entry->input_kinds & hunts::kTabularRows)) {
      why = "it holds table rows, not the Windows events the " + table_name + " table is made of";
    } else if (f.format == parsers::InputFormat::kCsv && !(why = duplicate_column(f.header().columns)).empty()) {
      // No table has two columns of one name: which one the query means cannot be known.
    } else if (f.format == parsers::InputFormat::kCsv) {
      const std::vector<std::string> missing = missing_columns(hunt, [&](std::size_t slot) {
        for (const std::string& n : plan.projection.fields[slot].names) {
          if (has_column(f, n)) return true;
        }
        return false;
      });
      if (!missing.empty()) {
        why = "its header lacks the " + table_name + " column" + (missing.size() > 1 ? "s " : " ") +
              join_names(missing) + " that the query reads";
      }
    }
    if (!why.empty() && !run.refuse(f, why)) return kExitInput;
  }
  for (const InputFile& f : run.files) {
    // A local-time column of a file the hunt reads is only usable with its zone: say so instead
    // of guessing. (After the table check: a file of another table is refused for what it lacks.)
    if (!f.has_content() || f.format != parsers::InputFormat::kCsv || plan.zone) continue;
    if (const std::optional<std::string> why = hunt.needs_zone(f.header().columns)) {
      std::fprintf(stderr, "rareconn: '%s' %s\n", f.path.c_str(), why->c_str());
      return kExitUsage;
    }
  }
  if (run.fitting_files() == 0) {
    if (!run.opt.quiet_when_nothing_fits) {
      std::fprintf(stderr, "rareconn: no input holds data the %s hunt reads (a %s table)\n", run.entry->name.c_str(),
                   table_name.c_str());
    }
    return kExitInput;
  }
  return std::nullopt;
}

}  // namespace rareconn::scanner
