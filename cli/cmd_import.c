/*
 * cmd_import.c: `mapbench import go-bench FILE [--label TEXT] [--db PATH]`: Go's own benchmark
 * output (`go test sync -run NONE -bench ... -cpu 1,2 -count 3 -benchmem`, read by go_bench.c)
 * stored as a labelled run of its own, so a report can set Go's figures beside mapbench's and
 * `tools/go-check.sh` can compare the orderings.
 *
 * What is stored, per (benchmark, map, -cpu value), one case with status ok and role `external`:
 *   scenario   go-sync/<Benchmark> ("go-sync/LoadMostlyHits"), the name of the go-sync preset's
 *              case section for the same benchmark; the other workload dimensions (read_pct,
 *              write_kind, hit_pct, delete_pct, range_pct, keys, key_range, distribution) are
 *              copied from that section, so the case sits beside mapbench's own.  A benchmark the
 *              preset has no section for keeps the defaults (a note says so).
 *   backend    go:<map>, e.g. go:sync.Map, go:RWMutexMap, go:DeepCopyMap (backend_name the same)
 *   threads    the -cpu value (GOMAXPROCS, the goroutines of RunParallel); placement `none`
 *              (Go does not pin); the window (duration and ops) 0: Go chooses b.N itself to fill
 *              its -benchtime; repetitions the lines read; warmup, seed and latency_every 0.
 * and one sample per result line (per -count repetition):
 *   total_ops      Go's N (b.N: the iterations of every goroutine together)
 *   window_s       N x ns/op: the time Go's timer measured, as far as the printed ns/op carries it
 *                  (Go prints elapsed / N, not the elapsed time itself)
 *   ops_per_s      1e9 / ns/op
 *   ns_per_op      ns/op x threads: mapbench's per-thread cost (window x workers / operations);
 *                  Go's printed ns/op is this divided by threads
 *   workers        threads; worker_ops "[]" (Go reports no per-goroutine counts)
 *   allocs_per_op  Go's allocs/op with -benchmem (allocations of the loop too: Go boxes an int
 *                  key above 255 into an interface), else NULL
 *   valid          1
 * Everything else is NULL (not measured), by the store's rule for external cases.  The run's
 * machine is this machine (import where Go ran; a differing `cpu:` line is warned about), its
 * compiler "go (GOOS/GOARCH, pkg PKG)" from Go's header, its scenarios "go-sync".
 *
 * Exit status: 0 stored, 2 bad input (usage, the file), 1 a failure to work (the database, the
 * preset, the topology).
 */
#include "cli/commands.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "cli/go_bench.h"
#include "cli/machine.h"
#include "runner/environment.h"
#include "runner/topo.h"
#include "scenarios/case.h"
#include "scenarios/scenario.h"
#include "store/store.h"

#define IMPORT_PRESET "go-sync"

static const char import_usage[] =
    "usage: mapbench import go-bench FILE [--label TEXT] [--db PATH]\n"
    "Stores Go's benchmark output (go test -bench ...; FILE `-` is standard input) as a run of\n"
    "its own: one case per benchmark, map and -cpu value (role external, backend go:MAP,\n"
    "scenario go-sync/BENCHMARK), one sample per -count repetition.\n";

struct import_options {
    const char *format, *file, *label, *db;
};

/* false with the exit status in *status (0 for --help). */
static bool import_parse(int argc, char **argv, struct import_options *o, int *status)
{
    *o = (struct import_options){.db = "results.db"};
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char **value = strcmp(arg, "--label") == 0 ? &o->label
                             : strcmp(arg, "--db") == 0  ? &o->db
                                                         : NULL;
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            fputs(import_usage, stdout);
            *status = 0;
            return false;
        }
        if (value && i + 1 < argc) {
            *value = argv[++i];
        } else if (!value && (arg[0] != '-' || strcmp(arg, "-") == 0) && !o->file) {
            if (!o->format)
                o->format = arg;
            else
                o->file = arg;
        } else {
            fprintf(stderr, "mapbench import: unknown, incomplete or extra argument '%s'\n%s", arg,
                    import_usage);
            *status = 2;
            return false;
        }
    }
    if (!o->format || strcmp(o->format, "go-bench") != 0 || !o->file) {
        fprintf(stderr, "mapbench import: %s\n%s",
                !o->format ? "which format? (go-bench)"
                : strcmp(o->format, "go-bench") ? "the only format is go-bench"
                                                : "no FILE to import",
                import_usage);
        *status = 2;
        return false;
    }
    return true;
}

