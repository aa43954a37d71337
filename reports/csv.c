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
            fprintf(f, ",%s,%.17g,%.17g,%.17g,",
                    r->baseline < 0 ? "" : cell->vs_baseline.pairing == FINDINGS_PAIRED ? "paired" : "unpaired",
                    cell->median_lo, cell->median_hi, c->distinct_keys);
            csv_number(f, c->bytes_per_key);
            fputc(',', f);
            csv_number(f, c->pending_bytes_per_key);
            fputc('\n', f);
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
              "median_hi_ops_per_s,distinct_keys,bytes_per_key,pending_bytes_per_key\n",
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

/* The claim of check k in words. */
static void csv_check_claim(const struct report_sweep *sweeps, const struct findings *f, const struct findings_check *k,
                            char *buf, size_t len)
{
    const struct report_sweep *w = &sweeps[k->sweep];
    if (k->crossover)
        wording_crossover(sweeps, &f->crossovers[k->index], buf, len);
    else
        wording_winner_claim(w, &f->sweeps[k->sweep].points[k->point], w->points[k->point], buf, len);
}

bool csv_write_reproduce(const char *out_dir, const struct report_data *d, const struct report_sweep *sweeps,
                         const struct findings *f, char *err)
{
    char path[4096], claim[2048];
    FILE *out = csv_open(out_dir, CSV_REPRODUCE_FILE, path, sizeof path, err);
    if (!out)
        return false;
    fputs("kind,claim,claimed_in_run,run,verdict,test,log_ratio,p,q,log_ratio_2,p_2,q_2\n", out);
    for (size_t k = 0; k < f->check_count; k++) {
        const struct findings_check *check = &f->checks[k];
        const struct findings_group *g = &f->groups[check->group];
        csv_check_claim(sweeps, f, check, claim, sizeof claim);
        for (size_t i = 0; i < g->run_count; i++) {
            if (g->runs[i] == sweeps[check->sweep].run)
                continue;
            fprintf(out, "%s,", check->crossover ? "crossover" : "winner");
            csv_field(out, claim);
            fprintf(out, ",%lld,%lld,%s,%s", (long long)d->runs[sweeps[check->sweep].run].id,
                    (long long)d->runs[g->runs[i]].id, findings_replication_name(check->in_run[i]),
                    check->in_run[i] == FINDINGS_UNMEASURED ? ""
                    : check->tests[i][0].pairing == FINDINGS_PAIRED ? "paired" : "unpaired");
            for (int j = 0; j < (check->crossover ? 2 : 1); j++) {
                const struct findings_test *t = &check->tests[i][j];
                fputc(',', out);
                csv_number(out, t->estimate);
                fputc(',', out);
                csv_number(out, t->p);
                fputc(',', out);
                csv_number(out, t->q);
            }
            fputs(check->crossover ? "\n" : ",,,\n", out);
        }
    }
    return csv_close(out, path, err);
}

bool csv_write_matrix(const char *out_dir, const struct report_data *d, const struct report_sweep *sweeps,
                      const struct findings *f, char *err)
{
    char path[4096], what[REPORT_TEXT];
    FILE *out = csv_open(out_dir, CSV_MATRIX_FILE, path, sizeof path, err);
    if (!out)
        return false;
    fputs("run,scenario,workload,threads,separable,winner,runner_up,fastest,margin,margin_lo,margin_hi,test,p,q\n", out);
    const struct findings_matrix *m = &f->matrix;
    for (size_t i = 0; i < m->row_count; i++) {
        const struct findings_matrix_row *row = &m->rows[i];
        wording_workload(&row->c->c, what, sizeof what);
        for (size_t t = 0; t < m->thread_count; t++) {
            const struct findings_matrix_cell *cell = &row->cells[t];
            if (!cell->measured || cell->winner < 0)
                continue;
            const struct report_sweep *w = &sweeps[cell->sweep];
            const struct findings_test *test = &f->sweeps[cell->sweep].points[cell->point].test;
            fprintf(out, "%lld,", (long long)d->runs[row->run].id);
            csv_field(out, row->c->c.scenario);
            fputc(',', out);
            csv_field(out, what);
            fprintf(out, ",%d,%d,", m->threads[t], cell->separable);
            csv_field(out, cell->separable ? w->series[cell->winner].label : "");
            fputc(',', out);
            csv_field(out, cell->runner_up >= 0 ? w->series[cell->runner_up].label : "");
            fputc(',', out);
            csv_field(out, w->series[cell->winner].label);
            fputc(',', out);
            csv_number(out, cell->margin);
            fputc(',', out);
            csv_interval(out, test->lo, test->hi, cell->runner_up >= 0);
            fprintf(out, ",%s,", cell->runner_up < 0 ? "" : test->pairing == FINDINGS_PAIRED ? "paired" : "unpaired");
            csv_number(out, test->p);
            fputc(',', out);
            csv_number(out, test->q);
            fputc('\n', out);
        }
    }
    return csv_close(out, path, err);
}

bool csv_write_machines(const char *out_dir, const struct findings *f, char *err)
{
    char path[4096], what[REPORT_TEXT];
    FILE *out = csv_open(out_dir, CSV_MACHINES_FILE, path, sizeof path, err);
    if (!out)
        return false;
    fputs("machine_a,machine_b,runs_a,runs_b,backend,case,median_a_ops_per_s,median_b_ops_per_s,ratio_b_to_a,"
          "ratio_lo,ratio_hi,same_build,one_run_a_side\n",
          out);
    for (size_t m = 0; m < f->machine_pair_count; m++) {
        const struct findings_machine_pair *pair = &f->machine_pairs[m];
        for (size_t i = 0; i < pair->case_count; i++) {
            const struct findings_machine_case *c = &pair->cases[i];
            csv_field(out, f->groups[pair->group_a].machine->hostname);
            fputc(',', out);
            csv_field(out, f->groups[pair->group_b].machine->hostname);
            fprintf(out, ",%zu,%zu,", c->runs_a, c->runs_b);
            csv_field(out, c->a->c.backend);
            fputc(',', out);
            wording_history_case(&c->a->c, what, sizeof what);
            csv_field(out, what);
            fprintf(out, ",%.17g,%.17g,%.6g,", c->median_a, c->median_b, exp(c->estimate));
            csv_interval(out, c->lo, c->hi, true);
            fprintf(out, ",%d,%d\n", pair->same_build, pair->one_run_a_side);
        }
    }
    return csv_close(out, path, err);
}
