/*
 * placement.c: a repetition's helper threads, the creator thread of its map, and the checks of
 * its memory placement and huge pages (the contract is in placement.h; this file says how).
 *
 * Sampling.  A large allocation is sampled in runs rather than single pages: a run of
 * (NUMA nodes) x 2 MiB starting on a 2 MiB boundary covers every node of an interleaved area
 * whether the kernel interleaves 4 KiB pages or 2 MiB huge pages, so one question per run
 * (hwloc_get_area_memlocation, the union of the nodes of its resident pages) answers both "is
 * every page where the policy allows" and "is an interleaved run spread".  mincore says whether a
 * run is fully resident, since only then must it show every node.
 */
#include "runner/placement.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/xalloc.h"

#define PLACEMENT_RUNS_PER_AREA 8
#define PLACEMENT_RUNS 64

void placement_invalidate(struct result_sample *s, const char *fmt, ...)
{
    if (!s->valid)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->invalid_reason, sizeof s->invalid_reason, fmt, ap);
    va_end(ap);
    s->valid = false;
}

/* Appends "; what" (or "what") to the sample's caveat. */
static void placement_caveat(struct result_sample *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void placement_caveat(struct result_sample *s, const char *fmt, ...)
{
    size_t used = strlen(s->placement_caveat), room = sizeof s->placement_caveat;
    if (used && used + 2 < room)
        used += (size_t)snprintf(s->placement_caveat + used, room - used, "; ");
    if (used + 1 >= room)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->placement_caveat + used, room - used, fmt, ap);
    va_end(ap);
}

static bool placement_active(const struct placement *p)
{
    return p->topo != NULL;
}

/* ---- helper threads ---- */

static int placement_helper_index(const struct placement *p, int pu)
{
    for (int i = 0; i < p->rcu_helper_count; i++)
        if (p->env.helper_pus[i] == pu)
            return i;
    return 0;
}

/* call_rcu threads: one per helper PU under case-pus with every worker bound, else one (pinned
 * under pu:N, inheriting the coordinator's binding under free or with unbound workers). */
static void placement_start_rcu_helpers(struct placement *p)
{
    const struct bench_case *c = p->bench_case;
    bool per_pu = strcmp(c->helpers, "case-pus") == 0 && p->pus && p->pus[0] >= 0;
    bool pinned = per_pu || strncmp(c->helpers, "pu:", 3) == 0;
    p->rcu_helper_count = per_pu ? p->env.helper_pu_count : 1;
    p->rcu_helpers = xcalloc((size_t)p->rcu_helper_count, sizeof *p->rcu_helpers);
    for (int i = 0; i < p->rcu_helper_count; i++)
        p->rcu_helpers[i] = map_rcu_helper_start(pinned ? p->env.helper_pus[i] : -1);
    p->worker_helper = xcalloc((size_t)c->threads, sizeof *p->worker_helper);
    for (int w = 0; per_pu && w < c->threads; w++)
        p->worker_helper[w] = placement_helper_index(p, p->pus[w]);
}

bool placement_begin(struct placement *p, const struct topo *t, const struct bench_case *c,
                     const int *pus, topo_area_nodes_fn area_nodes, char *err)
{
    memset(p, 0, sizeof *p);
    p->bench_case = c;
    p->pus = pus;
    p->area_nodes = area_nodes ? area_nodes : topo_area_nodes;
    p->create = map_create_with_env;
    p->env.hugepages = c->hugepages;
    if (!t || !topo_is_this_system(t))
        return true;
    int n = topo_plan_helpers(t, c->helpers, pus, c->threads, p->helper_pus, PLACEMENT_MAX_PUS,
                              err);
    if (n < 0)
        return false;
    p->topo = t;
    p->env.helper_pus = p->helper_pus;
    p->env.helper_pu_count = n < PLACEMENT_MAX_PUS ? n : PLACEMENT_MAX_PUS;
    placement_start_rcu_helpers(p);
    return true;
}

void placement_worker_enter(const struct placement *p, int index)
{
    if (p->rcu_helpers)
        map_rcu_helper_use(p->rcu_helpers[p->worker_helper[index]]);
}

