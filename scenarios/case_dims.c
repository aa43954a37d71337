/*
 * case_dims.c: the table of case dimensions (see case_dims.h), the parsers of their values, the
 * types that carry a value between a scenario item, a bench_case field, text and SQL cells, and
 * the two walks everyone shares: case_key and case_describe.
 *
 * Parsers take one list item (the scenario parser splits lists and trims them) and write a
 * case_dim_value; on bad input they write a reason, which the caller wraps with the file, the line
 * and the key: `t.ini:3: key 'read_pct': 101 is not a percentage 0..100`.  Counts of threads and
 * keys stay symbolic (`pus`, `1..pus`, `auto`) until scenario_expand resolves them against the
 * machine; a plain number is resolved at once, so defaults apply without a machine.
 */
#include "scenarios/case_dims.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "maps/map.h"

/* ---- helpers ------------------------------------------------------------------------------ */

bool case_why(char *why, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, CASE_WHY_LEN, fmt, ap);
    va_end(ap);
    return false;
}

static void case_dim_append(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Appends to a text that may already be full: never past len, always terminated. */
static void case_dim_append(char *buf, size_t len, const char *fmt, ...)
{
    size_t used = strnlen(buf, len);
    if (used + 1 >= len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + used, len - used, fmt, ap);
    va_end(ap);
}

static void *case_dim_field(const struct case_dim *d, struct bench_case *c)
{
    return (char *)c + d->offset;
}

static const void *case_dim_field_of(const struct case_dim *d, const struct bench_case *c)
{
    return (const char *)c + d->offset;
}

/* ---- number parsers ----------------------------------------------------------------------- */

static bool case_dim_parse_u64(const char *text, uint64_t *out, const char **end)
{
    char *stop;
    if (!isdigit((unsigned char)text[0]))
        return false;
    errno = 0;
    *out = strtoull(text, &stop, 10);
    *end = stop;
    return errno == 0;
}

/* N with an optional binary suffix k, M, G. */
static bool case_dim_parse_size(const char *text, uint64_t *out, const char **end)
{
    static const struct { char c; unsigned shift; } suffixes[] = {
        {'k', 10}, {'K', 10}, {'M', 20}, {'G', 30}};
    if (!case_dim_parse_u64(text, out, end))
        return false;
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        if (**end == suffixes[i].c) {
            if (*out > (UINT64_MAX >> suffixes[i].shift))
                return false;
            *out <<= suffixes[i].shift;
            (*end)++;
            break;
        }
    }
    return true;
}

static bool case_dim_parse_plain_size(const char *text, uint64_t *out)
{
    const char *end;
    return case_dim_parse_size(text, out, &end) && *end == '\0';
}

/* N, or with machine units: cores, pus, K*cores, K*pus. */
static bool case_dim_parse_term(const char *text, bool machine_units, struct case_term *t)
{
    static const struct { const char *name; enum case_unit unit; } units[] = {
        {"cores", CASE_UNIT_CORES}, {"pus", CASE_UNIT_PUS}};
    const char *end = text;
    t->n = 1;
    t->unit = CASE_UNIT_ONE;
    if (isdigit((unsigned char)text[0])) {
        if (!case_dim_parse_size(text, &t->n, &end))
            return false;
        if (*end == '\0')
            return true;
        if (*end++ != '*')
            return false;
    }
    for (size_t i = 0; machine_units && i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(end, units[i].name) == 0) {
            t->unit = units[i].unit;
            return true;
        }
    }
    return false;
}

void case_term_text(const struct case_term *t, char *buf, size_t len)
{
    static const char *const names[] = {"", "cores", "pus"};
    if (t->unit == CASE_UNIT_ONE)
        snprintf(buf, len, "%llu", (unsigned long long)t->n);
    else if (t->n == 1)
        snprintf(buf, len, "%s", names[t->unit]);
    else
        snprintf(buf, len, "%llu*%s", (unsigned long long)t->n, names[t->unit]);
}

/* A term or a range `A..B` / `A..B xR`; the row's min bounds a single plain value.  A plain
 * number is resolved at once (v->count), so it needs no machine. */
static bool case_dim_parse_count(const struct case_dim *d, const char *item, bool machine_units,
                                 struct case_dim_value *v, char *why)
{
    char buf[256];
    const char *form = machine_units ? "N, cores, pus, K*pus" : "N (suffix k, M, G)";
    snprintf(buf, sizeof buf, "%s", item);
    char *dots = strstr(buf, "..");
    v->kind = dots ? CASE_COUNT_RANGE : CASE_COUNT_TERM;
    v->ratio = 2;
    if (!dots) {
        if (!case_dim_parse_term(buf, machine_units, &v->lo))
            return case_why(why, "'%s' is not %s or a range A..B", item, form);
        if (v->lo.n < d->min)
            return case_why(why, "%llu is below the minimum %llu", (unsigned long long)v->lo.n,
                                (unsigned long long)d->min);
        v->count = v->lo.unit == CASE_UNIT_ONE ? v->lo.n : 0;
        return true;
    }
    *dots = '\0';
    char *hi = dots + 2, *step = strpbrk(hi, " \t");
    if (step) {
        *step++ = '\0';
        step += strspn(step, " \t");
        const char *end;
        if (*step != 'x' || !case_dim_parse_u64(step + 1, &v->ratio, &end) || *end || v->ratio < 2)
            return case_why(why, "'%s': a range step is written ' xR' with R >= 2", item);
    }
    if (!case_dim_parse_term(buf, machine_units, &v->lo) ||
        !case_dim_parse_term(hi, machine_units, &v->hi))
        return case_why(why, "'%s' is not a range A..B of %s", item, form);
    if (v->lo.n == 0)
        return case_why(why, "range '%s' must start at 1 or more", item);
    if (v->lo.unit == CASE_UNIT_ONE && v->hi.unit == CASE_UNIT_ONE && v->lo.n > v->hi.n)
        return case_why(why, "range '%s' is empty", item);
    return true;
}

