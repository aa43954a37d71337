/*
 * html.c: writes index.html (see html.h).  The page reads top-down the way a performance engineer
 * asks: what machine and run, which map wins where (the matrix), what did we learn (winners,
 * crossovers, knees, in sentences), then per scenario the plots and the numbers behind them, then
 * the machine, how to reproduce the runs, and the history.  Everything it marks (winners, ratios,
 * wide cells, shifts) comes decided from findings.h and every sentence from wording.h; this file
 * only lays them out.  Text is written straight to the file with fprintf; every value from the
 * database passes through html_escape, and every sentence through html_text, which also sets the
 * code names wording.h quotes in backticks as code (numbers are formatted by us).
 *
 * It reads on a laptop (1366 x 768): the page is as wide as the window and no wider, plots scale
 * down, and only the wide tables (a column per backend, per run or per thread count) scroll,
 * inside a box of their own.  Backends are told apart as on the plots: each table names a backend
 * beside a swatch of its line, colour, dash pattern and marker (style.h).
 */
#include "reports/html.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "reports/csv.h"
#include "reports/style.h"
#include "reports/wording.h"
#include "runner/disturbance.h"

static void html_escape_span(FILE *out, const char *text, size_t len)
{
    for (const char *c = text; c < text + len; c++) {
        switch (*c) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        default: fputc(*c, out);
        }
    }
}

void html_escape(FILE *out, const char *text)
{
    if (text)
        html_escape_span(out, text, strlen(text));
}

void html_text(FILE *out, const char *text)
{
    for (const char *c = text ? text : ""; *c;) {
        const char *open = strchr(c, '`'), *close = open ? strchr(open + 1, '`') : NULL;
        if (!close) { /* no pair left: the rest is text, a lone backtick included */
            html_escape(out, c);
            return;
        }
        html_escape_span(out, c, (size_t)(open - c));
        fputs("<code>", out);
        html_escape_span(out, open + 1, (size_t)(close - open - 1));
        fputs("</code>", out);
        c = close + 1;
    }
}

/* The swatch's marker, drawn as gnuplot draws it, centred at (18, 6). */
static void html_swatch_marker(FILE *f, const struct style *st)
{
    static const char *const shapes[] = {
        [STYLE_PLUS] = "<path d=\"M13.5 6h9M18 1.5v9\"",
        [STYLE_CROSS] = "<path d=\"M14.5 2.5l7 7M21.5 2.5l-7 7\"",
        [STYLE_ASTERISK] = "<path d=\"M13.5 6h9M18 1.5v9M14.5 2.5l7 7M21.5 2.5l-7 7\"",
        [STYLE_SQUARE] = "<rect x=\"14.6\" y=\"2.6\" width=\"6.8\" height=\"6.8\"",
        [STYLE_CIRCLE] = "<circle cx=\"18\" cy=\"6\" r=\"3.6\"",
        [STYLE_TRIANGLE_UP] = "<path d=\"M18 1.4L22.4 9.4H13.6Z\"",
        [STYLE_TRIANGLE_DOWN] = "<path d=\"M18 10.6L22.4 2.6H13.6Z\"",
        [STYLE_DIAMOND] = "<path d=\"M18 1.2L22.8 6L18 10.8L13.2 6Z\"",
        [STYLE_PENTAGON] = "<path d=\"M18 10.3L22.1 7.3L20.5 2.5H15.5L13.9 7.3Z\"",
    };
    bool lines = st->marker <= STYLE_ASTERISK;
    fprintf(f, "%s fill=\"%s\" stroke=\"%s\" stroke-width=\"%s\"/>", shapes[st->marker],
            lines ? "none" : st->filled ? st->colour : "#fff", st->colour, lines ? "1.6" : "1.2");
}

void html_swatch(FILE *f, const char *name, const char *label)
{
    struct style st;
    style_of(name, label, &st);
    fprintf(f, "<svg class=\"swatch\" width=\"36\" height=\"12\" viewBox=\"0 0 36 12\" aria-hidden=\"true\">"
               "<path d=\"M0 6H36\" stroke=\"%s\" stroke-width=\"1.6\"",
            st.colour);
    if (st.dash_count) { /* gnuplot's dash units at the plots' line width, in pixels */
        fputs(" stroke-dasharray=\"", f);
        for (size_t i = 0; i < st.dash_count; i++)
            fprintf(f, "%s%.3g", i ? "," : "", st.dash[i] * 1.125);
        fputc('"', f);
    }
    fputs("/>", f);
    html_swatch_marker(f, &st);
    fputs("</svg>", f);
}

/* A backend as the tables name it: its swatch, then its label as code. */
static void html_backend(FILE *f, const char *name, const char *label)
{
    html_swatch(f, name, label);
    fputs("<code>", f);
    html_escape(f, label);
    fputs("</code>", f);
}

void html_plot_file(size_t sweep, const char *kind, char *buf, size_t len)
{
    snprintf(buf, len, "sweep-%03zu-%s.svg", sweep, kind);
}

/* ---- small writers ---- */

static FILE *html_open_file(const struct html_page *pg, const char *name, char *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", pg->out_dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        snprintf(err, ERR_LEN, "cannot write %.200s", path);
    return f;
}

/* Copies an SVG file into the page, without its XML prolog and doctype. */
static void html_embed_svg(FILE *out, const struct html_page *pg, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", pg->out_dir, name);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(out, "<p class=\"note\">plot %s missing</p>\n", name);
        return;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    rewind(f);
    char *text = xmalloc((size_t)size + 1);
    size_t got = fread(text, 1, (size_t)size, f);
    fclose(f);
    text[got] = '\0';
    char *svg = strstr(text, "<svg");
    fprintf(out, "<figure>%s<figcaption><a href=\"%s\">%s</a></figcaption></figure>\n", svg ? svg : "", name, name);
    free(text);
}

static void html_format_ops(double ops, char *buf, size_t len)
{
    snprintf(buf, len, "%.3g", ops / 1e6);
}

/* ---- summary ---- */

