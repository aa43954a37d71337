/*
 * support.c: the helpers every test binary links (see support.h).  Nothing here keeps state
 * between calls: the backend filter is read from the environment each time it is asked, suites and
 * references live in the caller's storage.
 */
#include "support.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- suites ---- */

bool support_backend_selected(const char *name)
{
    const char *list = getenv("MAPBENCH_TEST_BACKENDS");
    if (!list || !*list)
        return true;
    size_t len = strlen(name);
    for (const char *p = list; *p;) {
        size_t item = strcspn(p, ",");
        if (item == len && strncmp(p, name, len) == 0)
            return true;
        p += item + (p[item] == ',');
    }
    return false;
}

static void suite_append(struct support_suite *s, const char *kind, CMUnitTestFunction fn,
                         const struct map_backend *backend, const char *spec)
{
    if (s->count == SUPPORT_MAX_TESTS) {
        fprintf(stderr, "support: more than %d tests in one suite\n", SUPPORT_MAX_TESTS);
        abort();
    }
    size_t i = s->count++;
    s->cases[i].backend = backend;
    snprintf(s->cases[i].spec, sizeof s->cases[i].spec, "%s", spec);
    snprintf(s->names[i], sizeof s->names[i], "%s/%s", kind, spec);
    s->tests[i] = (struct CMUnitTest){s->names[i], fn, NULL, NULL, &s->cases[i]};
}

void support_suite_add(struct support_suite *s, const char *kind, CMUnitTestFunction fn,
                       const char *spec)
{
    char name[SUPPORT_NAME_LEN];
    snprintf(name, sizeof name, "%.*s", (int)strcspn(spec, ":"), spec);
    const struct map_backend *backend = map_registry_find(name);
    if (backend && support_backend_selected(name))
        suite_append(s, kind, fn, backend, spec);
}

void support_suite_add_backends(struct support_suite *s, const char *kind, CMUnitTestFunction fn,
                                enum support_select select)
{
    size_t count;
    const struct map_backend *const *all = map_registry_list(&count);
    for (size_t i = 0; i < count; i++) {
        const struct map_backend *b = all[i];
        if (strcmp(b->name, "null") == 0 || !support_backend_selected(b->name))
            continue;
        if (select == SUPPORT_SELECT_WRITERS && b->concurrency == MAP_CONCURRENCY_NONE)
            continue;
        suite_append(s, kind, fn, b, b->name);
    }
}

static void suite_note_unregistered(void)
{
    const char *list = getenv("MAPBENCH_TEST_BACKENDS");
    char name[SUPPORT_NAME_LEN];
    for (const char *p = list; p && *p;) {
        size_t item = strcspn(p, ",");
        snprintf(name, sizeof name, "%.*s", (int)item, p);
        if (item && !map_registry_find(name))
            printf("note: MAPBENCH_TEST_BACKENDS names '%s', which is not registered: skipped\n",
                   name);
        p += item + (p[item] == ',');
    }
}

int support_suite_run(struct support_suite *s, const char *group)
{
    suite_note_unregistered();
    fflush(stdout);
    return _cmocka_run_group_tests(group, s->tests, s->count, NULL, NULL);
}

size_t support_scale(size_t full, size_t quick)
{
    const char *q = getenv("MAPBENCH_TEST_QUICK");
    return q && strcmp(q, "1") == 0 ? quick : full;
}

struct map *support_map_create(const struct support_case *c)
{
    char err[ERR_LEN] = "";
    struct map *m = map_create_from_spec(c->spec, NULL, err);
    if (!m)
        fail_msg("cannot create %s: %s", c->spec, err);
    return m;
}

/* ---- random numbers ---- */

void support_rng_seed(struct support_rng *r, uint64_t seed)
{
    rng_seed(&r->rng, seed, 0);
}

uint64_t support_rng_next(struct support_rng *r)
{
    return rng_next(&r->rng);
}

