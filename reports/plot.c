/*
 * plot.c: gnuplot scripts for the report's plots (see plot.h).  gnuplot reads the script from a
 * pipe and, reading non-interactively, stops at its first error, so plot_close's exit status
 * says whether every plot was drawn.  The x axis of a read_pct sweep is the share of writes
 * (100 - read_pct): "more contention to the right", like threads and skew.
 */
#include "reports/plot.h"

#include "base/xalloc.h"
#include "reports/style.h"
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

/* A title of two lines, each a single-quoted string (so nothing in it is substituted: gnuplot runs
 * `backquoted` commands inside double quotes), joined by string concatenation around a newline. */
static void plot_put_title(FILE *f, const char *first, const char *second)
{
    plot_put_string(f, first);
    fputs(".\"\\n\".", f);
    plot_put_string(f, second);
}

/* gnuplot's point type for a marker (its SVG terminal's numbering: 1 plus ... 15 filled pentagon). */
static int plot_point_type(const struct style *st)
{
    static const int open[] = {[STYLE_PLUS] = 1, [STYLE_CROSS] = 2, [STYLE_ASTERISK] = 3, [STYLE_SQUARE] = 4,
                               [STYLE_CIRCLE] = 6, [STYLE_TRIANGLE_UP] = 8, [STYLE_TRIANGLE_DOWN] = 10,
                               [STYLE_DIAMOND] = 12, [STYLE_PENTAGON] = 14};
    int pt = open[st->marker];
    return pt + (st->filled && pt >= 4); /* the filled shape follows its outline */
}