static bool case_dim_parse_threads(const struct case_dim *d, const char *item,
                                   struct case_dim_value *v, char *why)
{
    return case_dim_parse_count(d, item, true, v, why);
}

static bool case_dim_parse_keys(const struct case_dim *d, const char *item,
                                struct case_dim_value *v, char *why)
{
    if (strcmp(item, "auto") == 0) {
        v->kind = CASE_COUNT_AUTO;
        return true;
    }
    return case_dim_parse_count(d, item, false, v, why);
}

static bool case_dim_parse_key_range(const struct case_dim *d, const char *item,
                                     struct case_dim_value *v, char *why)
{
    (void)d;
    if (!case_dim_parse_plain_size(item, &v->count))
        return case_why(why, "'%s' is not a key count (N with optional k, M, G)", item);
    return true;
}

/* A whole number between the row's min and max, no suffix. */
static bool case_dim_parse_whole(const struct case_dim *d, const char *item,
                                 struct case_dim_value *v, char *why)
{
    const char *end;
    if (!case_dim_parse_u64(item, &v->count, &end) || *end || v->count < d->min ||
        v->count > d->max)
        return case_why(why, "'%s' is not a whole number %llu..%llu", item,
                            (unsigned long long)d->min, (unsigned long long)d->max);
    return true;
}

static bool case_dim_parse_pct(const struct case_dim *d, const char *item,
                               struct case_dim_value *v, char *why)
{
    (void)d;
    char *end;
    v->number = strtod(item, &end);
    if (end == item || *end || !isfinite(v->number) || v->number < 0 || v->number > 100)
        return case_why(why, "%s is not a percentage 0..100", item);
    return true;
}

/* A number with unit s, ms, us or m; `positive` rejects 0. */
static bool case_dim_parse_seconds(const char *item, bool positive, double *out, char *why)
{
    static const struct { const char *unit; double scale; } units[] = {
        {"s", 1}, {"ms", 1e-3}, {"us", 1e-6}, {"m", 60}};
    char *end;
    double n = strtod(item, &end);
    if (end == item || !isfinite(n) || n < 0 || (positive && n == 0))
        return case_why(why, "%s is not a %s duration such as 0.5s or 200ms", item,
                            positive ? "positive" : "non-negative");
    if (n == 0 && *end == '\0') { /* zero needs no unit */
        *out = 0;
        return true;
    }
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(end, units[i].unit) == 0) {
            *out = n * units[i].scale;
            return true;
        }
    }
    return case_why(why, "%s has no unit (s, ms, us or m)", item);
}

static bool case_dim_parse_duration(const struct case_dim *d, const char *item,
                                    struct case_dim_value *v, char *why)
{
    (void)d;
    v->kind = CASE_WINDOW_DURATION;
    return case_dim_parse_seconds(item, true, &v->number, why);
}

static bool case_dim_parse_ops(const struct case_dim *d, const char *item,
                               struct case_dim_value *v, char *why)
{
    (void)d;
    v->kind = CASE_WINDOW_OPS;
    if (!case_dim_parse_plain_size(item, &v->count) || v->count == 0)
        return case_why(why, "'%s' is not a positive operation count", item);
    return true;
}

static bool case_dim_parse_warmup(const struct case_dim *d, const char *item,
                                  struct case_dim_value *v, char *why)
{
    (void)d;
    return case_dim_parse_seconds(item, false, &v->number, why);
}

static bool case_dim_parse_flag(const struct case_dim *d, const char *item,
                                struct case_dim_value *v, char *why)
{
    (void)d;
    if (strcmp(item, "0") && strcmp(item, "1"))
        return case_why(why, "'%s' is not 0 or 1", item);
    v->count = item[0] == '1';
    return true;
}

/* One of the row's words (name_of): "'x' is not update, insert-delete, insert or load-or-store". */
static bool case_dim_parse_enum(const struct case_dim *d, const char *item,
                                struct case_dim_value *v, char *why)
{
    char words[CASE_WHY_LEN] = "";
    int count = 0;
    while (d->name_of(count))
        count++;
    for (int k = 0; k < count; k++) {
        if (strcmp(item, d->name_of(k)) == 0) {
            v->kind = k;
            return true;
        }
        case_dim_append(words, sizeof words, "%s%s", k == 0 ? "" : k + 1 < count ? ", " : " or ",
                        d->name_of(k));
    }
    return case_why(why, "'%.60s' is not %s", item, words);
}

/* `bind:N` or `numa:N`: the node number after the prefix. */
static bool case_dim_parse_node(const char *item, const char *prefix, struct case_dim_value *v)
{
    const char *end;
    size_t len = strlen(prefix);
    return strncmp(item, prefix, len) == 0 && case_dim_parse_u64(item + len, &v->count, &end) &&
           *end == '\0' && v->count < 4096;
}

static bool case_dim_parse_memory(const struct case_dim *d, const char *item,
                                  struct case_dim_value *v, char *why)
{
    (void)d;
    if (case_dim_parse_node(item, "bind:", v)) {
        v->kind = CASE_MEMORY_BIND;
        return true;
    }
    for (int k = 0; strcmp(case_memory_name((enum case_memory)k), "?"); k++) {
        if (k != CASE_MEMORY_BIND && strcmp(item, case_memory_name((enum case_memory)k)) == 0) {
            v->kind = k;
            return true;
        }
    }
    return case_why(why, "'%s' is not first-touch, bind:N or interleave", item);
}

