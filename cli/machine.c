/*
 * machine.c: the machine row of a run (see machine.h).
 */
#include "cli/machine.h"

#include <stdio.h>
#include <stdlib.h>

bool cli_machine_record(struct store *s, const struct topo *t, const struct environment *env,
                        int64_t *machine_id, char *err)
{
    struct topo_summary summary;
    topo_summarize(t, &summary);
    struct store_machine m = {.packages = summary.packages, .numa_nodes = summary.numa_nodes,
                              .cores = summary.cores, .pus = summary.pus,
                              .cache_levels = summary.cache_levels};
    topo_fingerprint(t, m.fingerprint);
    snprintf(m.hostname, sizeof m.hostname, "%s", env->hostname);
    snprintf(m.cpu_model, sizeof m.cpu_model, "%s", summary.cpu_model);
    snprintf(m.kernel, sizeof m.kernel, "%s", env->kernel);
    for (int i = 0; i < 4; i++)
        m.cache_bytes[i] = summary.cache_bytes[i];
    char *xml = topo_export_xml(t);
    m.topology_xml = xml;
    bool ok = store_machine_upsert(s, &m, machine_id, err);
    free(xml);
    return ok;
}
