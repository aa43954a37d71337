/*
 * compare_format.c: the regression gate's reporters (see compare_format.h).  Numbers are formatted
 * here only: 12.3M with an SI suffix, changes and intervals as percentages of the baseline.
 *
 * Everything that came from a user (scenario names, backend specs from plugins) is escaped for its
 * format: XML's five characters and the control characters XML 1.0 cannot carry, and Markdown's
 * table and emphasis characters.
 */
#include "reports/compare_format.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "runner/disturbance.h"

/* ---- formatting shared by the reporters ---------------------------------------------------- */

/* 12.3M, 950k, 41.2: three significant digits with an SI suffix. */
static const char *compare_format_value(double v, char *out, size_t len)
{
    static const char suffix[] = " kMGT";
    int level = 0;
    if (!isfinite(v)) {
        snprintf(out, len, "-");
        return out;
    }
    while (fabs(v) >= 1000.0 && level < 4) {
        v /= 1000.0;
        level++;
    }
    if (level)
        snprintf(out, len, "%.3g%c", v, suffix[level]);
    else
        snprintf(out, len, "%.3g", v);
    return out;
}

static double compare_format_percent(double log_ratio)
{
    return (exp(log_ratio) - 1.0) * 100.0;
}

/* "-20.1%" and "[-22.3%, -18.0%]"; "-" when unknown. */
static void compare_format_change(const struct compare_case *k, char *change, size_t clen,
                                  char *interval, size_t ilen)
{
    if (isfinite(k->shift.estimate))
        snprintf(change, clen, "%+.1f%%", compare_format_percent(k->shift.estimate));
    else
        snprintf(change, clen, "-");
    if (isfinite(k->shift.lo) && isfinite(k->shift.hi))
        snprintf(interval, ilen, "[%+.1f%%, %+.1f%%]", compare_format_percent(k->shift.lo),
                 compare_format_percent(k->shift.hi));
    else
        snprintf(interval, ilen, "[level out of reach]");
}

/* Why an unknown case is unknown, in one sentence. */
static void compare_format_unknown(const struct compare_case *k, double alpha, char *out, size_t len)
{
    char change[32], interval[64];
    if (k->why_unknown == COMPARE_UNKNOWN_WIDE) {
        compare_format_change(k, change, sizeof change, interval, sizeof interval);
        snprintf(out, len,
                 "its %g%% interval %s reaches past the threshold both ways: these runs cannot tell a "
                 "regression from an improvement (pool more runs a side, or measure on a quieter machine)",
                 100.0 * (1.0 - alpha), interval);
        return;
    }
    if (k->why_unknown == COMPARE_UNKNOWN_PAIRING)
        snprintf(out, len,
                 "the change cannot be bounded at %g%% between every pairing of runs: a run has %zu valid "
                 "repetition(s), and each run needs %zu for such an interval (pooled p = %.3g)",
                 100.0 * (1.0 - alpha), k->fewest_per_run, k->needed, k->p);
    else
        snprintf(out, len,
                 "%zu vs %zu valid repetitions cannot reach p < %g (the smallest p they allow is "
                 "%.3g); %zu per side are needed",
                 k->baseline.count, k->candidate.count, alpha, k->min_p, k->needed);
}

/* The facts about the runs that bear on every verdict, one sentence each, into lines[] (at most
 * `max`); returns how many: runs of several measurement methods, planted slowdowns, and runs whose
 * calibration moved (the machine, not the code). */
static size_t compare_format_facts(const struct compare_report *r, char lines[][600], size_t max)
{
    size_t n = 0;
    if (r->methods_mixed && n < max)
        snprintf(lines[n++], 600,
                 "runs of different measurement-method versions are compared (--across-methods): a change "
                 "may be the method's (runner/method.h)");
    for (size_t i = 0; i < r->run_count && n < max; i++) {
        const struct compare_run_fact *f = &r->runs[i];
        if (f->run.planted_slowdown_pct > 0)
            snprintf(lines[n++], 600,
                     "run %lld carries a planted %g%% slowdown (MAPBENCH_PLANTED_SLOWDOWN_PCT, a testing aid): "
                     "its windows were slowed on purpose",
                     (long long)f->run.id, f->run.planted_slowdown_pct);
    }
    for (size_t i = 0; i < r->run_count && n < max; i++) {
        const struct compare_run_fact *f = &r->runs[i];
        if (f->calibration.moved)
            snprintf(lines[n++], 600,
                     "the machine moved: %s run %lld's calibration moved beyond its own noise (%.400s); a change "
                     "it shows may be the machine's, not the code's",
                     f->candidate ? "candidate" : "baseline", (long long)f->run.id, f->calibration.why);
    }
    return n;
}

