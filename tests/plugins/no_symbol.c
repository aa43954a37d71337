/*
 * no_symbol.c: a shared object that loads but exports no MAP_PLUGIN_SYMBOL (its vtable is under
 * another name), so loading it must fail saying it is not a mapbench plugin.
 */
#include "maps/map.h"

const struct map_backend mapbench_backend_misnamed = {
    .abi_version = MAP_ABI_VERSION,
    .name = "no-symbol",
    .summary = "test plugin exporting its vtable under the wrong name",
};
