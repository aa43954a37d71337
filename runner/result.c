/*
 * result.c: the names of result.h's operation kinds, as stored in the database and shown in
 * reports ("get", "put", "put_if_absent", "del", "range").
 */
#include "runner/result.h"

const char *result_op_name(enum result_op op)
{
    static const char *const names[RESULT_OP_COUNT] = {"get", "put", "put_if_absent", "del",
                                                       "range"};
    return op >= 0 && op < RESULT_OP_COUNT ? names[op] : "unknown";
}
