/*
 * cmd_run.c: `mapbench run`: scenarios → cases → a schedule of windows → pinned windows through
 * libbenchmark → SQLite.
 *
 * Order matters for trust and for never losing work: everything that can fail on bad input
 * (scenario files, backends, placements, libbenchmark flags, the database, the machine lock) is
 * checked before the first window; each case is written to the store in one transaction the
 * moment its last repetition ends; SIGINT/SIGTERM stop the current window, store the finished
 * repetitions of every case begun as a 'failed' case ("interrupted after 3 of 8 repetitions"),
 * skip the rest, and close the run as 'aborted'.  A run in which every case is skipped measures
 * nothing: it stores its skipped cases with their reasons, says why in one line, and exits 2.
 *
 * The windows run in the order runner/schedule.h gives: rounds over each sweep point's backends
 * (the default, its seed drawn now and stored with the run) or, with --schedule sequential, case
 * by case.  The calibration case (runner/calibrate.h) runs before the first window, before the
 * window at which half the estimated time is spent, and after the last; its windows are stored
 * with the run.  People see the concise table and the progress line of cli/run_console.h.
 */
#include "cli/commands.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "cli/machine.h"
#include "cli/run_console.h"
#include "reports/stats.h"
#include "runner/calibrate.h"
#include "runner/engine.h"
#include "runner/environment.h"
#include "runner/machine_lock.h"
#include "runner/method.h"
#include "runner/planted.h"
#include "runner/schedule.h"
#include "store/store.h"
#include "runner/topo.h"
#include "runner/window.h"
#include "scenarios/case_dims.h"
#include "scenarios/scenario.h"

#define RUN_MAX_SCENARIOS 32
#define RUN_MAX_SETS 64
#define RUN_MAX_BENCH_ARGS 64

struct run_options {
    const char *db;
    const char *label;
    const char *backends;
    bool dry_run;
    bool wait;
    enum schedule_kind schedule;
    int scenario_count, set_count;
    const char *scenarios[RUN_MAX_SCENARIOS];
    const char *sets[RUN_MAX_SETS];
    double planted_slowdown_pct; /* MAPBENCH_PLANTED_SLOWDOWN_PCT (runner/planted.h); 0: none */
    int bench_argc;          /* argv[0] plus everything after `--` */
    char *bench_argv[RUN_MAX_BENCH_ARGS + 1];
};

struct run_state;

struct run_case {
    struct bench_case c;
    struct run_state *run;
    size_t number;           /* 1-based, for progress */
    int engine_case;         /* its handle in the engine */
    int *pus;
    bool oversubscribed;
    char plan[256];
    int repetitions_done;
    bool finished;
    char failure[ERR_LEN];
    struct result_sample *samples;
    struct histogram (*histograms)[RESULT_OP_COUNT];
};

/* One window of the schedule, as the engine hands it back. */
struct run_slot {
    struct run_case *rc;
    const struct schedule_window *at; /* its round and position */
    size_t index;                     /* in run order */
};

struct run_state {
    struct store *store;
    int64_t run_id;
    struct topo *topo;
    struct engine *engine;
    const atomic_bool *interrupt;
    struct run_case *cases;
    size_t case_count, runnable, done;
    enum schedule_kind schedule;
    uint64_t schedule_seed;
    struct schedule_window *windows;
    struct run_slot *slots;
    size_t window_count, windows_done, points;
    size_t middle_at;        /* the window before which the calibration's middle phase runs */
    bool middle_done;
    double estimate_total, estimate_done, budget;
    struct timespec started;
    size_t unsound;          /* cases stored failed or invalid */
    struct run_console console;
    bool store_broken;
    double calibration[CALIBRATE_PHASES][CALIBRATE_KINDS]; /* medians, for the closing line */
};

static const char run_usage[] =
    "usage: mapbench run [PRESET|FILE]... [--backends LIST] [--set KEY=VALUE]... [--db PATH]\n"
    "                    [--label TEXT] [--schedule rounds|sequential] [--dry-run] [--wait]\n"
    "                    [--plugin PATH.so] [-- libbenchmark flags such as --benchmark_out=F.json]\n"
    "Runs the scenarios (default: quick) and stores every repetition in the database\n"
    "(default results.db).  `mapbench list scenarios` lists the presets.  Windows run in rounds\n"
    "(each sweep point's backends once a round, in random order) unless --schedule sequential.\n"
    "-- --benchmark_format=console shows libbenchmark's own table instead of the concise one.\n";

