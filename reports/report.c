/*
 * report.c: the report's pipeline (see report.h), in the order data flows: load (store ->
 * report_data, sweeps, the machines' history) -> analyse (findings: winners, crossovers, knees,
 * shifts) -> draw (plots, topology) -> write (CSV, then the page that links them).  Nothing here
 * decides a finding or formats one.  Helpers run as child processes with their arguments in an
 * argv array (never a shell command line), since paths come from the user.
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
#include "reports/csv.h"
#include "reports/findings.h"
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

static void report_draw_sweep(struct plot *p, const struct report_data *d, const struct report_sweep *w,
                              const struct findings_sweep *fs, size_t i, const char *out_dir)
{
    char name[64], path[4096 + 64];
#define REPORT_PATH(kind) (html_plot_file(i, kind, name, sizeof name), snprintf(path, sizeof path, "%s/%s", out_dir, name), path)
    plot_sweep_throughput(p, d, w, fs, REPORT_PATH("throughput"));
    if (fs->has_latency) {
        plot_sweep_latency(p, d, w, fs, REPORT_PATH("latency"));
        plot_sweep_percentiles(p, d, w, fs->heaviest, REPORT_PATH("percentiles"));
    }
    plot_sweep_memory(p, d, w, REPORT_PATH("memory"));
    if (fs->starved)
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
    struct findings findings; /* points into data, sweeps and history: freed first */
};

static void report_parts_free(struct report_parts *r)
{
    findings_free(&r->findings);
    report_data_free(&r->data);
    report_data_free(&r->history);
    report_sweeps_free(r->sweeps, r->sweep_count);
}

static bool report_load(struct store *s, const int64_t *run_ids, size_t n, struct report_parts *r, char *err)
{
    return report_data_load(s, run_ids, n, &r->data, err) &&
           report_sweeps_build(&r->data, &r->sweeps, &r->sweep_count, err) &&
           report_load_history(s, &r->data, &r->history, err);
}

static bool report_draw(const struct report_parts *r, const char *out_dir, char *err)
{
    struct plot *p = plot_open(err);
    if (!p)
        return false;
    for (size_t i = 0; i < r->sweep_count; i++)
        report_draw_sweep(p, &r->data, &r->sweeps[i], &r->findings.sweeps[i], i, out_dir);
    for (size_t m = 0; m < r->data.machine_count; m++)
        report_draw_topology(&r->data.machines[m], out_dir);
    return plot_close(p, err);
}

/* The CSV tables, then the page that links them and embeds the plots. */
static bool report_write_files(const struct report_parts *r, const char *baseline, const char *out_dir, char *err)
{
    struct html_page page = {
        .data = &r->data, .sweeps = r->sweeps, .sweep_count = r->sweep_count, .findings = &r->findings,
        .baseline = baseline, .out_dir = out_dir,
    };
    return csv_write_sweeps(out_dir, &r->data, r->sweeps, &r->findings, err) &&
           csv_write_history(out_dir, &r->findings, err) &&
           csv_write_reproduce(out_dir, &r->data, r->sweeps, &r->findings, err) &&
           csv_write_machines(out_dir, &r->findings, err) &&
           csv_write_matrix(out_dir, &r->data, r->sweeps, &r->findings, err) && html_write_report(&page, err);
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
    bool ok = report_load(s, run_ids, n, &r, err);
    if (ok)
        findings_decide(&r.data, r.sweeps, r.sweep_count, &r.history, baseline, &r.findings);
    ok = ok && report_draw(&r, out_dir, err) && report_write_files(&r, baseline, out_dir, err);
    report_parts_free(&r);
    return ok;
}
