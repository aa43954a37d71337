/*
 * store_host.c: the writer's identity on its host and the liveness rule (see store_host.h), read
 * from Linux's /proc.  Nothing here touches the database.
 *
 * Why pid alone is not enough: kill(pid, 0) succeeds for a zombie (a run killed by SIGKILL whose
 * parent has not reaped it yet), and for any process that took the pid after a reboot or after the
 * pid space wrapped.  A pid names a process only together with the boot and the process's start
 * time.
 */
#include "store/store_host.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The first line of a small file, newline dropped; false when it cannot be read or is empty. */
static bool store_host_read_line(const char *path, char *out, size_t len)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    bool ok = fgets(out, (int)len, f) != NULL;
    fclose(f);
    if (ok)
        out[strcspn(out, "\n")] = '\0';
    return ok && out[0];
}

static void store_host_format_uuid(const unsigned char b[16], char out[STORE_UUID_LEN])
{
    snprintf(out, STORE_UUID_LEN,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
}

/* RFC 9562: version in the high nibble of byte 6, variant 10 in the top bits of byte 8. */
static void store_host_mark_uuid(unsigned char b[16], int version)
{
    b[6] = (unsigned char)((b[6] & 0x0f) | (version << 4));
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
}

bool store_host_uuid(char out[STORE_UUID_LEN])
{
    char line[64];
    if (store_host_read_line("/proc/sys/kernel/random/uuid", line, sizeof line) &&
        strlen(line) == STORE_UUID_LEN - 1) {
        memcpy(out, line, STORE_UUID_LEN);
        return true;
    }
    unsigned char b[16];
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    bool ok = fd >= 0 && read(fd, b, sizeof b) == (ssize_t)sizeof b;
    if (fd >= 0)
        close(fd);
    if (!ok)
        return false;
    store_host_mark_uuid(b, 4);
    store_host_format_uuid(b, out);
    return true;
}

/* splitmix64's finaliser: every input bit reaches every output bit. */
static uint64_t store_host_mix(uint64_t x)
{
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

void store_host_uuid_of(const char *text, char out[STORE_UUID_LEN])
{
    /* Two FNV-1a passes with different offsets, each finalised: 128 bits of a name, not a secret. */
    uint64_t h[2] = {0xcbf29ce484222325ULL, 0x84222325cbf29ce4ULL};
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        for (int i = 0; i < 2; i++)
            h[i] = (h[i] ^ *p) * 0x100000001b3ULL;
    unsigned char b[16];
    for (int i = 0; i < 2; i++) {
        uint64_t v = store_host_mix(h[i] + (uint64_t)i);
        for (int k = 0; k < 8; k++)
            b[i * 8 + k] = (unsigned char)(v >> (8 * k));
    }
    store_host_mark_uuid(b, 8);
    store_host_format_uuid(b, out);
}

bool store_host_boot_id(char out[STORE_UUID_LEN])
{
    char line[64];
    if (!store_host_read_line("/proc/sys/kernel/random/boot_id", line, sizeof line))
        return false;
    snprintf(out, STORE_UUID_LEN, "%.36s", line);
    return true;
}

bool store_host_process(pid_t pid, char *state, uint64_t *start)
{
    char path[64], text[1024];
    *state = '?';
    *start = 0;
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    /* "PID (COMM) STATE f4 ... f21 STARTTIME ...": COMM may hold spaces and parentheses, so the
     * fields start after the last ')'. */
    const char *after = strrchr(text, ')');
    unsigned long long started;
    if (!after || sscanf(after + 1,
                         " %c %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s "
                         "%*s %*s %llu",
                         state, &started) != 2)
        return false;
    *start = started;
    return true;
}

bool store_host_writer_alive(const char *boot_id, int64_t pid, uint64_t start)
{
    char now[STORE_UUID_LEN], state;
    uint64_t started;
    if (pid <= 0)
        return false;
    if (boot_id && store_host_boot_id(now) && strcmp(boot_id, now) != 0)
        return false; /* written before this boot */
    if (store_host_process((pid_t)pid, &state, &started))
        return state != 'Z' && state != 'X' && (start == 0 || started == start);
    if (access("/proc/self/stat", F_OK) == 0)
        return false; /* /proc works and has no such process */
    return !(kill((pid_t)pid, 0) == -1 && errno == ESRCH); /* no /proc: pid alone */
}