void placement_worker_leave(const struct placement *p)
{
    if (p->rcu_helpers)
        map_rcu_helper_use(NULL);
}

void placement_end(struct placement *p)
{
    for (int i = 0; i < p->rcu_helper_count; i++)
        map_rcu_helper_stop(p->rcu_helpers[i]);
    free(p->rcu_helpers);
    free(p->worker_helper);
    p->rcu_helpers = NULL;
    p->worker_helper = NULL;
    p->rcu_helper_count = 0;
}

/* ---- the creator thread ---- */

struct placement_creator {
    struct placement *p;
    struct map *map;
    char err[ERR_LEN];
};

/* Creates the case's map and, where the backend takes it, reserves room for the whole prefill:
 * the case's keys, every worker's share (maps/map.h, reserve). */
static struct map *placement_make(struct placement *p, char *err)
{
    const struct map_backend *backend = NULL;
    struct map *m = p->create(p->bench_case->backend, &p->env, &backend, err);
    if (m && backend && backend->reserve)
        backend->reserve(m, (size_t)p->bench_case->keys);
    return m;
}

static void *placement_creator_main(void *arg)
{
    struct placement_creator *job = arg;
    struct placement *p = job->p;
    const struct bench_case *c = p->bench_case;
    int pus[PLACEMENT_MAX_PUS];
    int n = topo_plan_helpers(p->topo, "case-pus", p->pus, c->threads, pus, PLACEMENT_MAX_PUS,
                              job->err);
    if (n < 0 || !topo_bind_current_thread_to(p->topo, pus, n, job->err) ||
        !topo_bind_memory(p->topo, c->memory, c->memory_node, job->err))
        return NULL;
    job->map = placement_make(p, job->err);
    return NULL;
}

struct map *placement_create_map(struct placement *p, char *err)
{
    if (!placement_active(p))
        return placement_make(p, err);
    struct placement_creator job = {.p = p};
    pthread_t thread;
    int rc = pthread_create(&thread, NULL, placement_creator_main, &job);
    if (rc != 0) {
        snprintf(err, ERR_LEN, "cannot start the map's creator thread: %s", strerror(rc));
        return NULL;
    }
    pthread_join(thread, NULL);
    if (!job.map)
        snprintf(err, ERR_LEN, "%s", job.err);
    return job.map;
}

/* ---- the map's large allocations ---- */

static int placement_areas(const struct map_env *env, struct placement_area *out)
{
    int n = 0;
    for (int i = 0; i < MAP_LARGE_RECORDS; i++) {
        uintptr_t addr = atomic_load_explicit(&env->large[i].addr, memory_order_relaxed);
        size_t bytes = atomic_load_explicit(&env->large[i].bytes, memory_order_relaxed);
        if (addr && bytes)
            out[n++] = (struct placement_area){addr, bytes};
    }
    return n;
}

/* ---- memory nodes ---- */

/* What the sampling saw. */
struct placement_seen {
    bool node[PLACEMENT_MAX_NODES];
    int runs, absent;   /* runs asked about; of them, with no resident page */
    bool unknown;       /* the OS could not say */
    bool unspread;      /* under interleave, a fully resident run missed a node */
};

static bool placement_resident(const void *addr, size_t len)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE), pages = (len + page - 1) / page;
    unsigned char *vec = xmalloc(pages);
    bool all = mincore((void *)addr, len, vec) == 0;
    for (size_t i = 0; all && i < pages; i++)
        all = vec[i] & 1;
    free(vec);
    return all;
}

static void placement_sample_run(const struct placement *p, const void *addr, size_t len,
                                 int spread, struct placement_seen *seen)
{
    int nodes[PLACEMENT_MAX_NODES];
    int k = p->area_nodes(p->topo, addr, len, nodes, PLACEMENT_MAX_NODES);
    seen->runs++;
    if (k < 0) {
        seen->unknown = true;
        return;
    }
    seen->absent += k == 0;
    for (int i = 0; i < k && i < PLACEMENT_MAX_NODES; i++)
        if (nodes[i] >= 0 && nodes[i] < PLACEMENT_MAX_NODES)
            seen->node[nodes[i]] = true;
    if (spread > 1 && k < spread && k > 0 && placement_resident(addr, len))
        seen->unspread = true;
}

