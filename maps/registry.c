/*
 * registry.c: the list of backends, built-in and loaded from plugins.  This and main.c are the only
 * places with global mutable state: plugins are appended at start-up, before any thread runs.
 *
 * A plugin is a shared object exporting MAP_PLUGIN_SYMBOL (a const struct map_backend).  Loading
 * checks the symbol exists, the ABI version matches and the vtable is complete, so a wrong file is
 * a one-line error rather than a crash on first use.
 */
#include "map.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

extern const struct map_backend map_backend_null;
extern const struct map_backend map_backend_plain;
extern const struct map_backend map_backend_mutex;
extern const struct map_backend map_backend_rwlock;
extern const struct map_backend map_backend_striped;
extern const struct map_backend map_backend_rcu;
extern const struct map_backend map_backend_cow;
extern const struct map_backend map_backend_syncmap;
extern const struct map_backend map_backend_ref_lfht;
extern const struct map_backend map_backend_ref_ckht;
extern const struct map_backend map_backend_ref_tbb_hash;
extern const struct map_backend map_backend_ref_tbb_unordered;
extern const struct map_backend map_backend_ref_absl;
/* BACKEND-EXTERNS: helpers add their externs above this line */

#define MAP_MAX_BACKENDS 64

static const struct map_backend *registry[MAP_MAX_BACKENDS + 1] = {
    &map_backend_null,
    &map_backend_plain,
    &map_backend_mutex,
    &map_backend_rwlock,
    &map_backend_striped,
    &map_backend_rcu,
    &map_backend_cow,
    &map_backend_syncmap,
    &map_backend_ref_lfht,
    &map_backend_ref_ckht,
    &map_backend_ref_tbb_hash,
    &map_backend_ref_tbb_unordered,
    &map_backend_ref_absl,
    /* BACKEND-LIST: helpers add their entries above this line */
};

static size_t registry_count(void)
{
    size_t n = 0;
    while (registry[n])
        n++;
    return n;
}

const struct map_backend *const *map_registry_list(size_t *count)
{
    if (count)
        *count = registry_count();
    return registry;
}

const struct map_backend *map_registry_find(const char *name)
{
    for (size_t i = 0; registry[i]; i++)
        if (strcmp(registry[i]->name, name) == 0)
            return registry[i];
    return NULL;
}

static bool vtable_complete(const struct map_backend *b)
{
    return b->name && b->summary && b->create && b->destroy && b->get && b->put &&
           b->put_if_absent && b->del && b->size && b->range && b->thread_enter &&
           b->thread_leave && b->stats;
}

bool map_plugin_load(const char *path, char *err)
{
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        snprintf(err, ERR_LEN, "plugin %s: cannot load: %s", path, dlerror());
        return false;
    }
    const struct map_backend *b = dlsym(handle, MAP_PLUGIN_SYMBOL);
    const char *problem = NULL;
    char version[64];
    if (!b) {
        problem = "does not export " MAP_PLUGIN_SYMBOL " (not a mapbench plugin)";
    } else if (b->abi_version != MAP_ABI_VERSION) {
        snprintf(version, sizeof version, "has ABI version %u, this mapbench needs %u",
                 b->abi_version, MAP_ABI_VERSION);
        problem = version;
    } else if (!vtable_complete(b)) {
        problem = "has an incomplete vtable (a NULL name, summary or operation)";
    } else if (map_registry_find(b->name)) {
        problem = "uses a backend name that is already registered";
    } else if (registry_count() == MAP_MAX_BACKENDS) {
        problem = "cannot be added: too many backends";
    }
    if (problem) {
        snprintf(err, ERR_LEN, "plugin %s %s", path, problem);
        dlclose(handle);
        return false;
    }
    registry[registry_count()] = b; /* the handle stays open for the life of the process */
    return true;
}

void map_thread_nothing(struct map *m)
{
    (void)m;
}
