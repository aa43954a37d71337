/*
 * go_bench.c: reading Go's benchmark output (the format is in go_bench.h).  A line is split into
 * whitespace-separated fields; a result line's first field is the name, which is split into the
 * benchmark, the sub-benchmark (the map) and the -P suffix.
 */
#include "cli/go_bench.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

#define GO_BENCH_FIELDS 32

struct go_bench_reader {
    const char *file;
    size_t line;
    char *err;
    struct go_bench *out;
};

static bool go_bench_fail(struct go_bench_reader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Writes "file:LINE: message" into err and returns false. */
static bool go_bench_fail(struct go_bench_reader *r, const char *fmt, ...)
{
    char text[ERR_LEN - 100]; /* room for the file and the line */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    snprintf(r->err, ERR_LEN, "%.80s:%zu: %s", r->file, r->line, text);
    return false;
}

/* Splits line in place on whitespace; returns the number of fields (at most cap). */
static size_t go_bench_split(char *line, char **fields, size_t cap)
{
    size_t n = 0;
    for (char *p = line; *p && n < cap;) {
        while (isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;
        fields[n++] = p;
        while (*p && !isspace((unsigned char)*p))
            p++;
        if (*p)
            *p++ = '\0';
    }
    return n;
}

/* "key: value" configuration lines; the value trimmed. */
static void go_bench_config(const char *line, struct go_bench *out)
{
    static const struct {
        const char *key;
        size_t offset, size;
    } keys[] = {
        {"goos:", offsetof(struct go_bench, goos), sizeof out->goos},
        {"goarch:", offsetof(struct go_bench, goarch), sizeof out->goarch},
        {"pkg:", offsetof(struct go_bench, pkg), sizeof out->pkg},
        {"cpu:", offsetof(struct go_bench, cpu), sizeof out->cpu},
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        size_t len = strlen(keys[i].key);
        if (strncmp(line, keys[i].key, len) != 0)
            continue;
        const char *value = line + len + strspn(line + len, " \t");
        size_t n = strlen(value);
        while (n && isspace((unsigned char)value[n - 1]))
            n--;
        snprintf((char *)out + keys[i].offset, keys[i].size, "%.*s", (int)n, value);
    }
}

/* The -P suffix: digits after the last '-' at the end of the name; removed.  1 when absent. */
static bool go_bench_procs(struct go_bench_reader *r, char *name, int *procs)
{
    char *dash = strrchr(name, '-');
    *procs = 1;
    if (!dash || !dash[1] || strspn(dash + 1, "0123456789") != strlen(dash + 1))
        return true;
    long p = strtol(dash + 1, NULL, 10);
    if (p < 1 || p > 65536)
        return go_bench_fail(r, "'%.80s': GOMAXPROCS %ld is not 1..65536", name, p);
    *procs = (int)p;
    *dash = '\0';
    return true;
}

/* "*sync_test.RWMutexMap" -> "RWMutexMap", "*sync.Map" -> "sync.Map": the type without the
 * pointer and without a test package's name. */
static const char *go_bench_map_name(const char *sub)
{
    if (*sub == '*')
        sub++;
    const char *dot = strchr(sub, '.');
    if (dot && dot - sub >= 5 && strncmp(dot - 5, "_test", 5) == 0)
        return dot + 1;
    return sub;
}

/* Splits "BenchmarkName/sub-P" into the series' benchmark, map and procs. */
static bool go_bench_name(struct go_bench_reader *r, char *name, struct go_bench_series *s)
{
    const char *prefix = "Benchmark";
    char *slash = strchr(name, '/');
    if (!slash)
        return go_bench_fail(r, "'%.80s' names no sub-benchmark: expected BenchmarkNAME/MAP[-P]",
                             name);
    if (!go_bench_procs(r, name, &s->procs))
        return false;
    *slash = '\0';
    const char *bench = name + strlen(prefix), *map = go_bench_map_name(slash + 1);
    if (!*bench || !*map)
        return go_bench_fail(r, "'%.80s/%.80s' has an empty benchmark or map name", name,
                             slash + 1);
    if (strlen(bench) >= sizeof s->benchmark || strlen(map) >= sizeof s->map)
        return go_bench_fail(r, "'%.80s/%.80s': names are at most %d characters", name, slash + 1,
                             GO_BENCH_NAME - 1);
    snprintf(s->benchmark, sizeof s->benchmark, "%s", bench);
    snprintf(s->map, sizeof s->map, "%s", map);
    return true;
}

/* A non-negative finite number filling the whole field. */
static bool go_bench_number(const char *field, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(field, &end);
    return end != field && !*end && errno == 0 && isfinite(*out) && *out >= 0;
}

/* N, then value-unit pairs. */
static bool go_bench_figures(struct go_bench_reader *r, char **fields, size_t n,
                             struct go_bench_sample *sample)
{
    char *end;
    errno = 0;
    unsigned long long iterations = strtoull(fields[0], &end, 10);
    if (!isdigit((unsigned char)fields[0][0]) || *end || errno || iterations == 0)
        return go_bench_fail(r, "'%.40s' is not an iteration count", fields[0]);
    if (n % 2 == 0)
        return go_bench_fail(r, "'%.40s' has no unit", fields[n - 1]);
    *sample = (struct go_bench_sample){.iterations = iterations, .ns_per_op = NAN,
                                       .allocs_per_op = NAN, .bytes_per_op = NAN};
    for (size_t i = 1; i + 1 < n; i += 2) {
        double value;
        if (!go_bench_number(fields[i], &value))
            return go_bench_fail(r, "'%.40s %.40s': '%.40s' is not a number", fields[i],
                                 fields[i + 1], fields[i]);
        if (strcmp(fields[i + 1], "ns/op") == 0)
            sample->ns_per_op = value;
        else if (strcmp(fields[i + 1], "allocs/op") == 0)
            sample->allocs_per_op = value;
        else if (strcmp(fields[i + 1], "B/op") == 0)
            sample->bytes_per_op = value;
    }
    if (isnan(sample->ns_per_op) || sample->ns_per_op <= 0)
        return go_bench_fail(r, "no positive ns/op figure");
    return true;
}

/* The series of (benchmark, map, procs), added when new. */
static struct go_bench_series *go_bench_series_of(struct go_bench *b,
                                                  const struct go_bench_series *key)
{
    for (size_t i = 0; i < b->count; i++) {
        struct go_bench_series *s = &b->series[i];
        if (strcmp(s->benchmark, key->benchmark) == 0 && strcmp(s->map, key->map) == 0 &&
            s->procs == key->procs)
            return s;
    }
    b->series = xreallocarray(b->series, b->count + 1, sizeof *b->series);
    b->series[b->count] = *key;
    return &b->series[b->count++];
}

static bool go_bench_result(struct go_bench_reader *r, char **fields, size_t n)
{
    struct go_bench_series key = {0};
    struct go_bench_sample sample;
    if (n == GO_BENCH_FIELDS)
        return go_bench_fail(r, "more than %d fields", GO_BENCH_FIELDS - 1);
    if (!go_bench_name(r, fields[0], &key) || !go_bench_figures(r, fields + 1, n - 1, &sample))
        return false;
    struct go_bench_series *s = go_bench_series_of(r->out, &key);
    s->samples = xreallocarray(s->samples, s->count + 1, sizeof *s->samples);
    s->samples[s->count++] = sample;
    return true;
}

static bool go_bench_line(struct go_bench_reader *r, char *line)
{
    char *fields[GO_BENCH_FIELDS];
    if (strncmp(line, "--- FAIL", 8) == 0)
        return go_bench_fail(r, "Go reports a failed benchmark: %.120s", line);
    if (strncmp(line, "Benchmark", 9) != 0) {
        go_bench_config(line, r->out);
        return true;
    }
    size_t n = go_bench_split(line, fields, GO_BENCH_FIELDS);
    return n == 1 || go_bench_result(r, fields, n); /* a name alone precedes log lines */
}

bool go_bench_read(FILE *f, const char *name, struct go_bench *out, char *err)
{
    struct go_bench_reader r = {.file = name, .err = err, .out = out};
    char *line = NULL;
    size_t cap = 0;
    bool ok = true;
    memset(out, 0, sizeof *out);
    while (ok && getline(&line, &cap, f) >= 0) {
        r.line++;
        line[strcspn(line, "\r\n")] = '\0';
        ok = go_bench_line(&r, line);
    }
    free(line);
    if (ok && ferror(f))
        ok = go_bench_fail(&r, "read error");
    if (ok && out->count == 0)
        ok = go_bench_fail(&r, "no benchmark result lines (Benchmark... N X ns/op)");
    if (!ok)
        go_bench_free(out);
    return ok;
}

void go_bench_free(struct go_bench *b)
{
    for (size_t i = 0; i < b->count; i++)
        free(b->series[i].samples);
    free(b->series);
    memset(b, 0, sizeof *b);
}
