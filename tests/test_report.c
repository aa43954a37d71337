/*
 * test_report.c: `mapbench report` (reports/) on a fixture database written through the store API
 * with known numbers, in a temporary directory per test.  The fixture plants:
 *   - scenario "rw": mutex 100/90/70/50 Mops/s against striped 60/70/80/90 over read_pct 0, 25,
 *     50, 75, five tight repetitions each: one significant crossing at read_pct 41.67 (58.3% writes);
 *   - scenario "noisy": two backends over threads 1..3 whose repetitions overlap widely: an
 *     apparent crossing that must not be reported as found; `null` far above both;
 *   - scenario "kc": mutex over keys 1k..1M, flat to 64k then falling 60% per 4x: a knee at
 *     64k keys, beside L2 (1 MiB / 32 bytes per key = 32k keys); its windows touched half the keys,
 *     cow's a quarter;
 *   - a hostile run label and backend spec (markup, quotes, SQL).
 * Covered: table values equal the database's, the planted crossover and knee, the keys touched
 * beside each key count, escaping, every file the page links exists, and the one-line error when
 * gnuplot is not on PATH.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reports/csv.h"
#include "reports/findings.h"
#include "reports/html.h"
#include "reports/report.h"
#include "reports/report_data.h"
#include "reports/stats.h"
#include "reports/wording.h"
#include "store/store.h"
#include "tests/support.h"

#define HOSTILE_LABEL "<script>alert(1)</script> \"q\" 'x' '; DROP TABLE runs; --"
#define HOSTILE_BACKEND "<script>alert(1)</script>'; DROP TABLE runs; --"
/* What the fixture's run stores for the page's "How to reproduce". */
#define FIXTURE_SCENARIO_TEXT "; scenarios/rw.ini\n; where `striped` passes `mutex` & <b>why</b>\n[scenario]\nname = rw\n"
#define FIXTURE_MITIGATIONS "l1tf: Not affected\nmeltdown: Not affected\nspectre_v2: Vulnerable: <no microcode>"

struct fixture {
    char dir[64], db[128], out[128];
    struct store *store;
    int64_t run_id;
};

static void fixture_case(struct bench_case *c, const char *scenario, const char *backend, const char *name)
{
    case_init(c, scenario, backend); /* the role comes from the spec, as the expander sets it */
    snprintf(c->backend_name, sizeof c->backend_name, "%s", name);
    c->duration_s = 0.1;
}

/* The bytes per key fixture_write stores, and of those the bytes that awaited reclamation. */
static double fixture_bytes_per_key = 32, fixture_pending_bytes_per_key = 0;
static uint64_t fixture_touched_share = 1; /* a sample's distinct_keys: its keys / this */
/* How many of the next case's first repetitions fixture_write marks disturbed (preempted 40
 * times in its 0.1 s window: 400 involuntary switches a second). */
static int fixture_disturbed;

/* One case with repetitions at mops * factor[i] million operations per second. */
static void fixture_write(struct fixture *f, const struct bench_case *c, double mops, const double *factor, int n)
{
    char err[ERR_LEN] = "";
    int64_t case_id;
    static struct result_sample r; /* large; one test thread */
    assert_true(store_case_begin(f->store, f->run_id, c, "0", false, &case_id, err));
    for (int i = 0; i < n; i++) {
        memset(&r, 0, sizeof r);
        r.repetition = i;
        r.window_s = 0.1;
        r.ops_per_s = mops * 1e6 * factor[i];
        r.total_ops = (uint64_t)(r.ops_per_s * r.window_s);
        r.ns_per_op = 1e9 / r.ops_per_s;
        r.workers = 1;
        r.worker_ops[0] = r.total_ops;
        r.bytes_per_key = fixture_bytes_per_key;
        r.distinct_keys = c->keys / fixture_touched_share; /* planted: mutex half, cow a quarter */
        r.pending_bytes_per_key = fixture_pending_bytes_per_key;
        r.latency[RESULT_OP_GET] = (struct result_latency){10, 40, 60, 90, 200, 1000};
        r.worker_cpu_s = i < fixture_disturbed ? 0.09 : 0.1; /* disturbed: 10% of the window lost */
        r.involuntary_switches = i < fixture_disturbed ? 40 : 0;
        r.valid = true;
        assert_true(store_sample_insert(f->store, case_id, &r, err));
    }
    assert_true(store_case_end(f->store, case_id, "ok", NULL, err));
    fixture_disturbed = 0;
}

static const double tight[5] = {1.0, 1.004, 0.996, 1.002, 0.998};

/* The "rw" scenario of the fixture: mutex a[i], striped b[i] Mops/s over read_pct 0, 25, 50, 75
 * (points: how many of them). */
static void fixture_rw(struct fixture *f, const double *a, const double *b, int points)
{
    struct bench_case c;
    const double read_pct[4] = {0, 25, 50, 75};
    for (int i = 0; i < points; i++) {
        fixture_case(&c, "rw", "mutex", "mutex");
        c.read_pct = read_pct[i];
        fixture_write(f, &c, a[i], tight, 5);
        fixture_case(&c, "rw", "striped:shards=4", "striped");
        c.read_pct = read_pct[i];
        fixture_disturbed = i == 1 ? 2 : 0; /* striped at 25% gets: 2 of 5 disturbed */
        fixture_write(f, &c, b[i], tight, 5);
    }
}

