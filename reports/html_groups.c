/*
 * html_groups.c: the page's sections over several runs (see html.h): "Do the findings reproduce?"
 * (each run's winners and established crossovers, checked in every other run of its machine and
 * build) and "New hardware" (machines compared case by case).  Like html.c, it lays out what
 * findings_groups.c decided and decides nothing; every string from the database goes through
 * html_escape.
 */
#include "reports/html.h"

#include <math.h>
#include <string.h>

#include "reports/csv.h"
#include "reports/wording.h"

/* "runs 4, 5, 6 on HOST (CPU), commit C, method N". */
static void html_group_name(FILE *f, const struct report_data *d, const struct findings_group *g)
{
    fputs(g->run_count > 1 ? "runs " : "run ", f);
    for (size_t i = 0; i < g->run_count; i++)
        fprintf(f, "%s%lld", i ? ", " : "", (long long)d->runs[g->runs[i]].id);
    fputs(" on ", f);
    html_escape(f, g->machine ? g->machine->hostname : "?");
    fputs(" (", f);
    html_escape(f, g->machine ? g->machine->cpu_model : "?");
    fputs("), commit ", f);
    html_escape(f, g->first->git_commit[0] ? g->first->git_commit : "unknown");
    fprintf(f, ", method %d", g->first->method_version);
}

/* The claim of check k in words. */
static void html_check_claim(const struct html_page *pg, const struct findings_check *k, char *buf, size_t len)
{
    const struct report_sweep *w = &pg->sweeps[k->sweep];
    if (k->crossover)
        wording_crossover(pg->sweeps, &pg->findings->crossovers[k->index], buf, len);
    else
        wording_winner_claim(w, &pg->findings->sweeps[k->sweep].points[k->point], w->points[k->point], buf, len);
}

/* The calibration of each run of the group, when any stored one. */
static void html_group_calibration(FILE *f, const struct html_page *pg, const struct findings_group *g)
{
    for (size_t i = 0; i < g->run_count; i++) {
        const struct calibration_verdict *v = &pg->findings->calibrations[g->runs[i]];
        if (!v->measured)
            continue;
        fprintf(f, "<li>run %lld's calibration: ", (long long)pg->data->runs[g->runs[i]].id);
        if (v->moved) {
            fputs("<b>moved</b> beyond its own noise (", f);
            html_escape(f, v->why);
            fputs("): the machine moved; a difference this run shows may be the machine's</li>\n", f);
        } else {
            fputs("steady (within its own noise, against the other runs and from start to end)</li>\n", f);
        }
    }
}

/* One group's checks: the tally, then a table of every claim against every run. */
static void html_group_checks(FILE *f, const struct html_page *pg, size_t group)
{
    const struct findings *fi = pg->findings;
    const struct findings_group *g = &fi->groups[group];
    size_t tally[FINDINGS_REPLICATIONS] = {0}, claims = 0, everywhere = 0;
    for (size_t k = 0; k < fi->check_count; k++) {
        const struct findings_check *check = &fi->checks[k];
        if (check->group != group)
            continue;
        bool all = true;
        claims++;
        for (size_t i = 0; i < g->run_count; i++)
            if (g->runs[i] != pg->sweeps[check->sweep].run) {
                tally[check->in_run[i]]++;
                all &= check->in_run[i] == FINDINGS_REPRODUCED;
            }
        everywhere += all;
    }
    fprintf(f, "<p>%zu claims (separable winners and established crossovers of each run); in the other runs: %zu "
               "reproduced, %zu apparent (the same way, not significant), %zu reversed (the other way, not "
               "significant), %zu contradicted (significant the other way), %zu not measured.  %zu of %zu "
               "reproduced in every other run.</p>\n",
            claims, tally[FINDINGS_REPRODUCED], tally[FINDINGS_APPARENT], tally[FINDINGS_REVERSED],
            tally[FINDINGS_CONTRADICTED], tally[FINDINGS_UNMEASURED], everywhere, claims);
    if (!claims)
        return;
    fputs("<details><summary>every claim, run by run</summary><div class=\"scroll\"><table class=\"reproduce\"><tr>"
          "<th>claim</th>",
          f);
    for (size_t i = 0; i < g->run_count; i++)
        fprintf(f, "<th>run %lld</th>", (long long)pg->data->runs[g->runs[i]].id);
    fputs("</tr>\n", f);
    char text[2048];
    for (size_t k = 0; k < fi->check_count; k++) {
        const struct findings_check *check = &fi->checks[k];
        if (check->group != group)
            continue;
        html_check_claim(pg, check, text, sizeof text);
        fputs("<tr><td class=\"claim\">", f);
        html_text(f, text);
        fputs("</td>", f);
        for (size_t i = 0; i < g->run_count; i++) {
            bool source = g->runs[i] == pg->sweeps[check->sweep].run;
            const char *name = source ? "claimed here" : findings_replication_name(check->in_run[i]);
            fprintf(f, "<td class=\"%s\">%s</td>", source ? "source" : findings_replication_name(check->in_run[i]),
                    name);
        }
        fputs("</tr>\n", f);
    }
    fputs("</table></div></details>\n", f);
}

