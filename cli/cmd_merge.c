/*
 * cmd_merge.c: `mapbench merge SRC.db... --into DST.db`: one database from a fleet's, each host's
 * results.db merged into DST (created when missing, and removed again when the merge is refused)
 * by store_merge (store/store_merge.c, which states the rules).  Prints what each source added; exit status 0, 1 when a file could not be
 * read or written, 2 for bad input: a missing or foreign source or destination, or a conflict.
 */
#include "cli/commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "store/store.h"

static const char merge_usage[] =
    "usage: mapbench merge SRC.db... --into DST.db\n"
    "  copies every finished run of each SRC, with its machine, cases, samples and histograms, into\n"
    "  DST (created when missing); runs already in DST (by UUID) are skipped, so merging again adds\n"
    "  nothing.  Sources are never changed.  A conflict changes nothing and exits 2.\n";

static void merge_print(const char *source, const struct store_merge_counts *n)
{
    printf("%s: %lld run%s added", source, (long long)n->runs, n->runs == 1 ? "" : "s");
    if (n->runs_present)
        printf(", %lld already there", (long long)n->runs_present);
    if (n->runs_unfinished)
        printf(", %lld still running (left out until it ends)", (long long)n->runs_unfinished);
    printf("; %lld machine%s, %lld cases, %lld samples, %lld histograms", (long long)n->machines,
           n->machines == 1 ? "" : "s", (long long)n->cases, (long long)n->samples,
           (long long)n->histograms);
    if (n->other_rows)
        printf(", %lld other rows", (long long)n->other_rows);
    printf("\n");
}

int cmd_merge(int argc, char **argv)
{
    const char *into = NULL;
    const char **sources = xcalloc((size_t)argc, sizeof *sources);
    size_t count = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(merge_usage, stdout);
            free(sources);
            return 0;
        } else if (strcmp(argv[i], "--into") == 0 && i + 1 < argc && !into) {
            into = argv[++i];
        } else if (argv[i][0] != '-') {
            sources[count++] = argv[i];
        } else {
            fprintf(stderr, "mapbench: merge: unexpected argument '%s'\n%s", argv[i], merge_usage);
            free(sources);
            return 2;
        }
    }
    if (!into || count == 0) {
        fprintf(stderr, "mapbench: merge: %s\n%s", into ? "name at least one SRC.db" : "say --into DST.db",
                merge_usage);
        free(sources);
        return 2;
    }
    char err[ERR_LEN];
    bool created = access(into, F_OK) != 0;
    if (!created && !store_probe(into, err)) { /* refused before anything is written */
        fprintf(stderr, "mapbench: merge: %s\n", err);
        free(sources);
        return 2;
    }
    struct store *dst = store_open(into, err);
    if (!dst) {
        fprintf(stderr, "mapbench: merge: %s\n", err);
        free(sources);
        return 1;
    }
    struct store_merge_counts *counts = xcalloc(count, sizeof *counts);
    enum store_merge_status status = store_merge(dst, sources, count, counts, err);
    if (status == STORE_MERGE_DONE)
        for (size_t i = 0; i < count; i++)
            merge_print(sources[i], &counts[i]);
    else
        fprintf(stderr, "mapbench: merge: %s (nothing merged)\n", err);
    store_close(dst);
    if (created && status != STORE_MERGE_DONE)
        store_file_remove(into); /* a refused merge leaves no empty database behind */
    free(counts);
    free(sources);
    return status == STORE_MERGE_DONE ? 0 : status == STORE_MERGE_FAILED ? 1 : 2;
}