uint64_t support_rng_below(struct support_rng *r, uint64_t bound)
{
    return rng_below(&r->rng, bound);
}

uint64_t support_rng_value(struct support_rng *r)
{
    uint64_t v = support_rng_next(r);
    if ((v & 7) == 0)
        return (v & 8) ? UINT64_MAX : 0;
    return v;
}

/* ---- threads ---- */

struct thread_start {
    pthread_barrier_t *barrier;
    void (*fn)(void *arg, unsigned index);
    void *arg;
    unsigned index;
};

static void *thread_main(void *p)
{
    struct thread_start *start = p;
    pthread_barrier_wait(start->barrier);
    start->fn(start->arg, start->index);
    return NULL;
}

void support_threads_run(unsigned count, void (*fn)(void *arg, unsigned index), void *arg)
{
    pthread_t threads[count];
    struct thread_start starts[count];
    pthread_barrier_t barrier;
    pthread_barrier_init(&barrier, NULL, count);
    for (unsigned i = 0; i < count; i++) {
        starts[i] = (struct thread_start){&barrier, fn, arg, i};
        int rc = pthread_create(&threads[i], NULL, thread_main, &starts[i]);
        if (rc) {
            fprintf(stderr, "support: pthread_create: %s\n", strerror(rc));
            abort();
        }
    }
    for (unsigned i = 0; i < count; i++)
        pthread_join(threads[i], NULL);
    pthread_barrier_destroy(&barrier);
}

void support_fail(struct support_failures *f, const char *format, ...)
{
    atomic_fetch_add(&f->count, 1);
    if (atomic_exchange(&f->claimed, true))
        return;
    va_list ap;
    va_start(ap, format);
    vsnprintf(f->first, sizeof f->first, format, ap);
    va_end(ap);
}

void support_failures_assert(struct support_failures *f)
{
    unsigned count = atomic_load(&f->count);
    if (count)
        fail_msg("%u failures; first: %s", count, f->first);
}

/* ---- reference map ---- */

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Sorts the pool; returns false when two keys are equal (the caller redraws). */
static bool pool_sorted_distinct(uint64_t *keys, size_t n)
{
    qsort(keys, n, sizeof *keys, compare_u64);
    for (size_t i = 1; i < n; i++)
        if (keys[i] == keys[i - 1])
            return false;
    return true;
}

void support_reference_init(struct support_reference *ref, size_t key_count,
                            struct support_rng *rng)
{
    ref->key_count = key_count;
    ref->keys = calloc(key_count, sizeof *ref->keys);
    ref->values = calloc(key_count, sizeof *ref->values);
    ref->present = calloc(key_count, sizeof *ref->present);
    ref->size = 0;
    assert_non_null(ref->keys);
    assert_non_null(ref->values);
    assert_non_null(ref->present);
    do {
        ref->keys[0] = 0;
        ref->keys[1] = UINT64_MAX;
        for (size_t i = 2; i < key_count; i++)
            ref->keys[i] = i < key_count / 2 ? i - 1 : support_rng_next(rng);
    } while (!pool_sorted_distinct(ref->keys, key_count));
}

void support_reference_destroy(struct support_reference *ref)
{
    free(ref->keys);
    free(ref->values);
    free(ref->present);
}

size_t support_reference_index(const struct support_reference *ref, uint64_t key)
{
    const uint64_t *found = bsearch(&key, ref->keys, ref->key_count, sizeof key, compare_u64);
    return found ? (size_t)(found - ref->keys) : ref->key_count;
}

/* ---- model check ---- */

struct model_run {
    const char *spec;
    const struct map_backend *b;
    struct map *m;
    struct support_reference ref;
    struct support_rng rng;
    uint64_t seed;
    size_t op;             /* number of the operation being checked, for messages */
    unsigned *visits;      /* per pool key, during one range */
    size_t range_calls;    /* callback calls in the current range */
    size_t range_stop_at;  /* 0: never stop; else return false on this call */
    const char *range_bad; /* first problem a range callback saw */
};