/* The series' line: colour, dash pattern and marker from its style (style.h), the same on every plot. */
static void plot_line_style(FILE *f, const struct report_series *series)
{
    struct style st;
    char dash[64];
    style_of(series->name, series->label, &st);
    style_dash_text(&st, dash, sizeof dash);
    fprintf(f, " lw 1.5 lc rgb '%s' pt %d ps 0.7", st.colour, plot_point_type(&st));
    if (dash[0])
        fprintf(f, " dt (%s)", dash);
    else
        fputs(" dt solid", f);
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

/* The first line of a sweep plot's title: "quick: throughput against threads" (the second is the
 * dimensions the sweep holds fixed). */
static void plot_title(const struct report_sweep *w, const char *what, char *buf, size_t len)
{
    snprintf(buf, len, "%s: %s against %s", w->scenario, what, report_dim_name(w->dim));
}

static void plot_begin(struct plot *p, const struct report_sweep *w, const char *path, const char *what,
                       const char *ylabel, int height)
{
    FILE *f = p->pipe;
    char title[REPORT_TEXT];
    plot_title(w, what, title, sizeof title);
    fprintf(f, "reset\nset terminal svg size 720,%d dynamic noenhanced font 'sans,11' background '#ffffff'\n", height);
    fputs("set output ", f);
    plot_put_string(f, path);
    fputs("\nset title ", f);
    plot_put_title(f, title, w->fixed);
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

/* Bytes per key held live: what the map held once its pending reclamation ran; all it held where
 * the run did not measure the two apart (before the split was stored). */
static bool plot_metric_live(const struct report_case *c, int arg, double *y, double *lo, double *hi)
{
    (void)arg;
    *y = *lo = *hi = c->bytes_per_key - (isfinite(c->pending_bytes_per_key) ? c->pending_bytes_per_key : 0);
    return c->n > 0 && isfinite(*y) && *y > 0; /* drawn on a log axis; null holds nothing */
}

/* Bytes per key awaiting reclamation (retired copies, nodes and boxes waiting for a grace period). */
static bool plot_metric_pending(const struct report_case *c, int arg, double *y, double *lo, double *hi)
{
    (void)arg;
    *y = *lo = *hi = c->pending_bytes_per_key;
    return c->n > 0 && isfinite(*y) && *y > 0; /* log axis: a backend with nothing pending is not drawn */
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

/* One set of lines on a plot: the metric, its argument, whether it has error bars, whether the
 * `null` backend is left out (its throughput, the harness alone, is ten times any map's and would
 * flatten every other line against the axis), and what to say when nothing is drawn.  Each series
 * is drawn in its backend's style. */
struct plot_layer {
    plot_metric_fn metric;
    int arg;
    bool errorbars;
    bool without_null;
    const char *empty; /* why nothing is drawn, when nothing is; NULL: "no data" */
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

/* Nothing to draw: an empty frame over the sweep's x range saying why (a constant below the y range,
 * not a gnuplot error, on a log x axis too); the label is tagged so that the next panel of a
 * multiplot does not inherit it. */
static void plot_nothing(FILE *f, const struct report_sweep *w, const char *why)
{
    double lo = w->point_count ? plot_x(w, w->points[0]) : 1, hi = w->point_count ? plot_x(w, w->points[w->point_count - 1]) : 1;
    if (lo > hi) {
        double t = lo;
        lo = hi;
        hi = t;
    }
    if (!(lo < hi)) { /* one point: around it, positive when it is */
        lo = lo > 0 ? lo / 2 : lo - 1;
        hi = hi > 0 ? hi * 2 : hi + 1;
    }
    fputs("set label 99 ", f);
    plot_put_string(f, why);
    fprintf(f, " at graph 0.5, graph 0.5 center\nplot [%.17g:%.17g][1:10] 0.5 notitle\nunset label 99\n", lo, hi);
}

/* Writes series s of the layer as datablock $dS; returns the number of points written. */
static size_t plot_datablock(FILE *f, const struct report_data *d, const struct report_sweep *w, size_t s,
                             const struct plot_layer *layer)
{
    const struct report_series *series = &w->series[s];
    size_t written = 0;
    fprintf(f, "$d%zu << EOD\n", s);
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

/* One series of a plot command: "plot " before the first (*started false), ", " before the others,
 * then its datablock, its columns, how it is drawn, its style and its title. */
static void plot_series(FILE *f, bool *started, const char *block, size_t s, const char *columns, const char *with,
                        const struct report_series *series)
{
    fprintf(f, "%s%s%zu using %s with %s", *started ? ", " : "plot ", block, s, columns, with);
    plot_line_style(f, series);
    fputs(" title ", f);
    plot_put_string(f, series->label);
    *started = true;
}

/* Writes the layer's data, then one plot command drawing every series of it in its style. */
static void plot_layer(struct plot *p, const struct report_data *d, const struct report_sweep *w,
                       const struct plot_layer *layer)
{
    FILE *f = p->pipe;
    bool *any = xcalloc(w->series_count + 1, sizeof *any);
    for (size_t s = 0; s < w->series_count; s++)
        any[s] = !(layer->without_null && w->series[s].role == MAP_ROLE_HARNESS) &&
                 plot_datablock(f, d, w, s, layer) > 0;
    bool comma = false;
    for (size_t s = 0; s < w->series_count; s++)
        if (any[s])
            plot_series(f, &comma, "$d", s, layer->errorbars ? "1:2:3:4" : "1:2",
                        layer->errorbars ? "yerrorlines" : "linespoints", &w->series[s]);
    if (comma)
        fputc('\n', f);
    else
        plot_nothing(f, w, layer->empty ? layer->empty : "no data");
    free(any);
}

#define PLOT_LAYER(metric_fn, argument) (&(const struct plot_layer){.metric = metric_fn, .arg = argument})

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

/* The throughput axis's label, in two lines (a constant, so a double-quoted gnuplot string is safe):
 * what the bars are, the interval findings.c decided for each median (with fewer than 6 repetitions
 * no interval reaches 95%, and findings.c gives the minimum to the maximum: the page says so). */
#define PLOT_THROUGHPUT_LABEL "Mops/s (median)\\nbars: the median's 95% interval (sign test)"

void plot_sweep_throughput(struct plot *p, const struct report_data *d, const struct report_sweep *w,
                           const struct findings_sweep *fs, const char *path)
{
    plot_begin(p, w, path, "throughput", "", 420);
    fputs("set ylabel \"" PLOT_THROUGHPUT_LABEL "\"\n", p->pipe);
    if (w->dim == REPORT_DIM_KEYS)
        plot_cache_lines(p, d, w, fs);
    bool has_null = false;
    for (size_t s = 0; s < w->series_count; s++)
        has_null |= w->series[s].role == MAP_ROLE_HARNESS;
    if (has_null)
        fputs("set label 'null (the harness alone) is in the table, not drawn' at screen 0.99, screen 0.02 right"
              " font ',9' textcolor rgb '#555555'\n",
              p->pipe);
    const struct plot_layer layer = {.metric = plot_metric_throughput, .errorbars = true, .without_null = true, .bars = fs};
    plot_layer(p, d, w, &layer);
    plot_end(p);
}

/* A stacked panel of a multiplot: its y label and the layer.  Only the first panel has the key:
 * the panels share their backends and, with fixed margins, their x axis. */
static void plot_panel(struct plot *p, const struct report_data *d, const struct report_sweep *w, const char *ylabel,
                       const char *settings, const struct plot_layer *layer)
{
    fputs("set ylabel ", p->pipe);
    plot_put_string(p->pipe, ylabel);
    fprintf(p->pipe, "\n%s", settings);
    plot_layer(p, d, w, layer);
    fputs("unset key\n", p->pipe);
}

/* Starts a multiplot of `panels` stacked panels under one title (the dash pattern of a line is its
 * backend's, so two figures of one backend go in two panels, never two dash patterns). */
static void plot_begin_stack(struct plot *p, const struct report_sweep *w, const char *path, const char *what,
                             int panels)
{
    char title[REPORT_TEXT];
    plot_title(w, what, title, sizeof title);
    plot_begin(p, w, path, what, "", 50 + 270 * panels);
    fprintf(p->pipe, "set multiplot layout %d,1 title ", panels);
    plot_put_title(p->pipe, title, w->fixed);
    fputs("\nunset title\nset lmargin at screen 0.11\nset rmargin at screen 0.74\n"
          "set key outside right top font ',10' spacing 0.9\n",
          p->pipe);
}

void plot_sweep_latency(struct plot *p, const struct report_data *d, const struct report_sweep *w,
                        const struct findings_sweep *fs, const char *path)
{
    plot_begin_stack(p, w, path, "get latency p99 (top) and p50", 2);
    if (w->dim == REPORT_DIM_KEYS)
        plot_cache_lines(p, d, w, fs);
    plot_panel(p, d, w, "p99 ns (log scale)", "set logscale y\nset yrange [*:*]\n", PLOT_LAYER(plot_metric_latency, 2));
    plot_panel(p, d, w, "p50 ns (log scale)", "", PLOT_LAYER(plot_metric_latency, 0));
    fputs("unset multiplot\n", p->pipe);
    plot_end(p);
}

void plot_sweep_percentiles(struct plot *p, const struct report_data *d, const struct report_sweep *w, double x,
                            const char *path)
{
    FILE *f = p->pipe;
    char title[REPORT_TEXT + 256], at[64];
    wording_value(w->dim, x, at, sizeof at);
    snprintf(title, sizeof title, "%s: get latency percentiles at %s", w->scenario, at);
    fputs("reset\nset terminal svg size 720,420 dynamic noenhanced font 'sans,11' background '#ffffff'\nset output ", f);
    plot_put_string(f, path);
    fputs("\nset title ", f);
    plot_put_title(f, title, w->fixed);
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
    for (size_t s = 0; s < w->series_count; s++) {
        const struct report_case *c = report_series_case_at(d, &w->series[s], x);
        if (c && c->has_latency[RESULT_OP_GET])
            plot_series(f, &comma, "$p", s, "1:2", "linespoints", &w->series[s]);
    }
    if (comma)
        fputc('\n', f);
    else /* the percentiles' own axis: [-0.3:3.3] is set */
        fputs("set label 99 'no data' at graph 0.5, graph 0.5 center\nplot [][1:10] 0.5 notitle\n", f);
    plot_end(p);
}

void plot_sweep_memory(struct plot *p, const struct report_data *d, const struct report_sweep *w, const char *path)
{
    plot_begin_stack(p, w, path, "memory: live, awaiting reclamation, allocations", 3);
    /* log: cow's pending copies hold thousands of bytes per key beside a table's tens */
    plot_panel(p, d, w, "live bytes per key (log)", "set logscale y\nset yrange [*:*]\n",
               PLOT_LAYER(plot_metric_live, 0));
    bool measured = false; /* runs before the split was stored did not measure it */
    for (size_t s = 0; s < w->series_count; s++)
        for (size_t i = 0; i < w->series[s].n; i++)
            measured |= isfinite(d->cases[w->series[s].cases[i]].pending_bytes_per_key);
    const struct plot_layer pending = {.metric = plot_metric_pending,
                                       .empty = measured ? "nothing awaited reclamation"
                                                         : "not measured: the run predates the split of live and pending bytes"};
    plot_panel(p, d, w, "bytes per key awaiting reclamation (log)", "", &pending);
    plot_panel(p, d, w, "allocations per operation", "unset logscale y\nset yrange [0:0.001<*]\n",
               PLOT_LAYER(plot_metric_allocs, 0));
    fputs("unset multiplot\n", p->pipe);
    plot_end(p);
}

void plot_sweep_fairness(struct plot *p, const struct report_data *d, const struct report_sweep *w, const char *path)
{
    plot_begin(p, w, path, "fairness (slowest worker / fastest)", "slowest worker's ops / fastest worker's", 420);
    fprintf(p->pipe, "set yrange [0:1.05]\nset arrow from graph 0, first %g to graph 1, first %g nohead dashtype 3 lc rgb '#aa0000'\n",
            FINDINGS_STARVED, FINDINGS_STARVED);
    plot_layer(p, d, w, PLOT_LAYER(plot_metric_fairness, 0));
    plot_end(p);
}