/* Samples every area in runs of run_bytes; spread: nodes a fully resident run must show (0: no
 * such rule). */
static void placement_sample(const struct placement *p, const struct placement_area *areas,
                             int count, size_t run_bytes, int spread, struct placement_seen *seen)
{
    for (int a = 0; a < count && seen->runs < PLACEMENT_RUNS && !seen->unknown; a++) {
        size_t runs = areas[a].bytes / run_bytes;
        runs = runs < 1 ? 1 : runs > PLACEMENT_RUNS_PER_AREA ? PLACEMENT_RUNS_PER_AREA : runs;
        size_t stride = areas[a].bytes / runs / MAP_LARGE_BYTES * MAP_LARGE_BYTES;
        for (size_t r = 0; r < runs && seen->runs < PLACEMENT_RUNS; r++) {
            size_t at = r * stride, len = areas[a].bytes - at < run_bytes ? areas[a].bytes - at
                                                                           : run_bytes;
            placement_sample_run(p, (const void *)(areas[a].addr + at), len, spread, seen);
        }
    }
}

/* "0,1" from a list (or the true entries of a flag array when list is NULL). */
static void placement_node_text(const int *list, int count, const bool *flags, char *buf,
                                size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < (list ? count : PLACEMENT_MAX_NODES) && used + 1 < len; i++) {
        if (!list && !flags[i])
            continue;
        used += (size_t)snprintf(buf + used, len - used, "%s%d", used ? "," : "",
                                 list ? list[i] : i);
    }
}

static void placement_memory_verdict(const struct placement *p, const int *allowed, int count,
                                     const struct placement_seen *seen, struct result_sample *s)
{
    const struct bench_case *c = p->bench_case;
    char policy[32], want[64];
    if (c->memory == CASE_MEMORY_BIND)
        snprintf(policy, sizeof policy, "bind:%d", c->memory_node);
    else
        snprintf(policy, sizeof policy, "%s", case_memory_name(c->memory));
    placement_node_text(allowed, count, NULL, want, sizeof want);
    for (int node = 0; node < PLACEMENT_MAX_NODES; node++) {
        bool ok = false;
        for (int i = 0; i < count && !ok; i++)
            ok = allowed[i] == node;
        if (seen->node[node] && !ok) {
            placement_invalidate(s, "memory %s: the map's sampled pages are on NUMA node(s) %s, "
                                    "the policy allows %s", policy, s->memory_nodes, want);
            return;
        }
    }
    if (seen->unspread)
        placement_invalidate(s, "memory interleave: a fully resident run of the map lies on NUMA "
                                "node(s) %s only of %s", s->memory_nodes, want);
}

static void placement_check_memory(const struct placement *p, const struct map_backend *backend,
                                   const struct placement_area *areas, int count,
                                   struct result_sample *s)
{
    const struct bench_case *c = p->bench_case;
    int allowed[PLACEMENT_MAX_NODES], all[PLACEMENT_MAX_NODES];
    char err[ERR_LEN];
    int n = topo_plan_memory(p->topo, c->memory, c->memory_node, p->pus, c->threads, allowed,
                             PLACEMENT_MAX_NODES, err);
    int machine = topo_plan_memory(p->topo, CASE_MEMORY_INTERLEAVE, 0, NULL, 0, all,
                                   PLACEMENT_MAX_NODES, err);
    if (n < 0 || machine < 1) {
        placement_caveat(s, "memory not checked: %s", err);
        return;
    }
    struct placement_seen *seen = xcalloc(1, sizeof *seen);
    int spread = c->memory == CASE_MEMORY_INTERLEAVE ? machine : 0;
    placement_sample(p, areas, count, (size_t)machine * MAP_LARGE_BYTES, spread, seen);
    placement_node_text(NULL, 0, seen->node, s->memory_nodes, sizeof s->memory_nodes);
    if (seen->unknown)
        placement_caveat(s, "memory not checked: the OS does not say where pages are");
    else
        placement_memory_verdict(p, allowed, n, seen, s);
    if (count == 0)
        placement_caveat(s, "memory not checked: the map has no allocation of 2 MiB or more");
    if (seen->absent)
        placement_caveat(s, "%d of %d sampled runs had no resident page", seen->absent, seen->runs);
    free(seen);
    uint64_t unrecorded = atomic_load(&p->env.large_unrecorded);
    if (unrecorded)
        placement_caveat(s, "%llu large allocations beyond the %d recorded not checked",
                         (unsigned long long)unrecorded, MAP_LARGE_RECORDS);
    if (backend->unhooked_memory)
        placement_caveat(s, "not checked: %s", backend->unhooked_memory);
}

