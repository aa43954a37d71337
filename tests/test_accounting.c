/*
 * test_accounting.c: maps/accounting.c on its own, the counters every backend charges.
 *   - per-thread counters: more threads than cores allocate and free through one accounting, each
 *     also freeing what another allocated; the sums are exact, and each thread charged a line of
 *     its own (map_accounting_slots_used);
 *   - large allocations (MAP_LARGE_BYTES or more): 2 MiB aligned and zeroed, recorded in the env
 *     while they live, advised as the env's hugepages asks (the mapping's VmFlags in
 *     /proc/self/smaps: `hg` for MADV_HUGEPAGE, `nh` for MADV_NOHUGEPAGE), and counted apart when
 *     every record is taken.
 * `make tsan` runs this binary too: the counters are shared between threads.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

#define ACCOUNTING_THREADS 16
#define ACCOUNTING_BLOCKS 2000

struct accounting_job {
    struct map_accounting acct;
    pthread_barrier_t allocated;
    void *blocks[ACCOUNTING_THREADS][ACCOUNTING_BLOCKS];
    size_t sizes[ACCOUNTING_THREADS][ACCOUNTING_BLOCKS];
};

static size_t accounting_size(unsigned thread, size_t block)
{
    return 8 + (thread * 131 + block * 17) % 500;
}

/* Allocates its own blocks, waits for everyone, then frees the next thread's blocks. */
static void accounting_thread(void *arg, unsigned index)
{
    struct accounting_job *job = arg;
    size_t blocks = support_scale(ACCOUNTING_BLOCKS, ACCOUNTING_BLOCKS / 10);
    for (size_t b = 0; b < blocks; b++) {
        job->sizes[index][b] = accounting_size(index, b);
        job->blocks[index][b] = map_alloc(&job->acct, job->sizes[index][b]);
    }
    pthread_barrier_wait(&job->allocated);
    unsigned other = (index + 1) % ACCOUNTING_THREADS;
    for (size_t b = 0; b < blocks; b++)
        map_free(&job->acct, job->blocks[other][b], job->sizes[other][b]);
}

static void test_sums_exact_across_threads(void **state)
{
    (void)state;
    struct accounting_job *job = calloc(1, sizeof *job);
    map_accounting_init(&job->acct, NULL);
    pthread_barrier_init(&job->allocated, NULL, ACCOUNTING_THREADS);
    support_threads_run(ACCOUNTING_THREADS, accounting_thread, job);
    size_t blocks = support_scale(ACCOUNTING_BLOCKS, ACCOUNTING_BLOCKS / 10);
    struct map_stats stats;
    map_accounting_read(&job->acct, &stats);
    assert_int_equal(stats.allocs, (uint64_t)ACCOUNTING_THREADS * blocks);
    assert_int_equal(stats.frees, (uint64_t)ACCOUNTING_THREADS * blocks);
    assert_int_equal(stats.bytes, 0);
    /* Every thread counted on a line of its own: none shared a cache line with another. */
    assert_int_equal(map_accounting_slots_used(&job->acct), ACCOUNTING_THREADS);
    pthread_barrier_destroy(&job->allocated);
    free(job);
}

static void test_bytes_held_while_allocated(void **state)
{
    (void)state;
    struct map_accounting acct;
    map_accounting_init(&acct, NULL);
    void *a = map_alloc(&acct, 100), *b = map_alloc_aligned(&acct, 64, 1000);
    struct map_stats stats;
    map_accounting_read(&acct, &stats);
    assert_int_equal(stats.bytes, 1100);
    assert_int_equal(stats.allocs, 2);
    assert_int_equal((uintptr_t)b % 64, 0);
    map_free(&acct, a, 100);
    map_free(&acct, b, 1000);
    map_accounting_read(&acct, &stats);
    assert_int_equal(stats.bytes, 0);
    assert_int_equal(stats.frees, 2);
    assert_int_equal(map_accounting_slots_used(&acct), 1);
}

/* What another allocator served (a C++ library's own, maps/cxx_backend.hh) counts like map_alloc:
 * a charge is bytes and an allocation, a release takes the bytes back and counts a free. */
static void test_charge_counts_what_another_allocator_served(void **state)
{
    (void)state;
    struct map_accounting acct;
    map_accounting_init(&acct, NULL);
    map_accounting_charge(&acct, 48);
    map_accounting_charge(&acct, 4096);
    struct map_stats stats;
    map_accounting_read(&acct, &stats);
    assert_int_equal(stats.bytes, 48 + 4096);
    assert_int_equal(stats.allocs, 2);
    assert_int_equal(stats.frees, 0);
    map_accounting_release(&acct, 4096);
    map_accounting_read(&acct, &stats);
    assert_int_equal(stats.bytes, 48);
    assert_int_equal(stats.frees, 1);
}