static void fixture_plant(struct fixture *f)
{
    struct bench_case c;
    const double a[4] = {100, 90, 70, 50}, b[4] = {60, 70, 80, 90};
    fixture_rw(f, a, b, 4);
    /* noisy: medians 50/49, 50/51, 50/49, but each side spreads over the other */
    const double wide_a[5] = {0.8, 1.2, 1.0, 0.9, 1.1}, wide_b[5] = {0.82, 1.18, 1.0, 0.88, 1.12};
    const double d_mops[3] = {49, 51, 49};
    for (int t = 1; t <= 3; t++) {
        fixture_case(&c, "noisy", "rwlock", "rwlock");
        c.threads = t;
        fixture_write(f, &c, 50, wide_a, 5);
        fixture_case(&c, "noisy", "syncmap", "syncmap");
        c.threads = t;
        fixture_write(f, &c, d_mops[t - 1], wide_b, 5);
        fixture_case(&c, "noisy", "null", "null"); /* the harness alone, far above both */
        c.threads = t;
        fixture_write(f, &c, 500, tight, 5);
    }
    const double keys_mops[6] = {100, 100, 100, 100, 40, 16};
    for (int k = 0; k < 6; k++) {
        fixture_case(&c, "kc", "mutex", "mutex");
        c.keys = 1024ULL << (2 * k); /* 1k, 4k, 16k, 64k, 256k, 1M */
        fixture_touched_share = 2;
        fixture_write(f, &c, keys_mops[k], tight, 5);
        fixture_case(&c, "kc", "cow", "cow"); /* flat and slow, holding pending copies */
        c.keys = 1024ULL << (2 * k);
        fixture_bytes_per_key = 4096;
        fixture_touched_share = 4;
        fixture_pending_bytes_per_key = 4064; /* one table of 32 bytes per key live */
        fixture_write(f, &c, 5, tight, 5);
        fixture_bytes_per_key = 32;
        fixture_touched_share = 1;
        fixture_pending_bytes_per_key = 0;
    }
    fixture_case(&c, "hostile", HOSTILE_BACKEND, "x\"'<b>");
    fixture_write(f, &c, 10, tight, 5);
    c.threads = 2;
    fixture_write(f, &c, 12, tight, 5);
}

static int fixture_setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    char err[ERR_LEN] = "";
    strcpy(f->dir, "/tmp/mapbench-report-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->db, sizeof f->db, "%s/results.db", f->dir);
    snprintf(f->out, sizeof f->out, "%s/report", f->dir);
    f->store = store_open(f->db, err);
    struct store_machine m = {.fingerprint = "f00d", .hostname = "testhost", .cpu_model = "Test CPU",
                              .kernel = "6.1.0", .packages = 1, .numa_nodes = 1, .cores = 2, .pus = 2,
                              .cache_bytes = {32768, 1 << 20, 32 << 20}, .cache_levels = 3};
    struct store_run r = {.command_line = "mapbench run rw --set 'x=<i>'", .git_commit = "abc",
                          .label = HOSTILE_LABEL, .compiler = "gcc", .cflags = "-O2",
                          .transparent_hugepages = "madvise", .scenario_text = FIXTURE_SCENARIO_TEXT,
                          .cpu_mitigations = FIXTURE_MITIGATIONS};
    if (!f->store || !store_machine_upsert(f->store, &m, &r.machine_id, err) ||
        !store_run_begin(f->store, &r, &f->run_id, err))
        return -1;
    fixture_plant(f);
    if (!store_run_finish(f->store, f->run_id, "done", err))
        return -1;
    *state = f;
    return 0;
}

static int fixture_teardown(void **state)
{
    struct fixture *f = *state;
    char command[128];
    store_close(f->store);
    snprintf(command, sizeof command, "rm -rf '%s'", f->dir);
    int rc = system(command);
    free(f);
    return rc == 0 ? 0 : -1;
}

static char *write_report(struct fixture *f)
{
    char err[ERR_LEN] = "", path[256];
    if (!report_write(f->store, &f->run_id, 1, "mutex", f->out, err))
        fail_msg("%s", err);
    snprintf(path, sizeof path, "%s/index.html", f->out);
    return support_read_text(path);
}

/* The analysis without the page: data, sweeps and their findings (no history). */
struct analysis {
    struct report_data d;
    struct report_sweep *sweeps;
    size_t sweep_count;
    struct findings f;
};

static void analyse(struct fixture *f, struct analysis *a)
{
    char err[ERR_LEN] = "";
    assert_true(report_data_load(f->store, &f->run_id, 1, &a->d, err));
    assert_true(report_sweeps_build(&a->d, &a->sweeps, &a->sweep_count, err));
    findings_decide(&a->d, a->sweeps, a->sweep_count, NULL, "mutex", &a->f);
}

static void analysis_free(struct analysis *a)
{
    findings_free(&a->f);
    report_data_free(&a->d);
    report_sweeps_free(a->sweeps, a->sweep_count);
}

/* The text of the report's sweep CSV that holds `needle` (malloc'd); fails when none does. */
static char *sweep_csv_with(struct fixture *f, const char *needle)
{
    char path[256];
    for (int i = 0; i < 16; i++) {
        snprintf(path, sizeof path, "%s/sweep-%03d.csv", f->out, i);
        if (access(path, R_OK) != 0)
            break;
        char *text = support_read_text(path);
        if (strstr(text, needle))
            return text;
        free(text);
    }
    fail_msg("no sweep CSV holds %s", needle);
    return NULL;
}