/* pus:A+B+C, stored as pus:A,B,C */
static bool case_dim_parse_pu_list(const char *item, struct case_dim_value *v, char *why)
{
    const char *p = item + 4, *end;
    size_t room = CASE_TEXT; /* what bench_case.placement holds */
    size_t used = (size_t)snprintf(v->text, room, "pus:");
    for (;;) {
        uint64_t pu;
        if (!case_dim_parse_u64(p, &pu, &end) || pu > 65535 || (*end && *end != '+'))
            return case_why(why, "'%s' is not an explicit PU list such as pus:0+2+4", item);
        used += (size_t)snprintf(v->text + used, room - used, "%s%llu", p == item + 4 ? "" : ",",
                                 (unsigned long long)pu);
        if (used >= room)
            return case_why(why, "'%s' is longer than %zu characters", item, room - 1);
        if (!*end)
            return true;
        p = end + 1;
    }
}

static bool case_dim_parse_placement(const struct case_dim *d, const char *item,
                                     struct case_dim_value *v, char *why)
{
    (void)d;
    static const char *const fixed[] = {"compact", "scatter", "cores", "none"};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        if (strcmp(item, fixed[i]) == 0) {
            snprintf(v->text, sizeof v->text, "%s", item);
            return true;
        }
    }
    if (strncmp(item, "pus:", 4) == 0)
        return case_dim_parse_pu_list(item, v, why);
    if (case_dim_parse_node(item, "numa:", v)) {
        snprintf(v->text, sizeof v->text, "numa:%llu", (unsigned long long)v->count);
        return true;
    }
    return case_why(why, "'%s' is not compact, scatter, cores, none, numa:N or pus:A+B+C",
                        item);
}

/* case-pus | free | pu:N */
static bool case_dim_parse_helpers(const struct case_dim *d, const char *item,
                                   struct case_dim_value *v, char *why)
{
    (void)d;
    const char *end;
    uint64_t pu;
    bool numbered = strncmp(item, "pu:", 3) == 0 && case_dim_parse_u64(item + 3, &pu, &end) &&
                    *end == '\0' && pu <= 65535;
    if (!numbered && strcmp(item, "case-pus") != 0 && strcmp(item, "free") != 0)
        return case_why(why, "'%s' is not case-pus, free or pu:N", item);
    snprintf(v->text, sizeof v->text, "%s", item);
    return true;
}

static bool case_dim_parse_distribution(const struct case_dim *d, const char *item,
                                        struct case_dim_value *v, char *why)
{
    (void)d;
    char *end;
    if (strcmp(item, "uniform") == 0) {
        v->kind = CASE_DIST_UNIFORM;
        return true;
    }
    if (strncmp(item, "zipf:", 5) == 0) {
        v->kind = CASE_DIST_ZIPF;
        v->number = strtod(item + 5, &end);
        if (end != item + 5 && !*end && isfinite(v->number) && v->number >= 0 &&
            v->number <= 100)
            return true;
    }
    if (strncmp(item, "hot:", 4) == 0) {
        v->kind = CASE_DIST_HOT;
        if (case_dim_parse_plain_size(item + 4, &v->count) && v->count > 0)
            return true;
    }
    return case_why(why, "'%s' is not uniform, zipf:THETA (0..100) or hot:N (N >= 1)", item);
}

/* ---- cells -------------------------------------------------------------------------------- */

static void case_cell_int(struct case_cell *cell, int64_t i)
{
    cell->kind = CASE_CELL_INT;
    cell->i = i;
}

static void case_cell_real(struct case_cell *cell, double r)
{
    cell->kind = CASE_CELL_REAL;
    cell->r = r;
}

static void case_cell_text(struct case_cell *cell, const char *text)
{
    cell->kind = CASE_CELL_TEXT;
    snprintf(cell->text, sizeof cell->text, "%s", text);
}

/* A number cell as either kind (SQLite may hand back 90 for 90.0); 0 for NULL. */
static double case_cell_as_real(const struct case_cell *cell)
{
    return cell->kind == CASE_CELL_REAL ? cell->r : cell->kind == CASE_CELL_INT ? (double)cell->i : 0;
}

static int64_t case_cell_as_int(const struct case_cell *cell)
{
    return cell->kind == CASE_CELL_INT ? cell->i : cell->kind == CASE_CELL_REAL ? (int64_t)cell->r : 0;
}

/* ---- plain types: the field at the row's offset ------------------------------------------- */

static void case_dim_text_apply(const struct case_dim *d, struct bench_case *c,
                                const struct case_dim_value *v)
{
    snprintf(case_dim_field(d, c), d->size, "%s", v->text);
}

static void case_dim_text_format(const struct case_dim *d, const struct bench_case *c, bool exact,
                                 char *buf, size_t len)
{
    (void)exact;
    snprintf(buf, len, "%s", (const char *)case_dim_field_of(d, c));
}

static void case_dim_text_to_cells(const struct case_dim *d, const struct bench_case *c,
                                   struct case_cell *cells)
{
    case_cell_text(&cells[0], case_dim_field_of(d, c));
}

static void case_dim_text_from_cells(const struct case_dim *d, struct bench_case *c,
                                     const struct case_cell *cells)
{
    snprintf(case_dim_field(d, c), d->size, "%s", cells[0].kind == CASE_CELL_TEXT ? cells[0].text : "");
}

static const struct case_dim_type case_dim_type_text = {
    "text", case_dim_text_apply, case_dim_text_format, case_dim_text_to_cells,
    case_dim_text_from_cells, false};

/* Whole numbers live in an int or a uint64_t field (a uint64 above INT64_MAX keeps its bits in
 * SQLite's signed integer). */
static uint64_t case_dim_whole_get(const struct case_dim *d, const struct bench_case *c)
{
    const void *p = case_dim_field_of(d, c);
    return d->size == sizeof(int) ? (uint64_t)(int64_t) * (const int *)p : *(const uint64_t *)p;
}

