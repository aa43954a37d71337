/*
 * perf_counters.c: the perf_event_open calls behind perf_counters.h.  glibc has no wrapper for the
 * system call, so it goes through syscall(2).  Counters are opened one per fd rather than as a
 * group: a group is all-or-nothing, while separate fds let a machine that has cycles but no cache
 * events still report the cycles.
 */
#include "runner/perf_counters.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static const uint64_t perf_counter_config[PERF_COUNTER_KINDS] = {
    [PERF_COUNTER_CYCLES] = PERF_COUNT_HW_CPU_CYCLES,
    [PERF_COUNTER_INSTRUCTIONS] = PERF_COUNT_HW_INSTRUCTIONS,
    [PERF_COUNTER_CACHE_MISSES] = PERF_COUNT_HW_CACHE_MISSES,
};

static const char *const perf_counter_name[PERF_COUNTER_KINDS] = {
    "cycles", "instructions", "cache-misses"};

static int perf_counter_open_one(uint64_t config)
{
    struct perf_event_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.size = sizeof attr;
    attr.type = PERF_TYPE_HARDWARE;
    attr.config = config;
    attr.disabled = 1;
    attr.exclude_kernel = 1;
    attr.exclude_hv = 1;
    attr.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
    return (int)syscall(SYS_perf_event_open, &attr, 0 /* this thread */, -1 /* any CPU */,
                        -1 /* no group */, 0UL);
}

bool perf_counters_open(struct perf_counters *pc)
{
    bool any = false;
    for (int k = 0; k < PERF_COUNTER_KINDS; k++) {
        pc->fd[k] = perf_counter_open_one(perf_counter_config[k]);
        pc->open_errno[k] = pc->fd[k] < 0 ? errno : 0;
        any |= pc->fd[k] >= 0;
    }
    return any;
}

void perf_counters_start(struct perf_counters *pc)
{
    for (int k = 0; k < PERF_COUNTER_KINDS; k++) {
        if (pc->fd[k] >= 0) {
            ioctl(pc->fd[k], PERF_EVENT_IOC_RESET, 0);
            ioctl(pc->fd[k], PERF_EVENT_IOC_ENABLE, 0);
        }
    }
}

void perf_counters_stop(struct perf_counters *pc)
{
    for (int k = 0; k < PERF_COUNTER_KINDS; k++)
        if (pc->fd[k] >= 0)
            ioctl(pc->fd[k], PERF_EVENT_IOC_DISABLE, 0);
}

static void perf_counter_read_one(int fd, struct result_counter *out)
{
    uint64_t data[3]; /* value, time enabled, time running */
    out->present = false;
    out->value = 0;
    if (fd < 0 || read(fd, data, sizeof data) != (ssize_t)sizeof data || data[2] == 0)
        return;
    out->present = true;
    out->value = data[2] == data[1]
                     ? data[0]
                     : (uint64_t)((double)data[0] * (double)data[1] / (double)data[2]);
}

void perf_counters_read(const struct perf_counters *pc, struct result_counter *cycles,
                        struct result_counter *instructions, struct result_counter *cache_misses)
{
    struct result_counter *out[PERF_COUNTER_KINDS] = {cycles, instructions, cache_misses};
    for (int k = 0; k < PERF_COUNTER_KINDS; k++)
        if (out[k])
            perf_counter_read_one(pc->fd[k], out[k]);
}

void perf_counters_close(struct perf_counters *pc)
{
    for (int k = 0; k < PERF_COUNTER_KINDS; k++) {
        if (pc->fd[k] >= 0)
            close(pc->fd[k]);
        pc->fd[k] = -1;
    }
}

void perf_counters_sum(const struct result_counter *parts, int n, struct result_counter *total)
{
    total->present = n > 0;
    total->value = 0;
    for (int i = 0; i < n && total->present; i++) {
        total->present = parts[i].present;
        total->value += parts[i].value;
    }
    if (!total->present)
        total->value = 0;
}

const char *perf_counters_unavailable_reason(const struct perf_counters *pc, char *buf, int len)
{
    for (int k = 0; k < PERF_COUNTER_KINDS; k++) {
        if (pc->fd[k] < 0) {
            snprintf(buf, (size_t)len, "perf_event_open %s: %s", perf_counter_name[k],
                     strerror(pc->open_errno[k]));
            return buf;
        }
    }
    return NULL;
}
