/*
 * main.c: the `mapbench` command: parses the subcommand and hands off to the module that does the
 * work.  Global mutable state lives only here and in the backend registry.
 */
#include <stdio.h>
#include <string.h>

#include "maps/map.h"

static int usage(FILE *out)
{
    fprintf(out, "usage: mapbench list backends [--plugin PATH.so]...\n");
    return out == stdout ? 0 : 2;
}

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

int main(int argc, char **argv)
{
    char err[MAP_ERR_LEN];
    int args = 0;
    const char *positional[8];
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return usage(stdout);
        if (strcmp(argv[i], "--plugin") == 0) {
            if (++i == argc) {
                fprintf(stderr, "mapbench: --plugin needs a PATH.so\n");
                return 2;
            }
            if (!map_plugin_load(argv[i], err)) {
                fprintf(stderr, "mapbench: %s\n", err);
                return 2;
            }
        } else if (args < 8) {
            positional[args++] = argv[i];
        }
    }
    if (args == 2 && strcmp(positional[0], "list") == 0 && strcmp(positional[1], "backends") == 0)
        return list_backends();
    if (args == 0)
        return usage(stderr);
    fprintf(stderr, "mapbench: unknown command '%s'\n", positional[0]);
    return usage(stderr);
}
