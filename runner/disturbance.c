/*
 * disturbance.c: steal time and involuntary context switches over a window (see disturbance.h).
 *
 * /proc/stat is read whole (a few KiB even on large machines) into a buffer, twice per window, by
 * the coordinator while no worker is timed.  Its per-CPU lines are "cpuN user nice system idle
 * iowait irq softirq steal guest guest_nice" in USER_HZ ticks; guest time is already counted in
 * user and nice, so the total is the first eight columns.  A kernel too old to have the steal
 * column reads as no steal.
 */
#include "runner/disturbance.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "base/xalloc.h"

#define DISTURBANCE_STAT_BYTES (1 << 20)

size_t disturbance_parse_stat(const char *text, struct disturbance_cpu *out, size_t cap)
{
    size_t n = 0;
    for (const char *line = text; line && *line && n < cap;) {
        const char *next = strchr(line, '\n');
        unsigned long long v[8] = {0};
        int cpu;
        /* "cpuN ...", not the aggregate "cpu  ..." line nor any other */
        if (strncmp(line, "cpu", 3) == 0 && line[3] >= '0' && line[3] <= '9' &&
            sscanf(line, "cpu%d %llu %llu %llu %llu %llu %llu %llu %llu", &cpu, &v[0], &v[1],
                   &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) >= 5) {
            out[n] = (struct disturbance_cpu){.cpu = cpu, .steal = v[7]};
            for (int k = 0; k < 8; k++)
                out[n].total += v[k];
            n++;
        }
        line = next ? next + 1 : NULL;
    }
    return n;
}

/* The per-CPU lines of /proc/stat, malloc'd; *n 0 (and NULL) when it cannot be read. */
static struct disturbance_cpu *disturbance_read_stat(size_t *n)
{
    *n = 0;
    FILE *f = fopen("/proc/stat", "r");
    if (!f)
        return NULL;
    char *text = xmalloc(DISTURBANCE_STAT_BYTES);
    size_t len = fread(text, 1, DISTURBANCE_STAT_BYTES - 1, f);
    fclose(f);
    text[len] = '\0';
    size_t cap = 1;
    for (const char *p = text; (p = strchr(p, '\n')); p++)
        cap++;
    struct disturbance_cpu *cpus = xcalloc(cap, sizeof *cpus);
    *n = disturbance_parse_stat(text, cpus, cap);
    free(text);
    if (*n == 0) {
        free(cpus);
        return NULL;
    }
    return cpus;
}

double disturbance_steal_pct(const struct disturbance_cpu *before, size_t nb,
                             const struct disturbance_cpu *after, size_t na,
                             const cpu_set_t *allowed)
{
    uint64_t steal = 0, total = 0;
    for (size_t a = 0; a < na; a++) {
        if (after[a].cpu < 0 || after[a].cpu >= CPU_SETSIZE || !CPU_ISSET(after[a].cpu, allowed))
            continue;
        for (size_t b = 0; b < nb; b++)
            if (before[b].cpu == after[a].cpu && after[a].total >= before[b].total &&
                after[a].steal >= before[b].steal) {
                steal += after[a].steal - before[b].steal;
                total += after[a].total - before[b].total;
            }
    }
    return total ? 100.0 * (double)steal / (double)total : 0;
}

static long disturbance_thread_switches(void)
{
    struct rusage usage;
    return getrusage(RUSAGE_THREAD, &usage) == 0 ? usage.ru_nivcsw : 0;
}

void disturbance_begin(struct disturbance *d, int workers)
{
    d->workers = workers;
    d->per_worker = xcalloc((size_t)workers, sizeof *d->per_worker);
    d->before = disturbance_read_stat(&d->cpus);
}

void disturbance_worker_begin(struct disturbance *d, int worker)
{
    struct disturbance_worker *w = &d->per_worker[worker];
    if (sched_getaffinity(0, sizeof w->allowed, &w->allowed) != 0)
        CPU_ZERO(&w->allowed);
    w->switches = disturbance_thread_switches();
}

void disturbance_worker_end(struct disturbance *d, int worker)
{
    struct disturbance_worker *w = &d->per_worker[worker];
    long now = disturbance_thread_switches();
    w->switches = now >= w->switches ? now - w->switches : 0;
}

void disturbance_end(struct disturbance *d, struct result_sample *sample)
{
    cpu_set_t allowed;
    CPU_ZERO(&allowed);
    sample->involuntary_switches = 0;
    for (int i = 0; i < d->workers; i++) {
        CPU_OR(&allowed, &allowed, &d->per_worker[i].allowed);
        sample->involuntary_switches += (uint64_t)d->per_worker[i].switches;
    }
    size_t n = 0;
    struct disturbance_cpu *after = d->cpus ? disturbance_read_stat(&n) : NULL;
    sample->steal_pct = n ? disturbance_steal_pct(d->before, d->cpus, after, n, &allowed) : NAN;
    free(after);
    free(d->before);
    free(d->per_worker);
    *d = (struct disturbance){0};
}

bool disturbance_affected(const struct result_sample *s)
{
    if (s->steal_pct > DISTURBANCE_STEAL_PCT) /* false for NAN: not read */
        return true;
    double worker_seconds = s->window_s * (s->workers > 0 ? s->workers : 1);
    if (!(worker_seconds > 0) || !(s->worker_cpu_s > 0)) /* not measured (or imported): no evidence */
        return false;
    return 100.0 * (1.0 - s->worker_cpu_s / worker_seconds) > DISTURBANCE_OFF_CPU_PCT;
}
