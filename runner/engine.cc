// engine.cc: the only C++ in the runner: the adapter between engine.h's C API and libbenchmark
// 1.7.1.  Every window is one benchmark with Iterations(1), Repetitions(1) and manual time,
// registered in run order under its case's name; engine_regroup_reporter (below) turns the
// windows' runs back into each case's repetitions for libbenchmark's reporters (see engine.h).
#include "runner/engine.h"

#include <benchmark/benchmark.h>

#include <cctype>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace {

using Run = benchmark::BenchmarkReporter::Run;

struct engine_case {
    std::string name;
    int repetitions;
    int windows; // appended so far
};

struct engine_slot {
    struct engine *e;
    int case_handle, repetition;
    engine_window_fn fn;
    void *arg;
};

} // namespace

struct engine {
    std::vector<engine_case> cases;
    std::vector<std::unique_ptr<engine_slot>> slots; // stable addresses for the lambdas
    const engine_slot *current = nullptr;           // the window that ran last
    bool displays = false;                           // --benchmark_format given
    bool has_out = false;                            // --benchmark_out given
    std::string out_format = "json";
    bool report_aggregates_only = false, display_aggregates_only = false;
};

namespace {

void engine_run_window(benchmark::State &state, const engine_slot *slot)
{
    slot->e->current = slot;
    for (auto _ : state) {
        engine_window window;
        std::memset(&window, 0, sizeof window);
        slot->fn(slot->arg, &window);
        if (window.failed) {
            state.SkipWithError(window.error);
            break;
        }
        state.SetIterationTime(window.seconds);
        state.SetItemsProcessed(static_cast<int64_t>(window.items));
        for (int i = 0; i < window.counter_count; i++)
            state.counters[window.counter_names[i]] = window.counter_values[i];
    }
}

// The aggregates libbenchmark 1.7.1 computes for the repetitions of one benchmark
// (src/statistics.cc, ComputeStats), over a case's windows: each statistic of the benchmark
// (mean, median, stddev, cv) of the real and CPU times and of every user counter, over the runs
// without error, none when fewer than two; times rescaled to per-repetition figures as there.
std::vector<Run> engine_aggregates(const std::vector<Run> &reports)
{
    std::vector<Run> results;
    size_t errors = 0;
    for (const Run &r : reports)
        errors += r.error_occurred;
    if (reports.size() - errors < 2)
        return results;
    std::vector<double> real, cpu;
    std::map<std::string, std::pair<benchmark::Counter, std::vector<double>>> counters;
    for (const Run &r : reports)
        for (const auto &c : r.counters)
            counters.emplace(c.first, std::make_pair(c.second, std::vector<double>()));
    for (const Run &r : reports) {
        if (r.error_occurred)
            continue;
        real.push_back(r.real_accumulated_time);
        cpu.push_back(r.cpu_accumulated_time);
        for (const auto &c : r.counters)
            counters[c.first].second.push_back(c.second.value);
    }
    std::string label = reports[0].report_label;
    for (const Run &r : reports)
        if (r.report_label != label)
            label.clear();
    const double rescale = double(reports.size()) / double(reports[0].iterations);
    for (const auto &stat : *reports[0].statistics) {
        Run data;
        data.run_name = reports[0].run_name;
        data.family_index = reports[0].family_index;
        data.per_family_instance_index = reports[0].per_family_instance_index;
        data.run_type = Run::RT_Aggregate;
        data.threads = reports[0].threads;
        data.repetitions = reports[0].repetitions;
        data.repetition_index = Run::no_repetition_index;
        data.aggregate_name = stat.name_;
        data.aggregate_unit = stat.unit_;
        data.report_label = label;
        data.iterations = static_cast<benchmark::IterationCount>(reports.size());
        data.real_accumulated_time = stat.compute_(real);
        data.cpu_accumulated_time = stat.compute_(cpu);
        if (data.aggregate_unit == benchmark::kTime) {
            data.real_accumulated_time *= rescale;
            data.cpu_accumulated_time *= rescale;
        }
        data.time_unit = reports[0].time_unit;
        for (const auto &c : counters)
            data.counters[c.first] = benchmark::Counter(stat.compute_(c.second.second),
                                                        c.second.first.flags, c.second.first.oneK);
        results.push_back(data);
    }
    return results;
}

// Stands in front of one of libbenchmark's reporters (or of none: the silent display).  Each
// window's run gets its case's identity back and waits for the case's other windows; after the
// last one, the case's runs and their aggregates go on, as libbenchmark's Report() would send
// them (aggregates only, when asked and there are some).
class engine_regroup_reporter : public benchmark::BenchmarkReporter {
public:
    engine_regroup_reporter(struct engine *e, benchmark::BenchmarkReporter *inner,
                            bool aggregates_only)
        : e_(e), inner_(inner), aggregates_only_(aggregates_only)
    {
    }

