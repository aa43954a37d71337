/*
 * test_placement.c: runner/placement.c, and the placement checks of a repetition end to end
 * (runner/window.c) on this machine, which may have one NUMA node:
 *   - bind:0 and interleave: the map's sampled pages are found where the policy allows, and the
 *     sample stays valid;
 *   - a page location that differs from the plan (an injected lookup reporting node 1) and a
 *     worker binding read back that differs from its planned PU (an injected binder) each make the
 *     sample invalid with the reason, so a mismatch is caught even here;
 *   - huge pages: `never` obtains none, `always` obtains some where the kernel has THP;
 *   - caveats: a map too small to sample, memory a backend allocates without map_alloc;
 *   - the smaps reader on a fixed text, with a mapping partly inside the map's areas;
 *   - helper threads: a worker's call_rcu callbacks run on the thread the helpers policy placed;
 *   - the CPU time of the window: the process's covers the workers'.
 * No test depends on timing: windows are short and nothing is compared with a clock.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <urcu/urcu-memb.h>

#include "runner/placement.h"
#include "runner/window.h"

/* A plain table of 300k keys holds 2^19 slots of 16 bytes: one 8 MiB large allocation. */
#define PLACEMENT_KEYS 300000

struct placement_fixture {
    struct topo *topo;
    int pus[8];
    struct histogram *histograms;
    struct result_sample sample;
};

static int placement_setup(void **state)
{
    struct placement_fixture *f = calloc(1, sizeof *f);
    char err[ERR_LEN];
    f->topo = topo_open(NULL, NULL, err);
    assert_non_null(f->topo);
    f->histograms = calloc(RESULT_OP_COUNT, sizeof *f->histograms);
    *state = f;
    return 0;
}

static int placement_teardown(void **state)
{
    struct placement_fixture *f = *state;
    topo_close(f->topo);
    free(f->histograms);
    free(f);
    return 0;
}

static struct bench_case placement_case(const char *backend, uint64_t keys)
{
    struct bench_case c;
    case_init(&c, "test", backend);
    c.threads = 1;
    c.read_pct = 100;
    c.keys = keys;
    c.duration_s = 0.02;
    c.warmup_s = 0;
    c.repetitions = 1;
    c.latency_every = 0;
    return c;
}

/* Runs one repetition with optional injected probes; the repetition itself must run. */
static void placement_run(struct placement_fixture *f, const struct bench_case *c,
                          topo_bind_fn bind, topo_area_nodes_fn nodes)
{
    char err[ERR_LEN] = "";
    bool over;
    assert_true(topo_plan_threads(f->topo, c->threads, c->placement, f->pus, &over, err));
    struct window_config cfg = {.bench_case = c, .backend = map_registry_find(c->backend_name),
                                .topo = f->topo, .pus = f->pus, .bind_thread = bind,
                                .area_nodes = nodes};
    if (!window_run(&cfg, &f->sample, f->histograms, err))
        fail_msg("window_run: %s", err);
}

static void expect_valid(const struct result_sample *s)
{
    if (!s->valid)
        fail_msg("invalid: %s", s->invalid_reason);
}

/* ---- memory ---- */

/* `plain` with one large allocation, its memory bound to node 0. */
static struct bench_case placement_bound_case(void)
{
    struct bench_case c = placement_case("plain", PLACEMENT_KEYS);
    c.memory = CASE_MEMORY_BIND;
    c.memory_node = 0;
    return c;
}

static void test_bind_and_interleave_verified(void **state)
{
    struct placement_fixture *f = *state;
    struct bench_case c = placement_bound_case();
    placement_run(f, &c, NULL, NULL);
    expect_valid(&f->sample);
    assert_string_equal(f->sample.memory_nodes, "0");
    assert_true(f->sample.map_large_bytes >= 8u << 20);

    c.memory = CASE_MEMORY_INTERLEAVE;
    placement_run(f, &c, NULL, NULL);
    expect_valid(&f->sample);
    assert_true(f->sample.memory_nodes[0] != '\0');
    assert_true(f->sample.map_large_bytes >= 8u << 20);
}