static void html_machine_line(FILE *f, const struct report_machine *m)
{
    fputs("<li><b>", f);
    html_escape(f, m->hostname);
    fputs("</b>: ", f);
    html_escape(f, m->cpu_model);
    fprintf(f, "; %d package(s), %d NUMA node(s), %d cores, %d PUs; caches", m->packages, m->numa_nodes, m->cores,
            m->pus);
    for (int l = 0; l < m->cache_levels && l < 4; l++)
        fprintf(f, " L%d %llu KiB", l + 1, (unsigned long long)(m->cache_bytes[l] >> 10));
    fputs("; kernel ", f);
    html_escape(f, m->kernel);
    fputs("</li>\n", f);
}

static void html_run_line(FILE *f, const struct report_data *d, const struct report_run *r,
                          const struct calibration_verdict *calibration)
{
    size_t ok = 0, total = 0;
    for (size_t i = 0; i < d->case_count; i++)
        if (d->cases[i].run_id == r->id) {
            total++;
            ok += d->cases[i].n > 0;
        }
    fprintf(f, "<li>run %lld", (long long)r->id);
    if (r->label[0]) {
        fputs(" “", f);
        html_escape(f, r->label);
        fputs("”", f);
    }
    fputs(", started ", f);
    html_escape(f, r->started_at);
    fputs(", ", f);
    html_escape(f, r->status);
    fprintf(f, ", %zu cases (%zu measured), commit ", total, ok);
    html_escape(f, r->git_commit[0] ? r->git_commit : "unknown");
    fprintf(f, ", method version %d", r->method_version);
    if (r->planted_slowdown_pct > 0)
        fprintf(f, ", <b>a planted %g%% slowdown</b> (MAPBENCH_PLANTED_SLOWDOWN_PCT, a testing aid)",
                r->planted_slowdown_pct);
    if (calibration->moved) {
        fputs("; <b>the machine moved</b>: its calibration moved beyond its own noise (", f);
        html_escape(f, calibration->why);
        fputc(')', f);
    }
    fputs("</li>\n", f);
}

/* "run 4: " before what a sweep of run 4 found, when the page shows several runs. */
static void html_run_of(FILE *f, const struct html_page *pg, size_t sweep)
{
    if (pg->data->run_count > 1)
        fprintf(f, "<span class=\"run\">run %lld:</span> ", (long long)pg->data->runs[pg->sweeps[sweep].run].id);
}

/* A finding of sweep `sweep` as an item: its run (when several), then the sentence. */
static void html_sentence(FILE *f, const struct html_page *pg, size_t sweep, const char *cls, const char *text)
{
    fprintf(f, "<li class=\"%s\">", cls);
    html_run_of(f, pg, sweep);
    html_text(f, text);
    fputs("</li>\n", f);
}

/* Sweep indices, those with the most points first: the sweeps a scenario exists for (8 read
 * ratios, 21 key counts) lead, two-point side sweeps (1 and 2 threads) follow. */
static size_t *html_sweeps_by_points(const struct html_page *pg)
{
    size_t *order = xcalloc(pg->sweep_count, sizeof *order);
    for (size_t i = 0; i < pg->sweep_count; i++) {
        size_t j = i;
        for (; j > 0 && pg->sweeps[order[j - 1]].point_count < pg->sweeps[i].point_count; j--)
            order[j] = order[j - 1];
        order[j] = i;
    }
    return order;
}

/* The established crossovers, grouped by sweep (most points first). */
static void html_write_crossovers(FILE *f, const struct html_page *pg, const size_t *order)
{
    char text[2048];
    size_t shown = 0;
    fprintf(f, "<h3>Crossovers (significant at both neighbouring points, q &lt; %g once corrected)</h3>\n<ul>\n",
            FINDINGS_ALPHA);
    for (size_t k = 0; k < pg->sweep_count; k++) {
        const struct report_sweep *w = &pg->sweeps[order[k]];
        size_t in_sweep = 0;
        for (size_t i = 0; i < pg->findings->crossover_count; i++) {
            const struct findings_crossover *c = &pg->findings->crossovers[i];
            if (c->sweep != order[k] || c->verdict != FINDINGS_SIGNIFICANT)
                continue;
            if (in_sweep++ == 0) {
                fputs("<li>", f);
                html_run_of(f, pg, order[k]);
                fprintf(f, "<b>over %s</b> at ", report_dim_name(w->dim));
                html_escape(f, w->fixed);
                fputs("<ul>\n", f);
            }
            wording_crossover(pg->sweeps, c, text, sizeof text);
            fprintf(f, "<li class=\"crossover\">");
            html_text(f, text);
            fputs("</li>\n", f);
        }
        if (in_sweep)
            fputs("</ul></li>\n", f);
        shown += in_sweep;
    }
    if (!shown)
        fputs("<li>none established</li>\n", f);
    fputs("</ul>\n", f);
}

/* The crossings the data suggests but cannot establish, folded away with their p-values. */
static void html_write_unestablished(FILE *f, const struct html_page *pg)
{
    char text[2048];
    const struct findings *fi = pg->findings;
    size_t untested = 0, insignificant = 0;
    for (size_t i = 0; i < fi->crossover_count; i++) {
        untested += fi->crossovers[i].verdict == FINDINGS_TOO_FEW_REPS;
        insignificant += fi->crossovers[i].verdict == FINDINGS_NOT_SIGNIFICANT;
    }
    if (!untested && !insignificant)
        return;
    fprintf(f, "<details><summary>%zu apparent crossing(s) not established: %zu not significant once corrected, %zu "
               "with fewer than %d repetitions (or %d rounds in common) per point, so they cannot be "
               "significant</summary><ul>\n",
            untested + insignificant, insignificant, untested, FINDINGS_MIN_REPS, FINDINGS_MIN_ROUNDS);
    for (size_t i = 0; i < fi->crossover_count; i++) {
        const struct findings_crossover *c = &fi->crossovers[i];
        if (c->verdict == FINDINGS_SIGNIFICANT)
            continue;
        wording_apparent_crossover(pg->sweeps, c, text, sizeof text);
        html_sentence(f, pg, c->sweep, "untested", text);
    }
    fputs("</ul></details>\n", f);
}