    bool ReportContext(const Context &context) override
    {
        if (!inner_)
            return true;
        inner_->SetOutputStream(&GetOutputStream()); // libbenchmark set ours (the file) just now
        inner_->SetErrorStream(&GetErrorStream());
        return inner_->ReportContext(context);
    }

    void ReportRuns(const std::vector<Run> &runs) override
    {
        const engine_slot *slot = e_->current;
        if (!slot) {
            Pass(runs);
            return;
        }
        const engine_case &c = e_->cases[static_cast<size_t>(slot->case_handle)];
        std::vector<Run> &pending = pending_[slot->case_handle];
        for (Run run : runs) {
            run.run_name.repetitions = "repeats:" + std::to_string(c.repetitions);
            run.repetitions = c.repetitions;
            run.repetition_index = slot->repetition;
            run.family_index = slot->case_handle;
            run.per_family_instance_index = 0;
            pending.push_back(run);
        }
        if (static_cast<int>(pending.size()) < c.repetitions)
            return;
        Flush(pending);
        pending_.erase(slot->case_handle);
    }

    void Finalize() override
    {
        for (auto &p : pending_) // cases whose windows did not all report: pass on what there is
            Flush(p.second);
        pending_.clear();
        if (inner_)
            inner_->Finalize();
    }

private:
    void Pass(const std::vector<Run> &runs)
    {
        if (inner_ && !runs.empty())
            inner_->ReportRuns(runs);
    }

    void Flush(const std::vector<Run> &runs)
    {
        std::vector<Run> aggregates = engine_aggregates(runs);
        if (!(aggregates_only_ && !aggregates.empty()))
            Pass(runs);
        Pass(aggregates);
    }