/* ---- large allocations ---- */

/* The VmFlags of the mapping holding addr, from /proc/self/smaps ("" when not found). */
static void accounting_vm_flags(const void *addr, char *flags, size_t len)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    char line[512];
    bool inside = false;
    flags[0] = '\0';
    while (f && fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' '))
            inside = (uintptr_t)addr >= lo && (uintptr_t)addr < hi;
        else if (inside && strncmp(line, "VmFlags:", 8) == 0)
            snprintf(flags, len, "%.200s", line + 8);
    }
    if (f)
        fclose(f);
}

static bool accounting_recorded(const struct map_env *env, const void *p, size_t bytes)
{
    for (int i = 0; i < MAP_LARGE_RECORDS; i++)
        if (atomic_load(&env->large[i].addr) == (uintptr_t)p)
            return atomic_load(&env->large[i].bytes) == bytes;
    return false;
}

static void *accounting_large(struct map_accounting *acct, size_t bytes)
{
    unsigned char *p = map_alloc(acct, bytes);
    assert_int_equal((uintptr_t)p % MAP_LARGE_BYTES, 0);
    assert_int_equal(p[0] | p[bytes / 2] | p[bytes - 1], 0);
    return p;
}

static void test_large_recorded_and_advised(void **state)
{
    (void)state;
    static const struct {
        enum map_hugepages asked;
        const char *flag, *not_flag;
    } policies[] = {
        {MAP_HUGEPAGES_ALWAYS, " hg", " nh"},
        {MAP_HUGEPAGES_NEVER, " nh", " hg"},
        {MAP_HUGEPAGES_DEFAULT, NULL, " nh"},
    };
    for (size_t i = 0; i < sizeof policies / sizeof policies[0]; i++) {
        struct map_env *env = calloc(1, sizeof *env);
        struct map_accounting acct;
        env->hugepages = policies[i].asked;
        map_accounting_init(&acct, env);
        size_t bytes = 3 * (MAP_LARGE_BYTES / 2); /* 3 MiB: mapped as 4 */
        void *p = accounting_large(&acct, bytes);
        assert_true(accounting_recorded(env, p, 2 * MAP_LARGE_BYTES));
        char flags[512];
        accounting_vm_flags(p, flags, sizeof flags);
        if (policies[i].flag && !strstr(flags, policies[i].flag))
            fail_msg("policy %zu: VmFlags '%s' lack '%s'", i, flags, policies[i].flag);
        if (strstr(flags, policies[i].not_flag))
            fail_msg("policy %zu: VmFlags '%s' have '%s'", i, flags, policies[i].not_flag);
        map_free(&acct, p, bytes);
        assert_false(accounting_recorded(env, p, 2 * MAP_LARGE_BYTES));
        struct map_stats stats;
        map_accounting_read(&acct, &stats);
        assert_int_equal(stats.bytes, 0);
        free(env);
    }
}

static void test_large_records_overflow_counted(void **state)
{
    (void)state;
    struct map_env *env = calloc(1, sizeof *env);
    struct map_accounting acct;
    map_accounting_init(&acct, env);
    void *blocks[MAP_LARGE_RECORDS + 2];
    for (int i = 0; i < MAP_LARGE_RECORDS + 2; i++)
        blocks[i] = map_alloc_aligned(&acct, 64, MAP_LARGE_BYTES); /* untouched: costs no memory */
    assert_int_equal(atomic_load(&env->large_unrecorded), 2);
    for (int i = 0; i < MAP_LARGE_RECORDS + 2; i++)
        map_free(&acct, blocks[i], MAP_LARGE_BYTES);
    for (int i = 0; i < MAP_LARGE_RECORDS; i++)
        assert_int_equal(atomic_load(&env->large[i].addr), 0);
    free(env);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sums_exact_across_threads),
        cmocka_unit_test(test_bytes_held_while_allocated),
        cmocka_unit_test(test_charge_counts_what_another_allocator_served),
        cmocka_unit_test(test_large_recorded_and_advised),
        cmocka_unit_test(test_large_records_overflow_counted),
    };
    return cmocka_run_group_tests_name("accounting", tests, NULL, NULL);
}
