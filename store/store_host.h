/*
 * store_host.h: who writes a run, as the store records it and later judges it (private to store/
 * and its tests).  A run is stamped with its writer's host name, this boot's id
 * (/proc/sys/kernel/random/boot_id), its pid and the process's start time (/proc/PID/stat field
 * 22, clock ticks after boot), and a random UUID that names the run in every database it is merged
 * into.
 *
 * The liveness rule (store_host_writer_alive): a run left 'running' by this host's writer is dead
 * when the host has booted since (another boot id), when no process has the pid, when the process
 * is a zombie (state Z: killed, not yet reaped), or when the process has another start time (the
 * pid was reused).  Runs of other hosts are never judged here: their pids mean nothing on this one.
 */
#ifndef MAPBENCH_STORE_HOST_H
#define MAPBENCH_STORE_HOST_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define STORE_UUID_LEN 37 /* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" and its NUL */

/* A random (version 4) UUID, from /proc/sys/kernel/random/uuid or else /dev/urandom; false when
 * neither can be read. */
bool store_host_uuid(char out[STORE_UUID_LEN]);

/* A UUID derived from text (version 8: the same text always gives the same UUID); the migration
 * names older runs with it, so that merging one old file twice adds its runs once. */
void store_host_uuid_of(const char *text, char out[STORE_UUID_LEN]);

/* This boot's id; false when the kernel does not say. */
bool store_host_boot_id(char out[STORE_UUID_LEN]);

/* A process of this host as /proc/PID/stat shows it: its state letter (R, S, Z, ...) and start
 * time.  false when there is no such process (or /proc cannot tell: then *state is '?'). */
bool store_host_process(pid_t pid, char *state, uint64_t *start);

/* Whether the writer recorded as (boot_id, pid, start) still runs on this host.  boot_id NULL or
 * start 0 are not recorded (runs written before version 4) and are not compared. */
bool store_host_writer_alive(const char *boot_id, int64_t pid, uint64_t start);

#endif
