/*
 * cmd_run.c: `mapbench run`: scenarios → cases → pinned windows through libbenchmark → SQLite.
 *
 * Order matters for trust and for never losing work: everything that can fail on bad input
 * (scenario files, backends, placements, the database, the machine lock) is checked before the
 * first window; each case is written to the store in one transaction the moment its last
 * repetition ends; SIGINT/SIGTERM stop the current window, store its finished repetitions as an
 * 'aborted' case, skip the rest, and close the run as 'aborted'.
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
#include "runner/engine.h"
#include "runner/environment.h"
#include "runner/machine_lock.h"
#include "runner/method.h"
#include "runner/planted.h"
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
    int *pus;
    bool oversubscribed;
    char plan[256];
    int repetitions_done;
    bool finished;
    char failure[ERR_LEN];
    struct result_sample *samples;
    struct histogram (*histograms)[RESULT_OP_COUNT];
};

struct run_state {
    struct store *store;
    int64_t run_id;
    struct topo *topo;
    const atomic_bool *interrupt;
    struct run_case *cases;
    size_t case_count, runnable, done;
    double estimate_total, estimate_done;
    struct timespec started;
    size_t unsound;          /* cases stored failed or invalid */
    bool progress_tty;
    bool store_broken;
};

static const char run_usage[] =
    "usage: mapbench run [PRESET|FILE]... [--backends LIST] [--set KEY=VALUE]... [--db PATH]\n"
    "                    [--label TEXT] [--dry-run] [--wait] [--plugin PATH.so]\n"
    "                    [-- libbenchmark flags such as --benchmark_out=F.json]\n"
    "Runs the scenarios (default: quick) and stores every repetition in the database\n"
    "(default results.db).  `mapbench list scenarios` lists the presets.\n";