static void case_dim_whole_set(const struct case_dim *d, struct bench_case *c, uint64_t value)
{
    void *p = case_dim_field(d, c);
    if (d->size == sizeof(int))
        *(int *)p = (int)value;
    else
        *(uint64_t *)p = value;
}

static void case_dim_whole_apply(const struct case_dim *d, struct bench_case *c,
                                 const struct case_dim_value *v)
{
    case_dim_whole_set(d, c, v->count);
}

static void case_dim_whole_format(const struct case_dim *d, const struct bench_case *c, bool exact,
                                  char *buf, size_t len)
{
    (void)exact;
    if (d->size == sizeof(int))
        snprintf(buf, len, "%d", *(const int *)case_dim_field_of(d, c));
    else
        snprintf(buf, len, "%llu", (unsigned long long)case_dim_whole_get(d, c));
}

static void case_dim_whole_to_cells(const struct case_dim *d, const struct bench_case *c,
                                    struct case_cell *cells)
{
    case_cell_int(&cells[0], (int64_t)case_dim_whole_get(d, c));
}

static void case_dim_whole_from_cells(const struct case_dim *d, struct bench_case *c,
                                      const struct case_cell *cells)
{
    case_dim_whole_set(d, c, (uint64_t)case_cell_as_int(&cells[0]));
}

static const struct case_dim_type case_dim_type_whole = {
    "whole number", case_dim_whole_apply, case_dim_whole_format, case_dim_whole_to_cells,
    case_dim_whole_from_cells, false};

static const struct case_dim_type case_dim_type_count = {
    "count", case_dim_whole_apply, case_dim_whole_format, case_dim_whole_to_cells,
    case_dim_whole_from_cells, true};

static void case_dim_number_apply(const struct case_dim *d, struct bench_case *c,
                                  const struct case_dim_value *v)
{
    *(double *)case_dim_field(d, c) = v->number;
}

static void case_dim_number_format(const struct case_dim *d, const struct bench_case *c,
                                   bool exact, char *buf, size_t len)
{
    snprintf(buf, len, exact ? "%.17g" : "%g", *(const double *)case_dim_field_of(d, c));
}

static void case_dim_number_to_cells(const struct case_dim *d, const struct bench_case *c,
                                     struct case_cell *cells)
{
    case_cell_real(&cells[0], *(const double *)case_dim_field_of(d, c));
}

static void case_dim_number_from_cells(const struct case_dim *d, struct bench_case *c,
                                       const struct case_cell *cells)
{
    *(double *)case_dim_field(d, c) = case_cell_as_real(&cells[0]);
}

static const struct case_dim_type case_dim_type_number = {
    "number", case_dim_number_apply, case_dim_number_format, case_dim_number_to_cells,
    case_dim_number_from_cells, false};

static void case_dim_flag_apply(const struct case_dim *d, struct bench_case *c,
                                const struct case_dim_value *v)
{
    *(bool *)case_dim_field(d, c) = v->count != 0;
}

static void case_dim_flag_format(const struct case_dim *d, const struct bench_case *c, bool exact,
                                 char *buf, size_t len)
{
    (void)exact;
    snprintf(buf, len, "%d", *(const bool *)case_dim_field_of(d, c) ? 1 : 0);
}

static void case_dim_flag_to_cells(const struct case_dim *d, const struct bench_case *c,
                                   struct case_cell *cells)
{
    case_cell_int(&cells[0], *(const bool *)case_dim_field_of(d, c));
}

static void case_dim_flag_from_cells(const struct case_dim *d, struct bench_case *c,
                                     const struct case_cell *cells)
{
    *(bool *)case_dim_field(d, c) = case_cell_as_int(&cells[0]) != 0;
}

static const struct case_dim_type case_dim_type_flag = {
    "0 or 1", case_dim_flag_apply, case_dim_flag_format, case_dim_flag_to_cells,
    case_dim_flag_from_cells, false};

/* Enumerations live in an enum field and are stored as their word (name_of). */
_Static_assert(sizeof(enum case_write_kind) == sizeof(int) && sizeof(enum map_role) == sizeof(int),
               "enum fields are read and written as int");
static void case_dim_enum_apply(const struct case_dim *d, struct bench_case *c,
                                const struct case_dim_value *v)
{
    *(int *)case_dim_field(d, c) = v->kind;
}

static void case_dim_enum_format(const struct case_dim *d, const struct bench_case *c, bool exact,
                                 char *buf, size_t len)
{
    (void)exact;
    const char *word = d->name_of(*(const int *)case_dim_field_of(d, c));
    snprintf(buf, len, "%s", word ? word : "?");
}

static void case_dim_enum_to_cells(const struct case_dim *d, const struct bench_case *c,
                                   struct case_cell *cells)
{
    char word[64];
    case_dim_enum_format(d, c, true, word, sizeof word);
    case_cell_text(&cells[0], word);
}

/* A word this build does not know leaves the field as it was (the default). */
static void case_dim_enum_from_cells(const struct case_dim *d, struct bench_case *c,
                                     const struct case_cell *cells)
{
    for (int k = 0; cells[0].kind == CASE_CELL_TEXT && d->name_of(k); k++)
        if (strcmp(cells[0].text, d->name_of(k)) == 0)
            *(int *)case_dim_field(d, c) = k;
}

static const struct case_dim_type case_dim_type_enum = {
    "word", case_dim_enum_apply, case_dim_enum_format, case_dim_enum_to_cells,
    case_dim_enum_from_cells, false};

/* ---- composite types: one value, several fields and columns ------------------------------ */

/* memory: the policy (memory, stored as its word) and the node of bind:N (memory_node, NULL
 * unless bind). */