__attribute__((format(printf, 2, 3))) static void model_fail(const struct model_run *run,
                                                              const char *format, ...)
{
    char message[200];
    va_list ap;
    va_start(ap, format);
    vsnprintf(message, sizeof message, format, ap);
    va_end(ap);
    fail_msg("%s seed %llu op %zu: %s", run->spec, (unsigned long long)run->seed, run->op,
             message);
}

static void model_get(struct model_run *run, size_t i)
{
    uint64_t value = 0xdeadbeef, key = run->ref.keys[i];
    bool found = run->b->get(run->m, key, &value);
    if (found != run->ref.present[i])
        model_fail(run, "get(%llu) found=%d, expected %d", (unsigned long long)key, found,
                   run->ref.present[i]);
    if (found && value != run->ref.values[i])
        model_fail(run, "get(%llu) = %llu, expected %llu", (unsigned long long)key,
                   (unsigned long long)value, (unsigned long long)run->ref.values[i]);
}

/* get_many (where the backend has it) over n pool keys, repeats allowed: the same answers as n
 * gets, values of absent keys untouched. */
static void model_get_many(struct model_run *run, size_t n)
{
    uint64_t keys[MAP_GET_MANY_MAX], values[MAP_GET_MANY_MAX];
    size_t pool[MAP_GET_MANY_MAX];
    for (size_t j = 0; j < n; j++) {
        pool[j] = support_rng_below(&run->rng, run->ref.key_count);
        keys[j] = run->ref.keys[pool[j]];
        values[j] = 0xdeadbeef;
    }
    uint64_t found = run->b->get_many(run->m, keys, n, values);
    for (size_t j = 0; j < n; j++) {
        size_t i = pool[j];
        bool hit = found >> j & 1;
        if (hit != run->ref.present[i])
            model_fail(run, "get_many key %zu of %zu (%llu) found=%d, expected %d", j, n,
                       (unsigned long long)keys[j], hit, run->ref.present[i]);
        uint64_t expected = hit ? run->ref.values[i] : 0xdeadbeef;
        if (values[j] != expected)
            model_fail(run, "get_many key %zu of %zu (%llu) = %llu, expected %llu", j, n,
                       (unsigned long long)keys[j], (unsigned long long)values[j],
                       (unsigned long long)expected);
    }
    if (n < MAP_GET_MANY_MAX && found >> n)
        model_fail(run, "get_many of %zu keys set mask bits beyond them: %#llx", n,
                   (unsigned long long)found);
}

static void model_store(struct support_reference *ref, size_t i, uint64_t value)
{
    ref->size += !ref->present[i];
    ref->present[i] = true;
    ref->values[i] = value;
}

static void model_put(struct model_run *run, size_t i)
{
    uint64_t key = run->ref.keys[i], value = support_rng_value(&run->rng);
    bool was_new = run->b->put(run->m, key, value);
    if (was_new != !run->ref.present[i])
        model_fail(run, "put(%llu) returned new=%d, expected %d", (unsigned long long)key, was_new,
                   !run->ref.present[i]);
    model_store(&run->ref, i, value);
}

static void model_put_if_absent(struct model_run *run, size_t i)
{
    uint64_t key = run->ref.keys[i], value = support_rng_value(&run->rng), existing = 0xdeadbeef;
    bool stored = run->b->put_if_absent(run->m, key, value, &existing);
    if (stored != !run->ref.present[i])
        model_fail(run, "put_if_absent(%llu) stored=%d, expected %d", (unsigned long long)key,
                   stored, !run->ref.present[i]);
    if (!stored && existing != run->ref.values[i])
        model_fail(run, "put_if_absent(%llu) existing=%llu, expected %llu",
                   (unsigned long long)key, (unsigned long long)existing,
                   (unsigned long long)run->ref.values[i]);
    if (stored)
        model_store(&run->ref, i, value);
}

