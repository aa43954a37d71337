/*
 * plot.c: gnuplot scripts for the report's plots (see plot.h).  gnuplot reads the script from a
 * pipe and, reading non-interactively, stops at its first error, so plot_close's exit status
 * says whether every plot was drawn.  The x axis of a read_pct sweep is the share of writes
 * (100 - read_pct): "more contention to the right", like threads and skew.
 */
#include "reports/plot.h"

#include "base/xalloc.h"
#include "reports/wording.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct plot {
    FILE *pipe;
    char messages[64]; /* gnuplot's stderr: its warnings are noise, its error is the one line we report */
};

/* Nothing to draw: an empty labelled frame, not a gnuplot error (a constant outside the range). */
static const char plot_empty[] = "[0:1][1:10] 0 notitle\nset label 'no data' at graph 0.5, graph 0.5 center\n";

static bool plot_gnuplot_on_path(void)
{
    const char *path = getenv("PATH");
    char dir[4096], candidate[4200];
    for (const char *p = path ? path : ""; *p;) {
        size_t n = strcspn(p, ":");
        snprintf(dir, sizeof dir, "%.*s", (int)n, p);
        snprintf(candidate, sizeof candidate, "%s/gnuplot", n ? dir : ".");
        if (access(candidate, X_OK) == 0)
            return true;
        p += n + (p[n] == ':');
    }
    return false;
}

struct plot *plot_open(char *err)
{
    if (!plot_gnuplot_on_path()) {
        snprintf(err, ERR_LEN, "gnuplot not found on PATH: the report's plots need it (apt-get install gnuplot-nox)");
        return NULL;
    }
    struct plot *p = xcalloc(1, sizeof *p);
    char command[128];
    int fd = -1;
    if (p) {
        snprintf(p->messages, sizeof p->messages, "/tmp/mapbench-gnuplot-XXXXXX");
        fd = mkstemp(p->messages);
    }
    if (fd >= 0) {
        close(fd);
        snprintf(command, sizeof command, "gnuplot 2>%s", p->messages);
    }
    if (!p || fd < 0 || !(p->pipe = popen(command, "w"))) {
        if (fd >= 0)
            unlink(p->messages);
        free(p);
        snprintf(err, ERR_LEN, "cannot start gnuplot");
        return NULL;
    }
    return p;
}

/* The last non-blank line gnuplot wrote to stderr (its error), or "" */
static void plot_last_message(const char *path, char *out, size_t len)
{
    FILE *f = fopen(path, "r");
    char line[512];
    out[0] = '\0';
    while (f && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (strspn(line, " \t^") != strlen(line))
            snprintf(out, len, "%.180s", line);
    }
    if (f)
        fclose(f);
}

bool plot_close(struct plot *p, char *err)
{
    if (!p)
        return true;
    int status = pclose(p->pipe);
    char message[200];
    plot_last_message(p->messages, message, sizeof message);
    unlink(p->messages);
    free(p);
    if (status != 0) {
        snprintf(err, ERR_LEN, "gnuplot failed (exit status %d): %s",
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1, message);
        return false;
    }
    return true;
}

/* Writes text as the inside of a single-quoted gnuplot string: '' is a quote, control
 * characters become spaces, nothing else is special there. */
static void plot_put_string(FILE *f, const char *text)
{
    fputc('\'', f);
    for (const char *c = text; *c; c++) {
        if (*c == '\'')
            fputs("''", f);
        else
            fputc((unsigned char)*c < 0x20 ? ' ' : *c, f);
    }
    fputc('\'', f);
}

/* Colours chosen to stay apart from each other; a backend keeps its own on every plot. */
static const char *plot_colour(const char *name)
{
    static const char *const known[] = {"mutex", "rwlock", "striped", "rcu", "cow", "syncmap", "ref-ckht",
                                        "ref-lfht", "plain", "null"};
    static const char *const colours[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
                                          "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"};
    size_t n = sizeof known / sizeof *known;
    unsigned hash = 5381;
    for (size_t i = 0; i < n; i++)
        if (strcmp(name, known[i]) == 0)
            return colours[i];
    for (const char *c = name; *c; c++)
        hash = hash * 33 + (unsigned char)*c;
    return colours[hash % n];
}