/* Which tests the comparisons used, and the one correction. */
static void html_write_statistics(FILE *f, const struct findings *fi)
{
    fprintf(f, "<p class=\"statistics\">Comparisons between backends at one point: %zu paired per round (%s, exact; "
               "Walsh-average intervals), %zu unpaired (%s and Hodges-Lehmann intervals: runs scheduled sequentially "
               "or measured before rounds). Every winner, crossover and history arrow below is one of %zu "
               "hypotheses corrected together (Benjamini-Hochberg, false discovery rate %g); intervals are %g%%.</p>\n",
            fi->paired_tests, FINDINGS_PAIRED_TEST_NAME, fi->unpaired_tests, FINDINGS_TEST_NAME, fi->claims,
            FINDINGS_ALPHA, 100 * (1 - FINDINGS_ALPHA));
}

/* Winners first (who leads where, at a glance), then crossovers, knees. */
static void html_write_findings(FILE *f, const struct html_page *pg)
{
    char text[2048];
    size_t *order = html_sweeps_by_points(pg);
    fputs("<section id=\"findings\"><h2>Findings</h2>\n", f);
    html_write_statistics(f, pg->findings);
    fputs("<h3>Winners (fastest map at each point; <code>null</code> and <code>plain</code> are ceilings, not "
          "contenders)</h3>\n<ul>\n",
          f);
    for (size_t k = 0; k < pg->sweep_count; k++) {
        wording_winners(&pg->sweeps[order[k]], &pg->findings->sweeps[order[k]], text, sizeof text);
        html_sentence(f, pg, order[k], "winner", text);
    }
    fputs("</ul>\n", f);
    html_write_crossovers(f, pg, order);
    html_write_unestablished(f, pg);
    fputs("<h3>Knees over keys</h3>\n<ul>\n", f);
    for (size_t i = 0; i < pg->findings->knee_count; i++) {
        wording_knee(pg->sweeps, &pg->findings->knees[i], text, sizeof text);
        html_sentence(f, pg, pg->findings->knees[i].sweep, "knee", text);
    }
    if (!pg->findings->knee_count)
        fputs("<li>none (no keys sweep, or no slope drop beyond 0.3 in log-log)</li>\n", f);
    fputs("</ul></section>\n", f);
    free(order);
}

/* ---- which map when ---- */

/* Every series of the report with its style, and what the styles mean. */
static void html_write_legend(FILE *f, const struct html_page *pg)
{
    fprintf(f, "<p class=\"legend\">Each backend has one style on every plot and table: its colour (the %s "
               "palette, safe for colour-blind readers), its dash pattern (solid: our designs; dashed: references; "
               "dotted: the ceiling and the harness; a pattern of its own: a backend with options) and its marker "
               "(filled: ours; open: references). ",
            STYLE_PALETTE);
    const char **seen = xcalloc(1, sizeof *seen);
    size_t n = 0;
    for (size_t i = 0; i < pg->sweep_count; i++)
        for (size_t s = 0; s < pg->sweeps[i].series_count; s++) {
            const struct report_series *series = &pg->sweeps[i].series[s];
            size_t k = 0;
            while (k < n && strcmp(seen[k], series->label) != 0)
                k++;
            if (k < n)
                continue;
            seen = xreallocarray(seen, n + 1, sizeof *seen);
            seen[n++] = series->label;
            fputs("<span class=\"entry\">", f);
            html_backend(f, series->name, series->label);
            fputs("</span> ", f);
        }
    free(seen);
    fputs("</p>\n", f);
}

/* The matrix's cell: the separable winner with its margin, empty when not separable. */
static void html_matrix_cell(FILE *f, const struct html_page *pg, const struct findings_matrix_cell *cell)
{
    if (!cell->measured || cell->winner < 0) {
        fputs("<td class=\"na\">–</td>", f);
        return;
    }
    const struct report_sweep *w = &pg->sweeps[cell->sweep];
    const struct findings_point *p = &pg->findings->sweeps[cell->sweep].points[cell->point];
    const struct report_series *win = &w->series[cell->winner];
    fprintf(f, "<td class=\"%s\" title=\"", cell->separable ? "win" : "open");
    fputs(cell->separable ? "fastest: " : "not separable: fastest ", f);
    html_escape(f, win->label);
    if (cell->runner_up >= 0) {
        fputs(cell->separable ? ", ahead of " : ", then ", f);
        html_escape(f, w->series[cell->runner_up].label);
        fprintf(f, " by ×%.3g (%s, %zu %s, p %.2g, q %.2g)", cell->margin, findings_test_name(&p->test), p->test.n_a,
                p->test.pairing == FINDINGS_PAIRED ? "rounds" : "repetitions", p->test.p, p->test.q);
    }
    fputs("\">", f);
    if (cell->separable) {
        html_backend(f, win->name, win->label);
        if (cell->runner_up < 0)
            fputs(" <small>the only map ranked</small>", f);
        else if (isfinite(cell->lo) && isfinite(cell->hi))
            fprintf(f, " <small>×%.2f <span class=\"ci\">[%.2f, %.2f]</span></small>", cell->margin, cell->lo,
                    cell->hi);
        else
            fprintf(f, " <small>×%.2f</small>", cell->margin);
    }
    fputs("</td>", f);
}

static void html_write_matrix(FILE *f, const struct html_page *pg)
{
    const struct findings_matrix *m = &pg->findings->matrix;
    char what[REPORT_TEXT];
    fputs("<section id=\"matrix\"><h2>Which map when</h2>\n", f);
    if (!m->row_count) {
        fputs("<p>No sweep point to rank: no scenario of these runs varies a dimension with measured cases.</p>\n", f);
        html_write_legend(f, pg);
        fputs("</section>\n", f);
        return;
    }
    fprintf(f, "<p class=\"lede\">The fastest map for each workload (a row) at each thread count (a column), and "
               "how much faster than the runner-up it is: the ratio of their throughputs with its %g%% interval, "
               "as the statistics below tested it. A cell is left empty where the winner is not separable from the "
               "runner-up (its title names the two). <code>null</code> and <code>plain</code> are not ranked. "
               "<a href=\"%s\">CSV</a></p>\n<div class=\"scroll\"><table class=\"matrix\"><tr><th>scenario</th>"
               "<th>workload</th>",
            100 * (1 - FINDINGS_ALPHA), CSV_MATRIX_FILE);
    for (size_t t = 0; t < m->thread_count; t++)
        fprintf(f, "<th>%d thread%s</th>", m->threads[t], m->threads[t] == 1 ? "" : "s");
    fputs("</tr>\n", f);
    for (size_t i = 0; i < m->row_count; i++) {
        const struct findings_matrix_row *row = &m->rows[i];
        fputs("<tr><th>", f);
        if (pg->data->run_count > 1)
            fprintf(f, "run %lld: ", (long long)pg->data->runs[row->run].id);
        html_escape(f, row->c->c.scenario);
        wording_workload(&row->c->c, what, sizeof what);
        fputs("</th><td class=\"workload\">", f);
        html_escape(f, what);
        fputs("</td>", f);
        for (size_t t = 0; t < m->thread_count; t++)
            html_matrix_cell(f, pg, &row->cells[t]);
        fputs("</tr>\n", f);
    }
    fputs("</table></div>\n", f);
    html_write_legend(f, pg);
    fputs("</section>\n", f);
}
/* ---- per-sweep tables ---- */