static void model_del(struct model_run *run, size_t i)
{
    uint64_t key = run->ref.keys[i];
    bool was_present = run->b->del(run->m, key);
    if (was_present != run->ref.present[i])
        model_fail(run, "del(%llu) returned %d, expected %d", (unsigned long long)key, was_present,
                   run->ref.present[i]);
    run->ref.size -= run->ref.present[i];
    run->ref.present[i] = false;
}

static void model_size(struct model_run *run)
{
    size_t size = run->b->size(run->m);
    if (size != run->ref.size)
        model_fail(run, "size() = %zu, expected %zu", size, run->ref.size);
}

static bool model_range_visit(uint64_t key, uint64_t value, void *arg)
{
    struct model_run *run = arg;
    size_t i = support_reference_index(&run->ref, key);
    run->range_calls++;
    if (run->range_stop_at && run->range_calls > run->range_stop_at)
        run->range_bad = "callback called again after it returned false";
    else if (i == run->ref.key_count || !run->ref.present[i])
        run->range_bad = "visited a key that is not in the map";
    else if (run->ref.values[i] != value)
        run->range_bad = "visited a key with a wrong value";
    else if (run->visits[i]++)
        run->range_bad = "visited a key twice";
    return !(run->range_stop_at && run->range_calls >= run->range_stop_at);
}

/* A range that stops after a random number of calls, or (one time in three) never. */
static void model_range(struct model_run *run)
{
    memset(run->visits, 0, run->ref.key_count * sizeof *run->visits);
    run->range_calls = 0;
    run->range_bad = NULL;
    run->range_stop_at = support_rng_below(&run->rng, 3) ? 1 + support_rng_below(&run->rng,
                                                                                 run->ref.size + 1)
                                                          : 0;
    run->b->range(run->m, model_range_visit, run);
    size_t expected = run->ref.size;
    if (run->range_stop_at && run->range_stop_at < expected)
        expected = run->range_stop_at;
    if (run->range_bad)
        model_fail(run, "range: %s", run->range_bad);
    if (run->range_calls != expected)
        model_fail(run, "range (stop at %zu) made %zu calls, expected %zu", run->range_stop_at,
                   run->range_calls, expected);
}

/* One operation; `growing` biases toward inserts, otherwise toward deletes. */
static void model_step(struct model_run *run, bool growing, size_t range_period)
{
    size_t i = support_rng_below(&run->rng, run->ref.key_count);
    uint64_t dice = support_rng_below(&run->rng, 100);
    if (support_rng_below(&run->rng, range_period) == 0)
        model_range(run);
    else if (dice < 2 && run->b->get_many)
        model_get_many(run, 1 + support_rng_below(&run->rng, MAP_GET_MANY_MAX));
    else if (dice < 30)
        model_get(run, i);
    else if (dice < 33)
        model_size(run);
    else if (dice < (growing ? 78 : 43))
        model_put(run, i);
    else if (dice < (growing ? 88 : 50))
        model_put_if_absent(run, i);
    else
        model_del(run, i);
}

/* Checks every pool key, then deletes every one (present or not) and checks the map is empty. */
static void model_sweep(struct model_run *run)
{
    for (size_t i = 0; i < run->ref.key_count; i++)
        model_get(run, i);
    model_range(run);
    for (size_t i = 0; i < run->ref.key_count; i++)
        model_del(run, i);
    model_size(run);
    model_range(run);
}

