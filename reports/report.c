/*
 * report.c: the report's pipeline (see report.h), in the order data flows: store -> report_data
 * -> sweeps -> crossovers and knees -> plots -> page.  Helpers run as child processes with their
 * arguments in an argv array (never a shell command line), since paths come from the user.
 */
#include "reports/report.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "reports/crossover.h"
#include "reports/html.h"
#include "reports/plot.h"
#include "reports/report_data.h"

/* Runs argv[0] found on PATH with output discarded; true when it exited 0. */
static bool report_spawn_quietly(char *const argv[])
{
    pid_t pid = fork();
    if (pid < 0)
        return false;
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) {
            dup2(null, STDOUT_FILENO);
            dup2(null, STDERR_FILENO);
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return false;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Draws machine m's stored topology as out_dir/machine-ID.svg with lstopo; on any failure leaves
 * no such file, so the page falls back to text. */
static void report_draw_topology(const struct report_machine *m, const char *out_dir)
{
    char xml[4096], svg[4096];
    snprintf(xml, sizeof xml, "%s/machine-%lld.xml", out_dir, (long long)m->id);
    snprintf(svg, sizeof svg, "%s/machine-%lld.svg", out_dir, (long long)m->id);
    unlink(svg);
    if (!m->topology_xml)
        return;
    FILE *f = fopen(xml, "w");
    if (!f)
        return;
    bool written = fputs(m->topology_xml, f) >= 0;
    written &= fclose(f) == 0;
    char *argv[] = {"lstopo", "--of", "svg", "-f", "-i", xml, svg, NULL};
    if (!written || !report_spawn_quietly(argv))
        unlink(svg);
    unlink(xml);
}

static void report_draw_sweep(struct plot *p, const struct report_data *d, const struct report_sweep *w, size_t i,
                              const char *out_dir)
{
    char name[64], path[4096 + 64];
#define REPORT_PATH(kind) (html_plot_file(i, kind, name, sizeof name), snprintf(path, sizeof path, "%s/%s", out_dir, name), path)
    plot_sweep_throughput(p, d, w, REPORT_PATH("throughput"));
    if (plot_sweep_has_latency(d, w)) {
        plot_sweep_latency(p, d, w, REPORT_PATH("latency"));
        plot_sweep_percentiles(p, d, w, plot_sweep_heaviest_point(w), REPORT_PATH("percentiles"));
    }
    plot_sweep_memory(p, d, w, REPORT_PATH("memory"));
    if (plot_sweep_has_starvation(d, w))
        plot_sweep_fairness(p, d, w, REPORT_PATH("fairness"));
#undef REPORT_PATH
}

/* Every run of the report's machines, oldest first, for the history. */
static bool report_load_history(struct store *s, const struct report_data *d, struct report_data *h, char *err)
{
    int64_t *all = NULL;
    size_t count = 0;
    bool ok = true;
    for (size_t m = 0; ok && m < d->machine_count; m++) {
        int64_t *ids;
        long n = report_data_machine_runs(s, d->machines[m].id, &ids, err);
        ok = n >= 0;
        if (ok) {
            all = xreallocarray(all, count + (size_t)n + 1, sizeof *all);
            memcpy(all + count, ids, (size_t)n * sizeof *ids);
            count += (size_t)n;
        }
        free(ids);
    }
    ok = ok && report_data_load(s, all, count, h, err);
    free(all);
    return ok;
}

struct report_parts {
    struct report_data data, history;
    struct report_sweep *sweeps;
    size_t sweep_count;
    struct crossover *crossovers;
    size_t crossover_count;
    struct knee *knees;
    size_t knee_count;
};

static void report_parts_free(struct report_parts *r)
{
    report_data_free(&r->data);
    report_data_free(&r->history);
    report_sweeps_free(r->sweeps, r->sweep_count);
    free(r->crossovers);
    free(r->knees);
}

static bool report_analyse(struct store *s, const int64_t *run_ids, size_t n, struct report_parts *r, char *err)
{
    if (!report_data_load(s, run_ids, n, &r->data, err) || !report_sweeps_build(&r->data, &r->sweeps, &r->sweep_count, err))
        return false;
    if (!crossover_find_all(&r->data, r->sweeps, r->sweep_count, &r->crossovers, &r->crossover_count) ||
        !crossover_find_knees(&r->data, r->sweeps, r->sweep_count, &r->knees, &r->knee_count)) {
        snprintf(err, ERR_LEN, "out of memory finding crossovers");
        return false;
    }
    return report_load_history(s, &r->data, &r->history, err);
}

static bool report_draw(const struct report_parts *r, const char *out_dir, char *err)
{
    struct plot *p = plot_open(err);
    if (!p)
        return false;
    for (size_t i = 0; i < r->sweep_count; i++)
        report_draw_sweep(p, &r->data, &r->sweeps[i], i, out_dir);
    for (size_t m = 0; m < r->data.machine_count; m++)
        report_draw_topology(&r->data.machines[m], out_dir);
    return plot_close(p, err);
}

bool report_write(struct store *s, const int64_t *run_ids, size_t n, const char *baseline, const char *out_dir,
                  char *err)
{
    struct plot *probe = plot_open(err); /* gnuplot missing fails before anything is written */
    if (!probe || !plot_close(probe, err))
        return false;
    if (mkdir(out_dir, 0777) != 0 && errno != EEXIST) {
        snprintf(err, ERR_LEN, "cannot create %.200s: %s", out_dir, strerror(errno));
        return false;
    }
    struct report_parts r = {0};
    bool ok = report_analyse(s, run_ids, n, &r, err) && report_draw(&r, out_dir, err);
    if (ok) {
        struct html_page page = {
            .data = &r.data, .sweeps = r.sweeps, .sweep_count = r.sweep_count, .crossovers = r.crossovers,
            .crossover_count = r.crossover_count, .knees = r.knees, .knee_count = r.knee_count,
            .history = &r.history, .baseline = baseline, .out_dir = out_dir,
        };
        ok = html_write_report(&page, err);
    }
    report_parts_free(&r);
    return ok;
}