static void case_dim_memory_apply(const struct case_dim *d, struct bench_case *c,
                                  const struct case_dim_value *v)
{
    (void)d;
    c->memory = (enum case_memory)v->kind;
    c->memory_node = v->kind == CASE_MEMORY_BIND ? (int)v->count : 0;
}

static void case_dim_memory_format(const struct case_dim *d, const struct bench_case *c,
                                   bool exact, char *buf, size_t len)
{
    (void)d, (void)exact;
    if (c->memory == CASE_MEMORY_BIND)
        snprintf(buf, len, "bind:%d", c->memory_node);
    else
        snprintf(buf, len, "%s", case_memory_name(c->memory));
}

static void case_dim_memory_to_cells(const struct case_dim *d, const struct bench_case *c,
                                     struct case_cell *cells)
{
    (void)d;
    case_cell_text(&cells[0], case_memory_name(c->memory));
    if (c->memory == CASE_MEMORY_BIND)
        case_cell_int(&cells[1], c->memory_node);
}

static void case_dim_memory_from_cells(const struct case_dim *d, struct bench_case *c,
                                       const struct case_cell *cells)
{
    (void)d;
    for (int m = 0; cells[0].kind == CASE_CELL_TEXT && strcmp(case_memory_name((enum case_memory)m), "?"); m++)
        if (strcmp(cells[0].text, case_memory_name((enum case_memory)m)) == 0)
            c->memory = (enum case_memory)m;
    c->memory_node = (int)case_cell_as_int(&cells[1]);
}

static const struct case_dim_type case_dim_type_memory = {
    "memory policy", case_dim_memory_apply, case_dim_memory_format, case_dim_memory_to_cells,
    case_dim_memory_from_cells, false};

/* distribution: the kind with its parameter as text ("zipf:0.99"), then zipf_theta (NULL unless
 * zipf) and hot_keys (NULL unless hot), so SQL can group by either. */
static void case_dim_distribution_apply(const struct case_dim *d, struct bench_case *c,
                                        const struct case_dim_value *v)
{
    (void)d;
    c->distribution = (enum case_distribution)v->kind;
    c->zipf_theta = v->kind == CASE_DIST_ZIPF ? v->number : 0;
    c->hot_keys = v->kind == CASE_DIST_HOT ? v->count : 0;
}

static void case_dim_distribution_format(const struct case_dim *d, const struct bench_case *c,
                                         bool exact, char *buf, size_t len)
{
    (void)d;
    if (exact && c->distribution == CASE_DIST_ZIPF)
        snprintf(buf, len, "zipf:%.17g", c->zipf_theta);
    else
        case_distribution_text(c, buf, (int)len);
}

static void case_dim_distribution_to_cells(const struct case_dim *d, const struct bench_case *c,
                                           struct case_cell *cells)
{
    (void)d;
    case_distribution_text(c, cells[0].text, (int)sizeof cells[0].text);
    cells[0].kind = CASE_CELL_TEXT;
    if (c->distribution == CASE_DIST_ZIPF)
        case_cell_real(&cells[1], c->zipf_theta);
    if (c->distribution == CASE_DIST_HOT)
        case_cell_int(&cells[2], (int64_t)c->hot_keys);
}

static void case_dim_distribution_from_cells(const struct case_dim *d, struct bench_case *c,
                                             const struct case_cell *cells)
{
    (void)d;
    const char *text = cells[0].kind == CASE_CELL_TEXT ? cells[0].text : "";
    c->distribution = strncmp(text, "zipf:", 5) == 0  ? CASE_DIST_ZIPF
                      : strncmp(text, "hot:", 4) == 0 ? CASE_DIST_HOT
                                                      : CASE_DIST_UNIFORM;
    c->zipf_theta = case_cell_as_real(&cells[1]);
    c->hot_keys = (uint64_t)case_cell_as_int(&cells[2]);
}

static const struct case_dim_type case_dim_type_distribution = {
    "distribution", case_dim_distribution_apply, case_dim_distribution_format,
    case_dim_distribution_to_cells, case_dim_distribution_from_cells, false};

/* the window: `duration` (duration_s) or `ops` per worker (ops); the other one is 0. */
static void case_dim_window_apply(const struct case_dim *d, struct bench_case *c,
                                  const struct case_dim_value *v)
{
    (void)d;
    c->duration_s = v->kind == CASE_WINDOW_DURATION ? v->number : 0;
    c->ops = v->kind == CASE_WINDOW_OPS ? v->count : 0;
}

static void case_dim_window_format(const struct case_dim *d, const struct bench_case *c,
                                   bool exact, char *buf, size_t len)
{
    (void)d;
    if (c->ops)
        snprintf(buf, len, "ops=%llu", (unsigned long long)c->ops);
    else
        snprintf(buf, len, exact ? "duration=%.17gs" : "duration=%gs", c->duration_s);
}

static void case_dim_window_to_cells(const struct case_dim *d, const struct bench_case *c,
                                     struct case_cell *cells)
{
    (void)d;
    case_cell_real(&cells[0], c->duration_s);
    case_cell_int(&cells[1], (int64_t)c->ops);
}

static void case_dim_window_from_cells(const struct case_dim *d, struct bench_case *c,
                                       const struct case_cell *cells)
{
    (void)d;
    c->duration_s = case_cell_as_real(&cells[0]);
    c->ops = (uint64_t)case_cell_as_int(&cells[1]);
}

static const struct case_dim_type case_dim_type_window = {
    "window", case_dim_window_apply, case_dim_window_format, case_dim_window_to_cells,
    case_dim_window_from_cells, false};

/* ---- words of the enumerations ------------------------------------------------------------ */

static const char *case_dim_write_kind_word(int value)
{
    const char *word = case_write_kind_name((enum case_write_kind)value);
    return strcmp(word, "?") ? word : NULL;
}