/* Where a point goes on the x axis.  Read ratios are drawn evenly spaced, one slot per measured
 * share of writes (0%, 1%, 5%, 10%, 25% ... crowd the left edge of a linear axis, yet they are
 * where a reader-writer lock or copy-on-write turns). */
static double plot_x(const struct report_sweep *w, double x)
{
    if (w->dim != REPORT_DIM_READ_PCT)
        return x;
    size_t slot = 0; /* points ascend in read_pct, so writes descend: count the larger reads */
    for (size_t i = 0; i < w->point_count; i++)
        slot += w->points[i] > x;
    return (double)slot;
}

/* Labels the evenly spaced read-ratio slots with their share of writes. */
static void plot_read_ratio_tics(FILE *f, const struct report_sweep *w)
{
    fputs("set xtics (", f);
    for (size_t i = 0; i < w->point_count; i++)
        fprintf(f, "%s'%g%%%%' %g", i ? ", " : "", 100 - w->points[i], plot_x(w, w->points[i])); /* %% : gnuplot reads tic labels as formats */
    fprintf(f, ")\nset xrange [-0.3:%g]\n", (double)w->point_count - 0.7);
}

/* Counted dimensions (threads, hot keys) get a tic at every measured count, not at 1.2 threads,
 * and a margin so the end points do not sit on the frame. */
static void plot_count_tics(FILE *f, const struct report_sweep *w)
{
    double lo = w->points[0], hi = w->points[w->point_count - 1], margin = (hi - lo) * 0.04;
    if (w->point_count <= 16) {
        fputs("set xtics (", f);
        for (size_t i = 0; i < w->point_count; i++)
            fprintf(f, "%s%g", i ? ", " : "", w->points[i]);
        fputs(")\n", f);
    } else {
        fputs("set format x '%.0f'\n", f);
    }
    fprintf(f, "set xrange [%g:%g]\n", lo - margin, hi + margin);
}

static const char *plot_x_label(enum report_dim dim)
{
    static const char *const labels[] = {"threads", "writes (% of operations; one slot per measured share)", "keys (log scale)",
                                         "shards (log scale)", "zipf theta", "hot keys", "write kind"};
    return labels[dim];
}

static void plot_begin(struct plot *p, const struct report_sweep *w, const char *path, const char *title,
                       const char *ylabel, int height)
{
    FILE *f = p->pipe;
    fprintf(f, "reset\nset terminal svg size 720,%d dynamic noenhanced font 'sans,11' background '#ffffff'\n", height);
    fputs("set output ", f);
    plot_put_string(f, path);
    fputs("\nset title ", f);
    plot_put_string(f, title);
    fputs("\nset ylabel ", f);
    plot_put_string(f, ylabel);
    fprintf(f, "\nset xlabel '%s'\nset key outside right top\nset grid\nset yrange [0:*]\n", plot_x_label(w->dim));
    if (w->dim == REPORT_DIM_KEYS || w->dim == REPORT_DIM_SHARDS)
        fprintf(f, "set logscale x %d\n", w->dim == REPORT_DIM_KEYS ? 10 : 2);
    if (w->dim == REPORT_DIM_READ_PCT)
        plot_read_ratio_tics(f, w);
    if (w->dim == REPORT_DIM_THREADS || w->dim == REPORT_DIM_HOT_KEYS)
        plot_count_tics(f, w);
    if (w->dim == REPORT_DIM_WRITE_KIND) {
        fputs("set xtics (", f);
        for (size_t i = 0; i < w->point_count; i++)
            fprintf(f, "%s'%s' %g", i ? ", " : "", case_write_kind_name((enum case_write_kind)w->points[i]),
                    w->points[i]);
        fprintf(f, ")\nset xrange [%g:%g]\n", w->points[0] - 0.5, w->points[w->point_count - 1] + 0.5);
    }
}

static void plot_end(struct plot *p)
{
    fputs("unset output\n", p->pipe);
    fflush(p->pipe);
}