void html_write_reproduce(FILE *f, const struct html_page *pg)
{
    const struct findings *fi = pg->findings;
    bool any = false;
    for (size_t g = 0; g < fi->group_count; g++)
        any |= fi->groups[g].run_count > 1;
    if (!any)
        return;
    fprintf(f, "<section><h2>Do the findings reproduce?</h2>\n<p>Runs of one machine and one build (commit, flags, "
               "measurement method) form a group. Every separable winner and established crossover of a run is "
               "tested again in every other run of its group, with the same test (paired per round where the run "
               "measured in rounds); these %zu tests are corrected together (Benjamini-Hochberg, %g). "
               "<a href=\"%s\">CSV</a></p>\n",
            fi->check_tests, FINDINGS_ALPHA, CSV_REPRODUCE_FILE);
    for (size_t g = 0; g < fi->group_count; g++) {
        if (fi->groups[g].run_count < 2)
            continue;
        fputs("<h3>", f);
        html_group_name(f, pg->data, &fi->groups[g]);
        fputs("</h3>\n<ul>\n", f);
        html_group_calibration(f, pg, &fi->groups[g]);
        fputs("</ul>\n", f);
        html_group_checks(f, pg, g);
    }
    fputs("</section>\n", f);
}

/* ---- machines compared ---- */

static void html_machine_pair(FILE *f, const struct html_page *pg, const struct findings_machine_pair *m)
{
    const struct findings_group *a = &pg->findings->groups[m->group_a], *b = &pg->findings->groups[m->group_b];
    fputs("<h3>A: ", f);
    html_group_name(f, pg->data, a);
    fputs("<br>B: ", f);
    html_group_name(f, pg->data, b);
    fputs("</h3>\n<ul>\n", f);
    if (!m->same_build)
        fputs("<li>the two machines ran different builds: a ratio is the machine's and the build's together</li>\n",
              f);
    if (m->one_run_a_side)
        fputs("<li class=\"caveat\">this comparison rests on one run a side (for some cases): whatever state a "
              "machine was in during that run is inside every ratio; measure two runs or more a machine, "
              "interleaved in time, to bound it</li>\n",
              f);
    fprintf(f, "</ul>\n<p class=\"caption\">Mops/s, medians of the pooled repetitions; B/A with its "
               "%g%% interval (Hodges-Lehmann, spanning every pairing of runs)</p>\n<div class=\"scroll\">"
               "<table class=\"machines\"><tr><th>backend</th>"
               "<th>case</th><th>A</th><th>B</th><th>B / A</th><th>runs A, B</th></tr>\n",
            100 * (1 - FINDINGS_ALPHA));
    char what[REPORT_TEXT];
    for (size_t i = 0; i < m->case_count; i++) {
        const struct findings_machine_case *c = &m->cases[i];
        wording_history_case(&c->a->c, what, sizeof what);
        fputs("<tr><th>", f);
        html_swatch(f, c->a->c.backend_name, c->a->c.backend);
        html_escape(f, c->a->c.backend);
        fputs("</th><td class=\"case\">", f);
        html_escape(f, what);
        fprintf(f, "</td><td>%.3g</td><td>%.3g</td><td>×%.2f", c->median_a / 1e6, c->median_b / 1e6,
                exp(c->estimate));
        if (isfinite(c->lo) && isfinite(c->hi))
            fprintf(f, " <small class=\"ci\">[%.2f, %.2f]</small>", exp(c->lo), exp(c->hi));
        else
            fputs(" <small class=\"ci\">(interval out of reach)</small>", f);
        fprintf(f, "</td><td>%zu, %zu</td></tr>\n", c->runs_a, c->runs_b);
    }
    fputs("</table></div>\n", f);
}

void html_write_machines_compared(FILE *f, const struct html_page *pg)
{
    const struct findings *fi = pg->findings;
    if (!fi->machine_pair_count)
        return;
    fprintf(f, "<section><h2>New hardware: machines compared</h2>\n<p>Runs are grouped by machine and build; "
               "machines are compared only across groups, case by case, on the cases both measured. "
               "<a href=\"%s\">CSV</a></p>\n",
            CSV_MACHINES_FILE);
    for (size_t i = 0; i < fi->machine_pair_count; i++)
        html_machine_pair(f, pg, &fi->machine_pairs[i]);
    fputs("</section>\n", f);
}