static const char *case_dim_hugepages_word(int value)
{
    const char *word = case_hugepages_name((enum map_hugepages)value);
    return strcmp(word, "?") ? word : NULL;
}

static const char *case_dim_role_word(int value)
{
    return value >= 0 && value < MAP_ROLE_COUNT ? map_role_name((enum map_role)value) : NULL;
}

/* ---- the table ---------------------------------------------------------------------------- */

#define CASE_DIM_FIELD(f) .offset = offsetof(struct bench_case, f), .size = sizeof(((struct bench_case *)0)->f)
#define CASE_DIM_SQL(...) .columns = {__VA_ARGS__}

/* The order is the expansion order (the last row varies fastest), the order of descriptions and of
 * the columns in the case_results view. */
const struct case_dim case_dims[] = {
    {.name = "scenario", .type = &case_dim_type_text, CASE_DIM_FIELD(scenario),
     .flags = CASE_DIM_IDENTIFIES | CASE_DIM_NO_KEY, CASE_DIM_SQL({"scenario", "TEXT NOT NULL"}),
     .shown = CASE_SHOWN_ALWAYS,
     .help = "the scenario the case came from: its name, SCENARIO/CASE for a [case] section"},
    {.name = "backend", .type = &case_dim_type_text, CASE_DIM_FIELD(backend),
     .flags = CASE_DIM_IDENTIFIES | CASE_DIM_NO_KEY, CASE_DIM_SQL({"backend", "TEXT NOT NULL"}),
     .shown = CASE_SHOWN_ALWAYS,
     .help = "the backend spec with its options (`backends` and [options]): striped:shards=64"},
    {.name = "backend_name", .type = &case_dim_type_text, CASE_DIM_FIELD(backend_name),
     .flags = CASE_DIM_NO_KEY, CASE_DIM_SQL({"backend_name", "TEXT NOT NULL"}),
     .help = "the backend's name, derived from the spec"},
    {.name = "role", .type = &case_dim_type_enum, CASE_DIM_FIELD(role), .default_text = "contender",
     .parse = case_dim_parse_enum, .name_of = case_dim_role_word, .flags = CASE_DIM_NO_KEY,
     CASE_DIM_SQL({"role", "TEXT NOT NULL"}),
     .help = "the spec's role (contender, reference, ceiling, harness, external), derived from "
             "the spec"},
    {.name = "threads", .type = &case_dim_type_count, CASE_DIM_FIELD(threads), .default_text = "1",
     .parse = case_dim_parse_threads, .min = 1, .max = 65536, .flags = CASE_DIM_IDENTIFIES,
     CASE_DIM_SQL({"threads", "INTEGER NOT NULL"}), .shown = CASE_SHOWN_ALWAYS,
     .label = "threads",
     .help = "N, cores, pus, K*cores, K*pus, or a range A..B of those: A, 2A, 4A, ... up to B, "
             "plus B (1..pus on 6 PUs: 1 2 4 6); `A..B xR` steps by R; at most 65536"},
    {.name = "placement", .type = &case_dim_type_text, CASE_DIM_FIELD(placement),
     .default_text = "compact", .parse = case_dim_parse_placement, .flags = CASE_DIM_IDENTIFIES,
     CASE_DIM_SQL({"placement", "TEXT NOT NULL"}), .shown = CASE_SHOWN_ALWAYS,
     .help = "compact | scatter | cores | none | numa:N | pus:A+B+C (explicit PUs, `+` because "
             "`,` separates values; stored as pus:A,B,C)"},
    {.name = "memory", .type = &case_dim_type_memory, .default_text = "first-touch",
     .parse = case_dim_parse_memory, .flags = CASE_DIM_IDENTIFIES,
     CASE_DIM_SQL({"memory", "TEXT NOT NULL"}, {"memory_node", "INTEGER"}),
     .shown = CASE_SHOWN_UNLESS_DEFAULT, .label = "memory",
     .help = "first-touch | bind:N | interleave (stored as memory and memory_node, NULL unless "
             "bind)"},
    {.name = "hugepages", .type = &case_dim_type_enum, CASE_DIM_FIELD(hugepages),
     .default_text = "default", .parse = case_dim_parse_enum, .name_of = case_dim_hugepages_word,
     .flags = CASE_DIM_IDENTIFIES, CASE_DIM_SQL({"hugepages", "TEXT NOT NULL"}),
     .shown = CASE_SHOWN_UNLESS_DEFAULT, .label = "hugepages",
     .help = "default | never | always: no advice (the system's THP mode decides), or "
             "MADV_NOHUGEPAGE / MADV_HUGEPAGE on the map's allocations of 2 MiB or more"},
    {.name = "helpers", .type = &case_dim_type_text, CASE_DIM_FIELD(helpers),
     .default_text = "case-pus", .parse = case_dim_parse_helpers, .flags = CASE_DIM_IDENTIFIES,
     CASE_DIM_SQL({"helpers", "TEXT NOT NULL"}), .shown = CASE_SHOWN_UNLESS_DEFAULT,
     .label = "helpers",
     .help = "case-pus | free | pu:N: where the map's helper threads (call_rcu, cds_lfht resize) "
             "run: on the case's PUs, unbound, or on PU N"},
    {.name = "read_pct", .type = &case_dim_type_number, CASE_DIM_FIELD(read_pct), .default_text = "90",
     .parse = case_dim_parse_pct, .flags = CASE_DIM_IDENTIFIES,
     CASE_DIM_SQL({"read_pct", "REAL NOT NULL"}), .shown = CASE_SHOWN_ALWAYS, .label = "read",
     .unit = "%", .help = "share of gets, 0..100 (decimals allowed); the rest are writes"},
    {.name = "write_kind", .type = &case_dim_type_enum, CASE_DIM_FIELD(write_kind),
     .default_text = "update", .parse = case_dim_parse_enum, .name_of = case_dim_write_kind_word,
     .flags = CASE_DIM_IDENTIFIES, CASE_DIM_SQL({"write_kind", "TEXT NOT NULL"}),
     .shown = CASE_SHOWN_ALWAYS,
     .help = "update | insert-delete | insert | load-or-store | adversarial-alloc | "
             "adversarial-delete (Go's loops: read_pct, hit_pct, delete_pct, range_pct do not "
             "apply)"},
    {.name = "hit_pct", .type = &case_dim_type_number, CASE_DIM_FIELD(hit_pct), .default_text = "100",
     .parse = case_dim_parse_pct, .flags = CASE_DIM_IDENTIFIES,
     CASE_DIM_SQL({"hit_pct", "REAL NOT NULL"}), .shown = CASE_SHOWN_UNLESS_DEFAULT,
     .label = "hit", .unit = "%",
     .help = "share of gets, of load-or-store writes and of delete_pct's deletes on keys of "
             "the access range, 0..100; the rest: gets and deletes of keys never stored, "
             "load-or-store of fresh keys"},
    {.name = "delete_pct", .type = &case_dim_type_number, CASE_DIM_FIELD(delete_pct),
     .default_text = "0", .parse = case_dim_parse_pct, .flags = CASE_DIM_IDENTIFIES,
     CASE_DIM_SQL({"delete_pct", "REAL NOT NULL"}), .shown = CASE_SHOWN_UNLESS_DEFAULT,
     .label = "delete", .unit = "%", .help = "share of writes that delete a present key, 0..100"},
    {.name = "range_pct", .type = &case_dim_type_number, CASE_DIM_FIELD(range_pct),
     .default_text = "0", .parse = case_dim_parse_pct, .flags = CASE_DIM_IDENTIFIES,
     CASE_DIM_SQL({"range_pct", "REAL NOT NULL"}), .shown = CASE_SHOWN_UNLESS_DEFAULT,
     .label = "range", .unit = "%",
     .help = "share of reads that are whole-map range iterations, 0..100"},
    {.name = "keys", .type = &case_dim_type_count, CASE_DIM_FIELD(keys), .default_text = "1000",
     .parse = case_dim_parse_keys, .min = 0, .max = UINT64_MAX, .flags = CASE_DIM_IDENTIFIES,
     CASE_DIM_SQL({"keys", "INTEGER NOT NULL"}), .shown = CASE_SHOWN_ALWAYS, .label = "keys",
     .help = "initial size: N with optional suffix k, M, G (2^10, 2^20, 2^30), a range A..B "
             "(doubling; `A..B x4` every power of 4), or auto: ½, 1 and 2 times each cache "
             "level's capacity in keys, and 8 times the last"},
    {.name = "key_range", .type = &case_dim_type_whole, CASE_DIM_FIELD(key_range), .default_text = "0",
     .parse = case_dim_parse_key_range, .flags = CASE_DIM_IDENTIFIES,
     CASE_DIM_SQL({"key_range", "INTEGER NOT NULL"}), .shown = CASE_SHOWN_UNLESS_DEFAULT,
     .label = "key_range",
     .help = "keys are drawn from [0, key_range) (suffixes as keys); 0: the runner derives it "
             "from keys and write_kind"},
    {.name = "distribution", .type = &case_dim_type_distribution, .default_text = "uniform",
     .parse = case_dim_parse_distribution, .flags = CASE_DIM_IDENTIFIES,
     CASE_DIM_SQL({"distribution", "TEXT NOT NULL"}, {"zipf_theta", "REAL"},
                  {"hot_keys", "INTEGER"}),
     .shown = CASE_SHOWN_ALWAYS,
     .help = "uniform | zipf:THETA (0..100) | hot:N (N hot keys get every access)"},
    {.name = "duration", .alias = "ops", .type = &case_dim_type_window, .default_text = "1s",
     .parse = case_dim_parse_duration, .parse_alias = case_dim_parse_ops,
     .flags = CASE_DIM_IDENTIFIES, CASE_DIM_SQL({"duration_s", "REAL NOT NULL"},
                                                {"ops", "INTEGER NOT NULL"}),
     .shown = CASE_SHOWN_UNLESS_DEFAULT,
     .help = "the window: duration (a number with unit s, ms, us or m), or ops per worker "
             "(suffixes as keys); not both in one section, the more specific section wins"},
    {.name = "repetitions", .type = &case_dim_type_whole, CASE_DIM_FIELD(repetitions),
     .default_text = "5", .parse = case_dim_parse_whole, .min = 1, .max = 1000,
     CASE_DIM_SQL({"repetitions", "INTEGER NOT NULL"}), .help = "timed windows per case, 1..1000"},
    {.name = "warmup", .type = &case_dim_type_number, CASE_DIM_FIELD(warmup_s), .default_text = "0.2s",
     .parse = case_dim_parse_warmup, CASE_DIM_SQL({"warmup_s", "REAL NOT NULL"}),
     .help = "untimed run before each window (a duration, 0 allowed)"},
    {.name = "seed", .type = &case_dim_type_whole, CASE_DIM_FIELD(seed), .default_text = "1",
     .parse = case_dim_parse_whole, .min = 0, .max = UINT64_MAX,
     CASE_DIM_SQL({"seed", "INTEGER NOT NULL"}),
     .help = "workload seed, unsigned 64-bit (stored in SQLite's signed integer)"},
    {.name = "latency_every", .type = &case_dim_type_whole, CASE_DIM_FIELD(latency_every),
     .default_text = "64", .parse = case_dim_parse_whole, .min = 0, .max = INT_MAX,
     .flags = CASE_DIM_IDENTIFIES, CASE_DIM_SQL({"latency_every", "INTEGER NOT NULL"}),
     .shown = CASE_SHOWN_UNLESS_DEFAULT, .label = "latency_every",
     .help = "time every Kth operation; 0 disables latency sampling"},
    {.name = "misuse_demo", .type = &case_dim_type_flag, CASE_DIM_FIELD(misuse_demo),
     .default_text = "0", .parse = case_dim_parse_flag, .flags = CASE_DIM_IDENTIFIES,
     CASE_DIM_SQL({"misuse_demo", "INTEGER NOT NULL"}), .shown = CASE_SHOWN_UNLESS_DEFAULT,
     .label = "misuse_demo",
     .help = "1: run a backend that allows no concurrent writer (plain) with writers anyway; it "
             "races, on purpose"},
#ifdef MAPBENCH_TEST_DIMENSION
    /* tests/test_dimension.c: a dimension that exists only in that test's build */
    {.name = "test_dim", .type = &case_dim_type_whole, CASE_DIM_FIELD(test_dim), .default_text = "7",
     .parse = case_dim_parse_whole, .min = 0, .max = 1000, .flags = CASE_DIM_IDENTIFIES,
     CASE_DIM_SQL({"test_dim", "INTEGER NOT NULL"}), .shown = CASE_SHOWN_UNLESS_DEFAULT,
     .label = "test_dim", .help = "a dimension of the test build only"},
#endif
};