/* ---- tests ---- */

static void test_planted_crossover_found_at_interpolated_point(void **state)
{
    struct analysis a;
    analyse(*state, &a);
    size_t significant = 0;
    for (size_t i = 0; i < a.f.crossover_count; i++) {
        const struct findings_crossover *c = &a.f.crossovers[i];
        const struct report_sweep *w = &a.sweeps[c->sweep];
        if (strcmp(w->scenario, "rw") != 0 || w->dim != REPORT_DIM_READ_PCT)
            continue;
        assert_int_equal(c->verdict, FINDINGS_SIGNIFICANT);
        /* differences 20 at read_pct 25 and -10 at 50: 25 + 25 * 20 / 30 */
        assert_true(fabs(c->x - (25 + 25.0 * 20 / 30)) < 1e-9);
        assert_string_equal(w->series[c->winner].label, "mutex"); /* mutex leads with more writes */
        char text[1024];
        wording_crossover(a.sweeps, c, text, sizeof text);
        assert_non_null(strstr(text, "`mutex` overtakes `striped:shards=4` above 58.3% writes"));
        significant++;
    }
    assert_int_equal(significant, 1);
    analysis_free(&a);
}

static void test_noisy_crossover_not_reported(void **state)
{
    struct analysis a;
    analyse(*state, &a);
    size_t apparent = 0;
    for (size_t i = 0; i < a.f.crossover_count; i++)
        if (strcmp(a.sweeps[a.f.crossovers[i].sweep].scenario, "noisy") == 0) {
            assert_int_equal(a.f.crossovers[i].verdict, FINDINGS_NOT_SIGNIFICANT);
            apparent++;
        }
    assert_int_equal(apparent, 2); /* 49 < 50 < 51 > 49: two sign changes, neither significant */
    analysis_free(&a);
    char *html = write_report(*state);
    char *found = strstr(html, "<h3>Knees"); /* the established crossovers come before the knees */
    assert_non_null(found);
    *found = '\0';
    char *details = strstr(html, "<details>");
    assert_non_null(details);
    *details = '\0'; /* what remains: established crossovers only */
    assert_null(strstr(html, "<code>syncmap</code> overtakes"));
    assert_null(strstr(html, "<code>rwlock</code> overtakes"));
    assert_non_null(strstr(html, "<code>mutex</code> overtakes <code>striped:shards=4</code> above 58.3% writes"));
    free(html);
}

static void test_knee_at_planted_point_beside_l2(void **state)
{
    struct analysis a;
    analyse(*state, &a);
    size_t knees = 0;
    for (size_t i = 0; i < a.f.knee_count; i++)
        if (strcmp(a.sweeps[a.f.knees[i].sweep].scenario, "kc") == 0) {
            assert_true(a.f.knees[i].keys == 65536);
            assert_int_equal(a.f.knees[i].cache_level, 2);
            assert_true(fabs(a.f.knees[i].cache_keys - 32768) < 1e-9);
            knees++;
        }
    assert_int_equal(knees, 1);
    analysis_free(&a);
}

/* The throughput plot whose title starts with `title` (the report is written first), malloc'd. */
static char *read_throughput_plot(struct fixture *f, const char *title)
{
    free(write_report(f));
    char path[256];
    for (int i = 0; i < 16; i++) {
        snprintf(path, sizeof path, "%s/sweep-%03d-throughput.svg", f->out, i);
        if (access(path, R_OK) != 0)
            continue;
        char *svg = support_read_text(path);
        if (strstr(svg, title))
            return svg;
        free(svg);
    }
    fail_msg("no throughput plot titled '%s'", title);
    return NULL;
}

/* The plot's cache lines sit at mutex's 32 bytes per key, not pulled towards cow's 4096. */
static void test_cache_lines_ignore_one_backends_pending_copies(void **state)
{
    struct analysis a;
    analyse(*state, &a);
    size_t kc = 0;
    for (size_t w = 0; w < a.sweep_count; w++)
        if (strcmp(a.sweeps[w].scenario, "kc") == 0 && a.sweeps[w].dim == REPORT_DIM_KEYS) {
            assert_int_equal(a.sweeps[w].series_count, 2);
            assert_true(a.f.sweeps[w].bytes_per_key == 32);
            kc++;
        }
    assert_int_equal(kc, 1);
    analysis_free(&a);
    char *svg = read_throughput_plot(*state, "kc: throughput");
    assert_non_null(strstr(svg, "L2 1024 KiB at 32 B/key"));
    assert_non_null(strstr(svg, "L3 32768 KiB at 32 B/key"));
    free(svg);
}

/* Threads 1..3 are labelled 1, 2, 3: no tic at 1.5 threads; null's 500 Mops/s is not drawn to
 * flatten the maps' 50 against the axis, and the plot says so. */
static void test_thread_axis_has_whole_threads(void **state)
{
    char *svg = read_throughput_plot(*state, "noisy: throughput");
    assert_non_null(strstr(svg, "<text>rwlock</text>"));
    assert_null(strstr(svg, "<text>null</text>"));
    assert_non_null(strstr(svg, "null (the harness alone) is in the table, not drawn"));
    assert_non_null(strstr(svg, "<text> 2</text>"));
    assert_non_null(strstr(svg, "<text> 3</text>"));
    assert_null(strstr(svg, "<text> 1.5</text>"));
    assert_null(strstr(svg, "<text> 2.5</text>"));
    free(svg);
}

