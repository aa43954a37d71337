/*
 * test_topo.c: the topo module.  Placements are checked as exact PU lists on synthetic topologies
 * (hwloc numbers their PUs, so the lists do not depend on this machine): two packages with a NUMA
 * node each and SMT, one package split into two NUMA nodes, two packages without SMT sharing one
 * NUMA node, a flat one, and one whose OS numbering interleaves packages (to catch logical/OS
 * mix-ups).  Also: summaries and cache sizes, XML round trips, fingerprints, binding on this
 * machine, memory policies, every bad input's message, and `mapbench topo`'s output.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner/topo.h"

#define TWO_PACKS_SMT "pack:2 [numa] core:4 pu:2"
#define TWO_NUMA_ONE_PACK "pack:1 numa:2 l3:1 core:4 pu:2"
#define TWO_PACKS_NO_SMT "pack:2 core:2 pu:1"
#define FLAT "pu:4"
#define INTERLEAVED_OS "pack:2 core:2 pu:2(indexes=0,4,1,5,2,6,3,7)"
#define WITH_CACHES "pack:1 l3:1(size=8MiB) l2:4(size=1MiB) l1d:1(size=32KiB) core:1 pu:2"

static struct topo *open_synthetic(const char *desc)
{
    char err[ERR_LEN] = "";
    struct topo *t = topo_open(NULL, desc, err);
    if (!t)
        fail_msg("topo_open(\"%s\"): %s", desc, err);
    return t;
}

/* Plans `threads` workers and compares with the expected list and oversubscription flag. */
static void expect_plan(struct topo *t, const char *placement, int threads, const int *expected,
                        bool expect_over)
{
    int pus[64];
    bool over = !expect_over;
    char err[ERR_LEN] = "";
    assert_true(threads <= 64);
    if (!topo_plan_threads(t, threads, placement, pus, &over, err))
        fail_msg("placement %s, %d threads: %s", placement, threads, err);
    for (int i = 0; i < threads; i++)
        if (pus[i] != expected[i])
            fail_msg("placement %s, %d threads: worker %d on PU %d, expected %d", placement,
                     threads, i, pus[i], expected[i]);
    assert_int_equal(over, expect_over);
}

static void expect_plan_error(struct topo *t, const char *placement, int threads,
                              const char *message)
{
    int pus[64];
    bool over;
    char err[ERR_LEN] = "";
    assert_false(topo_plan_threads(t, threads, placement, pus, &over, err));
    if (!strstr(err, message))
        fail_msg("placement %s: error '%s' lacks '%s'", placement, err, message);
    assert_null(strchr(err, '\n'));
}

static void test_two_packages_smt(void **state)
{
    (void)state;
    struct topo *t = open_synthetic(TWO_PACKS_SMT);
    static const int compact[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1};
    static const int scatter[] = {0, 8, 2, 10, 4, 12, 6, 14, 1, 9, 3, 11, 5, 13, 7, 15, 0, 8};
    static const int cores[] = {0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15, 0, 2};
    static const int numa1[] = {8, 9, 10, 11, 12, 13, 14, 15, 8, 9};
    static const int none[] = {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1};
    expect_plan(t, "compact", 3, compact, false);
    expect_plan(t, "compact", 16, compact, false);
    expect_plan(t, "compact", 18, compact, true);
    expect_plan(t, "scatter", 1, scatter, false);
    expect_plan(t, "scatter", 4, scatter, false);
    expect_plan(t, "scatter", 16, scatter, false);
    expect_plan(t, "scatter", 18, scatter, true);
    expect_plan(t, "cores", 5, cores, false);
    expect_plan(t, "cores", 12, cores, false);
    expect_plan(t, "cores", 18, cores, true);
    expect_plan(t, "numa:1", 3, numa1, false);
    expect_plan(t, "numa:1", 8, numa1, false);
    expect_plan(t, "numa:1", 10, numa1, true);
    expect_plan(t, "pus:3+12+5", 3, (const int[]){3, 12, 5}, false);
    expect_plan(t, "pus:0-3", 4, (const int[]){0, 1, 2, 3}, false);
    expect_plan(t, "pus:0-1+14-15", 5, (const int[]){0, 1, 14, 15, 0}, true);
    expect_plan(t, "pus:0,2,4", 3, (const int[]){0, 2, 4}, false);
    expect_plan(t, "pus:7+7", 2, (const int[]){7, 7}, true);
    expect_plan(t, "none", 4, none, false);
    expect_plan(t, "none", 16, none, false);
    expect_plan(t, "none", 17, none, true);
    topo_close(t);
}