static void html_write_cell(FILE *f, const struct findings_cell *cell, bool winner, bool clear)
{
    const struct report_case *c = cell->c;
    char ops[32];
    if (!c) {
        fputs("<td class=\"na\">–</td>", f);
        return;
    }
    html_format_ops(c->median, ops, sizeof ops);
    fprintf(f, "<td class=\"%s%s\" title=\"min %.3g, max %.3g, cv %.1f%%, %zu repetitions; median within %.3g..%.3g",
            winner ? (clear ? "win" : "lead") : "", cell->wide ? " wide" : "", c->min / 1e6, c->max / 1e6,
            c->cv * 100, c->n, cell->median_lo / 1e6, cell->median_hi / 1e6);
    if (!isnan(cell->ratio))
        fprintf(f, "; ratio by %s over %zu %s", findings_test_name(&cell->vs_baseline), cell->vs_baseline.n_a,
                cell->vs_baseline.pairing == FINDINGS_PAIRED ? "rounds" : "repetitions");
    fprintf(f, "\">%s%s", winner ? "★ " : "", ops);
    if (!isnan(cell->ratio))
        fprintf(f, " <small>×%.2f</small>", cell->ratio);
    if (!isnan(cell->ratio) && isfinite(cell->vs_baseline.lo) && isfinite(cell->vs_baseline.hi))
        fprintf(f, " <small class=\"ci\">[%.2f, %.2f]</small>", exp(cell->vs_baseline.lo),
                exp(cell->vs_baseline.hi));
    if (cell->wide)
        fputs(" <small>(too wide to rank)</small>", f);
    if (c->disturbed) /* the machine, not the map, may have moved these repetitions */
        fprintf(f, " <small title=\"%zu of %zu repetitions disturbed: %s\">†%zu</small>",
                c->disturbed, c->n, DISTURBANCE_RULE, c->disturbed);
    fputs("</td>", f);
}

/* A keys sweep's point: the distinct keys its windows touched, fewest to most over the maps (each
 * one's median over its repetitions; a faster map runs more operations).  `null` is no map and runs
 * ten times more operations than any: it is left out, as from the throughput plots. */
static void html_write_touched(FILE *f, const struct report_sweep *w, const struct findings_sweep *fs,
                               size_t k)
{
    double lo = INFINITY, hi = -INFINITY;
    char a[32], b[32];
    for (size_t s = 0; s < w->series_count; s++) {
        const struct report_case *c = findings_cell_at(fs, k, s)->c;
        if (c && w->series[s].role != MAP_ROLE_HARNESS && !isnan(c->distinct_keys) &&
            c->distinct_keys > 0) {
            lo = fmin(lo, c->distinct_keys);
            hi = fmax(hi, c->distinct_keys);
        }
    }
    if (lo > hi) {
        fputs("<td class=\"na\">–</td>", f);
        return;
    }
    wording_count(lo, a, sizeof a);
    wording_count(hi, b, sizeof b);
    fprintf(f, "<td>%s%s%s</td>", a, lo < hi ? "–" : "", lo < hi ? b : "");
}

/* A sweep table's header row: the swept dimension, the keys touched (touched: the throughput table
 * of a keys sweep), then each series with its swatch. */
static void html_series_headers(FILE *f, const struct report_sweep *w, bool touched)
{
    fprintf(f, "<tr><th>%s</th>", report_dim_name(w->dim));
    if (touched)
        fputs("<th title=\"distinct keys the windows' keyed operations touched, fewest to most over "
              "the backends\">keys touched</th>", f);
    for (size_t s = 0; s < w->series_count; s++) {
        fputs("<th>", f);
        html_backend(f, w->series[s].name, w->series[s].label);
        fputs("</th>", f);
    }
    fputs("</tr>\n", f);
}

static void html_write_sweep_table(FILE *f, const struct html_page *pg, size_t i)
{
    const struct report_sweep *w = &pg->sweeps[i];
    const struct findings_sweep *fs = &pg->findings->sweeps[i];
    char x[64], csv[64];
    csv_sweep_file(i, csv, sizeof csv);
    fprintf(f, "<p class=\"caption\">Mops/s (median of the repetitions), ×ratio to <code>");
    html_escape(f, pg->baseline);
    fprintf(f, "</code> with its %g%% interval [lo, hi] (paired per round where the run measured in rounds; the "
               "cell's title says which); ★ fastest map (green: clear, q &lt; %g over the runner-up once corrected; "
               "pale: not separable); <a href=\"%s\">CSV</a></p>\n<div class=\"scroll\"><table class=\"sweep\">\n",
            100 * (1 - FINDINGS_ALPHA), FINDINGS_ALPHA, csv);
    bool keys = w->dim == REPORT_DIM_KEYS;
    html_series_headers(f, w, keys);
    for (size_t k = 0; k < w->point_count; k++) {
        const struct findings_point *r = &fs->points[k];
        wording_value(w->dim, w->points[k], x, sizeof x);
        fprintf(f, "<tr><th>%s</th>", x);
        if (keys)
            html_write_touched(f, w, fs, k);
        for (size_t s = 0; s < w->series_count; s++)
            html_write_cell(f, findings_cell_at(fs, k, s), r->winner == (long)s, r->separable);
        fputs("</tr>\n", f);
    }
    fputs("</table></div>\n", f);
}

/* Bytes per key in few characters: "33", "1.1k", "39.6k". */
static void html_format_bytes(double bytes, char *buf, size_t len)
{
    if (bytes >= 1e4)
        snprintf(buf, len, "%.3gk", bytes / 1e3);
    else
        snprintf(buf, len, bytes >= 100 ? "%.0f" : "%.3g", bytes);
}