#define COMPARE_FORMAT_MAX_FACTS 16

static void compare_format_rule(const struct compare_report *r, char *out, size_t len)
{
    char metric[96];
    if (r->options.normalize)
        snprintf(metric, sizeof metric, "%s relative to %s in the same run", r->options.metric,
                 r->options.normalize);
    else
        snprintf(metric, sizeof metric, "%s", r->options.metric);
    bool pooled = r->candidate_runs > 1 || r->baseline_runs > 1 || r->baseline.id == 0;
    snprintf(out, len,
             "%s: a case regresses when its Benjamini-Hochberg q < %g and its whole %g%% "
             "interval%s lies beyond %g%% the wrong way",
             metric, r->options.alpha, 100.0 * (1.0 - r->options.alpha),
             pooled ? " (spanning every baseline run against every candidate run)" : "",
             100.0 * r->options.threshold);
}

/* Samples compared, and those of them the disturbance rule flags, over both sides. */
static void compare_format_disturbed(const struct compare_report *r, size_t *samples, size_t *disturbed)
{
    *samples = *disturbed = 0;
    for (size_t i = 0; i < r->count; i++) {
        const struct compare_case *k = &r->cases[i];
        *samples += k->baseline.count + k->candidate.count;
        *disturbed += k->baseline.disturbed + k->candidate.disturbed;
    }
}

static void compare_format_summary(const struct compare_report *r, char *out, size_t len)
{
    size_t samples, disturbed;
    compare_format_disturbed(r, &samples, &disturbed);
    snprintf(out, len,
             "%zu cases: %zu regressed, %zu improved, %zu unchanged, %zu inconclusive, %zu unknown; "
             "%zu only in the baseline, %zu only in the candidate, %zu measured on neither side "
             "(skipped or invalid both times; not compared); %zu of %zu samples disturbed (%s)",
             r->count, r->verdicts[COMPARE_REGRESSED], r->verdicts[COMPARE_IMPROVED],
             r->verdicts[COMPARE_UNCHANGED], r->verdicts[COMPARE_INCONCLUSIVE], r->verdicts[COMPARE_UNKNOWN],
             r->only_baseline, r->only_candidate, r->unmeasured, disturbed, samples, DISTURBANCE_RULE);
}

/* What to do about the inconclusive cases; "" when there are none. */
static void compare_format_advice(const struct compare_report *r, char *out, size_t len)
{
    out[0] = '\0';
    if (r->verdicts[COMPARE_INCONCLUSIVE])
        snprintf(out, len,
                 "%zu inconclusive case(s) moved beyond %g%% over their whole interval, yet are not "
                 "significant once corrected for %zu cases: pool more runs a side (--baseline 1,3,5 "
                 "--candidate 2,4,6, interleaved in time, or --history N) to decide them",
                 r->verdicts[COMPARE_INCONCLUSIVE], 100.0 * r->options.threshold, r->tested);
}

/* ---- the table ----------------------------------------------------------------------------- */

void compare_format_table(const struct compare_report *r, FILE *out)
{
    char rule[512], summary[512];
    compare_format_rule(r, rule, sizeof rule);
    fprintf(out, "candidate %s (%s%s%s) against baseline %s\n%s\n", r->candidate_text,
            r->candidate.started_at, *r->candidate.label ? ", " : "", r->candidate.label,
            r->baseline_text, rule);
    char facts[COMPARE_FORMAT_MAX_FACTS][600];
    size_t fact_count = compare_format_facts(r, facts, COMPARE_FORMAT_MAX_FACTS);
    for (size_t i = 0; i < fact_count; i++)
        fprintf(out, "%s\n", facts[i]);
    fputc('\n', out);
    fprintf(out, "%-10s %9s %-20s %8s %9s %9s  %s\n", "verdict", "change", "interval", "q",
            "baseline", "candidate", "case");
    for (size_t i = 0; i < r->count; i++) {
        const struct compare_case *k = &r->cases[i];
        char change[32], interval[64], base[32], cand[32];
        compare_format_change(k, change, sizeof change, interval, sizeof interval);
        fprintf(out, "%-10s %9s %-20s %8.2g %9s %9s  %s\n", compare_verdict_name(k->verdict),
                change, interval, k->q,
                compare_format_value(k->baseline_median, base, sizeof base),
                compare_format_value(k->candidate_median, cand, sizeof cand), k->name);
    }
    for (size_t i = 0; i < r->count; i++) {
        char why[ERR_LEN];
        if (r->cases[i].verdict != COMPARE_UNKNOWN)
            continue;
        compare_format_unknown(&r->cases[i], r->options.alpha, why, sizeof why);
        fprintf(out, "unknown: %s: %s\n", r->cases[i].name, why);
    }
    compare_format_summary(r, summary, sizeof summary);
    fprintf(out, "\n%s\n", summary);
    compare_format_advice(r, summary, sizeof summary);
    if (*summary)
        fprintf(out, "%s\n", summary);
}

