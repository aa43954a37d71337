/*
 * test_merge.c: merging results databases (store/store_merge.c, `mapbench merge`).  Each test
 * builds small databases in a temporary directory, each on its own synthetic machine fingerprint
 * (a fleet's hosts): two merged into a third, the same merge again (nothing added), a chain (A into
 * B, B into C, A into C), a version-1 file (tests/fixtures/store_v1.sql) read through a migrated
 * copy and left unchanged, a table that hangs off a run which merge has never heard of, every kind
 * of refusal with nothing half-merged, and the command's exit statuses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dbfixture.h"
#include "store/store.h"
#include "support.h"

struct dirs {
    char dir[64];
    char a[128], b[128], c[128], d[128];
};

static int dirs_setup(void **state)
{
    struct dirs *d = calloc(1, sizeof *d);
    strcpy(d->dir, "/tmp/mapbench-merge-test-XXXXXX");
    if (!d || !mkdtemp(d->dir))
        return -1;
    snprintf(d->a, sizeof d->a, "%s/alpha.db", d->dir);
    snprintf(d->b, sizeof d->b, "%s/beta.db", d->dir);
    snprintf(d->c, sizeof d->c, "%s/all.db", d->dir);
    snprintf(d->d, sizeof d->d, "%s/other.db", d->dir);
    setenv("TMPDIR", d->dir, 1); /* the migrated copies go here, and must not stay */
    *state = d;
    return 0;
}

static int dirs_teardown(void **state)
{
    struct dirs *d = *state;
    char command[128];
    snprintf(command, sizeof command, "rm -rf '%s'", d->dir);
    int rc = system(command);
    free(d);
    return rc == 0 ? 0 : -1;
}

static const struct store_machine alpha = {.fingerprint = "aaaa", .hostname = "alpha", .cpu_model = "Alpha CPU",
                                           .kernel = "6.1.0", .packages = 1, .numa_nodes = 1, .cores = 2,
                                           .pus = 4, .cache_bytes = {32768, 1 << 20}, .cache_levels = 2};
static const struct store_machine beta = {.fingerprint = "bbbb", .hostname = "beta", .cpu_model = "Beta CPU",
                                          .kernel = "6.6.0", .packages = 2, .numa_nodes = 2, .cores = 16,
                                          .pus = 32, .cache_bytes = {49152, 2 << 20, 32 << 20}, .cache_levels = 3};

/* A host's database: `finished` runs of `cases` cases (3 samples each), and optionally one run
 * that is still running on another host. */
static void build(const char *path, const struct store_machine *m, int finished, int cases, bool running)
{
    char err[ERR_LEN] = "", label[160];
    struct store *s = dbfixture_open(path);
    for (int r = 0; r < finished + running; r++) {
        snprintf(label, sizeof label, "%s %d", m->hostname, r);
        int64_t run_id = dbfixture_run(s, m, label);
        for (int c = 0; c < (r < finished ? cases : 1); c++)
            if (!dbfixture_write_case(s, run_id, 3, err))
                fail_msg("%s", err);
        if (r < finished && !store_run_finish(s, run_id, "done", err))
            fail_msg("%s", err);
        if (r >= finished) { /* its writer is on a host this one cannot judge */
            char sql[256];
            snprintf(sql, sizeof sql, "UPDATE runs SET hostname = '%s' WHERE id = %lld", m->hostname,
                     (long long)run_id);
            assert_int_equal(sqlite3_exec(store_db(s), sql, NULL, NULL, NULL), SQLITE_OK);
        }
    }
    store_close(s);
}

static enum store_merge_status merge(const char *into, const char *first, const char *second,
                                     struct store_merge_counts *counts, char *err)
{
    const char *sources[] = {first, second};
    struct store *dst = dbfixture_open(into);
    enum store_merge_status status = store_merge(dst, sources, second ? 2 : 1, counts, err);
    store_close(dst);
    return status;
}

static void merge_ok(const char *into, const char *first, const char *second, struct store_merge_counts *counts)
{
    char err[ERR_LEN] = "";
    if (merge(into, first, second, counts, err) != STORE_MERGE_DONE)
        fail_msg("merge: %s", err);
}

static int64_t count_in(const char *path, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    int64_t n = dbfixture_int(db, sql);
    sqlite3_close(db);
    return n;
}

static char *dump_of(const char *path, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    char *text = dbfixture_dump(db, sql);
    sqlite3_close(db);
    return text;
}