/* ---- huge pages ---- */

static uint64_t placement_overlap(uintptr_t lo, uintptr_t hi, const struct placement_area *areas,
                                  int count)
{
    uint64_t overlap = 0;
    for (int i = 0; i < count; i++) {
        uintptr_t a = areas[i].addr > lo ? areas[i].addr : lo;
        uintptr_t b = areas[i].addr + areas[i].bytes < hi ? areas[i].addr + areas[i].bytes : hi;
        overlap += b > a ? b - a : 0;
    }
    return overlap;
}

uint64_t placement_huge_bytes(FILE *smaps, const struct placement_area *areas, int count)
{
    char line[512];
    uint64_t huge = 0, overlap = 0, size = 1;
    while (fgets(line, sizeof line, smaps)) {
        unsigned long lo, hi;
        unsigned long long kib;
        char dash;
        if (sscanf(line, "%lx%c%lx ", &lo, &dash, &hi) == 3 && dash == '-' && hi > lo &&
            strchr(line, ' ')) {
            overlap = placement_overlap(lo, hi, areas, count);
            size = hi - lo;
        } else if (overlap && sscanf(line, "AnonHugePages: %llu kB", &kib) == 1) {
            /* exact when the mapping is the area's own; in proportion when it spans more */
            huge += (uint64_t)((double)kib * 1024.0 * (double)overlap / (double)size);
        }
    }
    return huge;
}

static void placement_thp_mode(char *buf, size_t len)
{
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    if (!f || !fgets(buf, (int)len, f))
        snprintf(buf, len, "unknown");
    if (f)
        fclose(f);
    buf[strcspn(buf, "\n")] = '\0';
}

static void placement_check_hugepages(const struct placement *p, const struct placement_area *areas,
                                      int count, struct result_sample *s)
{
    for (int i = 0; i < count; i++)
        s->map_large_bytes += areas[i].bytes;
    FILE *f = fopen("/proc/self/smaps", "r");
    if (!f) {
        placement_caveat(s, "huge pages not checked: /proc/self/smaps unreadable");
        return;
    }
    uint64_t huge = placement_huge_bytes(f, areas, count);
    fclose(f);
    s->map_huge_bytes = (struct result_counter){true, huge};
    enum map_hugepages asked = p->bench_case->hugepages;
    char mode[128];
    if (asked == MAP_HUGEPAGES_NEVER && huge > 0)
        placement_invalidate(s, "hugepages=never, yet %llu KiB of the map's large allocations are "
                                "huge pages", (unsigned long long)(huge >> 10));
    if (asked == MAP_HUGEPAGES_ALWAYS && s->map_large_bytes > 0 && huge == 0) {
        placement_thp_mode(mode, sizeof mode);
        placement_invalidate(s, "hugepages=always, yet no huge page backs the map's %llu KiB of "
                                "large allocations (transparent_hugepage/enabled: %s)",
                             (unsigned long long)(s->map_large_bytes >> 10), mode);
    }
}

void placement_check(const struct placement *p, const struct map_backend *backend,
                     struct result_sample *s)
{
    if (!placement_active(p) || p->bench_case->role == MAP_ROLE_HARNESS) /* not a map */
        return;
    struct placement_area areas[MAP_LARGE_RECORDS];
    int count = placement_areas(&p->env, areas);
    placement_check_memory(p, backend, areas, count, s);
    placement_check_hugepages(p, areas, count, s);
}