static void test_table_values_equal_database(void **state)
{
    struct fixture *f = *state;
    char *html = write_report(f);
    sqlite3_stmt *st;
    double ops[8];
    size_t n = 0;
    assert_int_equal(sqlite3_prepare_v2(store_db(f->store),
                                        "SELECT ops_per_s FROM case_results WHERE scenario = 'rw' AND backend = "
                                        "'striped:shards=4' AND read_pct = 50 AND valid",
                                        -1, &st, NULL),
                     SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW && n < 8)
        ops[n++] = sqlite3_column_double(st, 0);
    sqlite3_finalize(st);
    assert_int_equal(n, 5);
    double median = stats_median(ops, n);
    /* the CSV carries the median at full precision, the page at 3 digits in Mops/s */
    char line[256], cell[64];
    char *csv = sweep_csv_with(f, "\"rw\",read_pct");
    snprintf(line, sizeof line, "\"rw\",read_pct,50,\"striped:shards=4\",%.17g,", median);
    assert_non_null(strstr(csv, line));
    snprintf(cell, sizeof cell, "%.3g <small>×%.2f</small>", median / 1e6, 80.0 / 70.0);
    assert_non_null(strstr(html, cell));
    free(csv);
    free(html);
}

/* A keys sweep's table shows the keys each point's windows touched, fewest to most over the
 * backends, beside the point; the CSV carries each backend's median. */
static void test_keys_sweep_shows_keys_touched(void **state)
{
    struct fixture *f = *state;
    char *html = write_report(f);
    assert_non_null(strstr(html, ">keys touched</th>"));
    assert_non_null(strstr(html, "<tr><th>65.5k keys</th><td>16.4k–32.8k</td>"));
    assert_non_null(strstr(html, "<tr><th>1.05M keys</th><td>262k–524k</td>"));
    char *csv = sweep_csv_with(f, "\"kc\",keys");
    assert_non_null(strstr(csv, ",median_hi_ops_per_s,distinct_keys,bytes_per_key,pending_bytes_per_key\n"));
    assert_non_null(strstr(csv, "\"kc\",keys,65536,\"cow\","));
    assert_non_null(strstr(csv, ",16384,4096,4064\n")); /* cow's: its keys touched, then its bytes */
    free(csv);
    free(html);
}

/* A cell whose repetitions the disturbance rule flags carries a mark with their count (and the
 * rule in its title); no other cell does. */
static void test_disturbed_cell_marked(void **state)
{
    struct fixture *f = *state;
    struct analysis a;
    analyse(f, &a);
    size_t marked = 0;
    for (size_t i = 0; i < a.d.case_count; i++) {
        const struct report_case *c = &a.d.cases[i];
        bool planted = strcmp(c->c.scenario, "rw") == 0 && strcmp(c->c.backend_name, "striped") == 0 &&
                       c->c.read_pct == 25;
        assert_int_equal(c->disturbed, planted ? 2 : 0);
        marked += c->disturbed > 0;
    }
    assert_int_equal(marked, 1);
    analysis_free(&a);
    char *html = write_report(f);
    const char *mark = strstr(html, "2 of 5 repetitions disturbed: steal above 1%");
    assert_non_null(mark);
    assert_non_null(strstr(mark, "\">†2</small></td>"));
    assert_null(strstr(mark + strlen("2 of 5 repetitions disturbed"), "repetitions disturbed"));
    size_t daggers = 0;
    for (const char *p = html; (p = strstr(p, "†")); p++)
        daggers++;
    assert_int_equal(daggers, 1);
    free(html);
}

static void test_hostile_strings_escaped(void **state)
{
    struct fixture *f = *state;
    char *html = write_report(f);
    /* the raw forms never appear (gnuplot's SVG escapes < and & in its text itself) */
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, HOSTILE_LABEL));
    assert_null(strstr(html, HOSTILE_BACKEND));
    assert_null(strstr(html, "x\"'<b>"));
    assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt; &quot;q&quot; &#39;x&#39; &#39;; DROP TABLE runs; --"));
    assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;&#39;; DROP TABLE runs; --"));
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(store_db(f->store), "SELECT count(*) FROM runs", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 1);
    sqlite3_finalize(st);
    free(html);
}

/* What an html.h writer of text (html_escape, html_text) makes of `text`, then of NULL. */
static char *html_of(void (*writer)(FILE *, const char *), const char *text)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    writer(f, text);
    writer(f, NULL);
    fclose(f);
    return out;
}

static void test_html_escape_every_special_character(void **state)
{
    (void)state;
    char *text = html_of(html_escape, "a&b<c>d\"e'f");
    assert_string_equal(text, "a&amp;b&lt;c&gt;d&quot;e&#39;f");
    free(text);
}

/* Every href="..." and src="..." names a file written beside index.html, or a section of the page
 * (#id, which must exist); no network URL. */
