/*
 * xalloc.h: mapbench's one allocation-failure policy.
 *
 * Running out of memory is not bad input and nothing useful can follow it: a half-built case or
 * report would only store or print a wrong figure.  So every allocation in mapbench goes through
 * this family, which prints one line naming the size asked for and aborts.  What has been
 * measured is safe: the store commits each case when it ends (store/store.h), so an abort loses
 * at most the case being measured.  Zero-sized requests return a valid pointer of their own, so
 * callers never need the `n ? n : 1` dance.
 *
 * (The backends' map memory goes through maps/accounting.c, which counts it and follows the same
 * policy.)
 */
#ifndef MAPBENCH_XALLOC_H
#define MAPBENCH_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t bytes);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t bytes);
/* realloc to count * size, failing (not wrapping) when the product overflows. */
void *xreallocarray(void *p, size_t count, size_t size);
void *xaligned_alloc(size_t alignment, size_t bytes);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* The one failure path: prints "mapbench: out of memory (WHAT)" on stderr and aborts. */
_Noreturn void xalloc_die(const char *what, size_t bytes);

#endif
