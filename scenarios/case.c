/*
 * case.c: a case built by hand (case_init, with the defaults of case_dims.c) and the text forms of
 * its enumerated dimensions.  These names are the words a scenario file uses (case_dims.c parses
 * by looking them up here), the words the store writes into its cases table and the words a report
 * prints, so one table per enum keeps all three in step.
 */
#include "scenarios/case.h"

#include <stdio.h>
#include <string.h>

#include "scenarios/case_dims.h"

static const char *const case_write_kind_names[] = {
    [CASE_WRITE_UPDATE] = "update",
    [CASE_WRITE_INSERT_DELETE] = "insert-delete",
    [CASE_WRITE_INSERT] = "insert",
    [CASE_WRITE_LOAD_OR_STORE] = "load-or-store",
    [CASE_WRITE_ADVERSARIAL_ALLOC] = "adversarial-alloc",
    [CASE_WRITE_ADVERSARIAL_DELETE] = "adversarial-delete",
};

static const char *const case_memory_names[] = {
    [CASE_MEMORY_FIRST_TOUCH] = "first-touch",
    [CASE_MEMORY_BIND] = "bind",
    [CASE_MEMORY_INTERLEAVE] = "interleave",
};

static const char *const case_hugepages_names[] = {
    [MAP_HUGEPAGES_DEFAULT] = "default",
    [MAP_HUGEPAGES_NEVER] = "never",
    [MAP_HUGEPAGES_ALWAYS] = "always",
};

#define CASE_COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

void case_init(struct bench_case *c, const char *scenario, const char *backend_spec)
{
    memset(c, 0, sizeof *c);
    case_dims_set_defaults(c);
    snprintf(c->scenario, sizeof c->scenario, "%s", scenario);
    snprintf(c->backend, sizeof c->backend, "%s", backend_spec);
    snprintf(c->backend_name, sizeof c->backend_name, "%.*s", (int)strcspn(backend_spec, ":"),
             backend_spec);
    struct map_traits traits;
    char err[ERR_LEN];
    if (map_traits_of(backend_spec, &traits, err))
        c->role = traits.role;
}

const char *case_write_kind_name(enum case_write_kind kind)
{
    return (unsigned)kind < CASE_COUNT_OF(case_write_kind_names) ? case_write_kind_names[kind]
                                                                 : "?";
}

bool case_writes(const struct bench_case *c)
{
    return c->read_pct < 100 || c->write_kind == CASE_WRITE_ADVERSARIAL_ALLOC ||
           c->write_kind == CASE_WRITE_ADVERSARIAL_DELETE;
}

bool case_deletes(const struct bench_case *c)
{
    if (c->write_kind == CASE_WRITE_ADVERSARIAL_DELETE)
        return true;
    return c->read_pct < 100 && c->write_kind != CASE_WRITE_ADVERSARIAL_ALLOC &&
           (c->write_kind == CASE_WRITE_INSERT_DELETE || c->delete_pct > 0);
}

const char *case_memory_name(enum case_memory memory)
{
    return (unsigned)memory < CASE_COUNT_OF(case_memory_names) ? case_memory_names[memory] : "?";
}

const char *case_hugepages_name(enum map_hugepages hugepages)
{
    return (unsigned)hugepages < CASE_COUNT_OF(case_hugepages_names)
               ? case_hugepages_names[hugepages]
               : "?";
}

/* "uniform", "zipf:0.99" or "hot:16": the same text a scenario file uses for the dimension. */
const char *case_distribution_text(const struct bench_case *c, char *buf, int len)
{
    switch (c->distribution) {
    case CASE_DIST_UNIFORM:
        snprintf(buf, (size_t)len, "uniform");
        break;
    case CASE_DIST_ZIPF:
        snprintf(buf, (size_t)len, "zipf:%g", c->zipf_theta);
        break;
    case CASE_DIST_HOT:
        snprintf(buf, (size_t)len, "hot:%llu", (unsigned long long)c->hot_keys);
        break;
    default:
        snprintf(buf, (size_t)len, "?");
    }
    return buf;
}