static void test_two_numa_one_package(void **state)
{
    (void)state;
    struct topo *t = open_synthetic(TWO_NUMA_ONE_PACK);
    static const int scatter[] = {0, 8, 2, 10, 4, 12, 6, 14, 1, 9, 3, 11, 5, 13, 7, 15};
    static const int cores[] = {0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15};
    static const int compact[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    expect_plan(t, "scatter", 6, scatter, false);
    expect_plan(t, "scatter", 16, scatter, false);
    expect_plan(t, "cores", 9, cores, false);
    expect_plan(t, "compact", 10, compact, false);
    expect_plan(t, "numa:0", 4, compact, false);
    expect_plan(t, "numa:1", 8, compact + 8, false);
    expect_plan(t, "pus:15+0", 2, (const int[]){15, 0}, false);
    expect_plan_error(t, "numa:2", 2, "no such NUMA node (NUMA nodes here: 0-1)");
    topo_close(t);
}

static void test_two_packages_no_smt(void **state)
{
    (void)state;
    struct topo *t = open_synthetic(TWO_PACKS_NO_SMT);
    expect_plan(t, "compact", 4, (const int[]){0, 1, 2, 3}, false);
    expect_plan(t, "scatter", 2, (const int[]){0, 2}, false);
    expect_plan(t, "scatter", 6, (const int[]){0, 2, 1, 3, 0, 2}, true);
    expect_plan(t, "cores", 4, (const int[]){0, 1, 2, 3}, false);
    expect_plan(t, "numa:0", 5, (const int[]){0, 1, 2, 3, 0}, true);
    expect_plan(t, "pus:3+0", 3, (const int[]){3, 0, 3}, true);
    expect_plan_error(t, "numa:1", 1, "no such NUMA node (NUMA nodes here: 0)");
    topo_close(t);
}

static void test_flat(void **state)
{
    (void)state;
    struct topo *t = open_synthetic(FLAT);
    static const int all[] = {0, 1, 2, 3, 0};
    expect_plan(t, "compact", 4, all, false);
    expect_plan(t, "scatter", 4, all, false);
    expect_plan(t, "cores", 5, all, true);
    expect_plan(t, "numa:0", 2, all, false);
    expect_plan(t, "pus:3+1", 2, (const int[]){3, 1}, false);
    struct topo_summary s;
    topo_summarize(t, &s);
    assert_int_equal(s.packages, 0);
    assert_int_equal(s.cores, 4); /* no Core level: each PU counts as a core */
    assert_int_equal(s.pus, 4);
    topo_close(t);
}

static void test_logical_order_returns_os_indexes(void **state)
{
    (void)state;
    struct topo *t = open_synthetic(INTERLEAVED_OS);
    expect_plan(t, "compact", 8, (const int[]){0, 4, 1, 5, 2, 6, 3, 7}, false);
    expect_plan(t, "scatter", 8, (const int[]){0, 2, 1, 3, 4, 6, 5, 7}, false);
    expect_plan(t, "cores", 8, (const int[]){0, 1, 2, 3, 4, 5, 6, 7}, false);
    expect_plan(t, "pus:4+0", 2, (const int[]){4, 0}, false);
    topo_close(t);
}

static void test_bad_placements(void **state)
{
    (void)state;
    struct topo *t = open_synthetic(TWO_PACKS_SMT);
    expect_plan_error(t, "diagonal", 2, "unknown placement 'diagonal'");
    expect_plan_error(t, "numa:x", 2, "placement 'numa:x': no such NUMA node");
    expect_plan_error(t, "numa:", 2, "no such NUMA node");
    expect_plan_error(t, "pus:0+99", 2, "no PU with OS index 99 (PUs here: 0-15)");
    expect_plan_error(t, "pus:3-1", 2, "'3-1' is not a PU number or range A-B");
    expect_plan_error(t, "pus:", 2, "'' is not a PU number");
    expect_plan_error(t, "pus:0++1", 2, "is not a PU number");
    expect_plan_error(t, "pus:a", 2, "'a' is not a PU number");
    expect_plan_error(t, "compact", 0, "need at least 1");
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    topo_print_plan(t, 2, "diagonal", out);
    fclose(out);
    assert_non_null(strstr(text, "plan: unknown placement 'diagonal'"));
    free(text);
    topo_close(t);
}

static void test_summary_counts_and_caches(void **state)
{
    (void)state;
    struct topo_summary s;
    struct topo *t = open_synthetic(WITH_CACHES);
    topo_summarize(t, &s);
    assert_int_equal(s.packages, 1);
    assert_int_equal(s.numa_nodes, 1);
    assert_int_equal(s.cores, 4);
    assert_int_equal(s.pus, 8);
    assert_int_equal(s.cache_levels, 3);
    assert_int_equal(s.cache_count[0], 4);
    assert_int_equal(s.cache_count[1], 4);
    assert_int_equal(s.cache_count[2], 1);
    assert_int_equal(s.cache_count[3], 0);
    assert_int_equal(s.cache_bytes[0], 32 * 1024);
    assert_int_equal(s.cache_bytes[1], 1024 * 1024);
    assert_int_equal(s.cache_bytes[2], 8 * 1024 * 1024);
    assert_string_equal(s.cpu_model, "unknown");
    topo_close(t);

    t = open_synthetic(TWO_PACKS_SMT);
    topo_summarize(t, &s);
    assert_int_equal(s.packages, 2);
    assert_int_equal(s.numa_nodes, 2);
    assert_int_equal(s.cores, 8);
    assert_int_equal(s.pus, 16);
    assert_int_equal(s.cache_levels, 0);
    topo_close(t);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

/* Exports t to XML, re-opens it and checks the summary and fingerprint survive. */
static void expect_xml_round_trip(struct topo *t)
{
    char path[] = "/tmp/mapbench-topo-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    char *xml = topo_export_xml(t);
    assert_non_null(xml);
    assert_non_null(strstr(xml, "<topology"));
    write_file(path, xml);
    free(xml);

    char err[ERR_LEN] = "";
    struct topo *back = topo_open(path, NULL, err);
    unlink(path);
    if (!back)
        fail_msg("re-opening exported XML: %s", err);
    assert_false(topo_is_this_system(back));
    struct topo_summary a, b;
    topo_summarize(t, &a);
    topo_summarize(back, &b);
    assert_memory_equal(&a, &b, sizeof a);
    char fa[65], fb[65];
    topo_fingerprint(t, fa);
    topo_fingerprint(back, fb);
    assert_string_equal(fa, fb);
    topo_close(back);
}

static void test_xml_round_trip(void **state)
{
    (void)state;
    struct topo *t = open_synthetic(WITH_CACHES);
    expect_xml_round_trip(t);
    topo_close(t);

    char err[ERR_LEN] = "";
    t = topo_open(NULL, NULL, err);
    if (!t)
        fail_msg("this machine: %s", err);
    assert_true(topo_is_this_system(t));
    expect_xml_round_trip(t);
    topo_close(t);
}

static void test_fingerprint(void **state)
{
    (void)state;
    const char *descs[] = {TWO_PACKS_SMT, TWO_NUMA_ONE_PACK, TWO_PACKS_NO_SMT, FLAT, WITH_CACHES,
                           "pack:1 l3:1(size=16MiB) l2:4(size=1MiB) l1d:1(size=32KiB) core:1 pu:2"};
    enum { N = sizeof descs / sizeof descs[0] };
    char prints[N][65];
    for (int i = 0; i < N; i++) {
        struct topo *t = open_synthetic(descs[i]);
        topo_fingerprint(t, prints[i]);
        char again[65];
        topo_fingerprint(t, again);
        assert_string_equal(prints[i], again);
        topo_close(t);
        struct topo *twin = open_synthetic(descs[i]);
        topo_fingerprint(twin, again);
        assert_string_equal(prints[i], again);
        topo_close(twin);
        assert_int_equal(strlen(prints[i]), 64);
        assert_int_equal(strspn(prints[i], "0123456789abcdef"), 64);
        for (int j = 0; j < i; j++)
            if (strcmp(prints[i], prints[j]) == 0)
                fail_msg("'%s' and '%s' share fingerprint %s", descs[i], descs[j], prints[i]);
    }
}

/* Returns the binding obtained (or the error) as a malloc'd string. */
static void *bind_to_pu0(void *arg)
{
    const struct topo *t = arg;
    char obtained[64], err[ERR_LEN] = "";
    if (!topo_bind_current_thread(t, 0, obtained, sizeof obtained, err))
        return strdup(err);
    return strdup(obtained);
}

static void test_bind_this_machine(void **state)
{
    (void)state;
    char err[ERR_LEN] = "";
    struct topo *t = topo_open(NULL, NULL, err);
    assert_non_null(t);
    pthread_t thread; /* a thread of its own, so the test runner's thread stays unbound */
    void *result;
    assert_int_equal(pthread_create(&thread, NULL, bind_to_pu0, t), 0);
    assert_int_equal(pthread_join(thread, &result), 0);
    assert_non_null(result);
    assert_string_equal(result, "0");
    free(result);

    char obtained[64] = "";
    assert_true(topo_bind_current_thread(t, -1, obtained, sizeof obtained, err));
    assert_true(obtained[0] >= '0' && obtained[0] <= '9'); /* left as it was, read back */
    assert_false(topo_bind_current_thread(t, 99999, obtained, sizeof obtained, err));
    assert_non_null(strstr(err, "cannot bind to PU 99999: no PU with that OS index here"));
    topo_close(t);
}

static void test_bind_refuses_planning_topologies(void **state)
{
    (void)state;
    struct topo *t = open_synthetic(TWO_PACKS_SMT);
    char err[ERR_LEN] = "", obtained[64];
    assert_false(topo_is_this_system(t));
    assert_false(topo_bind_current_thread(t, 0, obtained, sizeof obtained, err));
    assert_non_null(strstr(err, "cannot bind a thread: the topology was loaded from XML or a "
                                "synthetic description and is for planning only"));
    assert_false(topo_bind_memory(t, CASE_MEMORY_INTERLEAVE, 0, err));
    assert_non_null(strstr(err, "cannot set a memory policy"));
    topo_close(t);
}

/* The policy either applies or is refused with the OS's reason: containers often forbid it. */
static void expect_memory_policy(struct topo *t, enum case_memory memory, int node)
{
    char err[ERR_LEN] = "";
    if (topo_bind_memory(t, memory, node, err))
        return;
    if (!strstr(err, "refused by the OS: "))
        fail_msg("memory policy %d: unexpected error '%s'", (int)memory, err);
    print_message("note: %s\n", err);
}

static void test_memory_policies(void **state)
{
    (void)state;
    char err[ERR_LEN] = "";
    struct topo *t = topo_open(NULL, NULL, err);
    assert_non_null(t);
    expect_memory_policy(t, CASE_MEMORY_INTERLEAVE, 0);
    expect_memory_policy(t, CASE_MEMORY_BIND, 0);
    expect_memory_policy(t, CASE_MEMORY_FIRST_TOUCH, 0); /* last: leaves the default policy */
    assert_true(topo_bind_memory(t, CASE_MEMORY_FIRST_TOUCH, 0, err));
    assert_false(topo_bind_memory(t, CASE_MEMORY_BIND, 4096, err));
    assert_non_null(strstr(err, "memory policy bind:4096: no such NUMA node"));
    topo_close(t);
}

/* ---- what a placement promises ---- */

/* A plan's list as text, "0,2,8", or "error: MESSAGE". */
static void plan_text(int n, const int *list, const char *err, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    if (n < 0)
        snprintf(buf, len, "error: %s", err);
    for (int i = 0; i < n && used + 1 < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%d", i ? "," : "", list[i]);
}

static void expect_memory_plan(struct topo *t, enum case_memory memory, int node,
                               const char *placement, int threads, const char *expected)
{
    int pus[64], nodes[64];
    bool over;
    char err[ERR_LEN] = "", text[256];
    assert_true(topo_plan_threads(t, threads, placement, pus, &over, err));
    plan_text(topo_plan_memory(t, memory, node, pus, threads, nodes, 64, err), nodes, err, text,
              sizeof text);
    if (strcmp(text, expected) != 0)
        fail_msg("memory %s:%d, placement %s, %d threads: '%s', expected '%s'",
                 case_memory_name(memory), node, placement, threads, text, expected);
}

static void expect_helpers_plan(struct topo *t, const char *helpers, const char *placement,
                                int threads, const char *expected)
{
    int pus[64], out[64];
    bool over;
    char err[ERR_LEN] = "", text[256];
    assert_true(topo_plan_threads(t, threads, placement, pus, &over, err));
    plan_text(topo_plan_helpers(t, helpers, pus, threads, out, 64, err), out, err, text,
              sizeof text);
    if (strcmp(text, expected) != 0)
        fail_msg("helpers %s, placement %s, %d threads: '%s', expected '%s'", helpers, placement,
                 threads, text, expected);
}

/* The NUMA nodes a case's pages may be on, on two packages of one NUMA node each (PUs 0-7 on node
 * 0, 8-15 on node 1) and on one package split into two nodes. */
static void test_memory_plans(void **state)
{
    (void)state;
    struct topo *t = open_synthetic(TWO_PACKS_SMT);
    expect_memory_plan(t, CASE_MEMORY_BIND, 1, "compact", 2, "1");
    expect_memory_plan(t, CASE_MEMORY_BIND, 0, "numa:1", 2, "0");
    expect_memory_plan(t, CASE_MEMORY_INTERLEAVE, 0, "compact", 1, "0,1");
    expect_memory_plan(t, CASE_MEMORY_FIRST_TOUCH, 0, "compact", 4, "0");
    expect_memory_plan(t, CASE_MEMORY_FIRST_TOUCH, 0, "scatter", 2, "0,1");
    expect_memory_plan(t, CASE_MEMORY_FIRST_TOUCH, 0, "numa:1", 3, "1");
    expect_memory_plan(t, CASE_MEMORY_FIRST_TOUCH, 0, "none", 2, "0,1");
    expect_memory_plan(t, CASE_MEMORY_BIND, 2, "compact", 1,
                       "error: memory policy bind:2: no such NUMA node (NUMA nodes here: 0-1)");
    topo_close(t);
    t = open_synthetic(TWO_NUMA_ONE_PACK);
    expect_memory_plan(t, CASE_MEMORY_FIRST_TOUCH, 0, "compact", 8, "0");
    expect_memory_plan(t, CASE_MEMORY_FIRST_TOUCH, 0, "compact", 9, "0,1");
    expect_memory_plan(t, CASE_MEMORY_INTERLEAVE, 0, "compact", 9, "0,1");
    topo_close(t);
}

static void test_helper_plans(void **state)
{
    (void)state;
    struct topo *t = open_synthetic(TWO_PACKS_SMT);
    expect_helpers_plan(t, "case-pus", "scatter", 3, "0,2,8");
    expect_helpers_plan(t, "case-pus", "pus:5+5+1", 3, "1,5");
    expect_helpers_plan(t, "case-pus", "none", 2, "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15");
    expect_helpers_plan(t, "free", "compact", 1, "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15");
    expect_helpers_plan(t, "pu:9", "compact", 2, "9");
    expect_helpers_plan(t, "pu:16", "compact", 2,
                        "error: helpers 'pu:16': no PU with OS index 16 here");
    expect_helpers_plan(t, "elsewhere", "compact", 1,
                        "error: helpers 'elsewhere' is not case-pus, free or pu:N");
    topo_close(t);
}

static void test_binding_compared_with_plan(void **state)
{
    (void)state;
    struct topo *t = open_synthetic(TWO_PACKS_SMT);
    assert_true(topo_binding_is(t, "3", 3));
    assert_false(topo_binding_is(t, "2-3", 3));
    assert_false(topo_binding_is(t, "4", 3));
    assert_false(topo_binding_is(t, "unbound", 3));
    assert_false(topo_binding_is(t, "3", 99));
    topo_close(t);
}

static void test_bad_topologies(void **state)
{
    (void)state;
    char err[ERR_LEN] = "";
    assert_null(topo_open("/nonexistent/machine.xml", NULL, err));
    assert_string_equal(err,
                        "cannot read topology XML '/nonexistent/machine.xml': No such file or directory");

    char path[] = "/tmp/mapbench-badxml-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    write_file(path, "<topology><object type=\"Machine\">\n");
    assert_null(topo_open(path, NULL, err));
    unlink(path);
    assert_non_null(strstr(err, "is not a valid hwloc topology XML"));

    assert_null(topo_open(NULL, "pack:2 bogus:3", err));
    assert_non_null(strstr(err, "invalid synthetic topology 'pack:2 bogus:3'"));
    assert_null(topo_open("x.xml", "pu:2", err));
    assert_string_equal(err, "give a topology XML or a synthetic description, not both");
}

/* Runs cmd_topo with stdout captured into a malloc'd string; returns its exit status. */
static int run_cmd_topo(char **argv, int argc, char **output)
{
    char path[] = "/tmp/mapbench-cmdtopo-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    dup2(fd, STDOUT_FILENO);
    int status = cmd_topo(argc, argv);
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    off_t len = lseek(fd, 0, SEEK_END);
    *output = calloc(1, (size_t)len + 1);
    assert_int_equal(pread(fd, *output, (size_t)len, 0), len);
    close(fd);
    unlink(path);
    return status;
}

static void test_cmd_topo(void **state)
{
    (void)state;
    char *out;
    char *plan[] = {"topo", "--synthetic", TWO_PACKS_SMT, "--threads", "4", "--placement",
                    "scatter"};
    assert_int_equal(run_cmd_topo(plan, 7, &out), 0);
    assert_non_null(strstr(out, "packages 2, NUMA nodes 2, cores 8, PUs 16"));
    assert_non_null(strstr(out, "planning only"));
    assert_non_null(strstr(out, "  NUMA node P#1: PUs 8-15"));
    assert_non_null(strstr(out, "plan: 4 threads, placement scatter\n"
                                "  thread 0 -> PU P#0\n"
                                "  thread 1 -> PU P#8\n"
                                "  thread 2 -> PU P#2\n"
                                "  thread 3 -> PU P#10\n"));
    assert_null(strstr(out, "oversubscribed"));
    free(out);

    char *over[] = {"topo", "--synthetic", TWO_PACKS_NO_SMT, "--threads", "6"};
    assert_int_equal(run_cmd_topo(over, 5, &out), 0);
    assert_non_null(strstr(out, "  thread 5 -> PU P#1\n"));
    assert_non_null(strstr(out, "warning: oversubscribed: 6 threads share 4 PUs"));
    free(out);

    char *all[] = {"topo", "--synthetic", WITH_CACHES};
    assert_int_equal(run_cmd_topo(all, 3, &out), 0);
    assert_non_null(strstr(out, "caches: L1 4 x 32 KiB, L2 4 x 1 MiB, L3 1 x 8 MiB"));
    assert_non_null(strstr(out, "plan: 8 threads, placement compact"));
    assert_non_null(strstr(out, "  thread 7 -> PU P#7\n"));
    free(out);

    char *help[] = {"topo", "--help"};
    assert_int_equal(run_cmd_topo(help, 2, &out), 0);
    assert_non_null(strstr(out, "usage: mapbench topo"));
    free(out);

    char *bad_placement[] = {"topo", "--synthetic", FLAT, "--placement", "numa:3"};
    assert_int_equal(run_cmd_topo(bad_placement, 5, &out), 2);
    free(out);
    char *bad_threads[] = {"topo", "--threads", "zero"};
    assert_int_equal(run_cmd_topo(bad_threads, 3, &out), 2);
    free(out);
    char *bad_arg[] = {"topo", "--frobnicate"};
    assert_int_equal(run_cmd_topo(bad_arg, 2, &out), 2);
    free(out);
    char *missing[] = {"topo", "--synthetic"};
    assert_int_equal(run_cmd_topo(missing, 2, &out), 2);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_packages_smt),
        cmocka_unit_test(test_two_numa_one_package),
        cmocka_unit_test(test_two_packages_no_smt),
        cmocka_unit_test(test_flat),
        cmocka_unit_test(test_logical_order_returns_os_indexes),
        cmocka_unit_test(test_bad_placements),
        cmocka_unit_test(test_summary_counts_and_caches),
        cmocka_unit_test(test_xml_round_trip),
        cmocka_unit_test(test_fingerprint),
        cmocka_unit_test(test_bind_this_machine),
        cmocka_unit_test(test_bind_refuses_planning_topologies),
        cmocka_unit_test(test_memory_policies),
        cmocka_unit_test(test_memory_plans),
        cmocka_unit_test(test_helper_plans),
        cmocka_unit_test(test_binding_compared_with_plan),
        cmocka_unit_test(test_bad_topologies),
        cmocka_unit_test(test_cmd_topo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