static void test_every_referenced_file_exists(void **state)
{
    struct fixture *f = *state;
    char *html = write_report(f);
    size_t refs = 0;
    const char *attrs[] = {"href=\"", "src=\""};
    for (size_t a = 0; a < 2; a++)
        for (char *p = strstr(html, attrs[a]); p; p = strstr(p + 1, attrs[a])) {
            char name[256], path[512];
            const char *start = p + strlen(attrs[a]);
            size_t n = strcspn(start, "\"");
            assert_true(n > 0 && n < sizeof name);
            snprintf(name, sizeof name, "%.*s", (int)n, start);
            assert_null(strstr(name, "://"));
            if (name[0] == '#') {
                char id[300];
                snprintf(id, sizeof id, "id=\"%s\"", name + 1);
                if (!strstr(html, id))
                    fail_msg("index.html links to missing section %s", name);
                refs++;
                continue;
            }
            snprintf(path, sizeof path, "%s/%s", f->out, name);
            if (access(path, R_OK) != 0)
                fail_msg("index.html references missing %s", name);
            refs++;
        }
    assert_true(refs > 0);
    free(html);
}

/* The history matches a case across runs by the one case key (scenarios/case_dims.h): a second
 * run whose case differs only in its seed continues that case's history; one whose latency
 * sampling or window differs is another experiment.  (Before the key was shared, the history
 * matched cases that differed only in their window, and the gate did not.) */
static void test_history_matches_by_case_key(void **state)
{
    struct fixture *f = *state;
    char err[ERR_LEN] = "", path[256];
    struct store_machine m = {.fingerprint = "f00d", .hostname = "testhost"};
    struct store_run r = {.command_line = "mapbench run rw", .label = "second"};
    int64_t first = f->run_id;
    assert_true(store_machine_upsert(f->store, &m, &r.machine_id, err));
    assert_true(store_run_begin(f->store, &r, &f->run_id, err));
    struct bench_case c;
    fixture_case(&c, "rw", "mutex", "mutex"); /* read_pct 0: as in the first run but the seed */
    c.read_pct = 0;
    c.seed = 7;
    fixture_write(f, &c, 100, tight, 5);
    fixture_case(&c, "rw", "striped:shards=4", "striped");
    c.read_pct = 0;
    c.latency_every = 0;
    fixture_write(f, &c, 60, tight, 5);
    fixture_case(&c, "rw", "mutex", "mutex");
    c.read_pct = 25;
    c.duration_s = 0.2;
    fixture_write(f, &c, 90, tight, 5);
    assert_true(store_run_finish(f->store, f->run_id, "done", err));
    free(write_report(f));
    snprintf(path, sizeof path, "%s/history.csv", f->out);
    char *csv = support_read_text(path), line[256];
    snprintf(line, sizeof line, "\"mutex\",\"rw threads=1 compact read=0%% update keys=1000 uniform "
                                "duration=0.1s\",%lld,", (long long)first);
    assert_non_null(strstr(csv, line));
    snprintf(line, sizeof line, "\"mutex\",\"rw threads=1 compact read=0%% update keys=1000 uniform "
                                "duration=0.1s\",%lld,", (long long)f->run_id);
    assert_non_null(strstr(csv, line));
    assert_null(strstr(csv, "striped"));
    assert_null(strstr(csv, "read=25%"));
    free(csv);
}

/* Starts a run on machine `fingerprint` of build "abc -O2" (the fixture's) and makes it the one
 * fixture_write writes to. */
static int64_t fixture_begin_run(struct fixture *f, const char *fingerprint, const char *cpu, const char *label)
{
    char err[ERR_LEN] = "";
    struct store_machine m = {.packages = 1, .numa_nodes = 1, .cores = 2, .pus = 2};
    snprintf(m.fingerprint, sizeof m.fingerprint, "%s", fingerprint);
    snprintf(m.hostname, sizeof m.hostname, "host-%s", fingerprint);
    snprintf(m.cpu_model, sizeof m.cpu_model, "%s", cpu);
    struct store_run r = {.command_line = "mapbench run rw", .git_commit = "abc", .label = label, .cflags = "-O2"};
    assert_true(store_machine_upsert(f->store, &m, &r.machine_id, err));
    assert_true(store_run_begin(f->store, &r, &f->run_id, err));
    return f->run_id;
}

static const struct findings_check *find_crossover_check(const struct analysis *a, int64_t claimed_in)
{
    for (size_t k = 0; k < a->f.check_count; k++)
        if (a->f.checks[k].crossover && a->d.runs[a->sweeps[a->f.checks[k].sweep].run].id == claimed_in)
            return &a->f.checks[k];
    fail_msg("no crossover claimed in run %lld", (long long)claimed_in);
    return NULL;
}

/* Four runs of one machine and build: the first run's crossover (and winners) reproduced by an
 * identical second run, contradicted by a third whose backends swapped, not measured in a fourth
 * that stopped at read_pct 25.  A run on another machine or build is no part of the group. */