/* One value of a case for a plot: y with its low and high bar; false: no value. */
typedef bool (*plot_metric_fn)(const struct report_case *c, int arg, double *y, double *lo, double *hi);

static bool plot_metric_throughput(const struct report_case *c, int arg, double *y, double *lo, double *hi)
{
    (void)arg;
    *y = c->median / 1e6;
    *lo = c->min / 1e6;
    *hi = c->max / 1e6;
    return c->n > 0;
}

static bool plot_metric_latency(const struct report_case *c, int pct, double *y, double *lo, double *hi)
{
    *y = *lo = *hi = c->latency_ns[RESULT_OP_GET][pct];
    return c->has_latency[RESULT_OP_GET] && *y > 0;
}

static bool plot_metric_bytes(const struct report_case *c, int arg, double *y, double *lo, double *hi)
{
    (void)arg;
    *y = *lo = *hi = c->bytes_per_key;
    return c->n > 0 && isfinite(*y) && *y > 0; /* drawn on a log axis; null holds nothing */
}

static bool plot_metric_allocs(const struct report_case *c, int arg, double *y, double *lo, double *hi)
{
    (void)arg;
    *y = *lo = *hi = c->allocs_per_op;
    return c->n > 0 && isfinite(*y);
}

static bool plot_metric_fairness(const struct report_case *c, int arg, double *y, double *lo, double *hi)
{
    (void)arg;
    *y = *lo = *hi = c->fairness;
    return c->n > 0 && c->c.threads > 1 && isfinite(*y);
}

/* One set of lines on a plot: the metric, its argument, the gnuplot "with" clause, a suffix for
 * the titles, and whether the `null` backend is left out (its throughput, the harness alone, is
 * ten times any map's and would flatten every other line against the axis). */
struct plot_layer {
    plot_metric_fn metric;
    int arg;
    const char *style, *suffix;
    bool without_null;
    const struct findings_sweep *bars; /* error bars from these cells' median intervals; NULL: the metric's */
};

/* Index of x among the sweep's points. */
static size_t plot_point_index(const struct report_sweep *w, double x)
{
    size_t k = 0;
    while (k + 1 < w->point_count && w->points[k] != x)
        k++;
    return k;
}

/* Writes series s of layer l as datablock $dL_S; returns the number of points written. */
static size_t plot_datablock(FILE *f, const struct report_data *d, const struct report_sweep *w, size_t l, size_t s,
                             const struct plot_layer *layer)
{
    const struct report_series *series = &w->series[s];
    size_t written = 0;
    fprintf(f, "$d%zu_%zu << EOD\n", l, s);
    for (size_t i = 0; i < series->n; i++) {
        double y, lo, hi;
        if (layer->metric(&d->cases[series->cases[i]], layer->arg, &y, &lo, &hi)) {
            if (layer->bars) { /* the interval findings.c decided, in the metric's unit (Mops/s) */
                const struct findings_cell *cell = findings_cell_at(layer->bars, plot_point_index(w, series->x[i]), s);
                lo = cell->median_lo / 1e6;
                hi = cell->median_hi / 1e6;
            }
            fprintf(f, "%.17g %.17g %.17g %.17g\n", plot_x(w, series->x[i]), y, lo, hi);
            written++;
        }
    }
    fputs("EOD\n", f);
    return written;
}

/* Writes every layer's data, then one plot command drawing every series of every layer. */
static void plot_layers(struct plot *p, const struct report_data *d, const struct report_sweep *w,
                        const struct plot_layer *layers, size_t layer_count)
{
    FILE *f = p->pipe;
    size_t n = w->series_count ? w->series_count : 1;
    bool *any = xcalloc(layer_count * n, sizeof *any);
    for (size_t l = 0; l < layer_count; l++)
        for (size_t s = 0; s < w->series_count; s++)
            any[l * n + s] = !(layers[l].without_null && w->series[s].role == MAP_ROLE_HARNESS) &&
                             plot_datablock(f, d, w, l, s, &layers[l]) > 0;
    fputs("plot ", f);
    bool comma = false;
    for (size_t l = 0; l < layer_count; l++)
        for (size_t s = 0; s < w->series_count; s++) {
            if (!any[l * n + s])
                continue;
            char title[300];
            snprintf(title, sizeof title, "%s%s", w->series[s].label, layers[l].suffix);
            fprintf(f, "%s$d%zu_%zu using 1:2%s with %s lc rgb '%s' title ", comma ? ", " : "", l, s,
                    strstr(layers[l].style, "errorlines") ? ":3:4" : "", layers[l].style,
                    plot_colour(w->series[s].name));
            plot_put_string(f, title);
            comma = true;
        }
    fputs(comma ? "\n" : plot_empty, f);
    free(any);
}

