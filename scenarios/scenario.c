/*
 * scenario.c: the scenario parser (libinih) and the expander (see scenario.h for the format).
 *
 * Built around one table, `scenario_keys`: each dimension key has a parser for one list item and
 * an apply function that writes a parsed value into a bench_case.  Defaults are text run through
 * the same parsers, --set goes through the same path as a file line, and the expander walks the
 * table as an odometer, so a new dimension is one row, one parser and one apply function.
 *
 * Loading never looks at the machine: values such as `pus` or `auto` stay symbolic until
 * scenario_expand resolves them against a scenario_machine.  libinih reads the file through our
 * own line reader, which counts lines (the Debian build's handler gets no line number) and turns
 * an over-long line into an error instead of letting inih split it.
 */
#include "scenarios/scenario.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "maps/map.h"

#define WHY_LEN 200     /* reason text inside an error line */
#define ITEM_LEN 256    /* one list item */
#define NAME_LEN 32     /* scenario and case names: "name/case" fits CASE_TEXT */

enum dim {
    DIM_THREADS, DIM_PLACEMENT, DIM_MEMORY, DIM_READ_PCT, DIM_WRITE_KIND, DIM_HIT_PCT,
    DIM_DELETE_PCT, DIM_RANGE_PCT, DIM_KEYS, DIM_KEY_RANGE, DIM_DISTRIBUTION, DIM_WINDOW,
    DIM_REPETITIONS, DIM_WARMUP, DIM_SEED, DIM_LATENCY_EVERY, DIM_MISUSE_DEMO, DIM_COUNT
};

enum unit { UNIT_ONE, UNIT_CORES, UNIT_PUS };

/* n, n x cores or n x pus */
struct term {
    uint64_t n;
    enum unit unit;
};

enum count_kind { COUNT_TERM, COUNT_RANGE, COUNT_AUTO };
enum window_kind { WINDOW_DURATION, WINDOW_OPS };

/* One parsed list item.  Which fields mean something depends on the dimension. */
struct dim_value {
    int kind;             /* enum value of the dimension, count_kind or window_kind */
    double number;        /* percentages, seconds, zipf theta */
    uint64_t count;       /* resolved counts, node numbers, hot keys, seeds */
    struct term lo, hi;   /* counts before resolution: lo alone, or the range lo..hi */
    uint64_t ratio;       /* range step factor */
    char text[CASE_TEXT]; /* placement as the case stores it */
};

struct dim_list {
    struct dim_value *values;
    size_t count;
    const struct scenario_key *key; /* the key that set it (duration and ops share DIM_WINDOW) */
};

typedef bool (*parse_fn)(const char *item, struct dim_value *v, char *why);
typedef void (*apply_fn)(struct bench_case *c, const struct dim_value *v);

struct scenario_key {
    const char *key;
    enum dim dim;
    parse_fn parse;
};

struct scenario_group {
    char name[NAME_LEN];
    struct dim_list dims[DIM_COUNT];
};

struct backend_entry {
    char spec[256];
    const struct map_backend *backend;
};

struct option_sweep {
    char key[64];
    char (*values)[64];
    size_t count;
};

struct scenario {
    char path[PATH_MAX];
    char name[NAME_LEN];
    char description[256];
    struct backend_entry *backends;
    size_t backend_count;
    struct option_sweep *options;
    size_t option_count;
    struct scenario_group *groups; /* [0] is [scenario]; the rest are [case NAME] sections */
    size_t group_count;
};

static bool fail(char *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool fail(char *why, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, WHY_LEN, fmt, ap);
    va_end(ap);
    return false;
}

static void report(char *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Writes a one-line error into a caller's ERR_LEN buffer, truncating if need be. */
static void report(char *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, ERR_LEN, fmt, ap);
    va_end(ap);
}

static void *grow(void *array, size_t count, size_t size)
{
    return xreallocarray(array, count + 1, size);
}

/* ---- value parsers ------------------------------------------------------------------------ */

