/*
 * html.c: writes index.html (see html.h).  The page reads top-down the way a performance engineer
 * asks: what machine and run, what did we learn (winners, crossovers, knees, in sentences), then
 * per scenario the plots and the numbers behind them, then the machine, environment and history.
 * Everything it marks (winners, ratios, wide cells, shifts) comes decided from findings.h and every
 * sentence from wording.h; this file only lays them out.  Text is written straight to the file with
 * fprintf; every value from the database passes through html_escape (numbers are formatted by us).
 */
#include "reports/html.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "reports/csv.h"
#include "reports/wording.h"
#include "runner/disturbance.h"


void html_escape(FILE *out, const char *text)
{
    for (const char *c = text ? text : ""; *c; c++) {
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

static void html_sentence(FILE *f, const char *cls, const char *text)
{
    fprintf(f, "<li class=\"%s\">", cls);
    html_escape(f, text);
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
                fprintf(f, "<li><b>over %s</b> at ", report_dim_name(w->dim));
                html_escape(f, w->fixed);
                fputs("<ul>\n", f);
            }
            wording_crossover(pg->sweeps, c, text, sizeof text);
            html_sentence(f, "crossover", text);
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
        html_sentence(f, "untested", text);
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
    fputs("<h2>Findings</h2>\n", f);
    html_write_statistics(f, pg->findings);
    fputs("<h3>Winners (fastest map at each point; `null` and `plain` are ceilings, not contenders)</h3>\n<ul>\n", f);
    for (size_t k = 0; k < pg->sweep_count; k++) {
        wording_winners(&pg->sweeps[order[k]], &pg->findings->sweeps[order[k]], text, sizeof text);
        html_sentence(f, "winner", text);
    }
    fputs("</ul>\n", f);
    html_write_crossovers(f, pg, order);
    html_write_unestablished(f, pg);
    fputs("<h3>Knees over keys</h3>\n<ul>\n", f);
    for (size_t i = 0; i < pg->findings->knee_count; i++) {
        wording_knee(pg->sweeps, &pg->findings->knees[i], text, sizeof text);
        html_sentence(f, "knee", text);
    }
    if (!pg->findings->knee_count)
        fputs("<li>none (no keys sweep, or no slope drop beyond 0.3 in log-log)</li>\n", f);
    fputs("</ul>\n", f);
    free(order);
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

static void html_write_sweep_table(FILE *f, const struct html_page *pg, size_t i)
{
    const struct report_sweep *w = &pg->sweeps[i];
    const struct findings_sweep *fs = &pg->findings->sweeps[i];
    char x[64], csv[64];
    csv_sweep_file(i, csv, sizeof csv);
    fprintf(f, "<table class=\"sweep\"><caption>Mops/s (median of the repetitions), ×ratio to <code>");
    html_escape(f, pg->baseline);
    fprintf(f, "</code> with its %g%% interval [lo, hi] (paired per round where the run measured in rounds; the "
               "cell's title says which); ★ fastest map (green: clear, q &lt; %g over the runner-up once corrected; "
               "pale: not separable); <a href=\"%s\">CSV</a></caption>\n<tr><th>%s</th>",
            100 * (1 - FINDINGS_ALPHA), FINDINGS_ALPHA, csv, report_dim_name(w->dim));
    bool keys = w->dim == REPORT_DIM_KEYS;
    if (keys)
        fputs("<th title=\"distinct keys the windows' keyed operations touched, fewest to most over "
              "the backends\">keys touched</th>", f);
    for (size_t s = 0; s < w->series_count; s++) {
        fputs("<th>", f);
        html_escape(f, w->series[s].label);
        fputs("</th>", f);
    }
    fputs("</tr>\n", f);
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
    fputs("</table>\n", f);
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
    const char *kinds[] = {"throughput", "latency", "percentiles", "memory", "fairness"};
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

#define HTML_ROW(label, field) {label, offsetof(struct report_run, field), sizeof((struct report_run *)0)->field}

static void html_write_environment(FILE *f, const struct report_data *d)
{
    static const struct {
        const char *label;
        size_t offset, size;
    } rows[] = {HTML_ROW("label", label), HTML_ROW("started", started_at), HTML_ROW("status", status),
                HTML_ROW("command line", command_line), HTML_ROW("commit", git_commit),
                HTML_ROW("compiler", compiler), HTML_ROW("flags", cflags),
                HTML_ROW("libraries", library_versions), HTML_ROW("transparent hugepages", transparent_hugepages),
                HTML_ROW("CPU governor", cpu_governor)};
    fputs("<h3>Environment</h3>\n<table class=\"env\"><tr><th></th>", f);
    for (size_t r = 0; r < d->run_count; r++)
        fprintf(f, "<th>run %lld</th>", (long long)d->runs[r].id);
    fputs("</tr>\n", f);
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        fprintf(f, "<tr><th>%s</th>", rows[i].label);
        for (size_t r = 0; r < d->run_count; r++) {
            fputs("<td>", f);
            html_escape(f, (const char *)&d->runs[r] + rows[i].offset);
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    }
    fputs("</table>\n", f);
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
    fputs("<section><h2>Machine</h2>\n", f);
    for (size_t m = 0; m < pg->data->machine_count; m++) {
        const struct report_machine *x = &pg->data->machines[m];
        fputs("<h3>", f);
        html_escape(f, x->hostname);
        fputs("</h3>\n", f);
        html_write_topology(f, pg, x);
    }
    if (pg->data->machine_count > 1)
        html_write_machine_diff(f, pg->data);
    html_write_environment(f, pg->data);
    fputs("</section>\n", f);
}

/* ---- history ---- */

/* One case's row: its median in every run of the table, marked where it shifted. */
static void html_history_row(FILE *f, const struct findings_history *h, const struct findings_history_row *row)
{
    char ops[32], what[REPORT_TEXT];
    wording_history_case(&row->c->c, what, sizeof what);
    fputs("<tr><th>", f);
    html_escape(f, row->c->c.backend);
    fputs("</th><td>", f);
    html_escape(f, what);
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
    fprintf(f, "<section><h2>History</h2>\n<p>Each case's median throughput (Mops/s) in every run of the same machine "
               "fingerprint, matched by its dimensions; ▲/▼: shifted from the previous run (%s, q &lt; %g once "
               "corrected, at least %d repetitions each). A thick line before a run: its measurement method "
               "changed (runner/method.h), so the line breaks there and no shift is tested across it. "
               "<a href=\"%s\">CSV</a></p>\n",
            FINDINGS_TEST_NAME, FINDINGS_ALPHA, FINDINGS_MIN_REPS, CSV_HISTORY_FILE);
    for (size_t t = 0; t < fi->history_count; t++) {
        const struct findings_history *h = &fi->histories[t];
        fputs("<table class=\"history\"><tr><th>backend</th><th>case</th>", f);
        for (size_t r = 0; r < h->run_count; r++)
            fprintf(f, "<th%s>run %lld%s</th>", r && h->run_methods[r] != h->run_methods[r - 1] ? " class=\"method-break\"" : "",
                    (long long)h->run_ids[r], r && h->run_methods[r] != h->run_methods[r - 1] ? " (method changed)" : "");
        fputs("</tr>\n", f);
        for (size_t i = 0; i < h->row_count; i++)
            html_history_row(f, h, &h->rows[i]);
        fputs("</table>\n", f);
    }
    if (!fi->history_count)
        fputs("<p>No case of this report was measured in an earlier run on the same machine.</p>\n", f);
    fputs("</section>\n", f);
}

/* ---- page ---- */

static const char html_style[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em auto;max-width:1500px;color:#222;padding:0 1em}"
    "h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:2px solid #ccc;margin-top:2em}"
    "h3{font-size:1.05em;margin-top:1.5em}"
    "li.crossover,li.knee{font-weight:600}li.untested{color:#666}"
    ".plots{display:flex;flex-wrap:wrap;gap:8px}.plots figure{margin:0;width:640px;max-width:100%}"
    "figure svg{width:100%;height:auto}figcaption{font-size:11px;color:#666}"
    "table{border-collapse:collapse;margin:.5em 0;font-size:13px}"
    "td,th{border:1px solid #ddd;padding:2px 6px;text-align:right;vertical-align:top}"
    "th{background:#f4f4f4}caption{text-align:left;font-size:12px;color:#444;padding:2px}"
    "td.win{background:#b7e4b0;font-weight:700}td.lead{background:#e6f4e2}"
    "td.wide{color:#a33;font-style:italic}td.na{color:#aaa}"
    "td.up{background:#d9f0d3}td.down{background:#f6d0cc}.method-break{border-left:4px solid #555}"
    "small.ci{color:#555}p.statistics{color:#444}"
    "td.reproduced{background:#d9f0d3}td.contradicted{background:#f6d0cc}td.reversed{background:#fbe9d0}"
    "td.source{color:#888}td.claim{text-align:left}li.caveat{color:#a33}"
    "tr.differs td,tr.differs th{background:#fff3c4}"
    "table.env td{text-align:left;max-width:900px;word-break:break-all}"
    ".topology svg{width:640px;max-width:100%;height:auto}code{background:#f4f4f4;padding:0 2px}";

bool html_write_report(const struct html_page *pg, char *err)
{
    FILE *f = html_open_file(pg, "index.html", err);
    if (!f)
        return false;
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>mapbench report</title>\n"
               "<style>%s</style></head><body>\n<h1>mapbench report</h1>\n<ul>\n",
            html_style);
    for (size_t m = 0; m < pg->data->machine_count; m++)
        html_machine_line(f, &pg->data->machines[m]);
    for (size_t r = 0; r < pg->data->run_count; r++)
        html_run_line(f, pg->data, &pg->data->runs[r], &pg->findings->calibrations[r]);
    fputs("</ul>\n", f);
    html_write_findings(f, pg);
    html_write_scenarios(f, pg);
    html_write_reproduce(f, pg);
    html_write_machines_compared(f, pg);
    html_write_machines(f, pg);
    html_write_history(f, pg);
    fputs("</body></html>\n", f);
    if (fclose(f) != 0) {
        snprintf(err, ERR_LEN, "cannot finish writing %.200s/index.html", pg->out_dir);
        return false;
    }
    return true;
}