const size_t case_dim_count = sizeof case_dims / sizeof case_dims[0];

_Static_assert(sizeof case_dims / sizeof case_dims[0] <= CASE_DIM_MAX,
               "a case_dim_mask has one bit per row");

/* ---- walks -------------------------------------------------------------------------------- */

const struct case_dim *case_dim_find(const char *key, bool *alias)
{
    for (size_t i = 0; i < case_dim_count; i++) {
        const struct case_dim *d = &case_dims[i];
        if (d->flags & CASE_DIM_NO_KEY)
            continue;
        if (strcmp(d->name, key) == 0 || (d->alias && strcmp(d->alias, key) == 0)) {
            if (alias)
                *alias = strcmp(d->name, key) != 0;
            return d;
        }
    }
    return NULL;
}

size_t case_dim_index(const struct case_dim *d)
{
    return (size_t)(d - case_dims);
}

case_dim_mask case_dim_bit(const char *name)
{
    for (size_t i = 0; i < case_dim_count; i++)
        if (strcmp(case_dims[i].name, name) == 0)
            return (case_dim_mask)1 << i;
    fprintf(stderr, "mapbench: no case dimension '%s'\n", name);
    abort();
}

bool case_dim_parse(const struct case_dim *d, const char *key, const char *item,
                    struct case_dim_value *v, char *why)
{
    bool alias = d->alias && strcmp(key, d->alias) == 0;
    case_dim_parse_fn parse = alias ? d->parse_alias : d->parse;
    memset(v, 0, sizeof *v);
    if (!parse)
        return case_why(why, "'%s' is not set by a scenario", d->name);
    return parse(d, item, v, why);
}