static bool run_parse(int argc, char **argv, struct run_options *o, char *err)
{
    memset(o, 0, sizeof *o);
    o->db = "results.db";
    static const struct option longs[] = {
        {"db", required_argument, 0, 'd'},     {"label", required_argument, 0, 'l'},
        {"backends", required_argument, 0, 'b'}, {"set", required_argument, 0, 's'},
        {"dry-run", no_argument, 0, 'n'},      {"wait", no_argument, 0, 'w'},
        {"help", no_argument, 0, 'h'},         {0, 0, 0, 0},
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
static bool run_expand(const struct run_options *o, const struct scenario_machine *machine,
                       struct bench_case **cases, size_t *count, char *scenario_names,
                       size_t names_len, char *err)
{
    *cases = NULL;
    *count = 0;
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

/* One line per finished case; on a terminal it rewrites itself. */
static void run_progress(struct run_state *run, const struct run_case *rc, const char *status)
{
    double elapsed = run_elapsed(run);
    double rate = run->estimate_done > 0 ? elapsed / run->estimate_done : 1.0;
    char eta[32], text[CASE_DESCRIBE_LEN];
    run_format_duration((run->estimate_total - run->estimate_done) * rate, eta, sizeof eta);
    case_describe(&rc->c, CASE_DESCRIBE_WORDS, 0, text, sizeof text);
    if (run->progress_tty)
        fprintf(stderr, "\r\033[K[%zu/%zu] %s: %s  ETA %s", run->done, run->runnable, status,
                text, eta);
    else
        fprintf(stderr, "mapbench: [%zu/%zu] %s: %s (ETA %s)\n", run->done, run->runnable,
                status, text, eta);
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
        fprintf(stderr, "\nmapbench: cannot store case %zu: %s\n", rc->number, err);
        run->store_broken = true;
    }
    rc->finished = true;
    run->done++;
    if ((strcmp(status, "failed") == 0 || strcmp(status, "invalid") == 0) &&
        !atomic_load(run->interrupt))
        run->unsound++;
    run->estimate_done += rc->c.repetitions * scenario_estimate_window_seconds(&rc->c);
    run_progress(run, rc, status);
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

/* The engine's callback: one repetition of one case. */
static void run_window(void *arg, struct engine_window *out)
{
    struct run_case *rc = arg;
    struct run_state *run = rc->run;
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
    if (!window_run(&config, sample, rc->histograms[rep], rc->failure)) {
        out->failed = true;
        snprintf(out->error, sizeof out->error, "%s", rc->failure);
        run_store_case(rc);
        return;
    }
    sample->repetition = rep;
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

static void run_register(struct run_state *run)
{
    for (size_t i = 0; i < run->case_count; i++) {
        struct run_case *rc = &run->cases[i];
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
        engine_register(name, run_window, rc, rc->c.repetitions);
    }
}

/* Opens the store and records machine and run; errors here come before any measurement. */
static bool run_open_store(struct run_state *run, const struct run_options *o,
                           const struct environment *env, const char *scenario_names, char *err)
{
    run->store = store_open(o->db, err);
    if (!run->store)
        return false;
    struct topo_summary s;
    topo_summarize(run->topo, &s);
    struct store_machine m = {.packages = s.packages, .numa_nodes = s.numa_nodes,
                              .cores = s.cores, .pus = s.pus, .cache_levels = s.cache_levels};
    topo_fingerprint(run->topo, m.fingerprint);
    snprintf(m.hostname, sizeof m.hostname, "%s", env->hostname);
    snprintf(m.cpu_model, sizeof m.cpu_model, "%s", s.cpu_model);
    snprintf(m.kernel, sizeof m.kernel, "%s", env->kernel);
    for (int i = 0; i < 4; i++)
        m.cache_bytes[i] = s.cache_bytes[i];
    char *xml = topo_export_xml(run->topo);
    m.topology_xml = xml;
    int64_t machine_id;
    bool ok = store_machine_upsert(run->store, &m, &machine_id, err);
    free(xml);
    struct store_run r = {machine_id,
                          env->command_line,
                          environment_value(env->git_commit),
                          o->label,
                          env->compiler,
                          env->cflags,
                          env->library_versions,
                          environment_value(env->transparent_hugepages),
                          environment_value(env->cpu_governor),
                          scenario_names,
                          METHOD_VERSION,
                          o->planted_slowdown_pct,
                          NULL,
                          0};
    ok = ok && store_run_begin(run->store, &r, &run->run_id, err);
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
        if (!cases[i].skipped) {
            run->runnable++;
            run->estimate_total += cases[i].repetitions * scenario_estimate_window_seconds(&cases[i]);
        }
    }
}

/* status: 2 for bad input (scenario, backend, placement, flags), 1 for a failure to work. */
static int run_fail(struct run_state *run, const char *err, int status)
{
    fprintf(stderr, "mapbench: %s\n", err);
    run_free(run);
    return status;
}

static int run_measure(struct run_state *run, const struct run_options *o, int lock)
{
    char err[ERR_LEN];
    run_register(run);
    clock_gettime(CLOCK_MONOTONIC, &run->started);
    engine_run();
    engine_shutdown();
    machine_lock_release(lock);
    bool interrupted = atomic_load(run->interrupt);
    const char *status = interrupted ? "aborted" : run->store_broken ? "failed" : "done";
    if (run->progress_tty)
        fputc('\n', stderr);
    if (!store_run_finish(run->store, run->run_id, status, err))
        fprintf(stderr, "mapbench: %s\n", err);
    fprintf(stderr, "mapbench: run %lld %s: %zu of %zu cases stored in %s\n",
            (long long)run->run_id, status, run->done, run->runnable, o->db);
    if (run->unsound)
        fprintf(stderr, "mapbench: %zu cases failed or were invalid (see `status` and `reason` "
                        "in the cases table)\n", run->unsound);
    bool sound = strcmp(status, "done") == 0 && run->unsound == 0;
    run_free(run);
    return interrupted ? 130 : sound ? 0 : 1;
}

int cmd_run(int argc, char **argv, const atomic_bool *interrupt)
{
    struct run_options o;
    struct run_state run = {.interrupt = interrupt, .progress_tty = isatty(STDERR_FILENO)};
    char err[ERR_LEN], names[512] = "";
    if (!run_parse(argc, argv, &o, err)) {
        fprintf(stderr, "mapbench: %s\n%s", err, run_usage);
        return 2;
    }
    run.topo = topo_open(NULL, NULL, err);
    if (!run.topo)
        return run_fail(&run, err, 1);
    struct scenario_machine machine;
    run_machine_facts(run.topo, &machine);
    struct bench_case *cases;
    size_t count;
    if (!run_expand(&o, &machine, &cases, &count, names, sizeof names, err)) {
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
    char estimate[32];
    run_format_duration(run.estimate_total, estimate, sizeof estimate);
    fprintf(stderr, "mapbench: %zu cases (%zu to run, %zu skipped), estimated %s\n", count,
            run.runnable, count - run.runnable, estimate);
    if (o.planted_slowdown_pct > 0)
        fprintf(stderr, "mapbench: warning: %s=%g: every window is slowed by %g%% (a testing aid, stored with "
                        "the run)\n", PLANTED_ENV, o.planted_slowdown_pct, o.planted_slowdown_pct);
    if (o.dry_run) {
        run_print_plan(&run);
        run_free(&run);
        return 0;
    }
    if (!engine_init(&o.bench_argc, o.bench_argv, err, sizeof err))
        return run_fail(&run, err, 2);
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