/* Every resident page reported on NUMA node 1, whatever the machine. */
static int placement_pages_on_node_1(const struct topo *t, const void *addr, size_t len,
                                     int *nodes, int cap)
{
    int real = topo_area_nodes(t, addr, len, nodes, cap);
    if (real > 0)
        nodes[0] = 1;
    return real > 0 ? 1 : real;
}

static void test_memory_mismatch_caught(void **state)
{
    struct placement_fixture *f = *state;
    struct bench_case c = placement_bound_case();
    placement_run(f, &c, NULL, placement_pages_on_node_1);
    assert_false(f->sample.valid);
    assert_string_equal(f->sample.memory_nodes, "1");
    assert_non_null(strstr(f->sample.invalid_reason, "memory bind:0: the map's sampled pages are "
                                                     "on NUMA node(s) 1, the policy allows 0"));
}

/* What the thread that creates the map is bound to and which memory policy it has. */
struct placement_creation {
    cpu_set_t cpus;
    int policy; /* get_mempolicy's mode */
};

static struct placement_creation placement_seen_creation;

#define PLACEMENT_MPOL_INTERLEAVE 3 /* <numaif.h>, without libnuma's headers */

static struct map *placement_create_probe(const char *text, struct map_env *env,
                                          const struct map_backend **backend, char *err)
{
    pthread_getaffinity_np(pthread_self(), sizeof placement_seen_creation.cpus,
                           &placement_seen_creation.cpus);
    placement_seen_creation.policy = -1;
    syscall(SYS_get_mempolicy, &placement_seen_creation.policy, NULL, 0, NULL, 0);
    return map_create_with_env(text, env, backend, err);
}

/* The map is created on a thread bound to the case's PUs, under its memory policy. */
static void test_map_created_under_the_policy(void **state)
{
    struct placement_fixture *f = *state;
    struct bench_case c = placement_case("plain", 1000);
    int last = (int)sysconf(_SC_NPROCESSORS_ONLN) - 1;
    snprintf(c.placement, sizeof c.placement, "pus:%d", last);
    c.memory = CASE_MEMORY_INTERLEAVE;
    f->pus[0] = last;
    struct placement *p = malloc(sizeof *p);
    char err[ERR_LEN] = "";
    assert_true(placement_begin(p, f->topo, &c, f->pus, NULL, err));
    p->create = placement_create_probe;
    struct map *m = placement_create_map(p, err);
    if (!m)
        fail_msg("placement_create_map: %s", err);
    map_registry_find("plain")->destroy(m);
    placement_end(p);
    free(p);
    assert_int_equal(CPU_COUNT(&placement_seen_creation.cpus), 1);
    assert_true(CPU_ISSET(last, &placement_seen_creation.cpus));
    assert_int_equal(placement_seen_creation.policy, PLACEMENT_MPOL_INTERLEAVE);
}

/* The creator thread reserves room for the whole prefill (maps/map.h, reserve): rcu with 16
 * shards replaces each shard's initial 8-bucket array by one sized for its share of the case's
 * keys, freeing the 16 initial arrays before any worker prefills. */
static void test_map_reserved_for_the_prefill(void **state)
{
    struct placement_fixture *f = *state;
    struct bench_case c = placement_case("rcu", 4096);
    f->pus[0] = 0;
    struct placement *p = malloc(sizeof *p);
    char err[ERR_LEN] = "";
    assert_true(placement_begin(p, f->topo, &c, f->pus, NULL, err));
    struct map *m = placement_create_map(p, err);
    if (!m)
        fail_msg("placement_create_map: %s", err);
    const struct map_backend *rcu = map_registry_find("rcu");
    struct map_stats stats;
    rcu->stats(m, &stats);
    rcu->destroy(m);
    placement_end(p);
    free(p);
    assert_int_equal(stats.frees, 16);
    assert_int_equal(stats.allocs, 1 + 16 + 16); /* shard array, initial arrays, reserved ones */
}

/* ---- CPU ---- */