static bool import_read(const char *path, struct go_bench *out, char *err)
{
    bool stdin_file = strcmp(path, "-") == 0;
    FILE *f = stdin_file ? stdin : fopen(path, "r");
    if (!f) {
        snprintf(err, ERR_LEN, "cannot read %.200s", path);
        return false;
    }
    bool ok = go_bench_read(f, stdin_file ? "standard input" : path, out, err);
    if (!stdin_file)
        fclose(f);
    return ok;
}

/* The preset's case section for the benchmark, expanded at `threads`: its workload dimensions.
 * false when the preset has no such section; *failed (with err) when the preset cannot load. */
static bool import_preset_case(const char *scenario_name, int threads, struct bench_case *out,
                               bool *failed, char *err)
{
    struct scenario *s = scenario_load(IMPORT_PRESET, err);
    char set[32];
    snprintf(set, sizeof set, "threads=%d", threads);
    struct scenario_machine machine = {.pus = threads, .cores = threads, .packages = 1,
                                       .numa_nodes = 1, .table_bytes_per_key = 16};
    struct bench_case *cases = NULL;
    size_t count = 0;
    *failed = !s || !scenario_set_backends(s, "mutex", err) || !scenario_set(s, set, err) ||
              !scenario_expand(s, &machine, &cases, &count, err);
    bool found = false;
    for (size_t i = 0; !*failed && !found && i < count; i++)
        if (strcmp(cases[i].scenario, scenario_name) == 0) {
            *out = cases[i];
            found = true;
        }
    free(cases);
    if (s)
        scenario_free(s);
    return found;
}

/* The case of one series (see the top of this file); false when the preset cannot load. */
static bool import_case(const struct go_bench_series *gs, struct bench_case *c, char *err)
{
    char scenario_name[CASE_TEXT], backend[CASE_TEXT];
    bool failed;
    snprintf(scenario_name, sizeof scenario_name, "%s/%s", IMPORT_PRESET, gs->benchmark);
    snprintf(backend, sizeof backend, "go:%s", gs->map);
    case_init(c, scenario_name, "null");
    if (!import_preset_case(scenario_name, gs->procs, c, &failed, err) && !failed)
        fprintf(stderr, "mapbench import: note: %s has no case %s: its dimensions are the "
                        "defaults\n", IMPORT_PRESET, gs->benchmark);
    if (failed)
        return false;
    snprintf(c->scenario, sizeof c->scenario, "%s", scenario_name);
    snprintf(c->backend, sizeof c->backend, "%s", backend);
    snprintf(c->backend_name, sizeof c->backend_name, "%s", backend);
    snprintf(c->placement, sizeof c->placement, "none");
    c->role = MAP_ROLE_EXTERNAL;
    c->threads = gs->procs;
    c->duration_s = 0;
    c->ops = 0;
    c->repetitions = (int)gs->count;
    c->warmup_s = 0;
    c->seed = 0;
    c->latency_every = 0;
    c->misuse_demo = false;
    return true;
}

static void import_sample(const struct go_bench_sample *g, int procs, int repetition,
                          struct result_sample *s)
{
    memset(s, 0, sizeof *s);
    s->repetition = repetition;
    s->total_ops = g->iterations;
    s->window_s = (double)g->iterations * g->ns_per_op / 1e9;
    s->ops_per_s = 1e9 / g->ns_per_op;
    s->ns_per_op = g->ns_per_op * procs;
    s->workers = procs;
    s->allocs_per_op = g->allocs_per_op;
    s->valid = true;
}

