/*
 * machine_lock.h: one benchmark at a time per machine.  Two runs on one machine spoil each
 * other's numbers, so `mapbench run` holds an flock(2) on a lock file (MAPBENCH_LOCK, default
 * /tmp/mapbench.lock) for its whole life; the kernel drops it when the process dies, so a killed
 * run never leaves a stale lock.  The holder's pid is written into the file for the message.
 */
#ifndef MAPBENCH_MACHINE_LOCK_H
#define MAPBENCH_MACHINE_LOCK_H

#include <stdbool.h>

/* Takes the lock; when another run holds it, waits (saying so on stderr) or, with wait false,
 * fails with a message naming the holder's pid.  Returns the descriptor, or -1 with err set. */
int machine_lock_acquire(bool wait, char *err, int err_len);
void machine_lock_release(int fd);

#endif
