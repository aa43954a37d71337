/*
 * machine_lock.c: the machine-wide run lock of machine_lock.h.
 */
#include "runner/machine_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

static const char *machine_lock_path(void)
{
    const char *path = getenv("MAPBENCH_LOCK");
    return path && *path ? path : "/tmp/mapbench.lock";
}

static long machine_lock_holder(int fd)
{
    char text[32] = "";
    ssize_t n = pread(fd, text, sizeof text - 1, 0);
    return n > 0 ? strtol(text, NULL, 10) : 0;
}

int machine_lock_acquire(bool wait, char *err, int err_len)
{
    const char *path = machine_lock_path();
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0) {
        snprintf(err, (size_t)err_len, "cannot open machine lock %s: %s", path, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        long holder = machine_lock_holder(fd);
        if (!wait) {
            snprintf(err, (size_t)err_len,
                     "another mapbench run (pid %ld) is measuring on this machine (lock %s); "
                     "pass --wait to queue behind it",
                     holder, path);
            close(fd);
            return -1;
        }
        fprintf(stderr, "mapbench: waiting for the mapbench run of pid %ld to finish (lock %s)\n",
                holder, path);
        if (flock(fd, LOCK_EX) != 0) {
            snprintf(err, (size_t)err_len, "cannot take machine lock %s: %s", path, strerror(errno));
            close(fd);
            return -1;
        }
    }
    char pid[32];
    int len = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)len, 0) != len) {
        /* The lock is held all the same; only the courtesy pid is missing. */
    }
    return fd;
}

void machine_lock_release(int fd)
{
    if (fd >= 0)
        close(fd);
}
