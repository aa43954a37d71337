/*
 * commands.h: the subcommands of `mapbench`, one function each; main.c parses only the global
 * options (--plugin) and dispatches.  Each returns the process exit status: 0 success, 1 a failure
 * while working, 2 bad input (130 for an interrupted run).
 */
#ifndef MAPBENCH_COMMANDS_H
#define MAPBENCH_COMMANDS_H

#include <stdatomic.h>

int cmd_list(int argc, char **argv);                               /* cli/cmd_list.c */
int cmd_topo(int argc, char **argv);                               /* cli/cmd_topo.c */
int cmd_run(int argc, char **argv, const atomic_bool *interrupt);  /* cli/cmd_run.c */
int cmd_report(int argc, char **argv);                             /* cli/cmd_report.c */
int cmd_compare(int argc, char **argv);                            /* cli/cmd_compare.c */
int cmd_merge(int argc, char **argv);                              /* cli/cmd_merge.c */
int cmd_import(int argc, char **argv);                             /* cli/cmd_import.c */
int cmd_go_check(int argc, char **argv);                           /* cli/cmd_go_check.c */

#endif