/* What a database holds, independent of its ids: each run by UUID with its machine, label, cases,
 * samples, their total operations and histograms. */
static const char *const contents_sql =
    "SELECT r.uuid, m.fingerprint, r.label, r.status, (SELECT count(*) FROM cases c WHERE c.run_id = r.id),"
    " (SELECT count(*) FROM samples s JOIN cases c ON c.id = s.case_id WHERE c.run_id = r.id),"
    " (SELECT sum(s.total_ops) FROM samples s JOIN cases c ON c.id = s.case_id WHERE c.run_id = r.id),"
    " (SELECT count(*) FROM histograms h JOIN cases c ON c.id = h.case_id WHERE c.run_id = r.id)"
    " FROM runs r JOIN machines m ON m.id = r.machine_id WHERE r.status <> 'running' ORDER BY r.uuid";

static void assert_same_text(char *got, char *want)
{
    if (strcmp(got, want) != 0)
        fail_msg("got\n%s\nwant\n%s", got, want);
    free(got);
    free(want);
}

static int line_order(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Everything finished in the sources is in `merged`, once, and its foreign keys hold. */
static void assert_holds(const char *merged, const char *first, const char *second)
{
    char *texts[2] = {dump_of(first, contents_sql), second ? dump_of(second, contents_sql) : strdup("")};
    char *lines[64], *want = NULL;
    size_t n = 0, len = 0;
    for (int i = 0; i < 2; i++)
        for (char *text = texts[i], *save = NULL, *line; n < 64 && (line = strtok_r(text, "\n", &save)); text = NULL)
            lines[n++] = line;
    qsort(lines, n, sizeof *lines, line_order); /* the union, ordered by UUID like contents_sql */
    FILE *f = open_memstream(&want, &len);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s\n", lines[i]);
    fclose(f);
    free(texts[0]);
    free(texts[1]);
    assert_same_text(dump_of(merged, contents_sql), want);
    assert_int_equal(count_in(merged, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
}

/* No migrated copy is left in TMPDIR (the test's directory). */
static void assert_no_copies_left(const struct dirs *d)
{
    char command[160];
    snprintf(command, sizeof command, "ls '%s' | grep -c '^mapbench-merge-' >/dev/null", d->dir);
    assert_int_not_equal(system(command), 0);
}

static void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    assert_non_null(in);
    assert_non_null(out);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        assert_int_equal(fwrite(buf, 1, n, out), n);
    fclose(in);
    fclose(out);
}

/* Copies `from` to `to` and runs sql on the copy: another file with the same runs (UUIDs). */
static void copy_edited(const char *from, const char *to, const char *sql)
{
    sqlite3 *db;
    copy_file(from, to);
    assert_int_equal(sqlite3_open(to, &db), SQLITE_OK);
    char *message = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &message) != SQLITE_OK)
        fail_msg("%s: %s", sql, message);
    sqlite3_close(db);
}

static void test_merge_two_hosts(void **state)
{
    struct dirs *d = *state;
    struct store_merge_counts n[2];
    build(d->a, &alpha, 2, 2, false);
    build(d->b, &beta, 1, 3, true);
    merge_ok(d->c, d->a, d->b, n);
    assert_int_equal(n[0].machines, 1);
    assert_int_equal(n[0].runs, 2);
    assert_int_equal(n[0].cases, 4);
    assert_int_equal(n[0].samples, 12);
    assert_int_equal(n[0].histograms, 4);
    assert_int_equal(n[0].runs_present + n[0].runs_unfinished + n[0].other_rows, 0);
    assert_int_equal(n[1].machines, 1);
    assert_int_equal(n[1].runs, 1);
    assert_int_equal(n[1].cases, 3);
    assert_int_equal(n[1].runs_unfinished, 1); /* beta's running run waits for the next merge */
    assert_holds(d->c, d->a, d->b);
    assert_int_equal(count_in(d->c, "SELECT count(*) FROM runs"), 3);
    assert_int_equal(count_in(d->c, "SELECT count(*) FROM machines"), 2);
    assert_int_equal(count_in(d->c, "SELECT count(*) FROM machines WHERE fingerprint = 'bbbb' AND cores = 16"
                                    " AND numa_nodes = 2 AND l3_bytes = 33554432 AND hostname = 'beta'"), 1);
    /* the merged cases are read back whole through the ordinary API */
    assert_int_equal(count_in(d->c, "SELECT count(*) FROM case_results WHERE fingerprint = 'aaaa'"
                                    " AND backend = 'striped:shards=64' AND seed = -7"), 12);
    assert_no_copies_left(d);
}

