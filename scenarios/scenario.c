/*
 * scenario.c: the scenario parser (libinih) and the expander (see scenario.h for the format).
 *
 * Built around the table of case dimensions (case_dims.c): a key is a row's name (or alias), its
 * values are parsed by the row's parser and written into a bench_case by the row's type.  A
 * section keeps one value list per row; defaults are the rows' text run through the same parsers,
 * --set goes through the same path as a file line, and the expander walks the table as an
 * odometer (the last row fastest), so this file names no dimension.
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
#include "scenarios/case_dims.h"

#define ITEM_LEN 256    /* one list item */
#define NAME_LEN 32     /* scenario and case names: "name/case" fits CASE_TEXT */

/* One dimension's list of values in a section, and the key that set it (duration and ops are
 * the two keys of the window). */
struct dim_list {
    struct case_dim_value *values;
    size_t count;
    const char *key;
};

struct scenario_group {
    char name[NAME_LEN];
    struct dim_list dims[CASE_DIM_MAX]; /* indexed like case_dims[] */
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
    double budget_s;            /* the `budget` key: the preset's time budget; 0 when none */
    struct backend_entry *backends;
    size_t backend_count;
    struct option_sweep *options;
    size_t option_count;
    struct scenario_group *groups; /* [0] is [scenario]; the rest are [case NAME] sections */
    size_t group_count;
};

static void scenario_err_set(char *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Writes a one-line error into a caller's ERR_LEN buffer, truncating if need be. */
static void scenario_err_set(char *err, const char *fmt, ...)
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

/* ---- lists ------------------------------------------------------------------------------- */

typedef bool (*item_fn)(const char *item, void *arg, char *why);

/* Calls fn for each comma-separated item, whitespace trimmed.  An empty item is an error, a
 * trailing comma's too: a file line's trailing comma is taken off by the parser when an indented
 * line continues the list (see scenario_line_continues). */
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
        if (len == 0)
            return case_why(why, "empty value in list '%.80s'", value);
        if (len >= sizeof item)
            return case_why(why, "value longer than %zu characters", sizeof item - 1);
        memcpy(item, start, len);
        item[len] = '\0';
        if (!fn(item, arg, why))
            return false;
        p += raw;
        if (!*p)
            return true;
    }
}

static void scenario_list_clear(struct dim_list *l)
{
    free(l->values);
    *l = (struct dim_list){0};
}

static void scenario_list_push(struct dim_list *l, const struct case_dim_value *v)
{
    l->values = grow(l->values, l->count, sizeof *l->values);
    l->values[l->count++] = *v;
}

struct scenario_items {
    const struct case_dim *dim;
    struct dim_list *list;
};

static bool scenario_item_parse(const char *item, void *arg, char *why)
{
    struct scenario_items *p = arg;
    struct case_dim_value v;
    if (!case_dim_parse(p->dim, p->list->key, item, &v, why))
        return false;
    scenario_list_push(p->list, &v);
    return true;
}

/* Parses a value list of `key`, one of d's keys (the table's own string: keys are compared by
 * address). */
static bool scenario_list_parse(const struct case_dim *d, const char *key, const char *value,
                       struct dim_list *out, char *why)
{
    struct scenario_items p = {d, out};
    *out = (struct dim_list){.key = key};
    if (each_item(value, scenario_item_parse, &p, why))
        return true;
    scenario_list_clear(out);
    return false;
}

/* The dimension a key sets and the table's string of that key; NULL when it is no dimension. */
static const struct case_dim *scenario_dim_find(const char *key, const char **canonical)
{
    bool alias;
    const struct case_dim *d = case_dim_find(key, &alias);
    if (d)
        *canonical = alias ? d->alias : d->name;
    return d;
}