static bool parse_u64(const char *text, uint64_t *out, const char **end)
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
static bool parse_size(const char *text, uint64_t *out, const char **end)
{
    static const struct { char c; unsigned shift; } suffixes[] = {
        {'k', 10}, {'K', 10}, {'M', 20}, {'G', 30}};
    if (!parse_u64(text, out, end))
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

static bool parse_plain_size(const char *text, uint64_t *out)
{
    const char *end;
    return parse_size(text, out, &end) && *end == '\0';
}

/* N, or with machine units: cores, pus, K*cores, K*pus. */
static bool parse_term(const char *text, bool machine_units, struct term *t)
{
    static const struct { const char *name; enum unit unit; } units[] = {
        {"cores", UNIT_CORES}, {"pus", UNIT_PUS}};
    const char *end = text;
    t->n = 1;
    t->unit = UNIT_ONE;
    if (isdigit((unsigned char)text[0])) {
        if (!parse_size(text, &t->n, &end))
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

static void term_text(const struct term *t, char *buf, size_t len)
{
    static const char *const names[] = {"", "cores", "pus"};
    if (t->unit == UNIT_ONE)
        snprintf(buf, len, "%llu", (unsigned long long)t->n);
    else if (t->n == 1)
        snprintf(buf, len, "%s", names[t->unit]);
    else
        snprintf(buf, len, "%llu*%s", (unsigned long long)t->n, names[t->unit]);
}

/* A term or a range `A..B` / `A..B xR`; `min` bounds single plain values. */
static bool parse_count(const char *item, bool machine_units, uint64_t min, struct dim_value *v,
                        char *why)
{
    char buf[ITEM_LEN];
    const char *form = machine_units ? "N, cores, pus, K*pus" : "N (suffix k, M, G)";
    snprintf(buf, sizeof buf, "%s", item);
    char *dots = strstr(buf, "..");
    v->kind = dots ? COUNT_RANGE : COUNT_TERM;
    v->ratio = 2;
    if (!dots) {
        if (!parse_term(buf, machine_units, &v->lo))
            return fail(why, "'%s' is not %s or a range A..B", item, form);
        if (v->lo.n < min)
            return fail(why, "%llu is below the minimum %llu", (unsigned long long)v->lo.n,
                        (unsigned long long)min);
        return true;
    }
    *dots = '\0';
    char *hi = dots + 2, *step = strpbrk(hi, " \t");
    if (step) {
        *step++ = '\0';
        step += strspn(step, " \t");
        const char *end;
        if (*step != 'x' || !parse_u64(step + 1, &v->ratio, &end) || *end || v->ratio < 2)
            return fail(why, "'%s': a range step is written ' xR' with R >= 2", item);
    }
    if (!parse_term(buf, machine_units, &v->lo) || !parse_term(hi, machine_units, &v->hi))
        return fail(why, "'%s' is not a range A..B of %s", item, form);
    if (v->lo.n == 0)
        return fail(why, "range '%s' must start at 1 or more", item);
    if (v->lo.unit == UNIT_ONE && v->hi.unit == UNIT_ONE && v->lo.n > v->hi.n)
        return fail(why, "range '%s' is empty", item);
    return true;
}

static bool parse_threads(const char *item, struct dim_value *v, char *why)
{
    return parse_count(item, true, 1, v, why);
}

static bool parse_keys(const char *item, struct dim_value *v, char *why)
{
    if (strcmp(item, "auto") == 0) {
        v->kind = COUNT_AUTO;
        return true;
    }
    return parse_count(item, false, 0, v, why);
}

static bool parse_key_range(const char *item, struct dim_value *v, char *why)
{
    if (!parse_plain_size(item, &v->count))
        return fail(why, "'%s' is not a key count (N with optional k, M, G)", item);
    return true;
}

static bool parse_pct(const char *item, struct dim_value *v, char *why)
{
    char *end;
    v->number = strtod(item, &end);
    if (end == item || *end || !isfinite(v->number) || v->number < 0 || v->number > 100)
        return fail(why, "%s is not a percentage 0..100", item);
    return true;
}

/* A number with unit s, ms, us or m; `positive` rejects 0. */
static bool parse_seconds(const char *item, bool positive, double *out, char *why)
{
    static const struct { const char *unit; double scale; } units[] = {
        {"s", 1}, {"ms", 1e-3}, {"us", 1e-6}, {"m", 60}};
    char *end;
    double n = strtod(item, &end);
    if (end == item || !isfinite(n) || n < 0 || (positive && n == 0))
        return fail(why, "%s is not a %s duration such as 0.5s or 200ms", item,
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
    return fail(why, "%s has no unit (s, ms, us or m)", item);
}

static bool parse_duration(const char *item, struct dim_value *v, char *why)
{
    v->kind = WINDOW_DURATION;
    return parse_seconds(item, true, &v->number, why);
}

static bool parse_ops(const char *item, struct dim_value *v, char *why)
{
    v->kind = WINDOW_OPS;
    if (!parse_plain_size(item, &v->count) || v->count == 0)
        return fail(why, "'%s' is not a positive operation count", item);
    return true;
}

static bool parse_warmup(const char *item, struct dim_value *v, char *why)
{
    return parse_seconds(item, false, &v->number, why);
}

static bool parse_bounded(const char *item, uint64_t min, uint64_t max, struct dim_value *v,
                          char *why)
{
    const char *end;
    if (!parse_u64(item, &v->count, &end) || *end || v->count < min || v->count > max)
        return fail(why, "'%s' is not a whole number %llu..%llu", item, (unsigned long long)min,
                    (unsigned long long)max);
    return true;
}

static bool parse_repetitions(const char *item, struct dim_value *v, char *why)
{
    return parse_bounded(item, 1, 1000, v, why);
}

static bool parse_seed(const char *item, struct dim_value *v, char *why)
{
    return parse_bounded(item, 0, UINT64_MAX, v, why);
}

static bool parse_latency_every(const char *item, struct dim_value *v, char *why)
{
    return parse_bounded(item, 0, INT_MAX, v, why);
}

static bool parse_misuse_demo(const char *item, struct dim_value *v, char *why)
{
    if (strcmp(item, "0") && strcmp(item, "1"))
        return fail(why, "'%s' is not 0 or 1", item);
    v->count = item[0] == '1';
    return true;
}

static bool parse_write_kind(const char *item, struct dim_value *v, char *why)
{
    for (int k = 0; strcmp(case_write_kind_name((enum case_write_kind)k), "?"); k++) {
        if (strcmp(item, case_write_kind_name((enum case_write_kind)k)) == 0) {
            v->kind = k;
            return true;
        }
    }
    return fail(why, "'%s' is not update, insert-delete, insert or load-or-store", item);
}

/* `bind:N` or `numa:N`: the node number after the prefix. */
static bool parse_node(const char *item, const char *prefix, struct dim_value *v)
{
    const char *end;
    size_t len = strlen(prefix);
    return strncmp(item, prefix, len) == 0 && parse_u64(item + len, &v->count, &end) &&
           *end == '\0' && v->count < 4096;
}

static bool parse_memory(const char *item, struct dim_value *v, char *why)
{
    if (parse_node(item, "bind:", v)) {
        v->kind = CASE_MEMORY_BIND;
        return true;
    }
    for (int k = 0; strcmp(case_memory_name((enum case_memory)k), "?"); k++) {
        if (k != CASE_MEMORY_BIND && strcmp(item, case_memory_name((enum case_memory)k)) == 0) {
            v->kind = k;
            return true;
        }
    }
    return fail(why, "'%s' is not first-touch, bind:N or interleave", item);
}

/* pus:A+B+C, stored as pus:A,B,C */
static bool parse_pu_list(const char *item, struct dim_value *v, char *why)
{
    const char *p = item + 4, *end;
    size_t used = (size_t)snprintf(v->text, sizeof v->text, "pus:");
    for (;;) {
        uint64_t pu;
        if (!parse_u64(p, &pu, &end) || pu > 65535 || (*end && *end != '+'))
            return fail(why, "'%s' is not an explicit PU list such as pus:0+2+4", item);
        used += (size_t)snprintf(v->text + used, sizeof v->text - used, "%s%llu",
                                 p == item + 4 ? "" : ",", (unsigned long long)pu);
        if (used >= sizeof v->text)
            return fail(why, "'%s' is longer than %zu characters", item, sizeof v->text - 1);
        if (!*end)
            return true;
        p = end + 1;
    }
}

static bool parse_placement(const char *item, struct dim_value *v, char *why)
{
    static const char *const fixed[] = {"compact", "scatter", "cores", "none"};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        if (strcmp(item, fixed[i]) == 0) {
            snprintf(v->text, sizeof v->text, "%s", item);
            return true;
        }
    }
    if (strncmp(item, "pus:", 4) == 0)
        return parse_pu_list(item, v, why);
    if (parse_node(item, "numa:", v)) {
        snprintf(v->text, sizeof v->text, "numa:%llu", (unsigned long long)v->count);
        return true;
    }
    return fail(why, "'%s' is not compact, scatter, cores, none, numa:N or pus:A+B+C", item);
}

static bool parse_distribution(const char *item, struct dim_value *v, char *why)
{
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
        if (parse_plain_size(item + 4, &v->count) && v->count > 0)
            return true;
    }
    return fail(why, "'%s' is not uniform, zipf:THETA (0..100) or hot:N (N >= 1)", item);
}

static const struct scenario_key scenario_keys[] = {
    {"threads", DIM_THREADS, parse_threads},
    {"placement", DIM_PLACEMENT, parse_placement},
    {"memory", DIM_MEMORY, parse_memory},
    {"read_pct", DIM_READ_PCT, parse_pct},
    {"write_kind", DIM_WRITE_KIND, parse_write_kind},
    {"hit_pct", DIM_HIT_PCT, parse_pct},
    {"delete_pct", DIM_DELETE_PCT, parse_pct},
    {"range_pct", DIM_RANGE_PCT, parse_pct},
    {"keys", DIM_KEYS, parse_keys},
    {"key_range", DIM_KEY_RANGE, parse_key_range},
    {"distribution", DIM_DISTRIBUTION, parse_distribution},
    {"duration", DIM_WINDOW, parse_duration},
    {"ops", DIM_WINDOW, parse_ops},
    {"repetitions", DIM_REPETITIONS, parse_repetitions},
    {"warmup", DIM_WARMUP, parse_warmup},
    {"seed", DIM_SEED, parse_seed},
    {"latency_every", DIM_LATENCY_EVERY, parse_latency_every},
    {"misuse_demo", DIM_MISUSE_DEMO, parse_misuse_demo},
};

#define SCENARIO_KEY_COUNT (sizeof scenario_keys / sizeof scenario_keys[0])

/* Defaults, as text in the file's own syntax, indexed by dimension (duration stands for window). */
static const char *const dim_defaults[DIM_COUNT][2] = {
    [DIM_THREADS] = {"threads", "1"},
    [DIM_PLACEMENT] = {"placement", "compact"},
    [DIM_MEMORY] = {"memory", "first-touch"},
    [DIM_READ_PCT] = {"read_pct", "90"},
    [DIM_WRITE_KIND] = {"write_kind", "update"},
    [DIM_HIT_PCT] = {"hit_pct", "100"},
    [DIM_DELETE_PCT] = {"delete_pct", "0"},
    [DIM_RANGE_PCT] = {"range_pct", "0"},
    [DIM_KEYS] = {"keys", "1000"},
    [DIM_KEY_RANGE] = {"key_range", "0"},
    [DIM_DISTRIBUTION] = {"distribution", "uniform"},
    [DIM_WINDOW] = {"duration", "1s"},
    [DIM_REPETITIONS] = {"repetitions", "5"},
    [DIM_WARMUP] = {"warmup", "0.2s"},
    [DIM_SEED] = {"seed", "1"},
    [DIM_LATENCY_EVERY] = {"latency_every", "64"},
    [DIM_MISUSE_DEMO] = {"misuse_demo", "0"},
};

static const struct scenario_key *find_key(const char *key)
{
    for (size_t i = 0; i < SCENARIO_KEY_COUNT; i++)
        if (strcmp(scenario_keys[i].key, key) == 0)
            return &scenario_keys[i];
    return NULL;
}

/* ---- lists ------------------------------------------------------------------------------- */

typedef bool (*item_fn)(const char *item, void *arg, char *why);

/* Calls fn for each comma-separated item, whitespace trimmed.  An empty item is an error, except
 * after a trailing comma (so a list may go on on the next, indented, line). */
static bool each_item(const char *value, item_fn fn, void *arg, char *why)
{
    char item[ITEM_LEN];
    for (const char *p = value;; p++) {
        size_t raw = strcspn(p, ","), len = raw;
        const char *start = p;
        while (len && isspace((unsigned char)*start))
            start++, len--;
        while (len && isspace((unsigned char)start[len - 1]))
            len--;
        if (len == 0 && p[raw] == '\0' && p != value)
            return true;
        if (len == 0)
            return fail(why, "empty value in list '%.80s'", value);
        if (len >= sizeof item)
            return fail(why, "value longer than %zu characters", sizeof item - 1);
        memcpy(item, start, len);
        item[len] = '\0';
        if (!fn(item, arg, why))
            return false;
        p += raw;
        if (!*p)
            return true;
    }
}

static void list_clear(struct dim_list *l)
{
    free(l->values);
    *l = (struct dim_list){0};
}

static void list_push(struct dim_list *l, const struct dim_value *v)
{
    l->values = grow(l->values, l->count, sizeof *l->values);
    l->values[l->count++] = *v;
}

struct parse_items {
    const struct scenario_key *key;
    struct dim_list *list;
};

static bool parse_item(const char *item, void *arg, char *why)
{
    struct parse_items *p = arg;
    struct dim_value v = {0};
    if (!p->key->parse(item, &v, why))
        return false;
    list_push(p->list, &v);
    return true;
}

static bool parse_list(const struct scenario_key *key, const char *value, struct dim_list *out,
                       char *why)
{
    struct parse_items p = {key, out};
    *out = (struct dim_list){.key = key};
    if (each_item(value, parse_item, &p, why))
        return true;
    list_clear(out);
    return false;
}

/* Sets a dimension in a group: appends (a repeated key) or replaces (--set). */
static bool set_dimension(struct scenario_group *g, const struct scenario_key *key,
                          const char *value, bool replace, char *why)
{
    struct dim_list parsed, *l = &g->dims[key->dim];
    if (!parse_list(key, value, &parsed, why))
        return false;
    if (!replace && l->key && l->key != key) {
        list_clear(&parsed);
        return fail(why, "set either duration or ops in one section, not both");
    }
    if (replace)
        list_clear(l);
    for (size_t i = 0; i < parsed.count; i++)
        list_push(l, &parsed.values[i]);
    l->key = key;
    list_clear(&parsed);
    return true;
}

/* ---- backends and options ---------------------------------------------------------------- */

static bool add_backend(struct scenario *s, const char *spec, char *why)
{
    struct map_spec parsed;
    const struct map_backend *backend;
    char err[ERR_LEN];
    if (!map_spec_parse(spec, &parsed, &backend, err))
        return fail(why, "%.190s", err);
    for (size_t i = 0; i < s->backend_count; i++)
        if (strcmp(s->backends[i].spec, spec) == 0)
            return true;
    s->backends = grow(s->backends, s->backend_count, sizeof *s->backends);
    struct backend_entry *e = &s->backends[s->backend_count++];
    snprintf(e->spec, sizeof e->spec, "%s", spec);
    e->backend = backend;
    return true;
}

static bool add_all_backends(struct scenario *s, char *why)
{
    size_t count;
    const struct map_backend *const *all = map_registry_list(&count);
    for (size_t i = 0; i < count; i++)
        if (all[i]->role != MAP_ROLE_HARNESS && !add_backend(s, all[i]->name, why))
            return false;
    return true;
}

/* Backend list tokens: `all`, a spec, or `key=value` continuing the spec before it. */
struct backend_tokens {
    struct scenario *s;
    char pending[256]; /* the spec being assembled; "" when none */
    bool after_all;
};

static bool flush_backend(struct backend_tokens *t, char *why)
{
    bool ok = !t->pending[0] || add_backend(t->s, t->pending, why);
    t->pending[0] = '\0';
    return ok;
}

static bool backend_token(const char *item, void *arg, char *why)
{
    struct backend_tokens *t = arg;
    if (strchr(item, '=') && !strchr(item, ':')) {
        size_t used = strlen(t->pending);
        if (!used)
            return fail(why, "option '%s' follows no backend spec", item);
        if (used + strlen(item) + 2 > sizeof t->pending)
            return fail(why, "backend spec '%.60s...' is too long", t->pending);
        t->pending[used] = ',';
        strcpy(t->pending + used + 1, item);
        return true;
    }
    if (!flush_backend(t, why))
        return false;
    if (strcmp(item, "all") == 0)
        return add_all_backends(t->s, why);
    if (strlen(item) >= sizeof t->pending)
        return fail(why, "backend spec '%.60s...' is too long", item);
    snprintf(t->pending, sizeof t->pending, "%s", item);
    return true;
}

static bool parse_backends(struct scenario *s, const char *value, char *why)
{
    struct backend_tokens t = {.s = s};
    return each_item(value, backend_token, &t, why) && flush_backend(&t, why);
}

/* Parses a new list in place of the old one; on failure the old list is put back. */
static bool replace_backends(struct scenario *s, const char *value, char *why)
{
    struct backend_entry *old = s->backends;
    size_t old_count = s->backend_count;
    s->backends = NULL;
    s->backend_count = 0;
    if (parse_backends(s, value, why)) {
        free(old);
        return true;
    }
    free(s->backends);
    s->backends = old;
    s->backend_count = old_count;
    return false;
}

static bool backend_declares(const struct map_backend *b, const char *key)
{
    for (const struct map_option_def *d = b->options; d && d->key; d++)
        if (strcmp(d->key, key) == 0)
            return true;
    return false;
}

static bool option_known(const char *key)
{
    size_t count;
    const struct map_backend *const *all = map_registry_list(&count);
    for (size_t i = 0; i < count; i++)
        if (backend_declares(all[i], key))
            return true;
    return false;
}

static bool option_value(const char *item, void *arg, char *why)
{
    struct option_sweep *o = arg;
    if (strchr(item, '=') || strlen(item) >= sizeof o->values[0])
        return fail(why, "'%.80s' is not an option value", item);
    o->values = grow(o->values, o->count, sizeof o->values[0]);
    snprintf(o->values[o->count++], sizeof o->values[0], "%s", item);
    return true;
}

static bool set_option(struct scenario *s, const char *key, const char *value, bool replace,
                       char *why)
{
    if (!option_known(key))
        return fail(why, "no registered backend has option '%s'", key);
    if (strlen(key) >= sizeof s->options[0].key)
        return fail(why, "option name too long");
    struct option_sweep *o = NULL, parsed = {0};
    for (size_t i = 0; i < s->option_count; i++)
        if (strcmp(s->options[i].key, key) == 0)
            o = &s->options[i];
    if (!each_item(value, option_value, &parsed, why)) {
        free(parsed.values);
        return false;
    }
    if (!o) {
        s->options = grow(s->options, s->option_count, sizeof *s->options);
        o = &s->options[s->option_count++];
        *o = (struct option_sweep){0};
        snprintf(o->key, sizeof o->key, "%s", key);
    }
    if (replace)
        o->count = 0;
    for (size_t i = 0; i < parsed.count; i++)
        option_value(parsed.values[i], o, why);
    free(parsed.values);
    return true;
}

/* ---- sections and keys ------------------------------------------------------------------- */

static bool valid_name(const char *name)
{
    size_t len = strlen(name);
    return len > 0 && len < NAME_LEN && strspn(name, "abcdefghijklmnopqrstuvwxyz"
                                                     "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == len;
}

static bool set_header_key(struct scenario *s, const char *key, const char *value, bool replace,
                           char *why)
{
    if (strcmp(key, "name") == 0) {
        if (!valid_name(value))
            return fail(why, "'%.80s' is not a name (1..%d letters, digits, '_', '.', '-')",
                        value, NAME_LEN - 1);
        snprintf(s->name, sizeof s->name, "%s", value);
        return true;
    }
    if (strcmp(key, "description") == 0) {
        size_t used = replace ? 0 : strlen(s->description);
        snprintf(s->description + used, sizeof s->description - used, "%s%s", used ? " " : "",
                 value);
        return true;
    }
    return replace ? replace_backends(s, value, why) : parse_backends(s, value, why);
}

static bool is_header_key(const char *key)
{
    return !strcmp(key, "name") || !strcmp(key, "description") || !strcmp(key, "backends");
}

static struct scenario_group *find_group(struct scenario *s, const char *name, char *why)
{
    for (size_t i = 1; i < s->group_count; i++)
        if (strcmp(s->groups[i].name, name) == 0)
            return &s->groups[i];
    if (!valid_name(name)) {
        fail(why, "'[case %.80s]' is not a case name (1..%d letters, digits, '_', '.', '-')",
             name, NAME_LEN - 1);
        return NULL;
    }
    s->groups = grow(s->groups, s->group_count, sizeof *s->groups);
    struct scenario_group *g = &s->groups[s->group_count++];
    *g = (struct scenario_group){0};
    snprintf(g->name, sizeof g->name, "%s", name);
    return g;
}

/* One `key = value` of a file: append semantics. */
static bool set_file_key(struct scenario *s, const char *section, const char *key,
                         const char *value, char *why)
{
    const struct scenario_key *k = find_key(key);
    if (strcmp(section, "scenario") == 0) {
        if (is_header_key(key))
            return set_header_key(s, key, value, false, why);
        return k ? set_dimension(&s->groups[0], k, value, false, why)
                 : fail(why, "unknown key in [scenario]");
    }
    if (strcmp(section, "options") == 0)
        return set_option(s, key, value, false, why);
    if (strncmp(section, "case ", 5) == 0) {
        struct scenario_group *g = find_group(s, section + 5, why);
        if (!g)
            return false;
        return k ? set_dimension(g, k, value, false, why)
                 : fail(why, "unknown key in [%.60s] (a case section takes dimensions only)",
                        section);
    }
    if (!section[0])
        return fail(why, "key outside any section (start the file with [scenario])");
    return fail(why, "unknown section [%.60s] (valid: [scenario], [options], [case NAME])",
                section);
}

/* ---- loading ----------------------------------------------------------------------------- */

struct parse_ctx {
    struct scenario *s;
    FILE *file;
    int line;                   /* lines read so far */
    int err_line;               /* line of err, once set */
    char err[ERR_LEN];
};

static void parse_error(struct parse_ctx *ctx, const char *key, const char *why)
{
    int room = (int)(ERR_LEN - strlen(why)) - 40;
    ctx->err_line = ctx->line;
    if (key)
        snprintf(ctx->err, sizeof ctx->err, "%.*s:%d: key '%.30s': %s", room > 0 ? room : 0,
                 ctx->s->path, ctx->line, key, why);
    else
        snprintf(ctx->err, sizeof ctx->err, "%.*s:%d: %s", room > 0 ? room : 0, ctx->s->path,
                 ctx->line, why);
}

/* fgets for inih that counts lines and refuses lines longer than inih's buffer. */
static char *read_line(char *str, int num, void *stream)
{
    struct parse_ctx *ctx = stream;
    if (ctx->err[0] || !fgets(str, num, ctx->file))
        return NULL;
    ctx->line++;
    size_t len = strlen(str);
    if (len == (size_t)num - 1 && str[len - 1] != '\n') {
        int c = getc(ctx->file);
        if (c != EOF) {
            char why[WHY_LEN];
            snprintf(why, sizeof why, "line is longer than %d characters", num - 3);
            parse_error(ctx, NULL, why);
            return NULL;
        }
    }
    return str;
}

static int handle_pair(void *user, const char *section, const char *name, const char *value)
{
    struct parse_ctx *ctx = user;
    char why[WHY_LEN];
    if (ctx->err[0])
        return 0;
    if (!set_file_key(ctx->s, section, name, value, why)) {
        parse_error(ctx, name, why);
        return 0;
    }
    return 1;
}

static bool parse_file(struct scenario *s, char *err)
{
    struct parse_ctx ctx = {.s = s};
    ctx.file = fopen(s->path, "r");
    if (!ctx.file) {
        report(err, "%.200s: cannot open: %s", s->path, strerror(errno));
        return false;
    }
    int rc = ini_parse_stream(read_line, &ctx, handle_pair, &ctx);
    fclose(ctx.file);
    if (rc > 0 && (!ctx.err[0] || rc < ctx.err_line)) { /* inih's syntax error came first */
        ctx.line = rc;
        parse_error(&ctx, NULL, "not a 'key = value' line or a '[section]' header");
    }
    if (!ctx.err[0] && rc < 0)
        snprintf(ctx.err, sizeof ctx.err, "%.200s: cannot read", s->path);
    report(err, "%s", ctx.err);
    return !ctx.err[0];
}

static bool is_path(const char *text)
{
    size_t len = strlen(text);
    return strchr(text, '/') || (len > 4 && strcmp(text + len - 4, ".ini") == 0);
}

static bool is_directory(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* A candidate directory counts only when it holds the presets: build trees have a scenarios/
 * folder of object files too. */
static bool holds_presets(const char *dir)
{
    char quick[PATH_MAX];
    snprintf(quick, sizeof quick, "%.*s/quick.ini", PATH_MAX - 16, dir);
    return access(quick, F_OK) == 0;
}

bool scenario_find_directory(char *dir, size_t len, char *err)
{
    const char *env = getenv("MAPBENCH_SCENARIOS");
    if (env && *env) {
        snprintf(dir, len, "%s", env);
        if (is_directory(dir))
            return true;
        report(err, "MAPBENCH_SCENARIOS=%.180s is not a directory", env);
        return false;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    char *slash = n > 0 ? (exe[n] = '\0', strrchr(exe, '/')) : NULL;
    if (slash) {
        *slash = '\0';
        /* next to the binary (./mapbench), or one level up (build/mapbench) */
        static const char *const relative[] = {"scenarios", "../scenarios"};
        for (size_t i = 0; i < 2; i++) {
            snprintf(dir, len, "%.*s/%s", (int)(len > 16 ? len - 16 : 0), exe, relative[i]);
            if (holds_presets(dir))
                return true;
        }
    }
    snprintf(dir, len, "scenarios");
    if (holds_presets(dir))
        return true;
    report(err, "no scenario directory: set MAPBENCH_SCENARIOS, or run "
                                    "from the mapbench tree");
    return false;
}

static bool locate(struct scenario *s, const char *preset_or_path, char *err)
{
    char dir[PATH_MAX - 64];
    if (is_path(preset_or_path)) {
        snprintf(s->path, sizeof s->path, "%s", preset_or_path);
        return true;
    }
    if (!valid_name(preset_or_path)) {
        report(err, "'%.80s' is not a preset name", preset_or_path);
        return false;
    }
    if (!scenario_find_directory(dir, sizeof dir, err))
        return false;
    snprintf(s->path, sizeof s->path, "%s/%s.ini", dir, preset_or_path);
    if (access(s->path, F_OK) == 0)
        return true;
    report(err, "no preset '%s' in %.160s (mapbench list scenarios)",
             preset_or_path, dir);
    return false;
}

/* The file name without directory and .ini, if it makes a valid name. */
static void default_name(struct scenario *s)
{
    const char *base = strrchr(s->path, '/');
    base = base ? base + 1 : s->path;
    size_t len = strcspn(base, ".");
    if (len < NAME_LEN) {
        snprintf(s->name, sizeof s->name, "%.*s", (int)len, base);
        if (!valid_name(s->name))
            snprintf(s->name, sizeof s->name, "scenario");
    } else {
        snprintf(s->name, sizeof s->name, "scenario");
    }
}

struct scenario *scenario_load(const char *preset_or_path, char *err)
{
    struct scenario *s = xcalloc(1, sizeof *s);
    s->groups = xcalloc(1, sizeof *s->groups);
    s->group_count = 1;
    err[0] = '\0';
    bool ok = locate(s, preset_or_path, err);
    if (ok) {
        default_name(s);
        ok = parse_file(s, err);
    }
    if (ok && s->backend_count == 0) {
        char why[WHY_LEN];
        ok = add_all_backends(s, why);
        if (!ok)
            report(err, "%.200s: %s", s->path, why);
    }
    if (!ok) {
        scenario_free(s);
        return NULL;
    }
    return s;
}

void scenario_free(struct scenario *s)
{
    if (!s)
        return;
    for (size_t g = 0; g < s->group_count; g++)
        for (int d = 0; d < DIM_COUNT; d++)
            list_clear(&s->groups[g].dims[d]);
    for (size_t i = 0; i < s->option_count; i++)
        free(s->options[i].values);
    free(s->options);
    free(s->groups);
    free(s->backends);
    free(s);
}

const char *scenario_name(const struct scenario *s)
{
    return s->name;
}

const char *scenario_description(const struct scenario *s)
{
    return s->description;
}

const char *scenario_path(const struct scenario *s)
{
    return s->path;
}

/* ---- overrides --------------------------------------------------------------------------- */

static bool set_override(struct scenario *s, const char *key, const char *value, char *why)
{
    const struct scenario_key *k = find_key(key);
    if (is_header_key(key))
        return set_header_key(s, key, value, true, why);
    if (k) {
        if (!set_dimension(&s->groups[0], k, value, true, why))
            return false;
        for (size_t g = 1; g < s->group_count; g++)
            list_clear(&s->groups[g].dims[k->dim]);
        return true;
    }
    if (strncmp(key, "options.", 8) == 0)
        return set_option(s, key + 8, value, true, why);
    if (option_known(key))
        return set_option(s, key, value, true, why);
    return fail(why, "unknown key (not a [scenario] key, a dimension or a backend option)");
}

bool scenario_set(struct scenario *s, const char *key_equals_value, char *err)
{
    char key[64], why[WHY_LEN];
    const char *eq = strchr(key_equals_value, '=');
    size_t len = eq ? (size_t)(eq - key_equals_value) : 0;
    while (len && isspace((unsigned char)key_equals_value[len - 1]))
        len--;
    if (!eq || len == 0 || len >= sizeof key) {
        report(err, "--set: '%.80s' is not KEY=VALUE", key_equals_value);
        return false;
    }
    memcpy(key, key_equals_value, len);
    key[len] = '\0';
    const char *value = eq + 1 + strspn(eq + 1, " \t");
    if (!set_override(s, key, value, why)) {
        report(err, "--set: key '%s': %s", key, why);
        return false;
    }
    return true;
}

bool scenario_set_backends(struct scenario *s, const char *comma_list, char *err)
{
    char why[WHY_LEN];
    if (replace_backends(s, comma_list, why))
        return true;
    report(err, "--backends: %s", why);
    return false;
}

/* ---- expansion --------------------------------------------------------------------------- */

#define THREADS_MAX 65536

static uint64_t term_value(const struct term *t, const struct scenario_machine *m)
{
    uint64_t unit = t->unit == UNIT_CORES ? (uint64_t)m->cores
                    : t->unit == UNIT_PUS ? (uint64_t)m->pus
                                          : 1;
    return t->n * unit;
}

static void push_count(struct dim_list *l, uint64_t count)
{
    struct dim_value v = {.kind = COUNT_TERM, .count = count};
    list_push(l, &v);
}

/* keys=auto: ½, 1 and 2 times each cache level's capacity in keys, then 8 times the last. */
static bool push_auto_points(struct dim_list *l, const struct scenario_machine *m, char *why)
{
    if (m->cache_levels < 1 || m->cache_levels > 4 || !(m->table_bytes_per_key > 0))
        return fail(why, "auto needs the machine's cache sizes and the table's bytes per key");
    double capacity = 0;
    for (int i = 0; i < m->cache_levels; i++) {
        capacity = (double)m->cache_bytes[i] / m->table_bytes_per_key;
        for (double f = 0.5; f <= 2; f *= 2)
            push_count(l, (uint64_t)fmax(1, llround(capacity * f)));
    }
    push_count(l, (uint64_t)fmax(1, llround(capacity * 8)));
    return true;
}

static bool push_range(struct dim_list *l, const struct dim_value *v,
                       const struct scenario_machine *m, char *why)
{
    uint64_t lo = term_value(&v->lo, m), hi = term_value(&v->hi, m);
    char a[48], b[48];
    if (lo > hi) {
        term_text(&v->lo, a, sizeof a);
        term_text(&v->hi, b, sizeof b);
        return fail(why, "range %s..%s is empty here (%llu > %llu)", a, b,
                    (unsigned long long)lo, (unsigned long long)hi);
    }
    for (uint64_t x = lo; x < hi; x = x > hi / v->ratio ? hi : x * v->ratio)
        push_count(l, x);
    push_count(l, hi);
    return true;
}

static int compare_counts(const void *a, const void *b)
{
    uint64_t x = ((const struct dim_value *)a)->count, y = ((const struct dim_value *)b)->count;
    return (x > y) - (x < y);
}

/* threads and keys: every item made a number for this machine, sorted, duplicates dropped. */
static bool resolve_counts(const struct dim_list *in, const struct scenario_machine *m,
                           struct dim_list *out, char *why)
{
    *out = (struct dim_list){.key = in->key};
    for (size_t i = 0; i < in->count; i++) {
        const struct dim_value *v = &in->values[i];
        bool ok = v->kind == COUNT_AUTO    ? push_auto_points(out, m, why)
                  : v->kind == COUNT_RANGE ? push_range(out, v, m, why)
                                           : (push_count(out, term_value(&v->lo, m)), true);
        if (!ok)
            return false;
    }
    qsort(out->values, out->count, sizeof *out->values, compare_counts);
    size_t kept = 0;
    for (size_t i = 0; i < out->count; i++)
        if (kept == 0 || out->values[i].count != out->values[kept - 1].count)
            out->values[kept++] = out->values[i];
    out->count = kept;
    if (in->key->dim == DIM_THREADS && kept && out->values[kept - 1].count > THREADS_MAX)
        return fail(why, "%llu threads is more than %d",
                    (unsigned long long)out->values[kept - 1].count, THREADS_MAX);
    return true;
}

/* The lists a group expands over: its own, else [scenario]'s, else the default; machine-resolved. */
static bool resolve_group(const struct scenario *s, size_t g, const struct scenario_machine *m,
                          struct dim_list *dims, char *err)
{
    char why[WHY_LEN];
    bool ok = true;
    for (int d = 0; d < DIM_COUNT; d++) {
        const struct dim_list *own = &s->groups[g].dims[d], *base = &s->groups[0].dims[d];
        struct dim_list fallback = {0}, *l = &fallback;
        if (own->count || base->count)
            l = (struct dim_list *)(own->count ? own : base);
        else
            parse_list(find_key(dim_defaults[d][0]), dim_defaults[d][1], &fallback, why);
        dims[d] = (struct dim_list){.key = l->key};
        if (ok && (d == DIM_THREADS || d == DIM_KEYS)) {
            ok = resolve_counts(l, m, &dims[d], why);
            if (!ok)
                report(err, "%.160s: key '%s': %s", s->path, l->key->key, why);
        } else {
            for (size_t i = 0; i < l->count; i++)
                list_push(&dims[d], &l->values[i]);
        }
        list_clear(&fallback);
    }
    return ok;
}

static void apply_value(struct bench_case *c, enum dim d, const struct dim_value *v)
{
    switch (d) {
    case DIM_THREADS: c->threads = (int)v->count; break;
    case DIM_PLACEMENT: memcpy(c->placement, v->text, sizeof c->placement); break;
    case DIM_MEMORY:
        c->memory = (enum case_memory)v->kind;
        c->memory_node = v->kind == CASE_MEMORY_BIND ? (int)v->count : 0;
        break;
    case DIM_READ_PCT: c->read_pct = v->number; break;
    case DIM_WRITE_KIND: c->write_kind = (enum case_write_kind)v->kind; break;
    case DIM_HIT_PCT: c->hit_pct = v->number; break;
    case DIM_DELETE_PCT: c->delete_pct = v->number; break;
    case DIM_RANGE_PCT: c->range_pct = v->number; break;
    case DIM_KEYS: c->keys = v->count; break;
    case DIM_KEY_RANGE: c->key_range = v->count; break;
    case DIM_DISTRIBUTION:
        c->distribution = (enum case_distribution)v->kind;
        c->zipf_theta = v->kind == CASE_DIST_ZIPF ? v->number : 0;
        c->hot_keys = v->kind == CASE_DIST_HOT ? v->count : 0;
        break;
    case DIM_WINDOW:
        c->duration_s = v->kind == WINDOW_DURATION ? v->number : 0;
        c->ops = v->kind == WINDOW_OPS ? v->count : 0;
        break;
    case DIM_REPETITIONS: c->repetitions = (int)v->count; break;
    case DIM_WARMUP: c->warmup_s = v->number; break;
    case DIM_SEED: c->seed = v->count; break;
    case DIM_LATENCY_EVERY: c->latency_every = (int)v->count; break;
    case DIM_MISUSE_DEMO: c->misuse_demo = v->count != 0; break;
    case DIM_COUNT: break;
    }
}

/* The first PU of a `pus:a,b,c` list that this machine lacks, or -1. */
static int missing_pu(const char *placement, int pus)
{
    if (strncmp(placement, "pus:", 4) != 0)
        return -1;
    for (const char *p = placement + 4; *p; p += strcspn(p, ","), p += *p == ',') {
        int pu = atoi(p);
        if (pu >= pus)
            return pu;
    }
    return -1;
}

static void check_skip(struct bench_case *c, const struct map_backend *b,
                       const struct map_traits *traits, const struct scenario_machine *m)
{
    char *r = c->skip_reason;
    size_t len = sizeof c->skip_reason;
    int nodes = m->numa_nodes > 0 ? m->numa_nodes : 1, node = -1, pu;
    if (traits->concurrency == MAP_CONCURRENCY_NONE && c->read_pct < 100 && c->threads > 1 &&
        !c->misuse_demo)
        snprintf(r, len, "backend '%s' allows no writer beside other threads: %d threads with "
                         "%g%% writes (misuse_demo=1 runs it anyway)",
                 b->name, c->threads, 100 - c->read_pct);
    else if (traits->concurrency == MAP_CONCURRENCY_NO_DELETE && c->read_pct < 100 &&
             c->threads > 1 && (c->write_kind == CASE_WRITE_INSERT_DELETE || c->delete_pct > 0))
        snprintf(r, len, "backend '%s' allows no delete beside other threads: %d threads with "
                         "deletes (write_kind %s, delete_pct %g)",
                 b->name, c->threads, case_write_kind_name(c->write_kind), c->delete_pct);
    else if (c->threads > 4 * m->pus)
        snprintf(r, len, "%d threads exceed 4 x the machine's %d PUs", c->threads, m->pus);
    else if (sscanf(c->placement, "numa:%d", &node) == 1 && node >= nodes)
        snprintf(r, len, "placement numa:%d needs NUMA node %d; the machine has %d", node, node,
                 nodes);
    else if (c->memory == CASE_MEMORY_BIND && c->memory_node >= nodes)
        snprintf(r, len, "memory bind:%d needs NUMA node %d; the machine has %d", c->memory_node,
                 c->memory_node, nodes);
    else if ((pu = missing_pu(c->placement, m->pus)) >= 0)
        snprintf(r, len, "placement %s names PU %d; the machine has %d", c->placement, pu,
                 m->pus);
    c->skipped = r[0] != '\0';
}

/* Counts up sizes[] like an odometer, last digit fastest; false after the last combination. */
static bool odometer_next(size_t *idx, const size_t *sizes, size_t n)
{
    for (size_t i = n; i-- > 0;) {
        if (++idx[i] < sizes[i])
            return true;
        idx[i] = 0;
    }
    return false;
}

/* The option sweeps that apply to one backend: declared by it and not already in its spec. */
static size_t applicable_options(const struct scenario *s, const struct backend_entry *e,
                                 const struct option_sweep **out)
{
    struct map_spec spec;
    const struct map_backend *backend;
    char err[ERR_LEN];
    size_t n = 0;
    if (!map_spec_parse(e->spec, &spec, &backend, err))
        return 0; /* validated at load: cannot happen */
    for (size_t i = 0; i < s->option_count && n < MAP_MAX_OPTIONS; i++) {
        bool in_spec = false;
        for (int k = 0; k < spec.option_count; k++)
            in_spec |= strcmp(spec.options[k].key, s->options[i].key) == 0;
        if (!in_spec && backend_declares(backend, s->options[i].key))
            out[n++] = &s->options[i];
    }
    return n;
}

static bool build_spec(const struct backend_entry *e, const struct option_sweep **opts,
                       const size_t *idx, size_t n, char *spec, size_t len)
{
    size_t used = (size_t)snprintf(spec, len, "%s", e->spec);
    for (size_t i = 0; i < n && used < len; i++)
        used += (size_t)snprintf(spec + used, len - used, "%s%s=%s",
                                 i == 0 && !strchr(e->spec, ':') ? ":" : ",", opts[i]->key,
                                 opts[i]->values[idx[i]]);
    return used < len;
}

struct case_array {
    struct bench_case *cases;
    size_t count, capacity;
};

static bool expand_backend(const struct scenario *s, size_t g, const struct backend_entry *e,
                           const struct dim_list *dims, const struct scenario_machine *m,
                           struct case_array *out, char *err)
{
    const struct option_sweep *opts[MAP_MAX_OPTIONS];
    size_t n = applicable_options(s, e, opts), oidx[MAP_MAX_OPTIONS] = {0}, osize[MAP_MAX_OPTIONS];
    size_t sizes[DIM_COUNT], idx[DIM_COUNT] = {0};
    for (size_t i = 0; i < n; i++)
        osize[i] = opts[i]->count;
    for (int d = 0; d < DIM_COUNT; d++)
        sizes[d] = dims[d].count;
    do {
        struct bench_case base;
        memset(&base, 0, sizeof base);
        if (!build_spec(e, opts, oidx, n, base.backend, sizeof base.backend)) {
            report(err, "%.160s: backend spec '%.40s' with its options is "
                                            "too long", s->path, e->spec);
            return false;
        }
        snprintf(base.backend_name, sizeof base.backend_name, "%s", e->backend->name);
        struct map_traits traits;
        char why[ERR_LEN];
        if (!map_traits_of(base.backend, &traits, why)) {
            report(err, "%.160s: %.80s", s->path, why);
            return false;
        }
        base.role = traits.role;
        if (g == 0)
            snprintf(base.scenario, sizeof base.scenario, "%s", s->name);
        else
            snprintf(base.scenario, sizeof base.scenario, "%s/%s", s->name, s->groups[g].name);
        do {
            if (out->count == out->capacity) {
                report(err, "%.160s: expands to more cases than counted",
                         s->path);
                return false;
            }
            struct bench_case *c = &out->cases[out->count++];
            memcpy(c, &base, sizeof *c); /* padding too: equal scenarios give equal bytes */
            for (int d = 0; d < DIM_COUNT; d++)
                apply_value(c, (enum dim)d, &dims[d].values[idx[d]]);
            check_skip(c, e->backend, &traits, m);
        } while (odometer_next(idx, sizes, DIM_COUNT));
    } while (odometer_next(oidx, osize, n));
    return true;
}

/* Cases one group gives, or SIZE_MAX past SCENARIO_MAX_CASES. */
static size_t count_group(const struct scenario *s, const struct dim_list *dims)
{
    size_t product = 1, total = 0;
    for (int d = 0; d < DIM_COUNT; d++)
        product = dims[d].count && product <= SCENARIO_MAX_CASES ? product * dims[d].count
                                                                 : SIZE_MAX;
    for (size_t b = 0; b < s->backend_count && product != SIZE_MAX; b++) {
        const struct option_sweep *opts[MAP_MAX_OPTIONS];
        size_t n = applicable_options(s, &s->backends[b], opts), combos = product;
        for (size_t i = 0; i < n && combos <= SCENARIO_MAX_CASES; i++)
            combos *= opts[i]->count;
        total += combos <= SCENARIO_MAX_CASES ? combos : SIZE_MAX / 4;
        if (total > SCENARIO_MAX_CASES)
            return SIZE_MAX;
    }
    return product == SIZE_MAX ? SIZE_MAX : total;
}

static void free_dims(struct dim_list *dims)
{
    for (int d = 0; d < DIM_COUNT; d++)
        list_clear(&dims[d]);
}

static bool expand_group(const struct scenario *s, size_t g, const struct scenario_machine *m,
                         struct case_array *out, char *err)
{
    struct dim_list dims[DIM_COUNT];
    bool ok = resolve_group(s, g, m, dims, err);
    size_t count = ok ? count_group(s, dims) : 0;
    if (ok && (count == SIZE_MAX || out->count + count > SCENARIO_MAX_CASES)) {
        report(err, "%.160s: expands to more than %d cases", s->path,
                 SCENARIO_MAX_CASES);
        ok = false;
    }
    if (ok) {
        out->capacity = out->count + count;
        out->cases = xreallocarray(out->cases, out->capacity, sizeof *out->cases);
    }
    for (size_t b = 0; ok && b < s->backend_count; b++)
        ok = expand_backend(s, g, &s->backends[b], dims, m, out, err);
    free_dims(dims);
    return ok;
}

bool scenario_expand(const struct scenario *s, const struct scenario_machine *m,
                     struct bench_case **cases, size_t *count, char *err)
{
    struct case_array out = {0};
    bool ok = true;
    for (size_t g = s->group_count > 1 ? 1 : 0; ok && g < s->group_count; g++)
        ok = expand_group(s, g, m, &out, err);
    if (!ok) {
        free(out.cases);
        return false;
    }
    *cases = out.cases ? out.cases : xcalloc(1, sizeof **cases);
    *count = out.count;
    return true;
}

double scenario_estimate_seconds(const struct bench_case *cases, size_t count)
{
    double total = 0;
    for (size_t i = 0; i < count; i++) {
        const struct bench_case *c = &cases[i];
        if (c->skipped)
            continue;
        double window = c->ops ? (double)c->ops * SCENARIO_SECONDS_PER_OP : c->duration_s;
        total += SCENARIO_SETUP_SECONDS +
                 c->repetitions * (window + c->warmup_s +
                                   (double)c->keys * SCENARIO_PREFILL_SECONDS_PER_KEY);
    }
    return total;
}

/* ---- presets ----------------------------------------------------------------------------- */

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t scenario_list_presets(char ***names, char *err)
{
    char dir[PATH_MAX];
    size_t count = 0;
    *names = NULL;
    err[0] = '\0';
    if (!scenario_find_directory(dir, sizeof dir, err))
        return 0;
    DIR *d = opendir(dir);
    if (!d) {
        report(err, "%.200s: cannot list: %s", dir, strerror(errno));
        return 0;
    }
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len <= 4 || strcmp(e->d_name + len - 4, ".ini") != 0)
            continue;
        char *name = xstrndup(e->d_name, len - 4);
        if (!valid_name(name)) {
            free(name);
            continue;
        }
        *names = grow(*names, count, sizeof **names);
        (*names)[count++] = name;
    }
    closedir(d);
    qsort(*names, count, sizeof **names, compare_names);
    return count;
}

void scenario_free_presets(char **names, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
}