/* Applies the row's default to c; false when it has none. */
static bool case_dim_apply_default(const struct case_dim *d, struct bench_case *c)
{
    struct case_dim_value v;
    char why[CASE_WHY_LEN];
    if (!d->default_text || !case_dim_parse(d, d->name, d->default_text, &v, why))
        return false;
    d->type->apply(d, c, &v);
    return true;
}

void case_dims_set_defaults(struct bench_case *c)
{
    for (size_t i = 0; i < case_dim_count; i++)
        case_dim_apply_default(&case_dims[i], c);
}

bool case_dim_is_default(const struct case_dim *d, const struct bench_case *c)
{
    struct bench_case def = *c;
    char value[CASE_KEY_LEN], wanted[CASE_KEY_LEN];
    if (!case_dim_apply_default(d, &def))
        return false;
    d->type->format(d, c, true, value, sizeof value);
    d->type->format(d, &def, true, wanted, sizeof wanted);
    return strcmp(value, wanted) == 0;
}

void case_key(const struct bench_case *c, case_dim_mask except, char *buf, size_t len)
{
    char value[CASE_KEY_LEN];
    buf[0] = '\0';
    for (size_t i = 0; i < case_dim_count; i++) {
        const struct case_dim *d = &case_dims[i];
        if (!(d->flags & CASE_DIM_IDENTIFIES) || (except & ((case_dim_mask)1 << i)))
            continue;
        d->type->format(d, c, true, value, sizeof value);
        case_dim_append(buf, len, "%s=%s\x1f", d->name, value);
    }
}

/* Whether case_describe shows row d of c in this style. */
static bool case_dim_shown(const struct case_dim *d, const struct bench_case *c,
                           enum case_describe_style style)
{
    if (d->shown == CASE_SHOWN_ALWAYS)
        return true;
    return d->shown == CASE_SHOWN_UNLESS_DEFAULT && style == CASE_DESCRIBE_WORDS &&
           !case_dim_is_default(d, c);
}

void case_describe(const struct bench_case *c, enum case_describe_style style, case_dim_mask except,
                   char *buf, size_t len)
{
    bool words = style == CASE_DESCRIBE_WORDS;
    char value[CASE_KEY_LEN];
    buf[0] = '\0';
    for (size_t i = 0; i < case_dim_count; i++) {
        const struct case_dim *d = &case_dims[i];
        if ((except & ((case_dim_mask)1 << i)) || !case_dim_shown(d, c, style))
            continue;
        d->type->format(d, c, false, value, sizeof value);
        case_dim_append(buf, len, "%s%s%s%s%s", buf[0] ? (words ? " " : "/") : "",
                        d->label ? d->label : "", d->label ? (words ? "=" : ":") : "", value,
                        words && d->unit ? d->unit : "");
    }
}