/* Sets a dimension in a group: appends (a repeated key) or replaces (--set). */
static bool scenario_dim_set(struct scenario_group *g, const char *key, const char *value,
                          bool replace, char *why)
{
    const char *canonical = key;
    const struct case_dim *d = scenario_dim_find(key, &canonical);
    struct dim_list parsed, *l = &g->dims[case_dim_index(d)];
    if (!scenario_list_parse(d, canonical, value, &parsed, why))
        return false;
    if (!replace && l->key && l->key != canonical) {
        scenario_list_clear(&parsed);
        return case_why(why, "set either %s or %s in one section, not both", d->name,
                                d->alias);
    }
    if (replace)
        scenario_list_clear(l);
    for (size_t i = 0; i < parsed.count; i++)
        scenario_list_push(l, &parsed.values[i]);
    l->key = canonical;
    scenario_list_clear(&parsed);
    return true;
}

/* ---- backends and options ---------------------------------------------------------------- */

static bool add_backend(struct scenario *s, const char *spec, char *why)
{
    struct map_spec parsed;
    const struct map_backend *backend;
    char err[ERR_LEN];
    if (!map_spec_parse(spec, &parsed, &backend, err))
        return case_why(why, "%.190s", err);
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
            return case_why(why, "option '%s' follows no backend spec", item);
        if (used + strlen(item) + 2 > sizeof t->pending)
            return case_why(why, "backend spec '%.60s...' is too long", t->pending);
        t->pending[used] = ',';
        strcpy(t->pending + used + 1, item);
        return true;
    }
    if (!flush_backend(t, why))
        return false;
    if (strcmp(item, "all") == 0)
        return add_all_backends(t->s, why);
    if (strlen(item) >= sizeof t->pending)
        return case_why(why, "backend spec '%.60s...' is too long", item);
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
        return case_why(why, "'%.80s' is not an option value", item);
    o->values = grow(o->values, o->count, sizeof o->values[0]);
    snprintf(o->values[o->count++], sizeof o->values[0], "%s", item);
    return true;
}

