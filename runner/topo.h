/*
 * topo.h: the machine as hwloc sees it, and where a run's workers go on it.
 *
 * A struct topo wraps one loaded hwloc topology: this machine, an XML file written by `lstopo
 * file.xml` (or topo_export_xml), or a synthetic description such as "pack:2 [numa] core:4 pu:2".
 * Only the first can bind threads or memory; the other two exist for planning and for tests, and
 * the bind functions refuse them with a clear error instead of hwloc's silent no-op hooks.
 *
 * Placements (the `placement` dimension of a case).  Planning walks hwloc's logical order and
 * returns OS indexes (the P# numbers the kernel, taskset and hwloc-bind use):
 *   compact    every PU in logical order: SMT siblings together (core 0's PUs, then core 1's...),
 *              filling one package before the next.
 *   scatter    round-robin over packages, then over the NUMA nodes inside a package, then over
 *              the cores inside (package, NUMA node), then over the PUs of a core.  Precisely: each
 *              PU gets the key (rank of the PU in its core, rank of its core among the cores of
 *              its package and NUMA node, rank of its NUMA node in its package, package index),
 *              most significant first, and PUs are sorted on it (ties: logical order).  So
 *              consecutive workers land on consecutive packages, then NUMA nodes, then cores, and
 *              SMT siblings are used only after every core has a worker.
 *              On "pack:2 [numa] core:4 pu:2": 0 8 2 10 4 12 6 14 1 9 3 11 5 13 7 15.
 *   cores      one worker per core, cores in compact (logical) order, first PU of each core; when
 *              cores run out, the second PU of each core in the same order, and so on.  This keeps
 *              workers on as few packages as possible without sharing a core (scatter already is
 *              the spread-out variant).  On "pack:2 [numa] core:4 pu:2": 0 2 4 ... 14 1 3 ... 15.
 *   numa:N     only the PUs of the NUMA node with OS index N, in compact order.
 *   pus:LIST   the given PU OS indexes, in the given order.  LIST items are separated by '+' (which
 *              survives inside the comma-separated value lists of scenario files and --set) or by
 *              ',' where no outer list is involved; each item is N or an hwloc-calc style range
 *              A-B.  "pus:0+2+4", "pus:0-3", "pus:0-1+6-7", "pus:0,2,4" are all valid.  A PU may be
 *              listed twice (that oversubscribes it on purpose).
 *   none       no binding: every planned PU is -1.
 * A topology with no Core level (e.g. synthetic "pu:4") counts each PU as its own core, and one
 * without packages as a single package.  Workers beyond the placement's PU list wrap around to
 * its start; `oversubscribed` is then set, as it is whenever one PU receives two workers (or, for
 * `none`, when workers outnumber the machine's PUs).
 *
 * Memory policies (enum case_memory): first-touch (the OS default: pages land on the node of the
 * thread that first writes them, so prefill by pinned workers places them), bind:N (NUMA node N by
 * OS index), interleave (pages spread round-robin over every node).  What each promises, the NUMA
 * nodes a case's pages may be on, is topo_plan_memory; where they are is topo_area_nodes.
 *
 * Helper placements (the `helpers` dimension, topo_plan_helpers): case-pus (the workers' PUs),
 * free (every PU: the OS places them), pu:N (PU N by OS index).
 *
 * Thread safety: a loaded topology is read-only, so every function here except topo_close may be
 * called from several threads at once (hwloc documents concurrent read-only use and binding as
 * safe).  Error buffers are ERR_LEN bytes and receive one line naming the problem.
 */
#ifndef MAPBENCH_TOPO_H
#define MAPBENCH_TOPO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/err.h"
#include "scenarios/case.h"

#define TOPO_CACHE_LEVELS 4

struct topo; /* wraps hwloc_topology_t */

/* xml_path and synthetic both NULL: this machine.  Returns NULL with a one-line reason in err
 * (unreadable or invalid XML, invalid synthetic description, both given). */
struct topo *topo_open(const char *xml_path, const char *synthetic, char *err);
void topo_close(struct topo *t);
/* False for XML and synthetic topologies: those are for planning only. */
bool topo_is_this_system(const struct topo *t);