/* One cell of the memory table: live bytes per key, then what awaited reclamation. */
static void html_memory_cell(FILE *f, const struct report_case *c)
{
    char live[32], pending[32];
    if (!c || !isfinite(c->bytes_per_key)) {
        fputs("<td class=\"na\">–</td>", f);
        return;
    }
    bool split = isfinite(c->pending_bytes_per_key);
    html_format_bytes(c->bytes_per_key - (split ? c->pending_bytes_per_key : 0), live, sizeof live);
    html_format_bytes(split ? c->pending_bytes_per_key : 0, pending, sizeof pending);
    fprintf(f, "<td title=\"%.6g bytes per key held after the window, %.3g allocations per operation\">%s", c->bytes_per_key,
            c->allocs_per_op, live);
    if (!split)
        fputs(" <small>(not split)</small>", f);
    else if (c->pending_bytes_per_key > 0)
        fprintf(f, " <small class=\"pending\">+%s</small>", pending);
    fputs("</td>", f);
}

/* Bytes per key of every backend at every point: live, and awaiting reclamation. */
static void html_write_memory_table(FILE *f, const struct html_page *pg, size_t i)
{
    const struct report_sweep *w = &pg->sweeps[i];
    const struct findings_sweep *fs = &pg->findings->sweeps[i];
    char x[64];
    fputs("<p class=\"caption\">Bytes per key after the window (medians): "
          "live data, then <small class=\"pending\">+ what awaited reclamation</small> (retired copies, nodes and "
          "boxes waiting for a grace period: what the map no longer held once every deferred free had run); "
          "\"not split\": measured before the split was</p>\n<div class=\"scroll\"><table class=\"sweep memory\">\n",
          f);
    html_series_headers(f, w, false);
    for (size_t k = 0; k < w->point_count; k++) {
        wording_value(w->dim, w->points[k], x, sizeof x);
        fprintf(f, "<tr><th>%s</th>", x);
        for (size_t s = 0; s < w->series_count; s++)
            html_memory_cell(f, findings_cell_at(fs, k, s)->c);
        fputs("</tr>\n", f);
    }
    fputs("</table></div>\n", f);
}

static void html_write_sweep(FILE *f, const struct html_page *pg, size_t i)
{
    const struct report_sweep *w = &pg->sweeps[i];
    char file[64];
    fprintf(f, "<h3 id=\"sweep-%03zu\">Over %s — ", i, report_dim_name(w->dim));
    html_escape(f, w->fixed);
    if (pg->data->run_count > 1)
        fprintf(f, " (run %lld)", (long long)pg->data->runs[w->run].id);
    fputs("</h3>\n<div class=\"plots\">\n", f);
    /* the two plots of one height side by side, then the two stacked ones */
    const char *kinds[] = {"throughput", "percentiles", "latency", "memory", "fairness"};
    const struct findings_sweep *fs = &pg->findings->sweeps[i];
    bool drawn[] = {true, fs->has_latency, fs->has_latency, true, fs->starved};
    for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
        if (!drawn[k])
            continue;
        html_plot_file(i, kinds[k], file, sizeof file);
        html_embed_svg(f, pg, file);
    }
    fputs("</div>\n", f);
    html_write_sweep_table(f, pg, i);
    html_write_memory_table(f, pg, i);
}