static void test_merge_again_adds_nothing(void **state)
{
    struct dirs *d = *state;
    struct store_merge_counts n[2];
    build(d->a, &alpha, 2, 2, false);
    build(d->b, &beta, 1, 3, false);
    merge_ok(d->c, d->a, d->b, n);
    char *first = dump_of(d->c, contents_sql);
    int64_t cases = count_in(d->c, "SELECT count(*) FROM cases");
    merge_ok(d->c, d->a, d->b, n);
    assert_int_equal(n[0].runs + n[1].runs + n[0].machines + n[1].machines, 0);
    assert_int_equal(n[0].cases + n[1].cases + n[0].samples + n[1].samples + n[0].histograms, 0);
    assert_int_equal(n[0].runs_present, 2);
    assert_int_equal(n[1].runs_present, 1);
    assert_same_text(dump_of(d->c, contents_sql), first);
    assert_int_equal(count_in(d->c, "SELECT count(*) FROM cases"), cases);

    /* A into B, then B into D, then A into D: one copy of each run */
    merge_ok(d->b, d->a, NULL, n);
    assert_int_equal(n[0].runs, 2);
    merge_ok(d->d, d->b, NULL, n);
    assert_int_equal(n[0].runs, 3);
    merge_ok(d->d, d->a, NULL, n);
    assert_int_equal(n[0].runs, 0);
    assert_int_equal(n[0].runs_present, 2);
    assert_holds(d->d, d->b, NULL);
    assert_int_equal(count_in(d->d, "SELECT count(*) FROM runs"), 3);
}

/* The bytes of a file, malloc'd, and their count. */
static char *file_bytes(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *bytes = NULL;
    FILE *out = open_memstream(&bytes, len);
    int c;
    while ((c = fgetc(f)) != EOF)
        fputc(c, out);
    fclose(f);
    fclose(out);
    return bytes;
}

/* A version-1 file is read through a migrated copy: its runs arrive, it stays version 1, byte for
 * byte, and merging it again adds nothing (its runs' UUIDs derive from their rows). */
static void test_merge_older_schema(void **state)
{
    struct dirs *d = *state;
    struct store_merge_counts n[1];
    sqlite3_close(dbfixture_from_sql(d->a, "tests/fixtures/store_v1.sql"));
    size_t before_len, after_len;
    char *before = file_bytes(d->a, &before_len);
    build(d->c, &beta, 1, 1, false);
    merge_ok(d->c, d->a, NULL, n);
    assert_int_equal(n[0].machines, 1);
    assert_int_equal(n[0].runs, 1);
    assert_int_equal(n[0].cases, 2);
    assert_int_equal(n[0].samples, 2);
    assert_int_equal(count_in(d->c, "SELECT count(*) FROM case_results WHERE run_label = 'v1 run'"
                                    " AND hostname = 'oldhost' AND distribution = 'zipf:0.99' AND role = 'contender'"), 2);
    assert_int_equal(count_in(d->c, "SELECT count(*) FROM runs WHERE label = 'v1 run' AND uuid IS NOT NULL"
                                    " AND status = 'done' AND finished_at = '2023-01-02T03:05:00Z'"), 1);
    assert_int_equal(count_in(d->a, "PRAGMA user_version"), 1);
    char *after = file_bytes(d->a, &after_len);
    assert_int_equal(after_len, before_len);
    assert_memory_equal(after, before, before_len);
    free(before);
    free(after);
    merge_ok(d->c, d->a, NULL, n);
    assert_int_equal(n[0].runs, 0);
    assert_int_equal(n[0].runs_present, 1);
    assert_int_equal(count_in(d->c, "SELECT count(*) FROM runs"), 2);
}

/* A table merge has never heard of that hangs off a run (a calibrations table, say) is merged by
 * its foreign key: copied with its runs, ids remapped, once. */