#define PLOT_LAYER(metric, arg, style) ((const struct plot_layer[]){{metric, arg, style, "", false, NULL}})

/* The cache levels as vertical lines, at their capacity in keys at the sweep's decided bytes per key. */
static void plot_cache_lines(struct plot *p, const struct report_data *d, const struct report_sweep *w,
                             const struct findings_sweep *fs)
{
    const struct report_machine *m = report_data_machine_of(d, &d->runs[w->run]);
    double bytes_per_key = fs->bytes_per_key;
    double lo = w->points[0] / 1.5, hi = w->points[w->point_count - 1] * 1.5;
    fprintf(p->pipe, "set xrange [%g:%g]\n", lo, hi);
    for (int level = 0; m && bytes_per_key > 0 && level < m->cache_levels && level < 4; level++) {
        double keys = (double)m->cache_bytes[level] / bytes_per_key;
        if (keys < lo || keys > hi || m->cache_bytes[level] == 0)
            continue;
        fprintf(p->pipe,
                "set arrow from %g, graph 0 to %g, graph 1 nohead dashtype 2 lc rgb '#555555'\n"
                "set label 'L%d %llu KiB at %.0f B/key' at %g, graph 0.97 rotate by 90 right offset -0.6,0 noenhanced"
                " textcolor rgb '#555555'\n",
                keys, keys, level + 1, (unsigned long long)(m->cache_bytes[level] >> 10), bytes_per_key, keys);
    }
}

static void plot_title(const struct report_sweep *w, const char *what, char *buf, size_t len)
{
    snprintf(buf, len, "%s: %s against %s — %s", w->scenario, what, report_dim_name(w->dim), w->fixed);
}

void plot_sweep_throughput(struct plot *p, const struct report_data *d, const struct report_sweep *w,
                           const struct findings_sweep *fs, const char *path)
{
    char title[REPORT_TEXT + 256];
    plot_title(w, "throughput", title, sizeof title);
    plot_begin(p, w, path, title, "Mops/s (median; bars: its 95% interval, min..max under 6 repetitions)", 420);
    if (w->dim == REPORT_DIM_KEYS)
        plot_cache_lines(p, d, w, fs);
    bool has_null = false;
    for (size_t s = 0; s < w->series_count; s++)
        has_null |= w->series[s].role == MAP_ROLE_HARNESS;
    if (has_null)
        fputs("set label 'null (the harness alone) is in the table, not drawn' at screen 0.99, screen 0.02 right"
              " font ',9' textcolor rgb '#555555'\n",
              p->pipe);
    const struct plot_layer layer = {plot_metric_throughput, 0, "yerrorlines pt 7 ps 0.6", "", true, fs};
    plot_layers(p, d, w, &layer, 1);
    plot_end(p);
}

void plot_sweep_latency(struct plot *p, const struct report_data *d, const struct report_sweep *w,
                        const struct findings_sweep *fs, const char *path)
{
    char title[REPORT_TEXT + 256];
    plot_title(w, "get latency p50 (dashed) and p99", title, sizeof title);
    plot_begin(p, w, path, title, "ns (log scale)", 420);
    fputs("set logscale y\nset yrange [*:*]\n", p->pipe);
    if (w->dim == REPORT_DIM_KEYS)
        plot_cache_lines(p, d, w, fs);
    const struct plot_layer layers[] = {{plot_metric_latency, 2, "linespoints pt 7 ps 0.5", " p99", false, NULL},
                                        {plot_metric_latency, 0, "linespoints dashtype 2 pt 6 ps 0.5", " p50", false, NULL}};
    plot_layers(p, d, w, layers, 2);
    plot_end(p);
}