/* ---- Markdown ------------------------------------------------------------------------------ */

/* Text for a table cell: HTML's specials as entities (GitHub renders inline HTML), Markdown's
 * table and emphasis characters backslash-escaped, line breaks as spaces. */
static void compare_format_markdown_text(FILE *f, const char *text)
{
    for (const char *p = text; *p; p++) {
        if (*p == '<')
            fputs("&lt;", f);
        else if (*p == '>')
            fputs("&gt;", f);
        else if (*p == '&')
            fputs("&amp;", f);
        else if (strchr("\\`*_[]|#~", *p))
            fprintf(f, "\\%c", *p);
        else if ((unsigned char)*p < 0x20)
            fputc(' ', f);
        else
            fputc(*p, f);
    }
}

static FILE *compare_format_open(const char *path, char *err)
{
    FILE *f = fopen(path, "w");
    if (!f)
        snprintf(err, ERR_LEN, "cannot write %s: %s", path, strerror(errno));
    return f;
}

static bool compare_format_close(FILE *f, const char *path, char *err)
{
    bool failed = ferror(f) != 0;
    if (fclose(f) != 0 || failed) {
        snprintf(err, ERR_LEN, "cannot write %s: %s", path, strerror(errno));
        return false;
    }
    return true;
}

bool compare_format_markdown(const struct compare_report *r, const char *path, char *err)
{
    FILE *f = compare_format_open(path, err);
    if (!f)
        return false;
    char rule[512], summary[512], text[512];
    compare_format_rule(r, rule, sizeof rule);
    compare_format_summary(r, summary, sizeof summary);
    fprintf(f, "## mapbench compare: %s against %s\n\n", r->candidate_text, r->baseline_text);
    fprintf(f, "**%s** %s.\n\n", r->verdicts[COMPARE_REGRESSED] ? "Regressions found:"
                                                                 : "No regression:", summary);
    compare_format_markdown_text(f, rule);
    fputs(".\n\n", f);
    char facts[COMPARE_FORMAT_MAX_FACTS][600];
    size_t fact_count = compare_format_facts(r, facts, COMPARE_FORMAT_MAX_FACTS);
    for (size_t i = 0; i < fact_count; i++) {
        fputs("- **", f);
        compare_format_markdown_text(f, facts[i]);
        fputs("**\n", f);
    }
    if (fact_count)
        fputc('\n', f);
    fputs("| verdict | case | baseline | candidate | change | interval | q |\n"
          "|---|---|---:|---:|---:|---|---:|\n", f);
    for (size_t i = 0; i < r->count; i++) {
        const struct compare_case *k = &r->cases[i];
        char change[32], interval[64], base[32], cand[32];
        compare_format_change(k, change, sizeof change, interval, sizeof interval);
        const char *strong = k->verdict == COMPARE_REGRESSED ? "**" : "";
        fprintf(f, "| %s%s%s | ", strong, compare_verdict_name(k->verdict), strong);
        compare_format_markdown_text(f, k->name);
        fprintf(f, " | %s | %s | %s | %s | %.2g |\n",
                compare_format_value(k->baseline_median, base, sizeof base),
                compare_format_value(k->candidate_median, cand, sizeof cand), change, interval,
                k->q);
    }
    for (size_t i = 0; i < r->count; i++) {
        if (r->cases[i].verdict != COMPARE_UNKNOWN)
            continue;
        compare_format_unknown(&r->cases[i], r->options.alpha, text, sizeof text);
        fputs("\n- unknown: ", f);
        compare_format_markdown_text(f, r->cases[i].name);
        fprintf(f, ": %s", text);
    }
    compare_format_advice(r, text, sizeof text);
    if (*text) {
        fputs("\n\n", f);
        compare_format_markdown_text(f, text);
    }
    fputc('\n', f);
    return compare_format_close(f, path, err);
}