struct topo_summary {
    int packages, numa_nodes, cores, pus; /* cores: PUs when there is no Core level */
    int cache_levels;                     /* highest data/unified cache level present (L1d..L4) */
    uint64_t cache_bytes[TOPO_CACHE_LEVELS]; /* [0] = L1: size of the first object at the level */
    int cache_count[TOPO_CACHE_LEVELS];      /* objects at the level; 0 where absent */
    char cpu_model[128];                  /* hwloc's CPUModel info, "unknown" if absent */
};
void topo_summarize(const struct topo *t, struct topo_summary *out);

/* Plans one PU OS index per worker into pus_out[0..threads).  See the placements above. */
bool topo_plan_threads(const struct topo *t, int threads, const char *placement, int *pus_out,
                       bool *oversubscribed, char *err);

/* Binds the calling thread to PU OS index `pu` (-1: leave its binding as it is) and writes the
 * binding read back from the OS as a list ("3", "0-1") into obtained.  Refuses a topology that is
 * not this system. */
bool topo_bind_current_thread(const struct topo *t, int pu, char *obtained, size_t len, char *err);

/* Binds the calling thread to the set of `count` PUs (OS indexes; none is -1).  Refuses a
 * topology that is not this system. */
bool topo_bind_current_thread_to(const struct topo *t, const int *pus, int count, char *err);

/* Whether a binding read back by topo_bind_current_thread ("3", "0-1") is exactly PU `pu`. */
bool topo_binding_is(const struct topo *t, const char *obtained, int pu);

/* Sets the calling thread's memory policy for its future allocations (hwloc_set_membind with
 * HWLOC_MEMBIND_THREAD); node is used by CASE_MEMORY_BIND only.  Says so when the OS refuses.
 * Threads the caller starts afterwards inherit the policy (and the CPU binding). */
bool topo_bind_memory(const struct topo *t, enum case_memory memory, int node, char *err);

/* ---- what a placement promises, and where memory is (any topology; lists ascending) ---- */

/* The NUMA nodes (OS indexes) a case's pages may be on: bind:N, N; interleave, every node; first
 * touch, the nodes holding the planned PUs (every node when a worker is unbound, pu -1, or pus
 * is NULL).  Returns how many it wrote (at most cap), or -1 with err (bind:N with no node N, a PU
 * that is not here). */
int topo_plan_memory(const struct topo *t, enum case_memory memory, int node, const int *pus,
                     int threads, int *nodes, int cap, char *err);

/* The distinct PUs (OS indexes) where a case's helper threads run under its `helpers` policy
 * (case-pus: the planned PUs, every PU when a worker is unbound; free: every PU; pu:N: N).
 * Returns how many it wrote (at most cap), or -1 with err (pu:N with no PU N, another word). */
int topo_plan_helpers(const struct topo *t, const char *helpers, const int *pus, int threads,
                      int *out, int cap, char *err);

/* The NUMA nodes holding the resident pages of [addr, addr + len) (hwloc_get_area_memlocation);
 * returns how many it wrote (at most cap; 0: no page resident), or -1 when the OS cannot say. */
int topo_area_nodes(const struct topo *t, const void *addr, size_t len, int *nodes, int cap);

/* The signatures of topo_bind_current_thread and topo_area_nodes, so the window can take others
 * (runner/window.h: tests inject a binding or a page location that differs from the plan). */
typedef bool (*topo_bind_fn)(const struct topo *t, int pu, char *obtained, size_t len, char *err);
typedef int (*topo_area_nodes_fn)(const struct topo *t, const void *addr, size_t len, int *nodes,
                                  int cap);

/* The topology as hwloc XML, malloc'd (caller frees); NULL if hwloc fails. */
char *topo_export_xml(const struct topo *t);

/* 64 hex digits over CPU model, topology shape (each level's type and count, each cache's size),
 * kernel release and compiler: equal on the same hardware and software, whether the topology came
 * from the machine or from its exported XML.  The kernel release is hwloc's OSRelease info (kept in
 * exported XML); without it, uname's on this system, none for a synthetic topology. */
void topo_fingerprint(const struct topo *t, char out[65]);

/* Human-readable machine: model, counts, caches, then per package its NUMA nodes and cores. */
void topo_print(const struct topo *t, FILE *out);
/* The plan, one line per worker, and a warning line when oversubscribed (or the error). */
void topo_print_plan(const struct topo *t, int threads, const char *placement, FILE *out);

/* `mapbench topo [--topology FILE.xml | --synthetic DESC] [--threads N] [--placement P] [--help]`,
 * argv[0] == "topo".  Returns the exit status: 0, or 2 on a usage or topology error. */
int cmd_topo(int argc, char **argv);

#endif
