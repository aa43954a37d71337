/*
 * cmd_topo.c: `mapbench topo`, which prints the machine (or a topology loaded from XML or a
 * synthetic description) and the plan a run would use for a thread count and placement, so a
 * placement can be checked before any time is spent measuring.  All the work is in topo.c; this
 * file only parses the command line.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "runner/topo.h"

#include "base/xalloc.h"

struct cmd_topo_args {
    const char *xml_path;
    const char *synthetic;
    const char *placement;
    int threads; /* 0: one per PU */
};

static int cmd_topo_usage(FILE *out)
{
    fprintf(out,
            "usage: mapbench topo [--topology FILE.xml | --synthetic DESC] [--threads N]\n"
            "                     [--placement P]\n"
            "Prints packages, NUMA nodes, caches, cores and PUs, then the thread plan.\n"
            "  --topology FILE.xml  a topology saved by `lstopo FILE.xml` (planning only)\n"
            "  --synthetic DESC     e.g. \"pack:2 [numa] l3:1 core:4 pu:2\" (planning only)\n"
            "  --threads N          workers to plan (default: one per PU)\n"
            "  --placement P        compact (default), scatter, cores, numa:N, pus:LIST, none;\n"
            "                       LIST is OS indexes joined by '+' or ',', ranges A-B allowed\n");
    return out == stdout ? 0 : 2;
}

static bool cmd_topo_parse_threads(const char *text, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < 1 || v > 65536)
        return false;
    *out = (int)v;
    return true;
}

/* Returns -1 when parsed, else the exit status to return (0 for --help). */
static int cmd_topo_parse(int argc, char **argv, struct cmd_topo_args *args)
{
    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i];
        if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0)
            return cmd_topo_usage(stdout);
        const char **target = strcmp(opt, "--topology") == 0    ? &args->xml_path
                              : strcmp(opt, "--synthetic") == 0 ? &args->synthetic
                              : strcmp(opt, "--placement") == 0 ? &args->placement
                              : NULL;
        if (!target && strcmp(opt, "--threads") != 0) {
            fprintf(stderr, "mapbench topo: unknown argument '%s' (see --help)\n", opt);
            return 2;
        }
        if (++i == argc) {
            fprintf(stderr, "mapbench topo: %s needs a value\n", opt);
            return 2;
        }
        if (target) {
            *target = argv[i];
        } else if (!cmd_topo_parse_threads(argv[i], &args->threads)) {
            fprintf(stderr, "mapbench topo: --threads '%s' is not a number from 1 to 65536\n",
                    argv[i]);
            return 2;
        }
    }
    return -1;
}

int cmd_topo(int argc, char **argv)
{
    struct cmd_topo_args args = {.placement = "compact"};
    int status = cmd_topo_parse(argc, argv, &args);
    if (status >= 0)
        return status;
    char err[ERR_LEN];
    struct topo *t = topo_open(args.xml_path, args.synthetic, err);
    if (!t) {
        fprintf(stderr, "mapbench topo: %s\n", err);
        return 2;
    }
    if (args.threads == 0) {
        struct topo_summary s;
        topo_summarize(t, &s);
        args.threads = s.pus;
    }
    int *pus = xmalloc((size_t)args.threads * sizeof *pus);
    bool over;
    if (!topo_plan_threads(t, args.threads, args.placement, pus, &over, err)) {
        fprintf(stderr, "mapbench topo: %s\n", err);
        status = 2;
    } else {
        topo_print(t, stdout);
        fputc('\n', stdout);
        topo_print_plan(t, args.threads, args.placement, stdout);
        status = 0;
    }
    free(pus);
    topo_close(t);
    return status;
}