void support_model_check(const char *spec, uint64_t seed, size_t key_count, size_t ops)
{
    char err[ERR_LEN] = "";
    struct model_run run = {.spec = spec, .seed = seed};
    run.m = map_create_from_spec(spec, &run.b, err);
    if (!run.m)
        fail_msg("cannot create %s: %s", spec, err);
    support_rng_seed(&run.rng, seed);
    support_reference_init(&run.ref, key_count, &run.rng);
    run.visits = calloc(key_count, sizeof *run.visits);
    assert_non_null(run.visits);
    run.b->thread_enter(run.m);
    /* Three grow-and-shrink cycles; a range about every key_count/2 operations keeps the range
     * cost proportional to the other operations. */
    size_t phase = ops / 6 + 1, range_period = key_count / 2 > 16 ? key_count / 2 : 16;
    for (run.op = 0; run.op < ops; run.op++) {
        model_step(&run, (run.op / phase) % 2 == 0, range_period);
        if (run.op % (2 * phase) == 2 * phase - 1)
            model_sweep(&run);
    }
    model_sweep(&run);
    run.b->thread_leave(run.m);
    run.b->destroy(run.m);
    free(run.visits);
    support_reference_destroy(&run.ref);
}

/* ---- child processes ---- */

static void capture_read(int fd, char *out, size_t len)
{
    ssize_t n = pread(fd, out, len - 1, 0);
    out[n > 0 ? n : 0] = '\0';
    close(fd);
}

static void child_start(struct support_child *child, int *out_fd, int *err_fd, pid_t *pid)
{
    *out_fd = memfd_create("support-stdout", 0);
    *err_fd = memfd_create("support-stderr", 0);
    assert_true(*out_fd >= 0 && *err_fd >= 0);
    fflush(stdout);
    fflush(stderr);
    *pid = fork();
    assert_true(*pid >= 0);
    if (*pid == 0) {
        dup2(*out_fd, STDOUT_FILENO);
        dup2(*err_fd, STDERR_FILENO);
    }
    child->wait_status = 0;
}

static void child_finish(struct support_child *child, int out_fd, int err_fd, pid_t pid)
{
    while (waitpid(pid, &child->wait_status, 0) < 0 && errno == EINTR)
        ;
    capture_read(out_fd, child->out, sizeof child->out);
    capture_read(err_fd, child->err, sizeof child->err);
}

void support_child_run(void (*fn)(void *arg), void *arg, struct support_child *child)
{
    int out_fd, err_fd;
    pid_t pid;
    child_start(child, &out_fd, &err_fd, &pid);
    if (pid == 0) {
        fn(arg);
        fflush(NULL);
        _exit(0);
    }
    child_finish(child, out_fd, err_fd, pid);
}

void support_child_exec(char *const argv[], struct support_child *child)
{
    int out_fd, err_fd;
    pid_t pid;
    child_start(child, &out_fd, &err_fd, &pid);
    if (pid == 0) {
        execv(argv[0], argv);
        fprintf(stderr, "support: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    child_finish(child, out_fd, err_fd, pid);
}

void support_binary_dir(char *out, size_t len)
{
    char path[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    assert_true(n > 0);
    path[n] = '\0';
    char *slash = strrchr(path, '/');
    if (slash)
        *slash = '\0';
    snprintf(out, len, "%s", path);
}

char *support_read_text(const char *path)
{
    FILE *in = fopen(path, "r");
    if (!in)
        fail_msg("cannot read %s: %s", path, strerror(errno));
    fseek(in, 0, SEEK_END);
    long size = ftell(in);
    rewind(in);
    assert_true(size >= 0);
    char *text = malloc((size_t)size + 1);
    assert_non_null(text);
    assert_int_equal(fread(text, 1, (size_t)size, in), (size_t)size);
    text[size] = '\0';
    fclose(in);
    return text;
}

void support_dir_make(char *out, size_t len, const char *name)
{
    snprintf(out, len, "/tmp/mapbench-%s-XXXXXX", name);
    if (!mkdtemp(out))
        fail_msg("cannot make %s: %s", out, strerror(errno));
}

void support_dir_remove(const char *dir)
{
    char command[PATH_MAX + 16];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    assert_int_equal(system(command), 0);
}

void support_write_file(const char *dir, const char *name, const char *text, char *path,
                        size_t len)
{
    snprintf(path, len, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        fail_msg("cannot write %s: %s", path, strerror(errno));
    fputs(text, f);
    fclose(f);
}
