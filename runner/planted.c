/*
 * planted.c: the planted slowdown of planted.h.  The spin reads CLOCK_MONOTONIC in a loop rather
 * than sleeping: a sleep would hand the CPU to another thread and change what is measured beyond
 * the time it adds.
 */
#include "runner/planted.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static uint64_t planted_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

bool planted_slowdown_read(double *pct, char *err)
{
    const char *text = getenv(PLANTED_ENV);
    *pct = 0;
    if (!text || !*text)
        return true;
    char *end;
    errno = 0;
    double value = strtod(text, &end);
    if (errno || end == text || *end || !(value >= 0 && value <= PLANTED_MAX_PCT)) {
        snprintf(err, ERR_LEN, "%s='%.40s' is not a percentage from 0 to %g", PLANTED_ENV, text, PLANTED_MAX_PCT);
        return false;
    }
    *pct = value;
    return true;
}

uint64_t planted_delay_ns(uint64_t batch_ns, double pct)
{
    return pct > 0 ? (uint64_t)llround((double)batch_ns * pct / (100.0 - pct)) : 0;
}

struct planted_delay planted_delay_begin(void)
{
    struct planted_delay d = {0};
    char err[ERR_LEN];
    if (planted_slowdown_read(&d.pct, err) && d.pct > 0)
        d.mark_ns = planted_now_ns();
    else
        d.pct = 0;
    return d;
}

void planted_delay_spin(struct planted_delay *d)
{
    uint64_t now = planted_now_ns(), until = now + planted_delay_ns(now - d->mark_ns, d->pct);
    while (now < until)
        now = planted_now_ns();
    d->mark_ns = now;
}