static bool set_option(struct scenario *s, const char *key, const char *value, bool replace,
                       char *why)
{
    if (!option_known(key))
        return case_why(why, "no registered backend has option '%s'", key);
    if (strlen(key) >= sizeof s->options[0].key)
        return case_why(why, "option name too long");
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

/* `budget = 60s`: one positive duration, in the syntax of the window's `duration`. */
static bool scenario_budget_parse(const char *value, double *seconds, char *why)
{
    struct case_dim_value v;
    if (!case_dim_parse(case_dim_find("duration", NULL), "duration", value, &v, why))
        return false;
    *seconds = v.number;
    return true;
}

static bool set_header_key(struct scenario *s, const char *key, const char *value, bool replace,
                           char *why)
{
    if (strcmp(key, "name") == 0) {
        if (!valid_name(value))
            return case_why(why, "'%.80s' is not a name (1..%d letters, digits, '_', '.', '-')",
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
    if (strcmp(key, "budget") == 0) /* a duration, written and parsed as the window's */
        return scenario_budget_parse(value, &s->budget_s, why);
    return replace ? replace_backends(s, value, why) : parse_backends(s, value, why);
}

static bool is_header_key(const char *key)
{
    return !strcmp(key, "name") || !strcmp(key, "description") || !strcmp(key, "backends") ||
           !strcmp(key, "budget");
}

static struct scenario_group *find_group(struct scenario *s, const char *name, char *why)
{
    for (size_t i = 1; i < s->group_count; i++)
        if (strcmp(s->groups[i].name, name) == 0)
            return &s->groups[i];
    if (!valid_name(name)) {
        case_why(why, "'[case %.80s]' is not a case name (1..%d letters, digits, '_', '.', '-')",
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
    bool k = case_dim_find(key, NULL) != NULL;
    if (strcmp(section, "scenario") == 0) {
        if (is_header_key(key))
            return set_header_key(s, key, value, false, why);
        return k ? scenario_dim_set(&s->groups[0], key, value, false, why)
                 : case_why(why, "unknown key in [scenario]");
    }
    if (strcmp(section, "options") == 0)
        return set_option(s, key, value, false, why);
    if (strncmp(section, "case ", 5) == 0) {
        struct scenario_group *g = find_group(s, section + 5, why);
        if (!g)
            return false;
        return k ? scenario_dim_set(g, key, value, false, why)
                 : case_why(why, "unknown key in [%.60s] (a case section takes dimensions only)",
                        section);
    }
    if (!section[0])
        return case_why(why, "key outside any section (start the file with [scenario])");
    return case_why(why, "unknown section [%.60s] (valid: [scenario], [options], [case NAME])",
                section);
}

/* ---- loading ----------------------------------------------------------------------------- */

struct parse_ctx {
    struct scenario *s;
    FILE *file;
    int line;                   /* lines read so far */
    bool indented;              /* the line read last starts with a blank: inih continues a key */
    int err_line;               /* line of err, once set */
    char err[ERR_LEN];
    int scenario_keys;          /* keys given in [scenario] */
    int dangling_line;          /* a list that ended in a comma on this line awaits its */
    char dangling_section[64];  /* continuation; 0 when none */
    char dangling_key[64];
};

static void parse_error_at(struct parse_ctx *ctx, int line, const char *key, const char *why)
{
    int room = (int)(ERR_LEN - strlen(why)) - 40;
    ctx->err_line = line;
    if (key)
        snprintf(ctx->err, sizeof ctx->err, "%.*s:%d: key '%.30s': %s", room > 0 ? room : 0,
                 ctx->s->path, line, key, why);
    else
        snprintf(ctx->err, sizeof ctx->err, "%.*s:%d: %s", room > 0 ? room : 0, ctx->s->path,
                 line, why);
}

static void parse_error(struct parse_ctx *ctx, const char *key, const char *why)
{
    parse_error_at(ctx, ctx->line, key, why);
}

/* fgets for inih that counts lines and refuses lines longer than inih's buffer. */
static char *read_line(char *str, int num, void *stream)
{
    struct parse_ctx *ctx = stream;
    if (ctx->err[0] || !fgets(str, num, ctx->file))
        return NULL;
    ctx->line++;
    ctx->indented = str[0] == ' ' || str[0] == '\t';
    size_t len = strlen(str);
    if (len == (size_t)num - 1 && str[len - 1] != '\n') {
        int c = getc(ctx->file);
        if (c != EOF) {
            char why[CASE_WHY_LEN];
            snprintf(why, sizeof why, "line is longer than %d characters", num - 3);
            parse_error(ctx, NULL, why);
            return NULL;
        }
    }
    return str;
}

/* A list that ended in a comma must go on on the next, indented, line of the same key (inih
 * hands that line over as the same key again); anything else leaves an empty last item, which is
 * refused at the line of the comma.  section and name NULL: the end of the file. */
static bool scenario_line_continues(struct parse_ctx *ctx, const char *section, const char *name)
{
    if (!ctx->dangling_line)
        return true;
    bool continued = section && ctx->indented && strcmp(section, ctx->dangling_section) == 0 &&
                     strcmp(name, ctx->dangling_key) == 0;
    if (!continued) {
        char why[CASE_WHY_LEN];
        case_why(why, "the list ends with an empty item (a trailing comma that no indented line "
                      "continues)");
        parse_error_at(ctx, ctx->dangling_line, ctx->dangling_key, why);
    }
    ctx->dangling_line = 0;
    return continued;
}

static int handle_pair(void *user, const char *section, const char *name, const char *value)
{
    struct parse_ctx *ctx = user;
    char why[CASE_WHY_LEN], items[INI_MAX_LINE];
    if (ctx->err[0] || !scenario_line_continues(ctx, section, name))
        return 0;
    size_t len = strlen(value);
    snprintf(items, sizeof items, "%s", value);
    if (len > 1 && value[len - 1] == ',') { /* "1, 2," : the list goes on below, or is refused */
        items[len - 1] = '\0';
        ctx->dangling_line = ctx->line;
        snprintf(ctx->dangling_section, sizeof ctx->dangling_section, "%s", section);
        snprintf(ctx->dangling_key, sizeof ctx->dangling_key, "%s", name);
    }
    ctx->scenario_keys += strcmp(section, "scenario") == 0;
    if (!set_file_key(ctx->s, section, name, items, why)) {
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
        scenario_err_set(err, "%.200s: cannot open: %s", s->path, strerror(errno));
        return false;
    }
    int rc = ini_parse_stream(read_line, &ctx, handle_pair, &ctx);
    fclose(ctx.file);
    if (rc == 0 && !ctx.err[0])
        scenario_line_continues(&ctx, NULL, NULL);
    if (rc == 0 && !ctx.err[0] && ctx.scenario_keys == 0 && s->group_count == 1)
        snprintf(ctx.err, sizeof ctx.err, "%.160s: nothing to run: no key in [scenario] and no "
                 "[case NAME] section", s->path);
    if (rc > 0 && (!ctx.err[0] || rc < ctx.err_line)) { /* inih's syntax error came first */
        ctx.line = rc;
        parse_error(&ctx, NULL, "not a 'key = value' line or a '[section]' header");
    }
    if (!ctx.err[0] && rc < 0)
        snprintf(ctx.err, sizeof ctx.err, "%.200s: cannot read", s->path);
    scenario_err_set(err, "%s", ctx.err);
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
        scenario_err_set(err, "MAPBENCH_SCENARIOS=%.180s is not a directory", env);
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
    scenario_err_set(err, "no scenario directory: set MAPBENCH_SCENARIOS, or run "
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
        scenario_err_set(err, "'%.80s' is not a preset name", preset_or_path);
        return false;
    }
    if (!scenario_find_directory(dir, sizeof dir, err))
        return false;
    snprintf(s->path, sizeof s->path, "%s/%s.ini", dir, preset_or_path);
    if (access(s->path, F_OK) == 0)
        return true;
    scenario_err_set(err, "no preset '%s' in %.160s (mapbench list scenarios)",
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
        char why[CASE_WHY_LEN];
        ok = add_all_backends(s, why);
        if (!ok)
            scenario_err_set(err, "%.200s: %s", s->path, why);
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
        for (size_t d = 0; d < case_dim_count; d++)
            scenario_list_clear(&s->groups[g].dims[d]);
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

double scenario_budget_seconds(const struct scenario *s)
{
    return s->budget_s;
}

const char *scenario_path(const struct scenario *s)
{
    return s->path;
}

/* ---- overrides --------------------------------------------------------------------------- */

static bool set_override(struct scenario *s, const char *key, const char *value, char *why)
{
    const struct case_dim *d = case_dim_find(key, NULL);
    if (is_header_key(key))
        return set_header_key(s, key, value, true, why);
    if (d) {
        if (!scenario_dim_set(&s->groups[0], key, value, true, why))
            return false;
        for (size_t g = 1; g < s->group_count; g++)
            scenario_list_clear(&s->groups[g].dims[case_dim_index(d)]);
        return true;
    }
    if (strncmp(key, "options.", 8) == 0)
        return set_option(s, key + 8, value, true, why);
    if (option_known(key))
        return set_option(s, key, value, true, why);
    return case_why(why, "unknown key (not a [scenario] key, a dimension or a backend option)");
}

bool scenario_set(struct scenario *s, const char *key_equals_value, char *err)
{
    char key[64], why[CASE_WHY_LEN];
    const char *eq = strchr(key_equals_value, '=');
    size_t len = eq ? (size_t)(eq - key_equals_value) : 0;
    while (len && isspace((unsigned char)key_equals_value[len - 1]))
        len--;
    if (!eq || len == 0 || len >= sizeof key) {
        scenario_err_set(err, "--set: '%.80s' is not KEY=VALUE", key_equals_value);
        return false;
    }
    memcpy(key, key_equals_value, len);
    key[len] = '\0';
    const char *value = eq + 1 + strspn(eq + 1, " \t");
    if (!set_override(s, key, value, why)) {
        scenario_err_set(err, "--set: key '%s': %s", key, why);
        return false;
    }
    return true;
}

bool scenario_set_backends(struct scenario *s, const char *comma_list, char *err)
{
    char why[CASE_WHY_LEN];
    if (replace_backends(s, comma_list, why))
        return true;
    scenario_err_set(err, "--backends: %s", why);
    return false;
}

/* ---- expansion --------------------------------------------------------------------------- */

static uint64_t scenario_term_value(const struct case_term *t, const struct scenario_machine *m)
{
    uint64_t unit = t->unit == CASE_UNIT_CORES ? (uint64_t)m->cores
                    : t->unit == CASE_UNIT_PUS ? (uint64_t)m->pus
                                               : 1;
    return t->n * unit;
}

static void scenario_list_push_count(struct dim_list *l, uint64_t count)
{
    struct case_dim_value v = {.kind = CASE_COUNT_TERM, .count = count};
    scenario_list_push(l, &v);
}

/* keys=auto: ½, 1 and 2 times each cache level's capacity in keys, then 8 times the last. */
static bool scenario_list_push_auto(struct dim_list *l, const struct scenario_machine *m, char *why)
{
    if (m->cache_levels < 1 || m->cache_levels > 4 || !(m->table_bytes_per_key > 0))
        return case_why(why, "auto needs the machine's cache sizes and the table's bytes per key");
    double capacity = 0;
    for (int i = 0; i < m->cache_levels; i++) {
        capacity = (double)m->cache_bytes[i] / m->table_bytes_per_key;
        for (double f = 0.5; f <= 2; f *= 2)
            scenario_list_push_count(l, (uint64_t)fmax(1, llround(capacity * f)));
    }
    scenario_list_push_count(l, (uint64_t)fmax(1, llround(capacity * 8)));
    return true;
}

static bool scenario_list_push_range(struct dim_list *l, const struct case_dim_value *v,
                       const struct scenario_machine *m, char *why)
{
    uint64_t lo = scenario_term_value(&v->lo, m), hi = scenario_term_value(&v->hi, m);
    char a[48], b[48];
    if (lo > hi) {
        case_term_text(&v->lo, a, sizeof a);
        case_term_text(&v->hi, b, sizeof b);
        return case_why(why, "range %s..%s is empty here (%llu > %llu)", a, b,
                    (unsigned long long)lo, (unsigned long long)hi);
    }
    for (uint64_t x = lo; x < hi; x = x > hi / v->ratio ? hi : x * v->ratio)
        scenario_list_push_count(l, x);
    scenario_list_push_count(l, hi);
    return true;
}

/* qsort order of resolved counts. */
static int scenario_counts_order(const void *a, const void *b)
{
    uint64_t x = ((const struct case_dim_value *)a)->count;
    uint64_t y = ((const struct case_dim_value *)b)->count;
    return (x > y) - (x < y);
}

/* A machine count (threads, keys): every item made a number for this machine, sorted,
 * duplicates dropped, at most the row's max. */
static bool scenario_counts_resolve(const struct case_dim *d, const struct dim_list *in,
                           const struct scenario_machine *m, struct dim_list *out, char *why)
{
    *out = (struct dim_list){.key = in->key};
    for (size_t i = 0; i < in->count; i++) {
        const struct case_dim_value *v = &in->values[i];
        bool ok = v->kind == CASE_COUNT_AUTO    ? scenario_list_push_auto(out, m, why)
                  : v->kind == CASE_COUNT_RANGE ? scenario_list_push_range(out, v, m, why)
                                                : (scenario_list_push_count(out, scenario_term_value(&v->lo, m)), true);
        if (!ok)
            return false;
    }
    qsort(out->values, out->count, sizeof *out->values, scenario_counts_order);
    size_t kept = 0;
    for (size_t i = 0; i < out->count; i++)
        if (kept == 0 || out->values[i].count != out->values[kept - 1].count)
            out->values[kept++] = out->values[i];
    out->count = kept;
    if (kept && out->values[kept - 1].count > d->max)
        return case_why(why, "%llu %s is more than %llu",
                                (unsigned long long)out->values[kept - 1].count, d->name,
                                (unsigned long long)d->max);
    return true;
}

/* The lists a group expands over, indexed like case_dims[]: its own, else [scenario]'s, else the
 * default; machine counts resolved.  Rows that are no scenario key get an empty list. */
static bool scenario_group_resolve(const struct scenario *s, size_t g, const struct scenario_machine *m,
                          struct dim_list *dims, char *err)
{
    char why[CASE_WHY_LEN];
    bool ok = true;
    for (size_t d = 0; d < case_dim_count; d++) {
        const struct case_dim *dim = &case_dims[d];
        const struct dim_list *own = &s->groups[g].dims[d], *base = &s->groups[0].dims[d];
        struct dim_list fallback = {0}, *l = &fallback;
        dims[d] = (struct dim_list){0};
        if (dim->flags & CASE_DIM_NO_KEY)
            continue;
        if (own->count || base->count)
            l = (struct dim_list *)(own->count ? own : base);
        else
            scenario_list_parse(dim, dim->name, dim->default_text, &fallback, why);
        dims[d].key = l->key;
        if (ok && dim->type->machine_count) {
            ok = scenario_counts_resolve(dim, l, m, &dims[d], why);
            if (!ok)
                scenario_err_set(err, "%.160s: key '%s': %s", s->path, l->key, why);
        } else {
            for (size_t i = 0; i < l->count; i++)
                scenario_list_push(&dims[d], &l->values[i]);
        }
        scenario_list_clear(&fallback);
    }
    return ok;
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
    if (traits->concurrency == MAP_CONCURRENCY_NONE && case_writes(c) && c->threads > 1 &&
        !c->misuse_demo)
        snprintf(r, len, "backend '%s' allows no writer beside other threads: %d threads with "
                         "%g%% writes%s (misuse_demo=1 runs it anyway)",
                 b->name, c->threads, 100 - c->read_pct,
                 c->read_pct < 100 ? "" : " and a loop that writes");
    else if (traits->concurrency == MAP_CONCURRENCY_NO_DELETE && case_deletes(c) &&
             c->threads > 1)
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

static bool scenario_backend_expand(const struct scenario *s, size_t g, const struct backend_entry *e,
                           const struct dim_list *dims, const struct scenario_machine *m,
                           struct case_array *out, char *err)
{
    const struct option_sweep *opts[MAP_MAX_OPTIONS];
    size_t n = applicable_options(s, e, opts), oidx[MAP_MAX_OPTIONS] = {0}, osize[MAP_MAX_OPTIONS];
    size_t sizes[CASE_DIM_MAX], idx[CASE_DIM_MAX] = {0};
    for (size_t i = 0; i < n; i++)
        osize[i] = opts[i]->count;
    for (size_t d = 0; d < case_dim_count; d++)
        sizes[d] = dims[d].count ? dims[d].count : 1; /* rows that are no key: one, unset */
    do {
        struct bench_case base;
        memset(&base, 0, sizeof base);
        if (!build_spec(e, opts, oidx, n, base.backend, sizeof base.backend)) {
            scenario_err_set(err, "%.160s: backend spec '%.40s' with its options is "
                                            "too long", s->path, e->spec);
            return false;
        }
        snprintf(base.backend_name, sizeof base.backend_name, "%s", e->backend->name);
        struct map_traits traits;
        char why[ERR_LEN];
        if (!map_traits_of(base.backend, &traits, why)) {
            scenario_err_set(err, "%.160s: %.80s", s->path, why);
            return false;
        }
        base.role = traits.role;
        if (g == 0)
            snprintf(base.scenario, sizeof base.scenario, "%s", s->name);
        else
            snprintf(base.scenario, sizeof base.scenario, "%s/%s", s->name, s->groups[g].name);
        do {
            if (out->count == out->capacity) {
                scenario_err_set(err, "%.160s: expands to more cases than counted",
                         s->path);
                return false;
            }
            struct bench_case *c = &out->cases[out->count++];
            memcpy(c, &base, sizeof *c); /* padding too: equal scenarios give equal bytes */
            for (size_t d = 0; d < case_dim_count; d++)
                if (dims[d].count)
                    case_dims[d].type->apply(&case_dims[d], c, &dims[d].values[idx[d]]);
            check_skip(c, e->backend, &traits, m);
        } while (odometer_next(idx, sizes, case_dim_count));
    } while (odometer_next(oidx, osize, n));
    return true;
}

/* Cases one group gives, or SIZE_MAX past SCENARIO_MAX_CASES. */
static size_t scenario_group_count(const struct scenario *s, const struct dim_list *dims)
{
    size_t product = 1, total = 0;
    for (size_t d = 0; d < case_dim_count; d++)
        if (dims[d].count)
            product = product <= SCENARIO_MAX_CASES ? product * dims[d].count : SIZE_MAX;
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

static void scenario_dims_free(struct dim_list *dims)
{
    for (size_t d = 0; d < case_dim_count; d++)
        scenario_list_clear(&dims[d]);
}

static bool scenario_group_expand(const struct scenario *s, size_t g, const struct scenario_machine *m,
                         struct case_array *out, char *err)
{
    struct dim_list dims[CASE_DIM_MAX];
    bool ok = scenario_group_resolve(s, g, m, dims, err);
    size_t count = ok ? scenario_group_count(s, dims) : 0;
    if (ok && (count == SIZE_MAX || out->count + count > SCENARIO_MAX_CASES)) {
        scenario_err_set(err, "%.160s: expands to more than %d cases", s->path,
                 SCENARIO_MAX_CASES);
        ok = false;
    }
    if (ok) {
        out->capacity = out->count + count;
        out->cases = xreallocarray(out->cases, out->capacity, sizeof *out->cases);
    }
    for (size_t b = 0; ok && b < s->backend_count; b++)
        ok = scenario_backend_expand(s, g, &s->backends[b], dims, m, out, err);
    scenario_dims_free(dims);
    return ok;
}

bool scenario_expand(const struct scenario *s, const struct scenario_machine *m,
                     struct bench_case **cases, size_t *count, char *err)
{
    struct case_array out = {0};
    bool ok = true;
    for (size_t g = s->group_count > 1 ? 1 : 0; ok && g < s->group_count; g++)
        ok = scenario_group_expand(s, g, m, &out, err);
    if (!ok) {
        free(out.cases);
        return false;
    }
    *cases = out.cases ? out.cases : xcalloc(1, sizeof **cases);
    *count = out.count;
    return true;
}

double scenario_estimate_window_seconds(const struct bench_case *c)
{
    if (c->skipped)
        return 0;
    double window = c->ops ? (double)c->ops * SCENARIO_SECONDS_PER_OP : c->duration_s;
    return SCENARIO_SETUP_SECONDS + window + c->warmup_s +
           (double)c->keys * SCENARIO_PREFILL_SECONDS_PER_KEY;
}

double scenario_estimate_seconds(const struct bench_case *cases, size_t count)
{
    double total = 0;
    for (size_t i = 0; i < count; i++)
        total += cases[i].repetitions * scenario_estimate_window_seconds(&cases[i]);
    return total > 0 ? total + SCENARIO_CALIBRATION_SECONDS : 0;
}

/* ---- presets ----------------------------------------------------------------------------- */

/* qsort order of preset names. */
static int scenario_names_order(const void *a, const void *b)
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
        scenario_err_set(err, "%.200s: cannot list: %s", dir, strerror(errno));
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
    qsort(*names, count, sizeof **names, scenario_names_order);
    return count;
}

void scenario_free_presets(char **names, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
}