static void test_findings_reproduce_across_runs(void **state)
{
    struct fixture *f = *state;
    int64_t first = f->run_id, runs[5] = {first};
    const double a[4] = {100, 90, 70, 50}, b[4] = {60, 70, 80, 90};
    runs[1] = fixture_begin_run(f, "f00d", "Test CPU", "same");
    fixture_rw(f, a, b, 4);
    runs[2] = fixture_begin_run(f, "f00d", "Test CPU", "swapped");
    fixture_rw(f, b, a, 4);
    runs[3] = fixture_begin_run(f, "f00d", "Test CPU", "short");
    fixture_rw(f, a, b, 2);
    runs[4] = fixture_begin_run(f, "beef", "Other CPU", "elsewhere");
    fixture_rw(f, a, b, 4);
    char err[ERR_LEN] = "";
    struct analysis x;
    assert_true(report_data_load(f->store, runs, 5, &x.d, err));
    assert_true(report_sweeps_build(&x.d, &x.sweeps, &x.sweep_count, err));
    findings_decide(&x.d, x.sweeps, x.sweep_count, NULL, "mutex", &x.f);
    assert_int_equal(x.f.group_count, 2); /* f00d's four runs, beef's one */
    assert_int_equal(x.f.groups[0].run_count, 4);
    const struct findings_check *k = find_crossover_check(&x, first);
    assert_int_equal(k->group, 0);
    assert_int_equal(k->in_run[0], FINDINGS_REPRODUCED); /* its own run */
    assert_int_equal(k->in_run[1], FINDINGS_REPRODUCED);
    assert_int_equal(k->in_run[2], FINDINGS_CONTRADICTED);
    assert_int_equal(k->in_run[3], FINDINGS_UNMEASURED);
    /* the swapped run's own crossover is contradicted by the first two */
    const struct findings_check *back = find_crossover_check(&x, runs[2]);
    assert_int_equal(back->in_run[0], FINDINGS_CONTRADICTED);
    assert_int_equal(back->in_run[1], FINDINGS_CONTRADICTED);
    analysis_free(&x);

    char path[256];
    if (!report_write(f->store, runs, 5, "mutex", f->out, err))
        fail_msg("%s", err);
    snprintf(path, sizeof path, "%s/index.html", f->out);
    char *html = support_read_text(path);
    assert_non_null(strstr(html, "<h2>Do the findings reproduce?</h2>"));
    char group[128];
    snprintf(group, sizeof group, "<h3>runs %lld, %lld, %lld, %lld on host-f00d (Test CPU)", (long long)runs[0],
             (long long)runs[1], (long long)runs[2], (long long)runs[3]);
    assert_non_null(strstr(html, group));
    assert_non_null(strstr(html, "<td class=\"contradicted\">contradicted</td>"));
    free(html);
    snprintf(path, sizeof path, "%s/%s", f->out, CSV_REPRODUCE_FILE);
    char *csv = support_read_text(path), line[256];
    snprintf(line, sizeof line, "\",%lld,%lld,contradicted,unpaired,", (long long)first, (long long)runs[2]);
    assert_non_null(strstr(csv, "crossover,\"`mutex` overtakes `striped:shards=4` above 58.3% writes"));
    assert_non_null(strstr(csv, line));
    snprintf(line, sizeof line, "\",%lld,%lld,not measured,,", (long long)first, (long long)runs[3]);
    assert_non_null(strstr(csv, line));
    free(csv);
}

/* Two machines, one build: a case by case comparison, B against A, with its interval; a side of
 * one run is called out, and with two runs a side it is not. */
static void test_machines_compared(void **state)
{
    struct fixture *f = *state;
    const double a[4] = {100, 90, 70, 50}, b[4] = {60, 70, 80, 90}, a2[4] = {200, 180, 140, 100},
                 b2[4] = {120, 140, 160, 180};
    int64_t runs[4];
    runs[0] = fixture_begin_run(f, "aaaa", "CPU A", "a1");
    fixture_rw(f, a, b, 4);
    runs[1] = fixture_begin_run(f, "bbbb", "CPU B", "b1");
    fixture_rw(f, a2, b2, 4);
    char err[ERR_LEN] = "", path[256];
    for (int both = 0; both <= 1; both++) {
        if (both) {
            runs[2] = fixture_begin_run(f, "aaaa", "CPU A", "a2");
            fixture_rw(f, a, b, 4);
            runs[3] = fixture_begin_run(f, "bbbb", "CPU B", "b2");
            fixture_rw(f, a2, b2, 4);
        }
        struct analysis x;
        assert_true(report_data_load(f->store, runs, both ? 4 : 2, &x.d, err));
        assert_true(report_sweeps_build(&x.d, &x.sweeps, &x.sweep_count, err));
        findings_decide(&x.d, x.sweeps, x.sweep_count, NULL, "mutex", &x.f);
        assert_int_equal(x.f.machine_pair_count, 1);
        const struct findings_machine_pair *m = &x.f.machine_pairs[0];
        assert_true(m->same_build);
        assert_int_equal(m->one_run_a_side, !both);
        assert_int_equal(m->case_count, 8); /* two backends at four read ratios */
        for (size_t i = 0; i < m->case_count; i++) {
            assert_true(fabs(exp(m->cases[i].estimate) - 2.0) < 1e-9);
            assert_true(exp(m->cases[i].lo) < 2.0 && exp(m->cases[i].hi) > 2.0);
            assert_true(exp(m->cases[i].lo) > 1.9 && exp(m->cases[i].hi) < 2.1);
            assert_int_equal(m->cases[i].runs_a, both ? 2 : 1);
        }
        analysis_free(&x);
        if (!report_write(f->store, runs, both ? 4 : 2, "mutex", f->out, err))
            fail_msg("%s", err);
        snprintf(path, sizeof path, "%s/index.html", f->out);
        char *html = support_read_text(path);
        assert_non_null(strstr(html, "<h2>New hardware: machines compared</h2>"));
        assert_non_null(strstr(html, "<td>100</td><td>200</td><td>×2.00"));
        assert_int_equal(strstr(html, "rests on one run a side") != NULL, !both);
        free(html);
        snprintf(path, sizeof path, "%s/%s", f->out, CSV_MACHINES_FILE);
        char *csv = support_read_text(path);
        assert_non_null(strstr(csv, "\"host-aaaa\",\"host-bbbb\","));
        free(csv);
    }
}