static bool run_parse(int argc, char **argv, struct run_options *o, char *err)
{
    memset(o, 0, sizeof *o);
    o->db = "results.db";
    o->schedule = SCHEDULE_ROUNDS;
    static const struct option longs[] = {
        {"db", required_argument, 0, 'd'},     {"label", required_argument, 0, 'l'},
        {"backends", required_argument, 0, 'b'}, {"set", required_argument, 0, 's'},
        {"dry-run", no_argument, 0, 'n'},      {"wait", no_argument, 0, 'w'},
        {"schedule", required_argument, 0, 'S'}, {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    int dashdash = argc;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--") == 0) {
            dashdash = i;
            break;
        }
    opterr = 0;
    optind = 1;
    int opt;
    while ((opt = getopt_long(dashdash, argv, "", longs, NULL)) != -1) {
        switch (opt) {
        case 'd': o->db = optarg; break;
        case 'l': o->label = optarg; break;
        case 'b': o->backends = optarg; break;
        case 'n': o->dry_run = true; break;
        case 'w': o->wait = true; break;
        case 'h': fputs(run_usage, stdout); exit(0);
        case 'S':
            if (!schedule_kind_parse(optarg, &o->schedule)) {
                snprintf(err, ERR_LEN, "run: --schedule takes rounds or sequential, not '%.80s'",
                         optarg);
                return false;
            }
            break;
        case 's':
            if (o->set_count == RUN_MAX_SETS) {
                snprintf(err, ERR_LEN, "too many --set options (at most %d)", RUN_MAX_SETS);
                return false;
            }
            o->sets[o->set_count++] = optarg;
            break;
        default:
            snprintf(err, ERR_LEN, "run: unknown or incomplete option '%s'",
                     argv[optind - 1]);
            return false;
        }
    }
    for (int i = optind; i < dashdash; i++) {
        if (o->scenario_count == RUN_MAX_SCENARIOS) {
            snprintf(err, ERR_LEN, "too many scenarios (at most %d)", RUN_MAX_SCENARIOS);
            return false;
        }
        o->scenarios[o->scenario_count++] = argv[i];
    }
    if (o->scenario_count == 0)
        o->scenarios[o->scenario_count++] = "quick";
    /* libbenchmark sees argv[0] followed by what came after `--`. */
    o->bench_argc = 1 + (dashdash < argc ? argc - dashdash - 1 : 0);
    if (o->bench_argc > RUN_MAX_BENCH_ARGS) {
        snprintf(err, ERR_LEN, "too many libbenchmark flags (at most %d)",
                 RUN_MAX_BENCH_ARGS - 1);
        return false;
    }
    o->bench_argv[0] = argv[0];
    for (int i = 1; i < o->bench_argc; i++)
        o->bench_argv[i] = argv[dashdash + i];
    return planted_slowdown_read(&o->planted_slowdown_pct, err);
}

/* Real bytes per key of the shared table, measured on `plain`, for keys=auto. */
static double run_table_bytes_per_key(void)
{
    char err[ERR_LEN];
    const struct map_backend *b;
    struct map *m = map_create_from_spec("plain", &b, err);
    const uint64_t keys = 100000;
    for (uint64_t k = 1; k <= keys; k++)
        b->put(m, k, k);
    struct map_stats stats;
    b->stats(m, &stats);
    b->destroy(m);
    return (double)stats.bytes / (double)keys;
}

static void run_machine_facts(struct topo *t, struct scenario_machine *m)
{
    struct topo_summary s;
    topo_summarize(t, &s);
    memset(m, 0, sizeof *m);
    m->pus = s.pus, m->cores = s.cores, m->packages = s.packages, m->numa_nodes = s.numa_nodes;
    m->cache_levels = s.cache_levels;
    for (int i = 0; i < 4; i++)
        m->cache_bytes[i] = s.cache_bytes[i];
    m->table_bytes_per_key = run_table_bytes_per_key();
}

/* Loads every scenario, applies --backends and --set, expands; appends to *cases. */
/* *budget: the sum of the scenarios' budgets, 0 when one of them states none. */
static bool run_expand(const struct run_options *o, const struct scenario_machine *machine,
                       struct bench_case **cases, size_t *count, char *scenario_names,
                       size_t names_len, double *budget, char *err)
{
    *cases = NULL;
    *count = 0;
    *budget = 0;
    bool every_budget = true;
    size_t used = 0;
    for (int i = 0; i < o->scenario_count; i++) {
        struct scenario *s = scenario_load(o->scenarios[i], err);
        if (!s)
            return false;
        bool ok = !o->backends || scenario_set_backends(s, o->backends, err);
        for (int j = 0; ok && j < o->set_count; j++)
            ok = scenario_set(s, o->sets[j], err);
        struct bench_case *more = NULL;
        size_t more_count = 0;
        ok = ok && scenario_expand(s, machine, &more, &more_count, err);
        if (ok) {
            every_budget = every_budget && scenario_budget_seconds(s) > 0;
            *budget = every_budget ? *budget + scenario_budget_seconds(s) : 0;
            used += (size_t)snprintf(scenario_names + used, names_len - used, "%s%s",
                                     used ? "," : "", scenario_name(s));
            *cases = xreallocarray(*cases, *count + more_count, sizeof **cases);
            memcpy(*cases + *count, more, more_count * sizeof *more);
            *count += more_count;
        }
        free(more);
        scenario_free(s);
        if (!ok)
            return false;
    }
    return true;
}

static void run_format_duration(double seconds, char *out, size_t len)
{
    long s = lround(seconds);
    if (s >= 3600)
        snprintf(out, len, "%ldh%02ldm%02lds", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(out, len, "%ldm%02lds", s / 60, s % 60);
}

/* Creates and destroys the case's map once, so a bad option value (shards=3) is an error before
 * anything is measured rather than a failed case in the middle of the run. */
static bool run_check_backend(const struct run_case *rc, char *err)
{
    char why[ERR_LEN];
    const struct map_backend *b;
    struct map *m = map_create_from_spec(rc->c.backend, &b, why);
    if (!m) {
        snprintf(err, ERR_LEN, "case %zu: %.200s", rc->number, why);
        return false;
    }
    b->destroy(m);
    return true;
}

/* Plans every runnable case's PUs and checks its backend; a placement this machine cannot honour
 * or a backend option it cannot take is an error now. */
static bool run_plan(struct run_state *run, char *err)
{
    for (size_t i = 0; i < run->case_count; i++) {
        struct run_case *rc = &run->cases[i];
        if (rc->c.skipped)
            continue;
        if (!run_check_backend(rc, err))
            return false;
        rc->pus = xcalloc((size_t)rc->c.threads, sizeof *rc->pus);
        char why[ERR_LEN];
        int helper_pu;
        if (!topo_plan_threads(run->topo, rc->c.threads, rc->c.placement, rc->pus,
                               &rc->oversubscribed, why) ||
            topo_plan_helpers(run->topo, rc->c.helpers, rc->pus, rc->c.threads, &helper_pu, 1,
                              why) < 0) {
            snprintf(err, ERR_LEN, "case %zu (%.60s): %.160s", i + 1, rc->c.backend, why);
            return false;
        }
        size_t used = 0;
        for (int t = 0; t < rc->c.threads && used < sizeof rc->plan; t++)
            used += (size_t)snprintf(rc->plan + used, sizeof rc->plan - used, "%s%d",
                                     t ? "," : "", rc->pus[t]);
    }
    return true;
}

static void run_print_plan(const struct run_state *run)
{
    for (size_t i = 0; i < run->case_count; i++) {
        const struct run_case *rc = &run->cases[i];
        char text[CASE_DESCRIBE_LEN];
        case_describe(&rc->c, CASE_DESCRIBE_WORDS, 0, text, sizeof text);
        if (rc->c.skipped)
            printf("%4zu  %s  SKIPPED: %s\n", i + 1, text, rc->c.skip_reason);
        else
            printf("%4zu  %s  PUs %s%s\n", i + 1, text, rc->plan,
                   rc->oversubscribed ? " (oversubscribed)" : "");
    }
}

static double run_elapsed(const struct run_state *run)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - run->started.tv_sec) +
           (double)(now.tv_nsec - run->started.tv_nsec) / 1e9;
}

