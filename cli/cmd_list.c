/*
 * cmd_list.c: `mapbench list backends|scenarios|dimensions|runs [--db PATH]`.
 */
#include "cli/commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "maps/map.h"
#include "store/store.h"
#include "scenarios/case_dims.h"
#include "scenarios/scenario.h"

static const char list_usage[] = "usage: mapbench list backends|scenarios|dimensions|runs [--db PATH]\n";

static int list_backends(void)
{
    size_t count;
    const struct map_backend *const *all = map_registry_list(&count);
    for (size_t i = 0; i < count; i++) {
        printf("%-10s %s\n", all[i]->name, all[i]->summary);
        for (const struct map_option_def *d = all[i]->options; d && d->key; d++)
            printf("%-10s   %s=%s  %s\n", "", d->key, d->default_value, d->help);
    }
    return 0;
}

static int list_scenarios(void)
{
    char err[ERR_LEN], **names = NULL;
    size_t count = scenario_list_presets(&names, err);
    if (!names) {
        fprintf(stderr, "mapbench: %s\n", err);
        return 1;
    }
    for (size_t i = 0; i < count; i++) {
        printf("%s\n", names[i]);
        free(names[i]);
    }
    free(names);
    return 0;
}

/* The table of case dimensions: each scenario key with its default, whether it identifies a case
 * (compare and the report's history match cases on those), and its help; then the columns stored
 * with each case that no scenario key sets. */
static int list_dimensions(void)
{
    printf("%-22s %-12s %-9s %s\n", "key", "default", "identity", "values");
    for (int keyed = 1; keyed >= 0; keyed--) {
        if (!keyed)
            printf("\nstored with each case, set by no dimension key:\n");
        for (size_t i = 0; i < case_dim_count; i++) {
            const struct case_dim *d = &case_dims[i];
            char key[64];
            if ((d->flags & CASE_DIM_NO_KEY) == (keyed ? CASE_DIM_NO_KEY : 0))
                continue;
            snprintf(key, sizeof key, "%s%s%s", d->name, d->alias ? " | " : "", d->alias ? d->alias : "");
            printf("%-22s %-12s %-9s %s\n", key, d->default_text ? d->default_text : "-",
                   d->flags & CASE_DIM_IDENTIFIES ? "yes" : "no", d->help);
        }
    }
    return 0;
}

static int list_runs(const char *db)
{
    char err[ERR_LEN];
    struct store *s = store_open_existing(db, err);
    if (!s) {
        fprintf(stderr, "mapbench: %s\n", err);
        return 1;
    }
    int runs = store_list_runs(s, stdout, err);
    if (runs < 0)
        fprintf(stderr, "mapbench: %s\n", err);
    store_close(s);
    return runs < 0 ? 1 : 0;
}

int cmd_list(int argc, char **argv)
{
    const char *what = NULL, *db = "results.db";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(list_usage, stdout);
            return 0;
        } else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
            db = argv[++i];
        } else if (!what && argv[i][0] != '-') {
            what = argv[i];
        } else {
            fprintf(stderr, "mapbench: list: unexpected argument '%s'\n%s", argv[i], list_usage);
            return 2;
        }
    }
    if (what && strcmp(what, "backends") == 0)
        return list_backends();
    if (what && strcmp(what, "scenarios") == 0)
        return list_scenarios();
    if (what && strcmp(what, "dimensions") == 0)
        return list_dimensions();
    if (what && strcmp(what, "runs") == 0)
        return list_runs(db);
    fprintf(stderr, "mapbench: list: say backends, scenarios, dimensions or runs\n%s", list_usage);
    return 2;
}