static int html_cmp_text(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void html_write_scenarios(FILE *f, const struct html_page *pg)
{
    const char **names = xcalloc(pg->sweep_count, sizeof *names);
    size_t n = 0;
    for (size_t i = 0; i < pg->sweep_count; i++) {
        bool seen = false;
        for (size_t k = 0; k < n && !seen; k++)
            seen = strcmp(names[k], pg->sweeps[i].scenario) == 0;
        if (!seen)
            names[n++] = pg->sweeps[i].scenario;
    }
    if (names)
        qsort(names, n, sizeof *names, html_cmp_text);
    fputs("<div id=\"scenarios\">\n", f);
    for (size_t k = 0; k < n; k++) {
        fputs("<section class=\"scenario\"><h2>Scenario ", f);
        html_escape(f, names[k]);
        fputs("</h2>\n", f);
        for (int dim = 0; dim < REPORT_DIM_COUNT; dim++)
            for (size_t i = 0; i < pg->sweep_count; i++)
                if (pg->sweeps[i].dim == (enum report_dim)dim && strcmp(pg->sweeps[i].scenario, names[k]) == 0)
                    html_write_sweep(f, pg, i);
        fputs("</section>\n", f);
    }
    if (!n)
        fputs("<p>No sweeps: no scenario of these runs varies a dimension with measured cases.</p>\n", f);
    fputs("</div>\n", f);
    free(names);
}

/* ---- machine, environment, comparison ---- */

static void html_write_topology(FILE *f, const struct html_page *pg, const struct report_machine *m)
{
    char name[64], path[4096];
    snprintf(name, sizeof name, "machine-%lld.svg", (long long)m->id);
    snprintf(path, sizeof path, "%s/%s", pg->out_dir, name);
    FILE *probe = fopen(path, "r");
    if (probe) {
        fclose(probe);
        fputs("<div class=\"topology\">", f);
        html_embed_svg(f, pg, name);
        fputs("</div>\n", f);
        return;
    }
    fprintf(f, "<pre class=\"topology\">%d package(s), %d NUMA node(s), %d cores, %d PUs\n", m->packages,
            m->numa_nodes, m->cores, m->pus);
    for (int l = 0; l < m->cache_levels && l < 4; l++)
        fprintf(f, "L%d: %llu KiB\n", l + 1, (unsigned long long)(m->cache_bytes[l] >> 10));
    fputs("(lstopo unavailable or no topology stored: text only)</pre>\n", f);
}

/* Side by side, the machines' properties; rows that differ are marked. */
static void html_write_machine_diff(FILE *f, const struct report_data *d)
{
    static const char *const labels[] = {"hostname", "CPU", "kernel", "packages", "NUMA nodes", "cores", "PUs",
                                         "L1d", "L2", "L3", "L4", "fingerprint"};
    size_t rows = sizeof labels / sizeof *labels;
    fputs("<h3>What differs between the machines</h3>\n<table class=\"env\"><tr><th></th>", f);
    for (size_t m = 0; m < d->machine_count; m++)
        fprintf(f, "<th>machine %lld</th>", (long long)d->machines[m].id);
    fputs("</tr>\n", f);
    char cells[16][256];
    for (size_t row = 0; row < rows; row++) {
        bool differs = false;
        size_t count = d->machine_count < 16 ? d->machine_count : 16;
        for (size_t m = 0; m < count; m++) {
            const struct report_machine *x = &d->machines[m];
            const char *text[] = {x->hostname, x->cpu_model, x->kernel};
            const int ints[] = {x->packages, x->numa_nodes, x->cores, x->pus};
            if (row < 3)
                snprintf(cells[m], sizeof cells[m], "%s", text[row]);
            else if (row < 7)
                snprintf(cells[m], sizeof cells[m], "%d", ints[row - 3]);
            else if (row < 11)
                snprintf(cells[m], sizeof cells[m], "%llu KiB", (unsigned long long)(x->cache_bytes[row - 7] >> 10));
            else
                snprintf(cells[m], sizeof cells[m], "%.16s", x->fingerprint);
            differs |= m > 0 && strcmp(cells[m], cells[0]) != 0;
        }
        fprintf(f, "<tr%s><th>%s</th>", differs ? " class=\"differs\"" : "", labels[row]);
        for (size_t m = 0; m < count; m++) {
            fputs("<td>", f);
            html_escape(f, cells[m]);
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    }
    fputs("</table>\n", f);
}

static void html_write_machines(FILE *f, const struct html_page *pg)
{
    fputs("<section id=\"machine\"><h2>Machine</h2>\n", f);
    for (size_t m = 0; m < pg->data->machine_count; m++) {
        const struct report_machine *x = &pg->data->machines[m];
        fputs("<h3>", f);
        html_escape(f, x->hostname);
        fputs("</h3>\n", f);
        html_write_topology(f, pg, x);
    }
    if (pg->data->machine_count > 1)
        html_write_machine_diff(f, pg->data);
    fputs("</section>\n", f);
}

/* ---- how to reproduce ---- */

/* One fact of a run as a term and its description; an empty one says it was not recorded. */
static void html_fact(FILE *f, const char *term, const char *value, bool code)
{
    fprintf(f, "<dt>%s</dt><dd>", term);
    if (!value || !value[0])
        fputs("<span class=\"na\">not recorded</span>", f);
    else {
        fputs(code ? "<code>" : "", f);
        html_escape(f, value);
        fputs(code ? "</code>" : "", f);
    }
    fputs("</dd>\n", f);
}

/* A long fact folded away: its summary, then the text as written. */
static void html_fact_text(FILE *f, const char *term, const char *summary, const char *text)
{
    fprintf(f, "<dt>%s</dt><dd>", term);
    if (!text || !text[0]) {
        fputs("<span class=\"na\">not recorded (a run from before this was stored)</span></dd>\n", f);
        return;
    }
    fprintf(f, "<details><summary>%s</summary><pre>", summary);
    html_escape(f, text);
    fputs("</pre></details></dd>\n", f);
}

/* How many of the mitigations' lines say the CPU is vulnerable. */
static size_t html_vulnerable(const char *mitigations, size_t *lines)
{
    size_t vulnerable = 0;
    *lines = 0;
    for (const char *line = mitigations; line && *line;) {
        size_t n = strcspn(line, "\n");
        const char *state = memchr(line, ':', n);
        vulnerable += state && strncmp(state + 1, " Vulnerable", 11) == 0;
        (*lines)++;
        line += n + (line[n] == '\n');
    }
    return vulnerable;
}

static void html_run_facts(FILE *f, const struct report_data *d, const struct report_run *r)
{
    const struct report_machine *m = report_data_machine_of(d, r);
    char summary[128];
    size_t lines, vulnerable = html_vulnerable(r->cpu_mitigations, &lines);
    fputs("<dl class=\"facts\">\n", f);
    html_fact(f, "commit", r->git_commit, true);
    if (strstr(r->git_commit, "+dirty"))
        fputs("<dt></dt><dd class=\"caveat\">built from a tree with uncommitted changes: the commit alone does not "
              "rebuild this binary</dd>\n",
              f);
    html_fact(f, "flags", r->cflags, true);
    html_fact(f, "compiler", r->compiler, false);
    html_fact(f, "libraries", r->library_versions, false);
    html_fact(f, "command", r->command_line, true);
    html_fact_text(f, "scenario", "the scenario files as run, each headed by its path", r->scenario_text);
    html_fact(f, "machine", m ? m->cpu_model : NULL, false);
    html_fact(f, "kernel", m ? m->kernel : NULL, false);
    html_fact(f, "transparent huge pages", r->transparent_hugepages, false);
    html_fact(f, "CPU governor", r->cpu_governor, false);
    snprintf(summary, sizeof summary, "%zu vulnerabilities listed, %zu of them unmitigated (\"Vulnerable\")", lines,
             vulnerable);
    html_fact_text(f, "CPU mitigations", summary, r->cpu_mitigations);
    fputs("</dl>\n", f);
}

static void html_write_how_to_reproduce(FILE *f, const struct html_page *pg)
{
    const struct report_data *d = pg->data;
    fputs("<section id=\"how\"><h2>How to reproduce</h2>\n<p>To measure these numbers again: check out the "
          "commit, build it with the same flags (<code>make CFLAGS=...</code>), and run the same command with the "
          "same scenario files on a machine set up the same way (its kernel, transparent huge pages and CPU "
          "mitigations move the numbers). Then <code>mapbench report --runs ",
          f);
    for (size_t r = 0; r < d->run_count; r++)
        fprintf(f, "%s%lld", r ? "," : "", (long long)d->runs[r].id);
    fputs("</code> draws this page.</p>\n", f);
    for (size_t r = 0; r < d->run_count; r++) {
        fprintf(f, "<details class=\"run\"%s><summary>run %lld", r + 1 == d->run_count ? " open" : "",
                (long long)d->runs[r].id);
        if (d->runs[r].label[0]) {
            fputs(" “", f);
            html_escape(f, d->runs[r].label);
            fputs("”", f);
        }
        fputs(", started ", f);
        html_escape(f, d->runs[r].started_at);
        fputs("</summary>\n", f);
        html_run_facts(f, d, &d->runs[r]);
        fputs("</details>\n", f);
    }
    fputs("</section>\n", f);
}

/* ---- history ---- */

#define HTML_SPARK_WIDTH 132
#define HTML_SPARK_HEIGHT 28

/* Where run r's point of a sparkline goes across. */
static double html_spark_x(const struct findings_history *h, size_t r)
{
    return 5 + (double)r * (HTML_SPARK_WIDTH - 10) / (double)(h->run_count > 1 ? h->run_count - 1 : 1);
}

/* The marks of the decided shifts (a triangle the way it moved) and of every other run measured. */
static void html_spark_marks(FILE *f, const struct findings_history *h, const struct findings_history_row *row,
                             double lo, double hi)
{
    for (size_t r = 0; r < h->run_count; r++) {
        const struct findings_history_cell *cell = &row->cells[r];
        if (!cell->c)
            continue;
        double x = html_spark_x(h, r), y = HTML_SPARK_HEIGHT - 5 - (cell->c->median - lo) / (hi - lo) * (HTML_SPARK_HEIGHT - 10);
        if (cell->shift == FINDINGS_SHIFT_UP)
            fprintf(f, "<path class=\"up\" d=\"M%.1f %.1fl4 6h-8z\"/>", x, y - 3);
        else if (cell->shift == FINDINGS_SHIFT_DOWN)
            fprintf(f, "<path class=\"down\" d=\"M%.1f %.1fl4 -6h-8z\"/>", x, y + 3);
        else
            fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"1.8\"/>", x, y);
    }
}

/* The case's medians across the table's runs as a small line (inline SVG, scaled to its own range):
 * one polyline per stretch of one measurement method, a dashed rule where the method changed (the
 * line breaks there, as the history does), and a triangle at each decided shift. */
static void html_sparkline(FILE *f, const struct findings_history *h, const struct findings_history_row *row)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t r = 0; r < h->run_count; r++)
        if (row->cells[r].c) {
            lo = fmin(lo, row->cells[r].c->median);
            hi = fmax(hi, row->cells[r].c->median);
        }
    double span = fmax(hi - lo, 0.2 * hi); /* at least 20% of the top: noise of a few percent stays flat */
    lo = (lo + hi - span) / 2;
    hi = lo + span + (span > 0 ? 0 : 1);
    fprintf(f, "<svg class=\"spark\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">"
               "<title>%.3g to %.3g Mops/s over %zu runs</title>",
            HTML_SPARK_WIDTH, HTML_SPARK_HEIGHT, HTML_SPARK_WIDTH, HTML_SPARK_HEIGHT, lo / 1e6, hi / 1e6, h->run_count);
    for (size_t r = 1; r < h->run_count; r++)
        if (h->run_methods[r] != h->run_methods[r - 1])
            fprintf(f, "<path class=\"break\" d=\"M%.1f 1V%d\"/>", (html_spark_x(h, r - 1) + html_spark_x(h, r)) / 2,
                    HTML_SPARK_HEIGHT - 1);
    bool open = false;
    int method = 0;
    for (size_t r = 0; r < h->run_count; r++) {
        const struct findings_history_cell *cell = &row->cells[r];
        if (!cell->c)
            continue;
        if (open && h->run_methods[r] != method) {
            fputs("\"/>", f);
            open = false;
        }
        fprintf(f, "%s%.1f,%.1f", open ? " " : "<polyline points=\"", html_spark_x(h, r),
                HTML_SPARK_HEIGHT - 5 - (cell->c->median - lo) / (hi - lo) * (HTML_SPARK_HEIGHT - 10));
        open = true;
        method = h->run_methods[r];
    }
    if (open)
        fputs("\"/>", f);
    html_spark_marks(f, h, row, lo, hi);
    fputs("</svg>", f);
}