static void run_eta(const struct run_state *run, char *out, size_t len)
{
    double rate = run->estimate_done > 0 ? run_elapsed(run) / run->estimate_done : 1.0;
    run_format_duration((run->estimate_total - run->estimate_done) * rate, out, len);
}

/* The progress line on a terminal, after a window or a calibration phase: where the run is. */
static void run_progress_window(struct run_state *run, const struct run_slot *slot,
                                const char *doing)
{
    char eta[32], text[CASE_DESCRIBE_LEN], line[CASE_DESCRIBE_LEN + 128];
    run_eta(run, eta, sizeof eta);
    if (!slot)
        snprintf(line, sizeof line, "[%zu/%zu] %s  ETA %s", run->windows_done, run->window_count,
                 doing, eta);
    else {
        case_describe(&slot->rc->c, CASE_DESCRIBE_WORDS, 0, text, sizeof text);
        if (slot->at->round)
            snprintf(line, sizeof line, "[%zu/%zu] point %zu/%zu, round %d/%d: %s  ETA %s",
                     run->windows_done, run->window_count, slot->at->point + 1, run->points,
                     slot->at->round, slot->rc->c.repetitions, text, eta);
        else
            snprintf(line, sizeof line, "[%zu/%zu] repetition %d/%d: %s  ETA %s",
                     run->windows_done, run->window_count, slot->rc->repetitions_done,
                     slot->rc->c.repetitions, text, eta);
    }
    run_console_progress(&run->console, line, NULL);
}

