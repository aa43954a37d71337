/*
 * main.c: the `mapbench` command.  It loads plugins named anywhere before the subcommand's own
 * arguments (--plugin PATH.so, repeatable), installs the SIGINT/SIGTERM handler, and hands the rest
 * to the subcommand.  Global mutable state lives only here (the interrupt flag) and in the backend
 * registry.
 */
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "maps/map.h"
#include "cli/commands.h"

static atomic_bool interrupted;

static void on_signal(int signo)
{
    (void)signo;
    atomic_store(&interrupted, true);
}

static const char usage[] =
    "usage: mapbench [--plugin PATH.so]... COMMAND [ARGS]\n"
    "  list backends|scenarios|dimensions|runs [--db PATH]   what is available, what was run\n"
    "  topo [--topology FILE.xml | --synthetic DESC] [--threads N] [--placement P]\n"
    "  run [PRESET|FILE]... [--backends LIST] [--set KEY=VALUE]... [--db PATH] [--label TEXT]\n"
    "      [--dry-run] [--wait] [-- libbenchmark flags]\n"
    "  report [--db PATH] [--run ID|latest] [--runs ID,ID,...] [--baseline-backend NAME] [--out DIR]\n"
    "  compare --candidate RUN [--baseline RUN] [--db PATH] [--threshold PCT] [--markdown F]\n"
    "      [--junit F] ...   the regression gate: exit 1 when a case got slower\n"
    "  merge SRC.db... --into DST.db   one database from a fleet's: runs added once, by UUID\n"
    "  import go-bench FILE [--label TEXT] [--db PATH]   Go's benchmark output as a run\n"
    "  go-check [--db PATH] [--go RUN] [--ours RUN]   Go's orderings of its maps beside ours\n"
    "Each command takes --help.\n";

/* Removes every `--plugin PATH` pair from argv, loading each; false on the first bad one. */
static bool main_load_plugins(int *argc, char **argv)
{
    char err[ERR_LEN];
    int kept = 1;
    for (int i = 1; i < *argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            while (i < *argc)
                argv[kept++] = argv[i++];
            break;
        }
        if (strcmp(argv[i], "--plugin") != 0) {
            argv[kept++] = argv[i];
            continue;
        }
        if (i + 1 == *argc) {
            fprintf(stderr, "mapbench: --plugin needs a PATH.so\n");
            return false;
        }
        if (!map_plugin_load(argv[++i], err)) {
            fprintf(stderr, "mapbench: %s\n", err);
            return false;
        }
    }
    *argc = kept;
    argv[kept] = NULL;
    return true;
}

int main(int argc, char **argv)
{
    if (!main_load_plugins(&argc, argv))
        return 2;
    if (argc < 2) {
        fputs(usage, stderr);
        return 2;
    }
    const char *command = argv[1];
    if (strcmp(command, "--help") == 0 || strcmp(command, "-h") == 0 ||
        strcmp(command, "help") == 0) {
        fputs(usage, stdout);
        return 0;
    }
    if (strcmp(command, "list") == 0)
        return cmd_list(argc - 1, argv + 1);
    if (strcmp(command, "topo") == 0)
        return cmd_topo(argc - 1, argv + 1);
    if (strcmp(command, "report") == 0)
        return cmd_report(argc - 1, argv + 1);
    if (strcmp(command, "compare") == 0)
        return cmd_compare(argc - 1, argv + 1);
    if (strcmp(command, "merge") == 0)
        return cmd_merge(argc - 1, argv + 1);
    if (strcmp(command, "import") == 0)
        return cmd_import(argc - 1, argv + 1);
    if (strcmp(command, "go-check") == 0)
        return cmd_go_check(argc - 1, argv + 1);
    if (strcmp(command, "run") == 0) {
        struct sigaction sa = {.sa_handler = on_signal};
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        return cmd_run(argc - 1, argv + 1, &interrupted);
    }
    fprintf(stderr, "mapbench: unknown command '%s'\n%s", command, usage);
    return 2;
}