/* One case's row: its trend, then its median in every run of the table, marked where it shifted. */
static void html_history_row(FILE *f, const struct findings_history *h, const struct findings_history_row *row)
{
    char ops[32], what[REPORT_TEXT];
    wording_history_case(&row->c->c, what, sizeof what);
    fputs("<tr><th>", f);
    html_backend(f, row->c->c.backend_name, row->c->c.backend);
    fputs("</th><td class=\"case\">", f);
    html_escape(f, what);
    fputs("</td><td>", f);
    html_sparkline(f, h, row);
    fputs("</td>", f);
    for (size_t r = 0; r < h->run_count; r++) {
        const struct findings_history_cell *cell = &row->cells[r];
        if (!cell->c) {
            fputs("<td class=\"na\">–</td>", f);
            continue;
        }
        const char *arrow = cell->shift == FINDINGS_SHIFT_UP ? " ▲" : cell->shift == FINDINGS_SHIFT_DOWN ? " ▼" : "";
        html_format_ops(cell->c->median, ops, sizeof ops);
        fprintf(f, "<td class=\"%s%s\">%s%s</td>", findings_shift_name(cell->shift),
                cell->method_break ? " method-break" : "", ops, arrow);
    }
    fputs("</tr>\n", f);
}

static void html_write_history(FILE *f, const struct html_page *pg)
{
    const struct findings *fi = pg->findings;
    fprintf(f, "<section id=\"history\"><h2>History</h2>\n<p>Each case's median throughput (Mops/s) in every run of "
               "the same machine fingerprint, matched by its dimensions, drawn as a trend (each line scaled to its "
               "own range, at least 20%% of its highest median tall) and listed; ▲/▼: shifted from the previous run (%s, q &lt; %g once "
               "corrected, at least %d repetitions each). A thick line before a run (a dashed rule across the "
               "trend): its measurement method changed (runner/method.h), so the line breaks there and no shift "
               "is tested across it. <a href=\"%s\">CSV</a></p>\n",
            FINDINGS_TEST_NAME, FINDINGS_ALPHA, FINDINGS_MIN_REPS, CSV_HISTORY_FILE);
    for (size_t t = 0; t < fi->history_count; t++) {
        const struct findings_history *h = &fi->histories[t];
        fputs("<div class=\"scroll\"><table class=\"history\"><tr><th>backend</th><th>case</th><th>trend</th>", f);
        for (size_t r = 0; r < h->run_count; r++)
            fprintf(f, "<th%s>run %lld%s</th>", r && h->run_methods[r] != h->run_methods[r - 1] ? " class=\"method-break\"" : "",
                    (long long)h->run_ids[r], r && h->run_methods[r] != h->run_methods[r - 1] ? " (method changed)" : "");
        fputs("</tr>\n", f);
        for (size_t i = 0; i < h->row_count; i++)
            html_history_row(f, h, &h->rows[i]);
        fputs("</table></div>\n", f);
    }
    if (!fi->history_count)
        fputs("<p>No case of this report was measured in an earlier run on the same machine.</p>\n", f);
    fputs("</section>\n", f);
}