/* The line a finished case leaves on stderr when it is not a terminal. */
static void run_progress_case(struct run_state *run, const struct run_case *rc, const char *status)
{
    char eta[32], text[CASE_DESCRIBE_LEN], line[CASE_DESCRIBE_LEN + 128];
    run_eta(run, eta, sizeof eta);
    case_describe(&rc->c, CASE_DESCRIBE_WORDS, 0, text, sizeof text);
    snprintf(line, sizeof line, "mapbench: [%zu/%zu] %s: %s (ETA %s)", run->done, run->runnable,
             status, text, eta);
    run_console_progress(&run->console, NULL, line);
}

/* The case's stored status.  An interrupted case is stored 'failed' with the reason
 * "interrupted after N of M repetitions", its finished repetitions kept. */
static const char *run_case_status(struct run_case *rc, const char **reason)
{
    *reason = NULL;
    if (strcmp(rc->failure, "interrupted") == 0)
        snprintf(rc->failure, sizeof rc->failure, "interrupted after %d of %d repetitions",
                 rc->repetitions_done, rc->c.repetitions);
    if (rc->failure[0]) {
        *reason = rc->failure;
        return "failed";
    }
    for (int i = 0; i < rc->repetitions_done; i++)
        if (!rc->samples[i].valid) {
            *reason = rc->samples[i].invalid_reason;
            return "invalid";
        }
    return "ok";
}

/* Writes the case and every repetition it finished, in one transaction. */
static void run_store_case(struct run_case *rc)
{
    struct run_state *run = rc->run;
    char err[ERR_LEN];
    const char *reason, *status = run_case_status(rc, &reason);
    int64_t case_id;
    bool ok = store_case_begin(run->store, run->run_id, &rc->c, rc->plan, rc->oversubscribed,
                               &case_id, err);
    for (int r = 0; ok && r < rc->repetitions_done; r++) {
        ok = store_sample_insert(run->store, case_id, &rc->samples[r], err);
        for (int op = 0; ok && op < RESULT_OP_COUNT; op++)
            if (rc->histograms[r][op].count)
                ok = store_histogram_insert(run->store, case_id, r, op, histogram_encoding(),
                                            rc->histograms[r][op].buckets, HISTOGRAM_BUCKETS, err);
    }
    ok = ok && store_case_end(run->store, case_id, status, reason, err);
    if (!ok) {
        store_case_abandon(run->store);
        run_console_end(&run->console);
        fprintf(stderr, "mapbench: cannot store case %zu: %s\n", rc->number, err);
        run->store_broken = true;
    }
    rc->finished = true;
    run->done++;
    if ((strcmp(status, "failed") == 0 || strcmp(status, "invalid") == 0) &&
        !atomic_load(run->interrupt))
        run->unsound++;
    run_console_case(&run->console, &rc->c, rc->samples, rc->repetitions_done, status);
    run_progress_case(run, rc, status);
}