/* ---- the page as a reader sees it ---- */

/* Code names in the wording's backticks are set as code, escaped inside; a lone backtick stays. */
static void test_code_names_are_code(void **state)
{
    char *text = html_of(html_text, "`a<b>` beats `c` & 'd' by 2` ");
    assert_string_equal(text, "<code>a&lt;b&gt;</code> beats <code>c</code> &amp; &#39;d&#39; by 2` ");
    free(text);
    /* on the page: every sentence went through html_text, so no backtick is left outside the
     * scenario files' text (a <pre> of the file as written) */
    char *html = write_report(*state);
    assert_non_null(strstr(html, "<code>mutex</code> overtakes"));
    for (char *pre = strstr(html, "<pre>"); pre; pre = strstr(pre, "<pre>")) {
        char *end = strstr(pre, "</pre>");
        assert_non_null(end);
        memset(pre, ' ', (size_t)(end - pre));
    }
    if (strchr(html, '`'))
        fail_msg("a raw backtick on the page: ...%.80s", strchr(html, '`'));
    free(html);
}

/* "How to reproduce": the run's commit, flags with -march, command, scenario text, kernel, THP and
 * mitigations, every one escaped. */
static void test_reproduce_section_names_everything_escaped(void **state)
{
    char *html = write_report(*state);
    const char *how = strstr(html, "<section id=\"how\">");
    assert_non_null(how);
    const char *end = strstr(how, "</section>");
    *(char *)end = '\0';
    const char *expected[] = {
        "<dt>commit</dt><dd><code>abc</code></dd>",
        "<dt>flags</dt><dd><code>-O2</code></dd>",
        "<dt>command</dt><dd><code>mapbench run rw --set &#39;x=&lt;i&gt;&#39;</code></dd>",
        "<pre>; scenarios/rw.ini\n; where `striped` passes `mutex` &amp; &lt;b&gt;why&lt;/b&gt;\n[scenario]\n",
        "<dt>kernel</dt><dd>6.1.0</dd>",
        "<dt>transparent huge pages</dt><dd>madvise</dd>",
        "3 vulnerabilities listed, 1 of them unmitigated",
        "spectre_v2: Vulnerable: &lt;no microcode&gt;</pre>",
        "<dt>CPU governor</dt><dd><span class=\"na\">not recorded</span></dd>",
    };
    for (size_t i = 0; i < sizeof expected / sizeof *expected; i++)
        if (!strstr(how, expected[i]))
            fail_msg("How to reproduce lacks %s", expected[i]);
    assert_null(strstr(how, "<b>why"));
    assert_null(strstr(how, "<no microcode>"));
    free(html);
}

/* Bytes per key apart: live data and what awaited reclamation, in the table, the plot and the CSV. */
static void test_memory_split_into_live_and_pending(void **state)
{
    struct fixture *f = *state;
    char *html = write_report(f), path[512];
    const char *table = strstr(html, "<table class=\"sweep memory\">");
    assert_non_null(table);
    assert_non_null(strstr(table, "<td title=\"4096 bytes per key held after the window, 0 allocations per operation\">"
                                  "32 <small class=\"pending\">+4064</small></td>"));
    assert_non_null(strstr(table, "<td title=\"32 bytes per key held after the window, 0 allocations per operation\">"
                                  "32</td>"));
    free(html);
    struct analysis a;
    analyse(f, &a);
    for (size_t i = 0; i < a.sweep_count; i++) {
        if (strcmp(a.sweeps[i].scenario, "kc") != 0)
            continue;
        char name[64];
        html_plot_file(i, "memory", name, sizeof name);
        snprintf(path, sizeof path, "%s/%s", f->out, name);
        char *svg = support_read_text(path);
        assert_non_null(strstr(svg, "bytes per key awaiting reclamation"));
        assert_non_null(strstr(svg, "live bytes per key"));
        free(svg);
        csv_sweep_file(i, name, sizeof name);
        snprintf(path, sizeof path, "%s/%s", f->out, name);
        char *csv = support_read_text(path);
        assert_non_null(strstr(csv, ",pending_bytes_per_key\n"));
        assert_non_null(strstr(csv, ",4096,4064\n"));
        free(csv);
    }
    analysis_free(&a);
}

/* The swatch on the table's header of backend `label`: "<svg class="swatch" ...</svg>". */
static char *header_swatch(const char *html, const char *label)
{
    char header[128];
    snprintf(header, sizeof header, "<code>%s</code></th>", label);
    const char *at = strstr(html, header);
    assert_non_null(at);
    const char *start = at;
    while (start > html && strncmp(start, "<svg class=\"swatch\"", 19) != 0)
        start--;
    assert_true(start > html);
    return strndup(start, (size_t)(at - start));
}

/* A backend is drawn the same in two reports of different backends: the same swatch in its table's
 * header, and its plot lines in that colour. */