    struct engine *e_;
    benchmark::BenchmarkReporter *inner_;
    bool aggregates_only_;
    std::map<int, std::vector<Run>> pending_;
};

// The value of "--flag=value", or of a bare "--flag" (""); NULL when arg is another flag.
const char *engine_flag(const char *arg, const char *flag)
{
    size_t n = std::strlen(flag);
    if (std::strncmp(arg, flag, n) != 0)
        return nullptr;
    return arg[n] == '=' ? arg + n + 1 : arg[n] == '\0' ? "" : nullptr;
}

// libbenchmark's reading of a boolean flag's value: a bare flag is true; false, no, off, 0, f, n
// (any case) are false.
bool engine_truthy(const char *value)
{
    static const char *const falsy[] = {"0", "f", "n", "false", "no", "off"};
    for (const char *word : falsy)
        if (strcasecmp(value, word) == 0)
            return false;
    return true;
}

bool engine_format_known(const std::string &format)
{
    return format == "console" || format == "json" || format == "csv";
}

// Reads the output flags before libbenchmark consumes them; false with err on a refused one.
bool engine_read_flags(struct engine *e, int argc, char **argv, char *err, size_t err_len)
{
    for (int i = 1; i < argc; i++) {
        const char *v;
        if ((v = engine_flag(argv[i], "--benchmark_format"))) {
            e->displays = true;
            if (!engine_format_known(v)) {
                std::snprintf(err, err_len, "unknown --benchmark_format '%s' (console, json or csv)", v);
                return false;
            }
        } else if ((v = engine_flag(argv[i], "--benchmark_out_format"))) {
            e->out_format = v;
            if (!engine_format_known(v)) {
                std::snprintf(err, err_len,
                              "unknown --benchmark_out_format '%s' (json, console or csv)", v);
                return false;
            }
        } else if ((v = engine_flag(argv[i], "--benchmark_out"))) {
            e->has_out = *v != '\0';
        } else if ((v = engine_flag(argv[i], "--benchmark_report_aggregates_only"))) {
            e->report_aggregates_only = engine_truthy(v);
        } else if ((v = engine_flag(argv[i], "--benchmark_display_aggregates_only"))) {
            e->display_aggregates_only = engine_truthy(v);
        } else if ((v = engine_flag(argv[i], "--benchmark_enable_random_interleaving")) &&
                   engine_truthy(v)) {
            std::snprintf(err, err_len,
                          "--benchmark_enable_random_interleaving: mapbench orders the windows "
                          "itself (rounds by default, or run's --schedule sequential)");
            return false;
        }
    }
    return true;
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations" // CSVReporter, deprecated upstream
std::unique_ptr<benchmark::BenchmarkReporter> engine_file_reporter(const std::string &format)
{
    if (format == "console")
        return std::unique_ptr<benchmark::BenchmarkReporter>(
            new benchmark::ConsoleReporter(benchmark::ConsoleReporter::OO_None));
    if (format == "csv")
        return std::unique_ptr<benchmark::BenchmarkReporter>(new benchmark::CSVReporter());
    return std::unique_ptr<benchmark::BenchmarkReporter>(new benchmark::JSONReporter());
}
#pragma GCC diagnostic pop

} // namespace

extern "C" struct engine *engine_create(int *argc, char **argv, char *err, size_t err_len)
{
    std::unique_ptr<struct engine> e(new struct engine());
    if (!engine_read_flags(e.get(), *argc, argv, err, err_len))
        return nullptr;
    benchmark::Initialize(argc, argv);
    for (int i = 1; i < *argc; i++) {
        if (std::strncmp(argv[i], "--benchmark", 11) == 0) {
            std::snprintf(err, err_len, "unrecognized libbenchmark flag '%s'", argv[i]);
            return nullptr;
        }
    }
    return e.release();
}

extern "C" bool engine_displays(const struct engine *e)
{
    return e->displays;
}

extern "C" int engine_case_add(struct engine *e, const char *name, int repetitions)
{
    e->cases.push_back(engine_case{name, repetitions, 0});
    return static_cast<int>(e->cases.size() - 1);
}

extern "C" void engine_window_add(struct engine *e, int case_handle, engine_window_fn fn, void *arg)
{
    engine_case &c = e->cases[static_cast<size_t>(case_handle)];
    e->slots.emplace_back(new engine_slot{e, case_handle, c.windows++, fn, arg});
    const engine_slot *slot = e->slots.back().get();
    benchmark::RegisterBenchmark(c.name.c_str(), [slot](benchmark::State &state) {
        engine_run_window(state, slot);
    })
        ->Iterations(1)
        ->Repetitions(1) // explicit, so --benchmark_repetitions cannot repeat a window
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond);
}

extern "C" size_t engine_run(struct engine *e)
{
    // --benchmark_format's reporter; libbenchmark keeps it in a static of its own: not ours to free
    benchmark::BenchmarkReporter *shown =
        e->displays ? benchmark::CreateDefaultDisplayReporter() : nullptr;
    std::unique_ptr<benchmark::BenchmarkReporter> file(
        e->has_out ? engine_file_reporter(e->out_format) : nullptr);
    engine_regroup_reporter display(e, shown,
                                    e->report_aggregates_only || e->display_aggregates_only);
    engine_regroup_reporter out(e, file.get(), e->report_aggregates_only);
    size_t ran = benchmark::RunSpecifiedBenchmarks(&display, e->has_out ? &out : nullptr);
    e->current = nullptr;
    return ran;
}

extern "C" void engine_free(struct engine *e)
{
    if (!e)
        return;
    benchmark::ClearRegisteredBenchmarks();
    benchmark::Shutdown();
    delete e;
}