static void run_window_counters(const struct result_sample *s, struct engine_window *out)
{
    static const char *const names[] = {"threads", "ns_per_op", "hit_rate", "bytes_per_key",
                                        "allocs_per_op", "p99_get_ns"};
    double values[] = {s->workers, s->ns_per_op,
                       s->gets ? (double)s->get_hits / (double)s->gets : 0, s->bytes_per_key,
                       s->allocs_per_op, s->latency[RESULT_OP_GET].p99_ns};
    out->counter_count = (int)(sizeof values / sizeof values[0]);
    for (int i = 0; i < out->counter_count; i++) {
        out->counter_names[i] = names[i];
        out->counter_values[i] = values[i];
    }
}

/* Runs one phase of the calibration case and stores its windows with the run. */
static void run_calibrate(struct run_state *run, enum calibrate_phase phase)
{
    char doing[64], err[ERR_LEN];
    snprintf(doing, sizeof doing, "calibration (%s)", calibrate_phase_name(phase));
    run_progress_window(run, NULL, doing);
    struct result_calibration out[CALIBRATE_MAX_WINDOWS];
    size_t n = calibrate_run(run->topo, phase, run->interrupt, out);
    if (!run->store_broken && !store_calibrations_insert(run->store, run->run_id, out, n, err)) {
        run_console_end(&run->console);
        fprintf(stderr, "mapbench: cannot store the calibration: %s\n", err);
        run->store_broken = true;
    }
    for (int k = 0; k < CALIBRATE_KINDS; k++) { /* kinds in calibrate_run's order */
        double values[CALIBRATE_REPETITIONS];
        size_t m = 0;
        for (size_t i = (size_t)k * CALIBRATE_REPETITIONS; i < n && m < CALIBRATE_REPETITIONS; i++)
            values[m++] = out[i].value;
        run->calibration[phase][k] = m ? stats_median(values, m) : NAN;
    }
    run->estimate_done += SCENARIO_CALIBRATION_SECONDS / CALIBRATE_PHASES;
}

/* The engine's callback: one window of one case, the slot's place in the schedule. */
static void run_window(void *arg, struct engine_window *out)
{
    struct run_slot *slot = arg;
    struct run_case *rc = slot->rc;
    struct run_state *run = rc->run;
    if (!run->middle_done && slot->index >= run->middle_at && !atomic_load(run->interrupt)) {
        run->middle_done = true;
        run_calibrate(run, CALIBRATE_MIDDLE);
    }
    run->windows_done++;
    run->estimate_done += scenario_estimate_window_seconds(&rc->c);
    if (rc->finished || run->store_broken || atomic_load(run->interrupt)) {
        out->failed = true;
        snprintf(out->error, sizeof out->error, "%s",
                 rc->finished ? "case already ended" : "run stopped");
        return;
    }
    int rep = rc->repetitions_done;
    struct window_config config = {.bench_case = &rc->c,
                                   .backend = map_registry_find(rc->c.backend_name),
                                   .topo = run->topo, .pus = rc->pus, .interrupt = run->interrupt};
    struct result_sample *sample = &rc->samples[rep];
    run_progress_window(run, slot, NULL);
    if (!window_run(&config, sample, rc->histograms[rep], rc->failure)) {
        out->failed = true;
        snprintf(out->error, sizeof out->error, "%s", rc->failure);
        run_store_case(rc);
        return;
    }
    sample->repetition = rep;
    sample->round = slot->at->round;
    sample->round_position = slot->at->position;
    rc->repetitions_done++;
    out->seconds = sample->window_s;
    out->items = (double)sample->total_ops;
    run_window_counters(sample, out);
    if (!sample->valid) {
        out->failed = true;
        snprintf(out->error, sizeof out->error, "invalid: %.200s", sample->invalid_reason);
    }
    if (rc->repetitions_done == rc->c.repetitions)
        run_store_case(rc);
}

/* Declares every runnable case to the engine, then appends the windows in the schedule's order;
 * finds the window at which half the estimated time of the windows is spent. */
