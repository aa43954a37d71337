/*
 * options.c: backend specs of the form `name:key=value,...`.  Parsing checks the backend exists and
 * every key is one the backend declares, so a typo is an error naming it and listing what is
 * valid, never an option silently ignored.  Values are checked by the backend at create through
 * map_spec_option_u64 / map_spec_option_choice, which word their errors the same way.
 */
#include "map.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void list_backends(char *out, size_t len)
{
    size_t count, used = 0;
    const struct map_backend *const *all = map_registry_list(&count);
    out[0] = '\0';
    for (size_t i = 0; i < count && used < len; i++)
        used += (size_t)snprintf(out + used, len - used, "%s%s", i ? ", " : "", all[i]->name);
}

static void list_options(const struct map_backend *backend, char *out, size_t len)
{
    size_t used = 0;
    out[0] = '\0';
    for (const struct map_option_def *d = backend->options; d && d->key && used < len; d++)
        used += (size_t)snprintf(out + used, len - used, "%s%s", used ? ", " : "", d->key);
    if (!out[0])
        snprintf(out, len, "none");
}

static const struct map_option_def *find_option(const struct map_backend *backend, const char *key)
{
    for (const struct map_option_def *d = backend->options; d && d->key; d++)
        if (strcmp(d->key, key) == 0)
            return d;
    return NULL;
}

/* Splits "k=v,k=v" in place into spec->options. */
static bool split_options(char *text, struct map_spec *spec, const struct map_backend *backend,
                          char *err)
{
    char valid[160];
    char *save = NULL;
    for (char *item = strtok_r(text, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');
        if (!eq || eq == item || !eq[1]) {
            snprintf(err, ERR_LEN, "backend '%s': option '%s' is not key=value",
                     backend->name, item);
            return false;
        }
        *eq = '\0';
        if (!find_option(backend, item)) {
            list_options(backend, valid, sizeof valid);
            snprintf(err, ERR_LEN, "backend '%s' has no option '%s' (valid: %s)",
                     backend->name, item, valid);
            return false;
        }
        if (spec->option_count == MAP_MAX_OPTIONS) {
            snprintf(err, ERR_LEN, "backend '%s': more than %d options", backend->name,
                     MAP_MAX_OPTIONS);
            return false;
        }
        spec->options[spec->option_count++] = (struct map_option){item, eq + 1};
    }
    return true;
}

bool map_spec_parse(const char *text, struct map_spec *spec, const struct map_backend **backend,
                    char *err)
{
    memset(spec, 0, sizeof *spec);
    if (strlen(text) >= sizeof spec->buffer) {
        snprintf(err, ERR_LEN, "backend spec is longer than %zu characters",
                 sizeof spec->buffer - 1);
        return false;
    }
    strcpy(spec->buffer, text);
    char *colon = strchr(spec->buffer, ':');
    if (colon)
        *colon = '\0';
    spec->name = spec->buffer;
    *backend = map_registry_find(spec->name);
    if (!*backend) {
        char valid[200];
        list_backends(valid, sizeof valid);
        snprintf(err, ERR_LEN, "unknown backend '%.40s' (valid: %s)", spec->name, valid);
        return false;
    }
    return colon ? split_options(colon + 1, spec, *backend, err) : true;
}

struct map *map_create_with_env(const char *text, struct map_env *env,
                                const struct map_backend **backend, char *err)
{
    struct map_spec spec;
    const struct map_backend *found;
    if (!map_spec_parse(text, &spec, &found, err))
        return NULL;
    if (backend)
        *backend = found;
    return found->create(&spec, env, err);
}

struct map *map_create_from_spec(const char *text, const struct map_backend **backend, char *err)
{
    return map_create_with_env(text, NULL, backend, err);
}

const char *map_spec_option(const struct map_spec *spec, const struct map_backend *backend,
                            const char *key)
{
    for (int i = spec->option_count - 1; i >= 0; i--)
        if (strcmp(spec->options[i].key, key) == 0)
            return spec->options[i].value;
    const struct map_option_def *d = find_option(backend, key);
    return d ? d->default_value : NULL;
}

bool map_spec_option_u64(const struct map_spec *spec, const struct map_backend *backend,
                         const char *key, uint64_t min, uint64_t max, uint64_t *out, char *err)
{
    const char *text = map_spec_option(spec, backend, key);
    char *end;
    errno = 0;
    unsigned long long v = text ? strtoull(text, &end, 10) : 0;
    if (!text || !*text || *end || errno || text[0] == '-' || v < min || v > max) {
        snprintf(err, ERR_LEN, "backend '%s': option %s=%.40s is not a number in %llu..%llu",
                 backend->name, key, text ? text : "", (unsigned long long)min,
                 (unsigned long long)max);
        return false;
    }
    *out = v;
    return true;
}

int map_spec_option_choice(const struct map_spec *spec, const struct map_backend *backend,
                           const char *key, const char *const *choices, char *err)
{
    const char *text = map_spec_option(spec, backend, key);
    char valid[120] = "";
    size_t used = 0;
    for (int i = 0; choices[i]; i++) {
        if (text && strcmp(text, choices[i]) == 0)
            return i;
        used += (size_t)snprintf(valid + used, sizeof valid - used, "%s%s", i ? "|" : "",
                                 choices[i]);
    }
    snprintf(err, ERR_LEN, "backend '%s': option %s=%.40s is not one of %s", backend->name,
             key, text ? text : "", valid);
    return -1;
}

static const char *const map_role_names[MAP_ROLE_COUNT] = {
    [MAP_ROLE_CONTENDER] = "contender",
    [MAP_ROLE_REFERENCE] = "reference",
    [MAP_ROLE_CEILING] = "ceiling",
    [MAP_ROLE_HARNESS] = "harness",
    [MAP_ROLE_EXTERNAL] = "external",
};

const char *map_role_name(enum map_role role)
{
    return (unsigned)role < MAP_ROLE_COUNT ? map_role_names[role] : "?";
}

bool map_role_parse(const char *name, enum map_role *out)
{
    for (int r = 0; r < MAP_ROLE_COUNT; r++)
        if (strcmp(name, map_role_names[r]) == 0) {
            *out = (enum map_role)r;
            return true;
        }
    return false;
}

void map_spec_traits(const struct map_spec *spec, const struct map_backend *backend,
                     struct map_traits *out)
{
    *out = (struct map_traits){.role = backend->role, .concurrency = backend->concurrency};
    if (backend->traits)
        backend->traits(spec, out);
}

bool map_traits_of(const char *spec_text, struct map_traits *out, char *err)
{
    struct map_spec spec;
    const struct map_backend *backend;
    if (!map_spec_parse(spec_text, &spec, &backend, err))
        return false;
    map_spec_traits(&spec, backend, out);
    return true;
}