static bool import_series(struct store *st, int64_t run_id, const struct go_bench_series *gs,
                          char *err)
{
    struct bench_case c;
    struct result_sample *sample = xmalloc(sizeof *sample);
    int64_t case_id;
    bool ok = import_case(gs, &c, err) &&
              store_case_begin(st, run_id, &c, NULL, false, &case_id, err);
    for (size_t i = 0; ok && i < gs->count; i++) {
        import_sample(&gs->samples[i], gs->procs, (int)i, sample);
        ok = store_sample_insert(st, case_id, sample, err);
    }
    ok = ok && store_case_end(st, case_id, "ok", NULL, err);
    store_case_abandon(st);
    free(sample);
    return ok;
}

/* Warns when Go's `cpu:` line names another processor than hwloc's model of this machine (both
 * from the CPUID brand string; hwloc keeps its trailing blanks, Go's reader drops them). */
static void import_check_cpu(const struct go_bench *g, const struct topo *t, const char *file)
{
    struct topo_summary summary;
    topo_summarize(t, &summary);
    size_t len = strlen(summary.cpu_model);
    while (len && summary.cpu_model[len - 1] == ' ')
        summary.cpu_model[--len] = '\0';
    if (g->cpu[0] && strcmp(summary.cpu_model, "unknown") != 0 &&
        strcmp(g->cpu, summary.cpu_model) != 0)
        fprintf(stderr, "mapbench import: warning: %s was measured on '%s', this machine is "
                        "'%s': its figures are stored as this machine's\n",
                file, g->cpu, summary.cpu_model);
}

static bool import_store(const struct import_options *o, const struct go_bench *g, int argc,
                         char **argv, const struct topo *t, int64_t *run_id, char *err)
{
    struct environment env;
    environment_collect(argc, argv, &env);
    struct store *st = store_open(o->db, err);
    char compiler[256];
    snprintf(compiler, sizeof compiler, "go (%s/%s, pkg %s)", g->goos[0] ? g->goos : "?",
             g->goarch[0] ? g->goarch : "?", g->pkg[0] ? g->pkg : "?");
    int64_t machine_id = 0;
    bool ok = st && cli_machine_record(st, t, &env, &machine_id, err);
    struct store_run r = {.machine_id = machine_id, .command_line = env.command_line,
                          .git_commit = environment_value(env.git_commit), .label = o->label,
                          .compiler = compiler, .scenarios = IMPORT_PRESET};
    ok = ok && store_run_begin(st, &r, run_id, err);
    for (size_t i = 0; ok && i < g->count; i++)
        ok = import_series(st, *run_id, &g->series[i], err);
    char later[ERR_LEN]; /* a failure to close a failed run: the first error is the one told */
    if (st && ok)
        ok = store_run_finish(st, *run_id, "done", err);
    else if (st && *run_id)
        store_run_finish(st, *run_id, "failed", later);
    store_close(st);
    return ok;
}

int cmd_import(int argc, char **argv)
{
    struct import_options o;
    struct go_bench g;
    char err[ERR_LEN] = "";
    int status;
    if (!import_parse(argc, argv, &o, &status))
        return status;
    if (!import_read(o.file, &g, err)) {
        fprintf(stderr, "mapbench import: %s\n", err);
        return 2;
    }
    struct topo *t = topo_open(NULL, NULL, err);
    int64_t run_id = 0;
    bool ok = t != NULL;
    if (ok) {
        import_check_cpu(&g, t, o.file);
        ok = import_store(&o, &g, argc, argv, t, &run_id, err);
    }
    size_t samples = 0;
    for (size_t i = 0; i < g.count; i++)
        samples += g.series[i].count;
    if (ok)
        fprintf(stderr, "mapbench import: run %lld: %zu cases, %zu samples from %s in %s\n",
                (long long)run_id, g.count, samples, o.file, o.db);
    else
        fprintf(stderr, "mapbench import: %s\n", err);
    go_bench_free(&g);
    topo_close(t);
    return ok ? 0 : 1;
}