static void run_register(struct run_state *run)
{
    struct bench_case *cases = xcalloc(run->case_count, sizeof *cases);
    for (size_t i = 0; i < run->case_count; i++) {
        struct run_case *rc = &run->cases[i];
        cases[i] = rc->c;
        if (rc->c.skipped)
            continue;
        /* "quick/mutex/threads:2/compact/read:90/update/keys:1000/uniform#3": users' tools parse
         * this name from --benchmark_out, so it stays what it always was (the dimensions shown
         * always, case_dims.c), whatever dimensions are added. */
        char name[CASE_DESCRIBE_LEN + 32];
        case_describe(&rc->c, CASE_DESCRIBE_BENCHMARK, 0, name, CASE_DESCRIBE_LEN);
        snprintf(name + strlen(name), sizeof name - strlen(name), "#%zu", rc->number);
        rc->samples = xcalloc((size_t)rc->c.repetitions, sizeof *rc->samples);
        rc->histograms = xcalloc((size_t)rc->c.repetitions, sizeof *rc->histograms);
        rc->engine_case = engine_case_add(run->engine, name, rc->c.repetitions);
    }
    run->windows = schedule_build(cases, run->case_count, run->schedule, run->schedule_seed,
                                  &run->window_count);
    free(cases);
    run->slots = xcalloc(run->window_count ? run->window_count : 1, sizeof *run->slots);
    double total = 0, spent = 0;
    for (size_t w = 0; w < run->window_count; w++)
        total += scenario_estimate_window_seconds(&run->cases[run->windows[w].case_index].c);
    run->middle_at = run->window_count;
    for (size_t w = 0; w < run->window_count; w++) {
        struct run_slot *slot = &run->slots[w];
        *slot = (struct run_slot){&run->cases[run->windows[w].case_index], &run->windows[w], w};
        run->points = slot->at->point + 1;
        if (run->middle_at == run->window_count && spent >= total / 2)
            run->middle_at = w;
        spent += scenario_estimate_window_seconds(&slot->rc->c);
        engine_window_add(run->engine, slot->rc->engine_case, run_window, slot);
    }
    if (run->middle_at == run->window_count && run->window_count) /* one window: before it */
        run->middle_at = run->window_count - 1;
}

/* Opens the store and records machine and run; errors here come before any measurement. */
static bool run_open_store(struct run_state *run, const struct run_options *o,
                           const struct environment *env, const char *scenario_names, char *err)
{
    run->store = store_open(o->db, err);
    if (!run->store)
        return false;
    int64_t machine_id;
    char *scenario_text = environment_scenario_text(o->scenarios, (size_t)o->scenario_count);
    bool ok = cli_machine_record(run->store, run->topo, env, &machine_id, err);
    struct store_run r = {.machine_id = machine_id,
                          .command_line = env->command_line,
                          .git_commit = environment_value(env->git_commit),
                          .label = o->label,
                          .compiler = env->compiler,
                          .cflags = env->cflags,
                          .library_versions = env->library_versions,
                          .transparent_hugepages = environment_value(env->transparent_hugepages),
                          .cpu_governor = environment_value(env->cpu_governor),
                          .scenarios = scenario_names,
                          .method_version = METHOD_VERSION,
                          .planted_slowdown_pct = o->planted_slowdown_pct,
                          .schedule = schedule_kind_name(run->schedule),
                          .schedule_seed = run->schedule_seed,
                          .scenario_text = scenario_text,
                          .cpu_mitigations = environment_value(env->cpu_mitigations)};
    ok = ok && store_run_begin(run->store, &r, &run->run_id, err);
    free(scenario_text);
    for (size_t i = 0; ok && i < run->case_count; i++)
        if (run->cases[i].c.skipped)
            ok = store_case_skipped(run->store, run->run_id, &run->cases[i].c, err);
    return ok;
}

static void run_free(struct run_state *run)
{
    for (size_t i = 0; i < run->case_count; i++) {
        free(run->cases[i].pus);
        free(run->cases[i].samples);
        free(run->cases[i].histograms);
    }
    free(run->cases);
    free(run->windows);
    free(run->slots);
    engine_free(run->engine);
    store_close(run->store);
    topo_close(run->topo);
}

/* Builds run->cases from the expanded bench cases and fills the estimate. */
static void run_adopt_cases(struct run_state *run, struct bench_case *cases, size_t count)
{
    run->cases = xcalloc(count, sizeof *run->cases);
    run->case_count = count;
    for (size_t i = 0; i < count; i++) {
        run->cases[i].c = cases[i];
        run->cases[i].run = run;
        run->cases[i].number = i + 1;
        run->runnable += !cases[i].skipped;
    }
    run->estimate_total = scenario_estimate_seconds(cases, count);
}

