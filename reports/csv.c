/*
 * csv.c: the CSV tables of csv.h.  Rows follow the page's order: sweep points ascending with the
 * sweep's series in order; history tables per machine, each case's runs oldest first.
 */
#include "reports/csv.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "reports/wording.h"

void csv_sweep_file(size_t sweep, char *buf, size_t len)
{
    snprintf(buf, len, "sweep-%03zu.csv", sweep);
}

static void csv_field(FILE *f, const char *text)
{
    fputc('"', f);
    for (const char *c = text; *c; c++) {
        if (*c == '"')
            fputc('"', f);
        fputc(*c, f);
    }
    fputc('"', f);
}

static FILE *csv_open(const char *out_dir, const char *name, char *path, size_t len, char *err)
{
    snprintf(path, len, "%s/%s", out_dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        snprintf(err, ERR_LEN, "cannot write %.200s", path);
    return f;
}

static bool csv_close(FILE *f, const char *path, char *err)
{
    bool failed = ferror(f) != 0;
    if (fclose(f) != 0 || failed) {
        snprintf(err, ERR_LEN, "cannot write %.200s: %s", path, strerror(errno));
        return false;
    }
    return true;
}

/* The ratio interval exp(lo), exp(hi) as two fields; empty when absent or unbounded. */
static void csv_interval(FILE *f, double lo, double hi, bool present)
{
    if (present && isfinite(lo) && isfinite(hi))
        fprintf(f, "%.6g,%.6g", exp(lo), exp(hi));
    else
        fputc(',', f);
}

/* A number at full precision, or nothing for NAN. */
static void csv_number(FILE *f, double x)
{
    if (!isnan(x))
        fprintf(f, "%.6g", x);
}

static void csv_sweep_rows(FILE *f, const struct report_data *d, const struct report_sweep *w,
                           const struct findings_sweep *fs)
{
    char value[64];
    for (size_t k = 0; k < w->point_count; k++) {
        const struct findings_point *r = &fs->points[k];
        for (size_t s = 0; s < w->series_count; s++) {
            const struct findings_cell *cell = findings_cell_at(fs, k, s);
            const struct report_case *c = cell->c;
            if (!c)
                continue;
            fprintf(f, "%lld,", (long long)d->runs[w->run].id);
            csv_field(f, w->scenario);
            fprintf(f, ",%s,%.17g,", report_dim_name(w->dim), w->points[k]);
            csv_field(f, w->series[s].label);
            snprintf(value, sizeof value, "%.6g", cell->ratio);
            fprintf(f, ",%.17g,%.17g,%.17g,%.6g,%zu,%s,%d,%d,", c->median, c->min, c->max, c->cv, c->n,
                    r->baseline >= 0 ? value : "", r->winner == (long)s, cell->wide);
            csv_interval(f, cell->vs_baseline.lo, cell->vs_baseline.hi, r->baseline >= 0);
            fprintf(f, ",%s,%.17g,%.17g\n",
                    r->baseline < 0 ? "" : cell->vs_baseline.pairing == FINDINGS_PAIRED ? "paired" : "unpaired",
                    cell->median_lo, cell->median_hi);
        }
    }
}

bool csv_write_sweeps(const char *out_dir, const struct report_data *d, const struct report_sweep *sweeps,
                      const struct findings *f, char *err)
{
    char name[64], path[4096];
    for (size_t i = 0; i < f->sweep_count; i++) {
        csv_sweep_file(i, name, sizeof name);
        FILE *out = csv_open(out_dir, name, path, sizeof path, err);
        if (!out)
            return false;
        fputs("run,scenario,dimension,x,backend,median_ops_per_s,min_ops_per_s,max_ops_per_s,cv,repetitions,"
              "ratio_to_baseline,winner,too_wide_to_rank,ratio_lo,ratio_hi,ratio_test,median_lo_ops_per_s,"
              "median_hi_ops_per_s\n",
              out);
        csv_sweep_rows(out, d, &sweeps[i], &f->sweeps[i]);
        if (!csv_close(out, path, err))
            return false;
    }
    return true;
}

bool csv_write_history(const char *out_dir, const struct findings *f, char *err)
{
    char path[4096], what[REPORT_TEXT];
    FILE *out = csv_open(out_dir, CSV_HISTORY_FILE, path, sizeof path, err);
    if (!out)
        return false;
    fputs("backend,case,run,median_ops_per_s,repetitions,shift,method_version,p,q\n", out);
    for (size_t t = 0; t < f->history_count; t++) {
        const struct findings_history *h = &f->histories[t];
        for (size_t i = 0; i < h->row_count; i++) {
            const struct findings_history_row *row = &h->rows[i];
            wording_history_case(&row->c->c, what, sizeof what);
            for (size_t r = 0; r < h->run_count; r++) {
                const struct findings_history_cell *cell = &row->cells[r];
                if (!cell->c)
                    continue;
                csv_field(out, row->c->c.backend);
                fputc(',', out);
                csv_field(out, what);
                fprintf(out, ",%lld,%.17g,%zu,%s,%d,", (long long)h->run_ids[r], cell->c->median, cell->c->n,
                        findings_shift_name(cell->shift), h->run_methods[r]);
                csv_number(out, cell->test.p);
                fputc(',', out);
                csv_number(out, cell->test.q);
                fputc('\n', out);
            }
        }
    }
    return csv_close(out, path, err);
}