static void test_backend_style_is_the_same_across_reports(void **state)
{
    struct fixture *f = *state;
    char *html = write_report(f);
    char *first = header_swatch(html, "mutex");
    free(html);
    assert_non_null(strstr(first, "stroke=\"#0072B2\""));

    char err[ERR_LEN] = "", out[256], path[512];
    fixture_begin_run(f, "f00d", "Test CPU", "mutex and syncmap");
    struct bench_case c;
    for (int t = 1; t <= 2; t++) {
        fixture_case(&c, "pair", "mutex", "mutex");
        c.threads = t;
        fixture_write(f, &c, 10, tight, 5);
        fixture_case(&c, "pair", "syncmap", "syncmap");
        c.threads = t;
        fixture_write(f, &c, 20, tight, 5);
    }
    assert_true(store_run_finish(f->store, f->run_id, "done", err));
    snprintf(out, sizeof out, "%s/second", f->dir);
    if (!report_write(f->store, &f->run_id, 1, "mutex", out, err))
        fail_msg("%s", err);
    snprintf(path, sizeof path, "%s/index.html", out);
    html = support_read_text(path);
    char *second = header_swatch(html, "mutex");
    assert_string_equal(first, second);
    free(html);
    char name[64];
    html_plot_file(0, "throughput", name, sizeof name);
    snprintf(path, sizeof path, "%s/%s", out, name);
    char *svg = support_read_text(path);
    assert_non_null(strstr(svg, "stroke='rgb(  0, 114, 178)'")); /* #0072B2 */
    free(svg);
    free(first);
    free(second);
}

/* The calibration case in the report: a run whose calibration fell a third against the other runs
 * of its group says the machine moved; the others are steady. */
static void test_report_names_a_moved_machine(void **state)
{
    struct fixture *f = *state;
    const double a[4] = {100, 90, 70, 50}, b[4] = {60, 70, 80, 90};
    int64_t runs[3] = {f->run_id};
    runs[1] = fixture_begin_run(f, "f00d", "Test CPU", "second");
    fixture_rw(f, a, b, 4);
    runs[2] = fixture_begin_run(f, "f00d", "Test CPU", "third");
    fixture_rw(f, a, b, 4);
    sqlite3 *db = store_db(f->store); /* the store made the calibrations table (schema 6) */
    for (int r = 0; r < 3; r++)
        for (int phase = 0; phase < 3; phase++)
            for (int rep = 0; rep < 3; rep++) {
                char sql[256];
                snprintf(sql, sizeof sql, "INSERT INTO calibrations VALUES (%lld, '%s', 'get-loop', %d, %g, 'Mops/s')",
                         (long long)runs[r], phase == 0 ? "start" : phase == 1 ? "middle" : "end", rep,
                         (r == 2 ? 30.0 : 45.0) * tight[(rep + phase + r) % 5]);
                assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
            }
    char err[ERR_LEN] = "", path[256];
    if (!report_write(f->store, runs, 3, "mutex", f->out, err))
        fail_msg("%s", err);
    snprintf(path, sizeof path, "%s/index.html", f->out);
    char *html = support_read_text(path);
    char expected[160];
    snprintf(expected, sizeof expected, "run %lld's calibration: <b>moved</b> beyond its own noise (get-loop 30",
             (long long)runs[2]);
    if (!strstr(html, expected))
        fail_msg("no '%s'", expected);
    snprintf(expected, sizeof expected, "run %lld's calibration: steady", (long long)runs[1]);
    assert_non_null(strstr(html, expected));
    assert_non_null(strstr(html, "<b>the machine moved</b>: its calibration moved"));
    free(html);
}

static void test_gnuplot_missing_is_one_clear_error(void **state)
{
    struct fixture *f = *state;
    char empty[128], err[ERR_LEN] = "", index[256];
    snprintf(empty, sizeof empty, "%s/empty-bin", f->dir);
    assert_int_equal(mkdir(empty, 0700), 0);
    char *saved = strdup(getenv("PATH") ? getenv("PATH") : "");
    setenv("PATH", empty, 1);
    bool ok = report_write(f->store, &f->run_id, 1, "mutex", f->out, err);
    setenv("PATH", saved, 1);
    free(saved);
    assert_false(ok);
    assert_non_null(strstr(err, "gnuplot not found"));
    assert_null(strchr(err, '\n'));
    snprintf(index, sizeof index, "%s/index.html", f->out);
    assert_int_not_equal(access(index, F_OK), 0); /* nothing written */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_planted_crossover_found_at_interpolated_point, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_noisy_crossover_not_reported, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_knee_at_planted_point_beside_l2, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_table_values_equal_database, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_keys_sweep_shows_keys_touched, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_disturbed_cell_marked, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_hostile_strings_escaped, fixture_setup, fixture_teardown),
        cmocka_unit_test(test_html_escape_every_special_character),
        cmocka_unit_test_setup_teardown(test_every_referenced_file_exists, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_cache_lines_ignore_one_backends_pending_copies, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_thread_axis_has_whole_threads, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_history_matches_by_case_key, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_gnuplot_missing_is_one_clear_error, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_findings_reproduce_across_runs, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_machines_compared, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_report_names_a_moved_machine, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_code_names_are_code, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_reproduce_section_names_everything_escaped, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_memory_split_into_live_and_pending, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_backend_style_is_the_same_across_reports, fixture_setup,
                                        fixture_teardown),
    };
    return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