/* status: 2 for bad input (scenario, backend, placement, flags), 1 for a failure to work. */
static int run_fail(struct run_state *run, const char *err, int status)
{
    fprintf(stderr, "mapbench: %s\n", err);
    run_free(run);
    return status;
}

/* "REASON (N cases); REASON (M cases)": the skip reasons, each once, in the order met. */
static void run_skip_reasons(const struct run_state *run, char *out, size_t len)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < run->case_count && used < len; i++) {
        const char *why = run->cases[i].c.skip_reason;
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(run->cases[j].c.skip_reason, why) == 0;
        if (seen)
            continue;
        size_t same = 0;
        for (size_t j = i; j < run->case_count; j++)
            same += strcmp(run->cases[j].c.skip_reason, why) == 0;
        used += (size_t)snprintf(out + used, len - used, "%s%s (%zu case%s)", used ? "; " : "", why,
                                 same, same == 1 ? "" : "s");
    }
}

/* Every case was skipped: the run, its cases and their reasons are stored, nothing is measured,
 * and the run says why in one line.  Exit status 2: the input asked for nothing this machine
 * can run. */
static int run_all_skipped(struct run_state *run, const struct run_options *o, int argc,
                           char **argv, const char *names)
{
    char err[ERR_LEN], reasons[1024];
    struct environment env;
    environment_collect(argc, argv, &env);
    if (!run_open_store(run, o, &env, names, err) ||
        !store_run_finish(run->store, run->run_id, "failed", err))
        return run_fail(run, err, 1);
    run_skip_reasons(run, reasons, sizeof reasons);
    fprintf(stderr, "mapbench: nothing measured: %s of %zu case%s skipped: %s; stored as run %lld "
                    "in %s\n",
            run->case_count == 1 ? "the only one" : "all", run->case_count,
            run->case_count == 1 ? "" : "s", reasons, (long long)run->run_id, o->db);
    run_free(run);
    return 2;
}

/* Stores, as 'failed' "interrupted after N of M repetitions", every case the interrupt cut short
 * (in rounds, every backend of the point being measured has some of its repetitions). */
static void run_store_interrupted(struct run_state *run)
{
    for (size_t i = 0; i < run->case_count && !run->store_broken; i++) {
        struct run_case *rc = &run->cases[i];
        if (rc->c.skipped || rc->finished || rc->repetitions_done == 0)
            continue;
        snprintf(rc->failure, sizeof rc->failure, "interrupted");
        run_store_case(rc);
    }
}

/* "calibration (start/middle/end): get 12.1/12.3/12.0 ns, ping-pong 150/152/149 ns" */
static void run_print_calibration(const struct run_state *run)
{
    static const char *const kinds[CALIBRATE_KINDS] = {"get", "ping-pong"};
    char line[256];
    size_t used = (size_t)snprintf(line, sizeof line, "mapbench: calibration (start/middle/end):");
    for (int k = 0; k < CALIBRATE_KINDS; k++) {
        if (isnan(run->calibration[CALIBRATE_START][k]))
            continue;
        used += (size_t)snprintf(line + used, sizeof line - used, "%s %s ", k ? "," : "", kinds[k]);
        for (int p = 0; p < CALIBRATE_PHASES && used < sizeof line; p++)
            used += (size_t)snprintf(line + used, sizeof line - used, "%s%.0f", p ? "/" : "",
                                     run->calibration[p][k]);
        used += (size_t)snprintf(line + used, sizeof line - used, " ns");
    }
    fprintf(stderr, "%s\n", line);
}

