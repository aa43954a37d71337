/*
 * xalloc.c: allocation that never returns NULL (see xalloc.h for why mapbench aborts instead).
 */
#include "base/xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Noreturn void xalloc_die(const char *what, size_t bytes)
{
    fprintf(stderr, "mapbench: out of memory (%s of %zu bytes)\n", what, bytes);
    abort();
}

void *xmalloc(size_t bytes)
{
    void *p = malloc(bytes ? bytes : 1);
    if (!p)
        xalloc_die("malloc", bytes);
    return p;
}

void *xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        xalloc_die("calloc", count * size);
    return p;
}

void *xrealloc(void *p, size_t bytes)
{
    void *q = realloc(p, bytes ? bytes : 1);
    if (!q)
        xalloc_die("realloc", bytes);
    return q;
}

void *xreallocarray(void *p, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        xalloc_die("realloc, overflowing", SIZE_MAX);
    return xrealloc(p, count * size);
}

void *xaligned_alloc(size_t alignment, size_t bytes)
{
    size_t rounded = (bytes + alignment - 1) / alignment * alignment; /* C11 wants a multiple */
    void *p = aligned_alloc(alignment, rounded ? rounded : alignment);
    if (!p)
        xalloc_die("aligned_alloc", bytes);
    return p;
}

char *xstrdup(const char *s)
{
    char *p = strdup(s);
    if (!p)
        xalloc_die("strdup", strlen(s) + 1);
    return p;
}

char *xstrndup(const char *s, size_t n)
{
    char *p = strndup(s, n);
    if (!p)
        xalloc_die("strndup", n + 1);
    return p;
}
