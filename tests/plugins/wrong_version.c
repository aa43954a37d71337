/*
 * wrong_version.c: a plugin whose vtable claims ABI version 999, so loading it must fail with a
 * message naming both versions, before any of its (absent) operations could be called.
 */
#include "maps/map.h"

const struct map_backend mapbench_backend_v1 = {
    .abi_version = 999,
    .name = "wrong-version",
    .summary = "test plugin with an ABI version no mapbench has",
};