/* ---- JUnit XML ----------------------------------------------------------------------------- */

/* Attribute- and text-safe: the five entities; control characters XML 1.0 forbids become '?'. */
static void compare_format_xml_text(FILE *f, const char *text)
{
    for (const char *p = text; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        switch (ch) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&apos;", f); break;
        default:
            fputc(ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r' ? '?' : ch, f);
        }
    }
}

static void compare_format_junit_case(FILE *f, const struct compare_report *r,
                               const struct compare_case *k)
{
    char change[32], interval[64], base[32], cand[32], text[512];
    compare_format_change(k, change, sizeof change, interval, sizeof interval);
    fputs("    <testcase classname=\"mapbench.compare.", f);
    compare_format_xml_text(f, k->c.scenario);
    fputs("\" name=\"", f);
    compare_format_xml_text(f, k->name);
    fputs("\" time=\"0\">\n", f);
    if (k->verdict == COMPARE_REGRESSED) {
        snprintf(text, sizeof text, "%s %s %s (q %.2g): median %s -> %s%s", r->options.metric,
                 change, interval, k->q,
                 compare_format_value(k->baseline_median, base, sizeof base),
                 compare_format_value(k->candidate_median, cand, sizeof cand),
                 r->moved ? "; the machine moved (see the suite's properties): this may not be the code" : "");
        fputs("      <failure type=\"regression\" message=\"", f);
        compare_format_xml_text(f, text);
        fputs("\">", f);
        compare_format_xml_text(f, text);
        fputs("</failure>\n", f);
    } else if (k->verdict == COMPARE_UNKNOWN) {
        compare_format_unknown(k, r->options.alpha, text, sizeof text);
        fputs("      <skipped message=\"", f);
        compare_format_xml_text(f, text);
        fputs("\"/>\n", f);
    } else {
        snprintf(text, sizeof text, "%s %s %s %s (q %.2g)", compare_verdict_name(k->verdict),
                 r->options.metric, change, interval, k->q);
        fputs("      <system-out>", f);
        compare_format_xml_text(f, text);
        fputs("</system-out>\n", f);
    }
    fputs("    </testcase>\n", f);
}

/* The suite's properties: machine_moved (true/false) with the runs and why, planted slowdowns, and
 * the measurement-method versions when mixed. */
static void compare_format_junit_properties(FILE *f, const struct compare_report *r)
{
    size_t samples, disturbed;
    compare_format_disturbed(r, &samples, &disturbed);
    fprintf(f, "    <properties>\n      <property name=\"machine_moved\" value=\"%s\"/>\n"
               "      <property name=\"samples\" value=\"%zu\"/>\n"
               "      <property name=\"disturbed_samples\" value=\"%zu\"/>\n",
            r->moved ? "true" : "false", samples, disturbed);
    char facts[COMPARE_FORMAT_MAX_FACTS][600];
    size_t fact_count = compare_format_facts(r, facts, COMPARE_FORMAT_MAX_FACTS);
    for (size_t i = 0; i < fact_count; i++) {
        fputs("      <property name=\"note\" value=\"", f);
        compare_format_xml_text(f, facts[i]);
        fputs("\"/>\n", f);
    }
    fputs("    </properties>\n", f);
}

bool compare_format_junit(const struct compare_report *r, const char *path, char *err)
{
    FILE *f = compare_format_open(path, err);
    if (!f)
        return false;
    size_t failures = r->verdicts[COMPARE_REGRESSED], skipped = r->verdicts[COMPARE_UNKNOWN];
    char suite[600];
    snprintf(suite, sizeof suite, "%s against %s", r->candidate_text, r->baseline_text);
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<testsuites name=\"mapbench compare\" tests=\"%zu\" failures=\"%zu\" "
               "errors=\"0\" skipped=\"%zu\">\n  <testsuite name=\"",
            r->count, failures, skipped);
    compare_format_xml_text(f, suite);
    fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\">\n", r->count,
            failures, skipped);
    compare_format_junit_properties(f, r);
    for (size_t i = 0; i < r->count; i++)
        compare_format_junit_case(f, r, &r->cases[i]);
    fputs("  </testsuite>\n</testsuites>\n", f);
    return compare_format_close(f, path, err);
}