/* Binds as asked, then reports a binding one PU over. */
static bool placement_bind_elsewhere(const struct topo *t, int pu, char *obtained, size_t len,
                                     char *err)
{
    if (!topo_bind_current_thread(t, pu, obtained, len, err))
        return false;
    snprintf(obtained, len, "%d", pu + 1);
    return true;
}

static void test_cpu_mismatch_caught(void **state)
{
    struct placement_fixture *f = *state;
    struct bench_case c = placement_case("mutex", 1000);
    placement_run(f, &c, NULL, NULL);
    expect_valid(&f->sample);
    placement_run(f, &c, placement_bind_elsewhere, NULL);
    assert_false(f->sample.valid);
    char expected[128];
    snprintf(expected, sizeof expected, "worker 0 is bound to PUs %d, planned PU %d", f->pus[0] + 1,
             f->pus[0]);
    assert_string_equal(f->sample.invalid_reason, expected);
}

/* ---- huge pages and caveats ---- */

static bool placement_thp_available(void)
{
    char mode[128] = "";
    FILE *file = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    if (file) {
        if (!fgets(mode, sizeof mode, file))
            mode[0] = '\0';
        fclose(file);
    }
    return strstr(mode, "[never]") == NULL && mode[0] != '\0';
}

static void test_hugepages_obtained_as_asked(void **state)
{
    struct placement_fixture *f = *state;
    struct bench_case c = placement_case("plain", PLACEMENT_KEYS);
    c.hugepages = MAP_HUGEPAGES_NEVER;
    placement_run(f, &c, NULL, NULL);
    expect_valid(&f->sample);
    assert_true(f->sample.map_huge_bytes.present);
    assert_int_equal(f->sample.map_huge_bytes.value, 0);
    if (!placement_thp_available()) {
        print_message("transparent huge pages are off here: `always` not checked\n");
        return;
    }
    c.hugepages = MAP_HUGEPAGES_ALWAYS;
    placement_run(f, &c, NULL, NULL);
    expect_valid(&f->sample);
    assert_true(f->sample.map_huge_bytes.present);
    assert_true(f->sample.map_huge_bytes.value > 0);
    assert_true(f->sample.map_huge_bytes.value <= f->sample.map_large_bytes);
}

static void test_caveats_say_what_was_not_checked(void **state)
{
    struct placement_fixture *f = *state;
    struct bench_case c = placement_case("mutex", 1000);
    placement_run(f, &c, NULL, NULL);
    expect_valid(&f->sample);
    assert_string_equal(f->sample.memory_nodes, "");
    assert_non_null(strstr(f->sample.placement_caveat,
                           "memory not checked: the map has no allocation of 2 MiB or more"));
    c = placement_case("ref-lfht", 1000);
    placement_run(f, &c, NULL, NULL);
    assert_non_null(strstr(f->sample.placement_caveat,
                           "not checked: cds_lfht's bucket arrays (allocated by liburcu)"));
}

static void test_smaps_huge_bytes(void **state)
{
    (void)state;
    static const char smaps[] =
        "7f0000000000-7f0000400000 rw-p 00000000 00:00 0 \n"
        "Size:               4096 kB\n"
        "AnonHugePages:      4096 kB\n"
        "VmFlags: rd wr mr mw me ac hg\n"
        "7f0000400000-7f0000c00000 rw-p 00000000 00:00 0 \n"
        "AnonHugePages:      8192 kB\n"
        "7f0001000000-7f0001200000 rw-p 00000000 00:00 0 \n"
        "AnonHugePages:      2048 kB\n";
    /* the first mapping whole, half of the second (a mapping merged with a neighbour) */
    const struct placement_area areas[] = {{0x7f0000000000u, 4u << 20},
                                           {0x7f0000400000u, 4u << 20}};
    FILE *f = fmemopen((void *)smaps, sizeof smaps - 1, "r");
    assert_non_null(f);
    assert_int_equal(placement_huge_bytes(f, areas, 2), (4u << 20) + (4u << 20));
    fclose(f);
}