static void test_merge_follows_foreign_keys(void **state)
{
    struct dirs *d = *state;
    struct store_merge_counts n[1];
    /* the calibration case's windows hang off their run by foreign key (store.c, schema 5) */
    build(d->a, &alpha, 2, 1, false);
    build(d->c, &beta, 3, 1, false); /* its run ids overlap A's */
    copy_edited(d->a, d->d, "INSERT INTO calibrations (run_id, phase, kind, repetition, value, unit)"
                            " SELECT id, p.column1, 'get', 0, id * 1000, 'ns/get' FROM runs,"
                            " (VALUES ('start'), ('end')) p;");
    copy_edited(d->c, d->b, "SELECT 1;"); /* the destination has the table, empty */
    merge_ok(d->b, d->d, NULL, n);
    assert_int_equal(n[0].runs, 2);
    assert_int_equal(n[0].other_rows, 4);
    char *want = dump_of(d->d, "SELECT r.uuid, k.phase, k.value FROM calibrations k JOIN runs r ON r.id = k.run_id"
                               " ORDER BY r.uuid, k.phase");
    assert_same_text(dump_of(d->b, "SELECT r.uuid, k.phase, k.value FROM calibrations k JOIN runs r"
                                   " ON r.id = k.run_id ORDER BY r.uuid, k.phase"),
                     want);
    merge_ok(d->b, d->d, NULL, n);
    assert_int_equal(n[0].other_rows, 0);
    assert_int_equal(count_in(d->b, "SELECT count(*) FROM calibrations"), 4);
}

static void expect_refused(const struct dirs *d, const char *source, const char *needle)
{
    char err[ERR_LEN] = "";
    struct store_merge_counts n[2];
    /* beta's good runs come first: refusing the second source must take them back too */
    enum store_merge_status status = merge(d->c, d->b, source, n, err);
    if (status != STORE_MERGE_REFUSED || !strstr(err, needle))
        fail_msg("status %d, '%s', wanted '%s'", status, err, needle);
    assert_null(strchr(err, '\n'));
}