/* ---- page ---- */

/* The page's style.  Laptop first: the body is as wide as the window up to 1400 px, two plots side
 * by side from about 1200 px (one under the other below), wide tables scroll in their box (.scroll),
 * long words and code wrap rather than widen the page. */
static const char html_style[] =
    "*{box-sizing:border-box}"
    "body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1400px;color:#222;padding:0 16px 2em;"
    "overflow-wrap:anywhere}"
    "h1{font-size:1.6em;margin:.6em 0 .2em}h2{border-bottom:2px solid #ccc;margin-top:1.6em}"
    "h3{font-size:1.05em;margin-top:1.4em}"
    "nav{margin:.4em 0 1em;font-size:13px}nav a{margin-right:1em}"
    "ul.head{padding-left:1.2em;margin:.3em 0}"
    "li.crossover,li.knee{font-weight:600}li.untested{color:#666}"
    ".plots{display:flex;flex-wrap:wrap;gap:8px}.plots figure{margin:0;flex:1 1 560px;max-width:720px;min-width:0}"
    "figure svg{width:100%;height:auto;display:block}figcaption{font-size:11px;color:#666}"
    ".scroll{overflow-x:auto;max-width:100%;margin:.5em 0}.scroll table{margin:0}"
    "table{border-collapse:collapse;margin:.5em 0;font-size:13px;overflow-wrap:normal}"
    "td,th{border:1px solid #ddd;padding:2px 6px;text-align:right;vertical-align:top}"
    "th{background:#f4f4f4;white-space:nowrap}caption,p.caption{text-align:left;font-size:12px;color:#444;"
    "padding:2px;margin:.8em 0 0}table.sweep td{white-space:nowrap}"
    "td.win{background:#b7e4b0;font-weight:700}td.lead{background:#e6f4e2}"
    "td.wide{color:#a33;font-style:italic}td.na,span.na{color:#aaa}"
    "td.up{background:#d9f0d3}td.down{background:#f6d0cc}.method-break{border-left:4px solid #555}"
    "small.ci,span.ci{color:#555}p.statistics{color:#444}small.pending{color:#a33}"
    "table.matrix td,table.matrix th{text-align:left;white-space:nowrap}table.matrix td.win{background:#d9f0d3;font-weight:400}"
    "table.matrix td.open{background:repeating-linear-gradient(45deg,#fff,#fff 4px,#f2f2f2 4px,#f2f2f2 8px);"
    "min-width:4em}"
    "td.workload,td.case,td.claim{text-align:left}"
    "p.lede{max-width:70em}p.legend{font-size:12px;color:#444;max-width:100%}"
    "p.legend .entry{white-space:nowrap;margin-right:.8em;display:inline-block}"
    "svg.swatch{vertical-align:middle;margin-right:3px}"
    "svg.spark{display:block}svg.spark polyline{fill:none;stroke:#333;stroke-width:1.3}"
    "svg.spark circle{fill:#333}svg.spark .up{fill:#1a7f37}svg.spark .down{fill:#c62828}"
    "svg.spark .break{stroke:#555;stroke-width:1;stroke-dasharray:2,2}"
    "td.reproduced{background:#d9f0d3}td.contradicted{background:#f6d0cc}td.reversed{background:#fbe9d0}"
    "td.source{color:#888}li.caveat,dd.caveat{color:#a33}"
    "tr.differs td,tr.differs th{background:#fff3c4}"
    "table.env td{text-align:left;max-width:40em}"
    "dl.facts{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:3px 14px;margin:.5em 0 1em}"
    "dl.facts dt{font-weight:600;color:#444}dl.facts dd{margin:0}"
    "details.run>summary{font-weight:600;cursor:pointer;margin:.6em 0}"
    "pre{background:#f7f7f7;padding:6px 8px;font-size:12px;overflow-x:auto;max-height:30em;white-space:pre}"
    ".topology svg{width:420px;max-width:100%;height:auto}span.run{color:#555;font-weight:400}code{background:#f4f4f4;padding:0 2px;font-size:.95em}";

/* Links to the page's sections, for a reader who came for one of them. */
static void html_write_nav(FILE *f, const struct html_page *pg)
{
    fputs("<nav><a href=\"#matrix\">which map when</a><a href=\"#findings\">findings</a>", f);
    if (pg->sweep_count)
        fputs("<a href=\"#scenarios\">scenarios</a>", f);
    fputs("<a href=\"#machine\">machine</a><a href=\"#how\">how to reproduce</a>"
          "<a href=\"#history\">history</a></nav>\n",
          f);
}

bool html_write_report(const struct html_page *pg, char *err)
{
    FILE *f = html_open_file(pg, "index.html", err);
    if (!f)
        return false;
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>mapbench report</title>\n"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
               "<style>%s</style></head><body>\n<h1>mapbench report</h1>\n<ul class=\"head\">\n",
            html_style);
    for (size_t m = 0; m < pg->data->machine_count; m++)
        html_machine_line(f, &pg->data->machines[m]);
    for (size_t r = 0; r < pg->data->run_count; r++)
        html_run_line(f, pg->data, &pg->data->runs[r], &pg->findings->calibrations[r]);
    fputs("</ul>\n", f);
    html_write_nav(f, pg);
    html_write_matrix(f, pg);
    html_write_findings(f, pg);
    html_write_scenarios(f, pg);
    html_write_reproduce(f, pg);
    html_write_machines_compared(f, pg);
    html_write_machines(f, pg);
    html_write_how_to_reproduce(f, pg);
    html_write_history(f, pg);
    fputs("</body></html>\n", f);
    if (fclose(f) != 0) {
        snprintf(err, ERR_LEN, "cannot finish writing %.200s/index.html", pg->out_dir);
        return false;
    }
    return true;
}