/* ---- helper threads ---- */

struct placement_probe {
    struct rcu_head head;
    cpu_set_t where; /* the affinity of the thread that ran the callback */
};

static void placement_probe_run(struct rcu_head *head)
{
    struct placement_probe *probe = caa_container_of(head, struct placement_probe, head);
    pthread_getaffinity_np(pthread_self(), sizeof probe->where, &probe->where);
}

struct placement_worker {
    struct placement *placement;
    struct placement_probe probe;
};

static void *placement_worker_main(void *arg)
{
    struct placement_worker *w = arg;
    map_rcu_thread_enter();
    placement_worker_enter(w->placement, 0);
    urcu_memb_call_rcu(&w->probe.head, placement_probe_run);
    placement_worker_leave(w->placement);
    map_rcu_thread_leave();
    return NULL;
}

/* The affinity of the thread that ran worker 0's call_rcu callback under `helpers`. */
static void placement_callback_affinity(struct placement_fixture *f, const char *helpers, int pu,
                                        cpu_set_t *where)
{
    struct bench_case c = placement_case("rcu", 1000);
    snprintf(c.helpers, sizeof c.helpers, "%s", helpers);
    f->pus[0] = pu;
    struct placement *p = malloc(sizeof *p);
    char err[ERR_LEN] = "";
    if (!placement_begin(p, f->topo, &c, f->pus, NULL, err))
        fail_msg("placement_begin: %s", err);
    struct placement_worker w = {.placement = p};
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, placement_worker_main, &w), 0);
    pthread_join(thread, NULL);
    map_rcu_drain(); /* the callback has run */
    placement_end(p);
    free(p);
    *where = w.probe.where;
}

static void test_helpers_placed_by_policy(void **state)
{
    struct placement_fixture *f = *state;
    int last = (int)sysconf(_SC_NPROCESSORS_ONLN) - 1;
    cpu_set_t where, mine;
    pthread_getaffinity_np(pthread_self(), sizeof mine, &mine);
    if (last < 1 || !CPU_ISSET(last, &mine)) {
        print_message("fewer than two usable PUs: helper placement not distinguishable\n");
        return;
    }
    char pinned[16];
    snprintf(pinned, sizeof pinned, "pu:%d", last);
    placement_callback_affinity(f, pinned, 0, &where);
    assert_int_equal(CPU_COUNT(&where), 1);
    assert_true(CPU_ISSET(last, &where));
    placement_callback_affinity(f, "case-pus", last, &where); /* on the worker's own PU */
    assert_int_equal(CPU_COUNT(&where), 1);
    assert_true(CPU_ISSET(last, &where));
    placement_callback_affinity(f, "free", 0, &where); /* as the unbound coordinator */
    assert_true(CPU_EQUAL(&where, &mine));
}

/* ---- CPU time ---- */

static void test_cpu_time_figures(void **state)
{
    struct placement_fixture *f = *state;
    struct bench_case c = placement_case("rcu", 1000);
    c.read_pct = 50;
    c.write_kind = CASE_WRITE_INSERT_DELETE;
    placement_run(f, &c, NULL, NULL);
    expect_valid(&f->sample);
    assert_true(f->sample.worker_cpu_s > 0);
    assert_true(f->sample.process_cpu_s >= f->sample.worker_cpu_s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bind_and_interleave_verified),
        cmocka_unit_test(test_memory_mismatch_caught),
        cmocka_unit_test(test_map_created_under_the_policy),
        cmocka_unit_test(test_map_reserved_for_the_prefill),
        cmocka_unit_test(test_cpu_mismatch_caught),
        cmocka_unit_test(test_hugepages_obtained_as_asked),
        cmocka_unit_test(test_caveats_say_what_was_not_checked),
        cmocka_unit_test(test_smaps_huge_bytes),
        cmocka_unit_test(test_helpers_placed_by_policy),
        cmocka_unit_test(test_cpu_time_figures),
    };
    return cmocka_run_group_tests_name("placement", tests, placement_setup, placement_teardown);
}