void plot_sweep_percentiles(struct plot *p, const struct report_data *d, const struct report_sweep *w, double x,
                            const char *path)
{
    FILE *f = p->pipe;
    char title[REPORT_TEXT + 256], at[64];
    wording_value(w->dim, x, at, sizeof at);
    snprintf(title, sizeof title, "%s: get latency percentiles at %s — %s", w->scenario, at, w->fixed);
    fputs("reset\nset terminal svg size 720,420 dynamic noenhanced font 'sans,11' background '#ffffff'\nset output ", f);
    plot_put_string(f, path);
    fputs("\nset title ", f);
    plot_put_string(f, title);
    fputs("\nset ylabel 'ns (log scale)'\nset logscale y\nset grid\nset key outside right top\n"
          "set xtics ('p50' 0, 'p90' 1, 'p99' 2, 'p99.9' 3)\nset xrange [-0.3:3.3]\n", f);
    bool comma = false;
    for (size_t s = 0; s < w->series_count; s++) {
        const struct report_case *c = report_series_case_at(d, &w->series[s], x);
        if (!c || !c->has_latency[RESULT_OP_GET])
            continue;
        fprintf(f, "$p%zu << EOD\n", s);
        for (int k = 0; k < REPORT_PCTS; k++)
            fprintf(f, "%d %.17g\n", k, c->latency_ns[RESULT_OP_GET][k]);
        fputs("EOD\n", f);
    }
    fputs("plot ", f);
    for (size_t s = 0; s < w->series_count; s++) {
        const struct report_case *c = report_series_case_at(d, &w->series[s], x);
        if (!c || !c->has_latency[RESULT_OP_GET])
            continue;
        fprintf(f, "%s$p%zu using 1:2 with linespoints pt 7 ps 0.6 lc rgb '%s' title ", comma ? ", " : "", s,
                plot_colour(w->series[s].name));
        plot_put_string(f, w->series[s].label);
        comma = true;
    }
    fputs(comma ? "\n" : plot_empty, f);
    plot_end(p);
}

void plot_sweep_memory(struct plot *p, const struct report_data *d, const struct report_sweep *w, const char *path)
{
    char title[REPORT_TEXT + 256];
    plot_title(w, "memory", title, sizeof title);
    plot_begin(p, w, path, title, "bytes per key (log scale)", 640);
    fputs("set multiplot layout 2,1 title ", p->pipe);
    plot_put_string(p->pipe, title);
    /* log: cow's pending copies hold thousands of bytes per key beside a table's tens */
    fputs("\nunset title\nset logscale y\nset yrange [*:*]\n", p->pipe);
    plot_layers(p, d, w, PLOT_LAYER(plot_metric_bytes, 0, "linespoints pt 7 ps 0.5"), 1);
    fputs("unset logscale y\nset ylabel 'allocations per operation'\nset yrange [0:0.001<*]\n", p->pipe);
    plot_layers(p, d, w, PLOT_LAYER(plot_metric_allocs, 0, "linespoints pt 7 ps 0.5"), 1);
    fputs("unset multiplot\n", p->pipe);
    plot_end(p);
}

void plot_sweep_fairness(struct plot *p, const struct report_data *d, const struct report_sweep *w, const char *path)
{
    char title[REPORT_TEXT + 256];
    plot_title(w, "fairness (slowest worker / fastest)", title, sizeof title);
    plot_begin(p, w, path, title, "slowest worker's ops / fastest worker's", 420);
    fprintf(p->pipe, "set yrange [0:1.05]\nset arrow from graph 0, first %g to graph 1, first %g nohead dashtype 3 lc rgb '#aa0000'\n",
            FINDINGS_STARVED, FINDINGS_STARVED);
    plot_layers(p, d, w, PLOT_LAYER(plot_metric_fairness, 0, "linespoints pt 7 ps 0.5"), 1);
    plot_end(p);
}
