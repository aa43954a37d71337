// engine.cc: the only C++ in mapbench: the adapter between engine.h's C API and libbenchmark
// 1.7.1.  Each case is one benchmark with Iterations(1), Repetitions(n) and manual time, so
// libbenchmark's statistics and reporters see one sample per measured window (see engine.h).
#include "runner/engine.h"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>

namespace {

void engine_run_window(benchmark::State &state, engine_window_fn fn, void *arg)
{
    for (auto _ : state) {
        engine_window window;
        std::memset(&window, 0, sizeof window);
        fn(arg, &window);
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

} // namespace

extern "C" bool engine_init(int *argc, char **argv, char *err, size_t err_len)
{
    benchmark::Initialize(argc, argv);
    for (int i = 1; i < *argc; i++) {
        if (std::strncmp(argv[i], "--benchmark", 11) == 0) {
            std::snprintf(err, err_len, "unrecognized libbenchmark flag '%s'", argv[i]);
            return false;
        }
    }
    return true;
}

extern "C" void engine_register(const char *name, engine_window_fn fn, void *arg, int repetitions)
{
    benchmark::RegisterBenchmark(name, [fn, arg](benchmark::State &state) {
        engine_run_window(state, fn, arg);
    })
        ->Iterations(1)
        ->Repetitions(repetitions)
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond);
}

extern "C" size_t engine_run(void)
{
    return benchmark::RunSpecifiedBenchmarks();
}

extern "C" void engine_shutdown(void)
{
    benchmark::Shutdown();
}