static void test_merge_refusals_change_nothing(void **state)
{
    struct dirs *d = *state;
    struct store_merge_counts n[1];
    char path[160], needle[200], uuid[64];
    build(d->a, &alpha, 2, 2, false);
    build(d->b, &beta, 1, 1, false);
    merge_ok(d->c, d->a, NULL, n);
    char *before = dump_of(d->c, contents_sql);
    int64_t rows = count_in(d->c, "SELECT (SELECT count(*) FROM cases) + (SELECT count(*) FROM samples)"
                                  " + (SELECT count(*) FROM machines)");
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(d->a, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    char *text = dbfixture_text(db, "SELECT uuid FROM runs WHERE label = 'alpha 0'");
    snprintf(uuid, sizeof uuid, "%s", text);
    free(text);
    sqlite3_close(db);
    snprintf(path, sizeof path, "%s/edited.db", d->dir);

    copy_edited(d->a, path, "UPDATE runs SET label = 'edited' WHERE label = 'alpha 0'");
    snprintf(needle, sizeof needle, "edited.db: run %s differs from the destination's: label 'alpha 0' there,"
             " 'edited' here", uuid);
    expect_refused(d, path, needle);
    copy_edited(d->a, path, "DELETE FROM samples WHERE id = (SELECT max(id) FROM samples)");
    expect_refused(d, path, "differs from the destination's: 6 cases or samples there, 5 here");
    copy_edited(d->a, path, "UPDATE machines SET cores = 64");
    expect_refused(d, path, "edited.db: machine aaaa differs from the destination's: cores '2' there, '64' here");
    copy_edited(d->a, path, "PRAGMA user_version = 99");
    expect_refused(d, path, "has schema version 99; this mapbench knows up to");
    copy_edited(d->a, path, "DROP TABLE histograms; DROP VIEW case_results; DROP VIEW case_summary;"
                            " DROP TABLE samples; DROP TABLE cases; DROP TABLE runs; DROP TABLE machines;"
                            " PRAGMA user_version = 0; CREATE TABLE contacts (name TEXT)");
    expect_refused(d, path, "is an SQLite database of another program");
    FILE *notes = fopen(path, "w");
    for (int i = 0; i < 64; i++)
        fputs("not a database at all\n", notes);
    fclose(notes);
    expect_refused(d, path, "edited.db is not an SQLite database");
    expect_refused(d, d->c, "all.db: is the destination itself");
    snprintf(path, sizeof path, "%s/missing.db", d->dir);
    expect_refused(d, path, "no results database at");

    assert_same_text(dump_of(d->c, contents_sql), before);
    assert_int_equal(count_in(d->c, "SELECT (SELECT count(*) FROM cases) + (SELECT count(*) FROM samples)"
                                    " + (SELECT count(*) FROM machines)"), rows);
    assert_no_copies_left(d);

    /* what may differ between two copies of one machine: its host name and topology export */
    snprintf(path, sizeof path, "%s/renamed.db", d->dir);
    copy_edited(d->a, path, "UPDATE machines SET hostname = 'alpha-2', topology_xml = '<other/>'");
    merge_ok(d->c, path, NULL, n);
    assert_int_equal(n[0].runs_present, 2);
    assert_int_equal(count_in(d->c, "SELECT count(*) FROM machines WHERE hostname = 'alpha'"), 1);
}

/* ---- the command ------------------------------------------------------------------------------ */

/* Runs `mapbench merge A B C` (C may be NULL); returns the exit status. */
static int run_merge(const char *a, const char *b, const char *c, struct support_child *child)
{
    char bin[400], mapbench[512];
    support_binary_dir(bin, sizeof bin);
    snprintf(mapbench, sizeof mapbench, "%s/../mapbench", bin);
    char *argv[] = {mapbench, "merge", (char *)a, (char *)b, (char *)c, NULL};
    support_child_exec(argv, child);
    return WIFEXITED(child->wait_status) ? WEXITSTATUS(child->wait_status) : -1;
}

static void test_merge_command(void **state)
{
    struct dirs *d = *state;
    struct support_child child;
    char foreign[160], path[160];
    build(d->a, &alpha, 2, 1, false);
    build(d->b, &beta, 1, 1, true);
    char bin[400], mapbench[512];
    support_binary_dir(bin, sizeof bin);
    snprintf(mapbench, sizeof mapbench, "%s/../mapbench", bin);
    char *argv[] = {mapbench, "merge", d->a, d->b, "--into", d->c, NULL};
    support_child_exec(argv, &child);
    assert_int_equal(WEXITSTATUS(child.wait_status), 0);
    assert_non_null(strstr(child.out, "alpha.db: 2 runs added; 1 machine, 2 cases, 6 samples, 2 histograms\n"));
    assert_non_null(strstr(child.out, "beta.db: 1 run added, 1 still running (left out until it ends)"));
    support_child_exec(argv, &child);
    assert_int_equal(WEXITSTATUS(child.wait_status), 0);
    assert_non_null(strstr(child.out, "alpha.db: 0 runs added, 2 already there; 0 machines"));

    snprintf(path, sizeof path, "%s/edited.db", d->dir);
    copy_edited(d->a, path, "UPDATE runs SET label = 'edited' WHERE label = 'alpha 1'");
    assert_int_equal(run_merge(path, "--into", d->c, &child), 2);
    assert_non_null(strstr(child.err, "differs from the destination's: label"));
    assert_non_null(strstr(child.err, "(nothing merged)\n"));
    assert_int_equal(strchr(child.err, '\n') - child.err + 1, (long)strlen(child.err)); /* one line */

    snprintf(foreign, sizeof foreign, "%s/contacts.db", d->dir);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(foreign, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE contacts (name TEXT)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(run_merge(d->a, "--into", foreign, &child), 2);
    assert_non_null(strstr(child.err, "is an SQLite database of another program"));
    assert_int_equal(count_in(foreign, "SELECT count(*) FROM sqlite_master"), 1);

    assert_int_equal(run_merge(d->a, d->b, NULL, &child), 2);
    assert_non_null(strstr(child.err, "say --into DST.db"));
    /* a refused merge into a new file leaves no file behind */
    snprintf(foreign, sizeof foreign, "%s/new.db", d->dir);
    assert_int_equal(run_merge("missing.db", "--into", foreign, &child), 2);
    assert_int_not_equal(access(foreign, F_OK), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_merge_two_hosts, dirs_setup, dirs_teardown),
        cmocka_unit_test_setup_teardown(test_merge_again_adds_nothing, dirs_setup, dirs_teardown),
        cmocka_unit_test_setup_teardown(test_merge_older_schema, dirs_setup, dirs_teardown),
        cmocka_unit_test_setup_teardown(test_merge_follows_foreign_keys, dirs_setup, dirs_teardown),
        cmocka_unit_test_setup_teardown(test_merge_refusals_change_nothing, dirs_setup, dirs_teardown),
        cmocka_unit_test_setup_teardown(test_merge_command, dirs_setup, dirs_teardown),
    };
    return cmocka_run_group_tests_name("merge", tests, NULL, NULL);
}
