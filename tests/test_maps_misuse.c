/*
 * test_maps_misuse.c: plain:detect=1, Go's runtime check, must catch real misuse.  A forked child
 * runs two threads on one plain:detect=1 map until the detector fires (bounded by a time limit, as
 * a race cannot be made to happen on a given iteration); the parent asserts the child died of
 * SIGABRT with Go's message on stderr.  Writers only overwrite keys already present, so the table
 * never resizes: the child's racing reader never touches freed memory, and under ASan dies of the
 * detector rather than of a sanitizer report.
 */
#include "support.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#define MISUSE_KEYS 1024
#define MISUSE_TIME_LIMIT_S 20

struct misuse_child {
    const struct map_backend *b;
    struct map *m;
    bool two_writers; /* false: one writer and one reader */
    struct timespec deadline;
};

static bool misuse_time_left(const struct misuse_child *mc)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec < mc->deadline.tv_sec;
}

static void misuse_worker(void *arg, unsigned index)
{
    struct misuse_child *mc = arg;
    uint64_t value;
    bool writer = index == 0 || mc->two_writers;
    mc->b->thread_enter(mc->m);
    for (uint64_t n = 0; misuse_time_left(mc); n++) {
        for (uint64_t k = 0; k < MISUSE_KEYS; k++) {
            if (writer)
                mc->b->put(mc->m, k, n);
            else
                mc->b->get(mc->m, k, &value);
        }
    }
    mc->b->thread_leave(mc->m);
}

/* The child: returns (exit 0) only if the detector never fired before the time limit. */
static void misuse_child_main(void *arg)
{
    struct misuse_child *mc = arg;
    char err[ERR_LEN];
    mc->m = map_create_from_spec("plain:detect=1", &mc->b, err);
    if (!mc->m) {
        fprintf(stderr, "%s\n", err);
        return;
    }
    mc->b->thread_enter(mc->m);
    for (uint64_t k = 0; k < MISUSE_KEYS; k++)
        mc->b->put(mc->m, k, 0);
    mc->b->thread_leave(mc->m);
    clock_gettime(CLOCK_MONOTONIC, &mc->deadline);
    mc->deadline.tv_sec += MISUSE_TIME_LIMIT_S;
    support_threads_run(2, misuse_worker, mc);
    fprintf(stderr, "detector did not fire within %d s\n", MISUSE_TIME_LIMIT_S);
}

static void misuse_expect_abort(bool two_writers, const char *message)
{
    struct misuse_child mc = {.two_writers = two_writers};
    struct support_child child;
    support_child_run(misuse_child_main, &mc, &child);
    if (!WIFSIGNALED(child.wait_status) || WTERMSIG(child.wait_status) != SIGABRT)
        fail_msg("child was not killed by SIGABRT (status %#x); stderr: %s", child.wait_status,
                 child.err);
    if (!strstr(child.err, message))
        fail_msg("child's stderr lacks \"%s\": %s", message, child.err);
}

static void test_reader_beside_writer_aborts(void **state)
{
    (void)state;
    misuse_expect_abort(false, "fatal error: concurrent map read and map write");
}

static void test_two_writers_abort(void **state)
{
    (void)state;
    misuse_expect_abort(true, "fatal error: concurrent map writes");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reader_beside_writer_aborts),
        cmocka_unit_test(test_two_writers_abort),
    };
    if (!support_backend_selected("plain")) {
        printf("note: plain is not selected by MAPBENCH_TEST_BACKENDS: misuse tests skipped\n");
        return 0;
    }
    return cmocka_run_group_tests_name("maps_misuse", tests, NULL, NULL);
}