static int run_measure(struct run_state *run, const struct run_options *o, int lock)
{
    char err[ERR_LEN];
    for (int p = 0; p < CALIBRATE_PHASES; p++)
        for (int k = 0; k < CALIBRATE_KINDS; k++)
            run->calibration[p][k] = NAN;
    run_register(run);
    clock_gettime(CLOCK_MONOTONIC, &run->started);
    run_calibrate(run, CALIBRATE_START);
    engine_run(run->engine);
    if (!atomic_load(run->interrupt))
        run_calibrate(run, CALIBRATE_END);
    machine_lock_release(lock);
    bool interrupted = atomic_load(run->interrupt);
    if (interrupted)
        run_store_interrupted(run);
    const char *status = interrupted ? "aborted" : run->store_broken ? "failed" : "done";
    run_console_end(&run->console);
    if (!store_run_finish(run->store, run->run_id, status, err))
        fprintf(stderr, "mapbench: %s\n", err);
    run_print_calibration(run);
    fprintf(stderr, "mapbench: run %lld %s: %zu of %zu cases stored in %s\n",
            (long long)run->run_id, status, run->done, run->runnable, o->db);
    if (run->unsound)
        fprintf(stderr, "mapbench: %zu cases failed or were invalid (see `status` and `reason` "
                        "in the cases table)\n", run->unsound);
    bool sound = strcmp(status, "done") == 0 && run->unsound == 0;
    run_free(run);
    return interrupted ? 130 : sound ? 0 : 1;
}

/* "N cases (R to run, S skipped), estimated T (budget B), in rounds" on stderr. */
static void run_print_estimate(const struct run_state *run)
{
    char estimate[32], budget[48] = "";
    run_format_duration(run->estimate_total, estimate, sizeof estimate);
    if (run->budget > 0) {
        char b[32];
        run_format_duration(run->budget, b, sizeof b);
        snprintf(budget, sizeof budget, " (budget %s)", b);
    }
    fprintf(stderr, "mapbench: %zu cases (%zu to run, %zu skipped), estimated %s%s, %s\n",
            run->case_count, run->runnable, run->case_count - run->runnable, estimate, budget,
            run->schedule == SCHEDULE_ROUNDS ? "in rounds" : "sequential");
}

int cmd_run(int argc, char **argv, const atomic_bool *interrupt)
{
    struct run_options o;
    struct run_state run = {.interrupt = interrupt};
    char err[ERR_LEN], names[512] = "";
    if (!run_parse(argc, argv, &o, err)) {
        fprintf(stderr, "mapbench: %s\n%s", err, run_usage);
        return 2;
    }
    run.schedule = o.schedule;
    run.schedule_seed = schedule_seed_draw();
    run.topo = topo_open(NULL, NULL, err);
    if (!run.topo)
        return run_fail(&run, err, 1);
    struct scenario_machine machine;
    run_machine_facts(run.topo, &machine);
    struct bench_case *cases;
    size_t count;
    if (!run_expand(&o, &machine, &cases, &count, names, sizeof names, &run.budget, err)) {
        free(cases);
        return run_fail(&run, err, 2);
    }
    run_adopt_cases(&run, cases, count);
    free(cases);
    if (!run_plan(&run, err))
        return run_fail(&run, err, 2);
    size_t oversubscribed = 0;
    for (size_t i = 0; i < run.case_count; i++)
        oversubscribed += !run.cases[i].c.skipped && run.cases[i].oversubscribed;
    if (oversubscribed)
        fprintf(stderr, "mapbench: warning: %zu cases put more than one worker on a PU "
                        "(oversubscribed; stored with each case)\n", oversubscribed);
    run_print_estimate(&run);
    if (o.planted_slowdown_pct > 0)
        fprintf(stderr, "mapbench: warning: %s=%g: every window is slowed by %g%% (a testing aid, stored with "
                        "the run)\n", PLANTED_ENV, o.planted_slowdown_pct, o.planted_slowdown_pct);
    if (o.dry_run) {
        run_print_plan(&run);
        run_free(&run);
        return 0;
    }
    run.engine = engine_create(&o.bench_argc, o.bench_argv, err, sizeof err);
    if (!run.engine)
        return run_fail(&run, err, 2);
    run_console_init(&run.console, !engine_displays(run.engine));
    if (run.runnable == 0)
        return run_all_skipped(&run, &o, argc, argv, names);
    int lock = machine_lock_acquire(o.wait, err, (int)sizeof err);
    if (lock < 0)
        return run_fail(&run, err, 1);
    struct environment env;
    environment_collect(argc, argv, &env);
    if (!run_open_store(&run, &o, &env, names, err)) {
        machine_lock_release(lock);
        return run_fail(&run, err, 1);
    }
    return run_measure(&run, &o, lock);
}
