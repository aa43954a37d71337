/*
 * topo.c: hwloc topology loading, summaries, thread placement plans, thread and memory binding,
 * XML export and the machine fingerprint.  The contract (placements, error behaviour, thread
 * safety) is stated in topo.h; this file explains only how.
 *
 * Planning never trusts OS numbering: PUs are ordered by hwloc's logical indexes and tree
 * position, and only the final list is translated to OS indexes, because OS numbering on real
 * machines often interleaves packages (P#0 on package 0, P#1 on package 1, ...).  Every placement
 * is reduced to one ordered list of PUs ("the placement's PUs"); worker i takes entry i modulo its
 * length, which makes wrap-around and the oversubscription flag the same code for all of them.
 *
 * The fingerprint hashes a canonical text (model, levels, cache sizes, kernel, compiler) with four
 * lanes of FNV-1a 64, each lane started from a different seed: no cryptographic claim, only a
 * stable 256-bit identity for "same machine, same software" that needs no extra library.
 */
#include "runner/topo.h"

#include <errno.h>
#include <hwloc.h>
#include <hwloc/export.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "base/xalloc.h"

struct topo {
    hwloc_topology_t hw;
    bool this_system;
};

/* ---- opening ---- */

static bool topo_load_source(hwloc_topology_t hw, const char *xml_path, const char *synthetic,
                             char *err)
{
    if (xml_path) {
        FILE *f = fopen(xml_path, "r");
        if (!f) {
            snprintf(err, ERR_LEN, "cannot read topology XML '%s': %s", xml_path,
                     strerror(errno));
            return false;
        }
        fclose(f);
        if (hwloc_topology_set_xml(hw, xml_path) < 0 || hwloc_topology_load(hw) < 0) {
            snprintf(err, ERR_LEN, "'%s' is not a valid hwloc topology XML", xml_path);
            return false;
        }
        return true;
    }
    if (synthetic) {
        if (hwloc_topology_set_synthetic(hw, synthetic) < 0 || hwloc_topology_load(hw) < 0) {
            snprintf(err, ERR_LEN,
                     "invalid synthetic topology '%s' (expected e.g. \"pack:2 [numa] core:4 pu:2\")",
                     synthetic);
            return false;
        }
        return true;
    }
    if (hwloc_topology_load(hw) < 0) {
        snprintf(err, ERR_LEN, "hwloc cannot discover this machine's topology: %s",
                 strerror(errno));
        return false;
    }
    return true;
}

struct topo *topo_open(const char *xml_path, const char *synthetic, char *err)
{
    if (xml_path && synthetic) {
        snprintf(err, ERR_LEN, "give a topology XML or a synthetic description, not both");
        return NULL;
    }
    struct topo *t = xcalloc(1, sizeof *t);
    if (hwloc_topology_init(&t->hw) < 0) {
        snprintf(err, ERR_LEN, "hwloc_topology_init failed: %s", strerror(errno));
        free(t);
        return NULL;
    }
    if (!topo_load_source(t->hw, xml_path, synthetic, err)) {
        hwloc_topology_destroy(t->hw);
        free(t);
        return NULL;
    }
    t->this_system = !xml_path && !synthetic && hwloc_topology_is_thissystem(t->hw);
    return t;
}

void topo_close(struct topo *t)
{
    if (!t)
        return;
    hwloc_topology_destroy(t->hw);
    free(t);
}

bool topo_is_this_system(const struct topo *t)
{
    return t->this_system;
}

/* ---- summary ---- */

static const char *topo_cpu_model(hwloc_topology_t hw)
{
    hwloc_obj_t pack = hwloc_get_obj_by_type(hw, HWLOC_OBJ_PACKAGE, 0);
    const char *model = pack ? hwloc_obj_get_info_by_name(pack, "CPUModel") : NULL;
    if (!model)
        model = hwloc_obj_get_info_by_name(hwloc_get_root_obj(hw), "CPUModel");
    return model ? model : "unknown";
}

static int topo_count(hwloc_topology_t hw, hwloc_obj_type_t type)
{
    int n = hwloc_get_nbobjs_by_type(hw, type);
    return n > 0 ? n : 0;
}

void topo_summarize(const struct topo *t, struct topo_summary *out)
{
    static const hwloc_obj_type_t cache_types[TOPO_CACHE_LEVELS] = {
        HWLOC_OBJ_L1CACHE, HWLOC_OBJ_L2CACHE, HWLOC_OBJ_L3CACHE, HWLOC_OBJ_L4CACHE};
    memset(out, 0, sizeof *out);
    out->packages = topo_count(t->hw, HWLOC_OBJ_PACKAGE);
    out->numa_nodes = topo_count(t->hw, HWLOC_OBJ_NUMANODE);
    out->pus = topo_count(t->hw, HWLOC_OBJ_PU);
    out->cores = topo_count(t->hw, HWLOC_OBJ_CORE);
    if (out->cores == 0)
        out->cores = out->pus;
    for (int level = 0; level < TOPO_CACHE_LEVELS; level++) {
        hwloc_obj_t first = hwloc_get_obj_by_type(t->hw, cache_types[level], 0);
        if (!first)
            continue;
        out->cache_count[level] = topo_count(t->hw, cache_types[level]);
        out->cache_bytes[level] = first->attr->cache.size;
        out->cache_levels = level + 1;
    }
    snprintf(out->cpu_model, sizeof out->cpu_model, "%s", topo_cpu_model(t->hw));
}

/* ---- planning ---- */

/* One PU with its sort key; key[0] is the most significant component. */
struct topo_pu {
    unsigned key[4];
    unsigned logical;
    int os;
};

/* Rank of obj among the objects of its level whose cpuset lies inside container. */
static unsigned topo_rank_within(hwloc_topology_t hw, hwloc_obj_t obj, hwloc_const_cpuset_t container)
{
    unsigned rank = 0;
    for (hwloc_obj_t o = hwloc_get_obj_by_depth(hw, obj->depth, 0); o && o != obj;
         o = o->next_cousin)
        if (hwloc_bitmap_isincluded(o->cpuset, container))
            rank++;
    return rank;
}

/* The scatter key of a PU: (rank in core, rank of core in package and NUMA node, rank of NUMA node
 * in package, package index).  Missing levels stand in as the machine (package) or the PU (core). */
static void topo_scatter_key(hwloc_topology_t hw, hwloc_obj_t pu, unsigned key[4])
{
    hwloc_obj_t pack = hwloc_get_ancestor_obj_by_type(hw, HWLOC_OBJ_PACKAGE, pu);
    hwloc_obj_t core = hwloc_get_ancestor_obj_by_type(hw, HWLOC_OBJ_CORE, pu);
    hwloc_const_cpuset_t pack_set = pack ? pack->cpuset : hwloc_get_root_obj(hw)->cpuset;
    int node_os = hwloc_bitmap_first(pu->nodeset);
    hwloc_obj_t numa = node_os >= 0 ? hwloc_get_numanode_obj_by_os_index(hw, (unsigned)node_os) : NULL;
    hwloc_bitmap_t core_container = hwloc_bitmap_dup(pack_set);
    if (numa)
        hwloc_bitmap_and(core_container, core_container, numa->cpuset);
    key[0] = core ? topo_rank_within(hw, pu, core->cpuset) : 0;
    key[1] = topo_rank_within(hw, core ? core : pu, core_container);
    key[2] = numa ? topo_rank_within(hw, numa, pack_set) : 0;
    key[3] = pack ? pack->logical_index : 0;
    hwloc_bitmap_free(core_container);
}

static int topo_pu_compare(const void *a, const void *b)
{
    const struct topo_pu *x = a, *y = b;
    for (int i = 0; i < 4; i++)
        if (x->key[i] != y->key[i])
            return x->key[i] < y->key[i] ? -1 : 1;
    return x->logical < y->logical ? -1 : x->logical > y->logical;
}

enum topo_order { TOPO_ORDER_COMPACT, TOPO_ORDER_SCATTER, TOPO_ORDER_CORES };

/* Every PU of the topology as OS indexes in the given order into list (room for all PUs). */
static int topo_order_pus(hwloc_topology_t hw, enum topo_order order, int *list)
{
    int n = topo_count(hw, HWLOC_OBJ_PU);
    struct topo_pu *pus = xcalloc((size_t)n, sizeof *pus);
    for (int i = 0; i < n; i++) {
        hwloc_obj_t pu = hwloc_get_obj_by_type(hw, HWLOC_OBJ_PU, (unsigned)i);
        pus[i].logical = pu->logical_index;
        pus[i].os = (int)pu->os_index;
        if (order == TOPO_ORDER_SCATTER) {
            topo_scatter_key(hw, pu, pus[i].key);
        } else if (order == TOPO_ORDER_CORES) {
            hwloc_obj_t core = hwloc_get_ancestor_obj_by_type(hw, HWLOC_OBJ_CORE, pu);
            pus[i].key[0] = core ? topo_rank_within(hw, pu, core->cpuset) : 0;
            pus[i].key[1] = core ? core->logical_index : pu->logical_index;
        }
    }
    qsort(pus, (size_t)n, sizeof *pus, topo_pu_compare);
    for (int i = 0; i < n; i++)
        list[i] = pus[i].os;
    free(pus);
    return n;
}

static bool topo_parse_uint(const char *s, const char *end, unsigned *out)
{
    if (s == end)
        return false;
    unsigned long v = 0;
    for (const char *p = s; p < end; p++) {
        if (*p < '0' || *p > '9' || v > 1000000)
            return false;
        v = v * 10 + (unsigned long)(*p - '0');
    }
    *out = (unsigned)v;
    return true;
}

static void topo_format_set(hwloc_const_bitmap_t set, char *buf, size_t len)
{
    if (hwloc_bitmap_list_snprintf(buf, len, set) < 0)
        snprintf(buf, len, "?");
}

/* Appends the PUs of one LIST item ("N" or "A-B") to list; returns the new length or -1. */
static int topo_parse_pu_item(hwloc_topology_t hw, const char *item, const char *end, int *list,
                              int n, int cap, const char *placement, char *err)
{
    const char *dash = memchr(item, '-', (size_t)(end - item));
    unsigned lo, hi;
    bool ok = dash ? topo_parse_uint(item, dash, &lo) && topo_parse_uint(dash + 1, end, &hi)
                   : topo_parse_uint(item, end, &lo);
    if (!dash)
        hi = lo;
    if (!ok || lo > hi) {
        snprintf(err, ERR_LEN, "placement '%s': '%.*s' is not a PU number or range A-B",
                 placement, (int)(end - item), item);
        return -1;
    }
    for (unsigned os = lo; os <= hi; os++) {
        if (!hwloc_get_pu_obj_by_os_index(hw, os)) {
            char all[96];
            topo_format_set(hwloc_topology_get_topology_cpuset(hw), all, sizeof all);
            snprintf(err, ERR_LEN, "placement '%s': no PU with OS index %u (PUs here: %s)",
                     placement, os, all);
            return -1;
        }
        if (n == cap) {
            snprintf(err, ERR_LEN, "placement '%s': list longer than %d PUs", placement, cap);
            return -1;
        }
        list[n++] = (int)os;
    }
    return n;
}

/* pus:LIST into list (capacity cap); returns its length or -1 with err set. */
static int topo_parse_pu_list(hwloc_topology_t hw, const char *placement, int *list, int cap,
                              char *err)
{
    const char *p = placement + strlen("pus:");
    int n = 0;
    for (;;) {
        const char *end = p + strcspn(p, "+,");
        n = topo_parse_pu_item(hw, p, end, list, n, cap, placement, err);
        if (n < 0)
            return -1;
        if (*end == '\0')
            return n;
        p = end + 1;
    }
}

/* PUs of NUMA node numa:N in compact order; returns the count or -1 with err set. */
static int topo_numa_pus(hwloc_topology_t hw, const char *placement, int *list, char *err)
{
    const char *arg = placement + strlen("numa:");
    unsigned node;
    hwloc_obj_t numa = NULL;
    if (topo_parse_uint(arg, arg + strlen(arg), &node))
        numa = hwloc_get_numanode_obj_by_os_index(hw, node);
    if (!numa) {
        char all[96];
        topo_format_set(hwloc_topology_get_topology_nodeset(hw), all, sizeof all);
        snprintf(err, ERR_LEN, "placement '%s': no such NUMA node (NUMA nodes here: %s)",
                 placement, all);
        return -1;
    }
    int n = 0;
    for (hwloc_obj_t pu = NULL;
         (pu = hwloc_get_next_obj_inside_cpuset_by_type(hw, numa->cpuset, HWLOC_OBJ_PU, pu));)
        list[n++] = (int)pu->os_index;
    if (n == 0) {
        snprintf(err, ERR_LEN, "placement '%s': NUMA node %u has no PUs (memory only)",
                 placement, node);
        return -1;
    }
    return n;
}

/* The placement's ordered PU list (room for cap entries); 0 for `none`; -1 with err set. */
static int topo_placement_pus(hwloc_topology_t hw, const char *placement, int *list, int cap,
                              char *err)
{
    if (strcmp(placement, "none") == 0)
        return 0;
    if (strcmp(placement, "compact") == 0)
        return topo_order_pus(hw, TOPO_ORDER_COMPACT, list);
    if (strcmp(placement, "scatter") == 0)
        return topo_order_pus(hw, TOPO_ORDER_SCATTER, list);
    if (strcmp(placement, "cores") == 0)
        return topo_order_pus(hw, TOPO_ORDER_CORES, list);
    if (strncmp(placement, "numa:", 5) == 0)
        return topo_numa_pus(hw, placement, list, err);
    if (strncmp(placement, "pus:", 4) == 0)
        return topo_parse_pu_list(hw, placement, list, cap, err);
    snprintf(err, ERR_LEN,
             "unknown placement '%s' (expected compact, scatter, cores, numa:N, pus:LIST or none)",
             placement);
    return -1;
}

/* How many different PUs the first n planned entries use. */
static int topo_plan_distinct(const int *pus, int n)
{
    hwloc_bitmap_t used = hwloc_bitmap_alloc();
    if (!used)
        return 0;
    for (int i = 0; i < n; i++)
        if (pus[i] >= 0)
            hwloc_bitmap_set(used, (unsigned)pus[i]);
    int distinct = hwloc_bitmap_weight(used);
    hwloc_bitmap_free(used);
    return distinct;
}

bool topo_plan_threads(const struct topo *t, int threads, const char *placement, int *pus_out,
                       bool *oversubscribed, char *err)
{
    if (threads < 1) {
        snprintf(err, ERR_LEN, "cannot plan %d threads: need at least 1", threads);
        return false;
    }
    int all = topo_count(t->hw, HWLOC_OBJ_PU);
    int cap = all > 4096 ? all : 4096; /* pus:LIST may repeat PUs */
    int *list = xmalloc((size_t)cap * sizeof *list);
    int n = topo_placement_pus(t->hw, placement, list, cap, err);
    if (n > 0) {
        for (int i = 0; i < threads; i++)
            pus_out[i] = list[i % n];
        *oversubscribed = topo_plan_distinct(pus_out, threads) < threads;
    } else if (n == 0) {
        for (int i = 0; i < threads; i++)
            pus_out[i] = -1;
        *oversubscribed = threads > all;
    }
    free(list);
    return n >= 0;
}

/* ---- binding ---- */

static bool topo_require_this_system(const struct topo *t, const char *what, char *err)
{
    if (t->this_system)
        return true;
    snprintf(err, ERR_LEN,
             "cannot %s: the topology was loaded from XML or a synthetic description and is for "
             "planning only",
             what);
    return false;
}

bool topo_bind_current_thread(const struct topo *t, int pu, char *obtained, size_t len, char *err)
{
    if (!topo_require_this_system(t, "bind a thread", err))
        return false;
    if (pu >= 0) {
        hwloc_obj_t obj = hwloc_get_pu_obj_by_os_index(t->hw, (unsigned)pu);
        if (!obj) {
            snprintf(err, ERR_LEN, "cannot bind to PU %d: no PU with that OS index here", pu);
            return false;
        }
        if (hwloc_set_cpubind(t->hw, obj->cpuset, HWLOC_CPUBIND_THREAD) < 0) {
            snprintf(err, ERR_LEN, "binding the thread to PU %d failed: %s", pu,
                     strerror(errno));
            return false;
        }
    }
    hwloc_bitmap_t set = hwloc_bitmap_alloc();
    bool ok = set && hwloc_get_cpubind(t->hw, set, HWLOC_CPUBIND_THREAD) == 0;
    if (ok)
        topo_format_set(set, obtained, len);
    else
        snprintf(err, ERR_LEN, "reading back the thread's binding failed: %s",
                 strerror(errno));
    hwloc_bitmap_free(set);
    return ok;
}

bool topo_bind_current_thread_to(const struct topo *t, const int *pus, int count, char *err)
{
    if (!topo_require_this_system(t, "bind a thread", err))
        return false;
    hwloc_bitmap_t set = hwloc_bitmap_alloc();
    for (int i = 0; set && i < count; i++)
        hwloc_bitmap_set(set, (unsigned)pus[i]);
    bool ok = set && hwloc_set_cpubind(t->hw, set, HWLOC_CPUBIND_THREAD) == 0;
    if (!ok) {
        char listed[96] = "?";
        if (set)
            topo_format_set(set, listed, sizeof listed);
        snprintf(err, ERR_LEN, "binding the thread to PUs %s failed: %s", listed, strerror(errno));
    }
    hwloc_bitmap_free(set);
    return ok;
}

bool topo_binding_is(const struct topo *t, const char *obtained, int pu)
{
    hwloc_obj_t obj = pu >= 0 ? hwloc_get_pu_obj_by_os_index(t->hw, (unsigned)pu) : NULL;
    hwloc_bitmap_t set = hwloc_bitmap_alloc();
    bool same = obj && set && hwloc_bitmap_list_sscanf(set, obtained) == 0 &&
                hwloc_bitmap_isequal(set, obj->cpuset);
    hwloc_bitmap_free(set);
    return same;
}

/* NUMA node `node` (OS index), or NULL with err naming the nodes there are. */
static hwloc_obj_t topo_numa_node(const struct topo *t, int node, char *err)
{
    hwloc_obj_t numa = node >= 0 ? hwloc_get_numanode_obj_by_os_index(t->hw, (unsigned)node)
                                 : NULL;
    if (!numa) {
        char nodes[96];
        topo_format_set(hwloc_topology_get_topology_nodeset(t->hw), nodes, sizeof nodes);
        snprintf(err, ERR_LEN, "memory policy bind:%d: no such NUMA node (NUMA nodes here: %s)",
                 node, nodes);
    }
    return numa;
}

static bool topo_membind_refused(int memory, int node, char *err)
{
    const char *why = errno == ENOSYS ? "not supported by this system"
                      : errno == EXDEV ? "cannot be enforced here"
                                       : strerror(errno);
    if (memory == CASE_MEMORY_BIND)
        snprintf(err, ERR_LEN, "memory policy bind:%d refused by the OS: %s", node, why);
    else
        snprintf(err, ERR_LEN, "memory policy %s refused by the OS: %s",
                 memory == CASE_MEMORY_INTERLEAVE ? "interleave" : "first-touch", why);
    return false;
}

bool topo_bind_memory(const struct topo *t, enum case_memory memory, int node, char *err)
{
    if (!topo_require_this_system(t, "set a memory policy", err))
        return false;
    hwloc_const_nodeset_t all = hwloc_topology_get_topology_nodeset(t->hw);
    int flags = HWLOC_MEMBIND_THREAD | HWLOC_MEMBIND_BYNODESET;
    int rc;
    if (memory == CASE_MEMORY_BIND) {
        hwloc_obj_t numa = topo_numa_node(t, node, err);
        if (!numa)
            return false;
        rc = hwloc_set_membind(t->hw, numa->nodeset, HWLOC_MEMBIND_BIND,
                               flags | HWLOC_MEMBIND_STRICT);
    } else if (memory == CASE_MEMORY_INTERLEAVE) {
        rc = hwloc_set_membind(t->hw, all, HWLOC_MEMBIND_INTERLEAVE, flags | HWLOC_MEMBIND_STRICT);
    } else {
        rc = hwloc_set_membind(t->hw, all, HWLOC_MEMBIND_FIRSTTOUCH, flags);
    }
    return rc == 0 || topo_membind_refused(memory, node, err);
}

/* ---- what a placement promises, and where memory is ---- */

/* The members of set, ascending, into out; returns how many it wrote (at most cap). */
static int topo_set_list(hwloc_const_bitmap_t set, int *out, int cap)
{
    int n = 0;
    unsigned i;
    hwloc_bitmap_foreach_begin(i, set)
    {
        if (n == cap)
            break;
        out[n++] = (int)i;
    }
    hwloc_bitmap_foreach_end();
    return n;
}

/* The planned PUs as a set; NULL with err when one is not a PU here; every PU when one is -1
 * (or there is no plan: pus NULL). */
static hwloc_bitmap_t topo_planned_set(const struct topo *t, const int *pus, int threads, char *err)
{
    hwloc_bitmap_t set = hwloc_bitmap_alloc();
    for (int i = 0; set && i < threads; i++) {
        if (!pus || pus[i] < 0) {
            hwloc_bitmap_copy(set, hwloc_topology_get_topology_cpuset(t->hw));
            break;
        }
        if (!hwloc_get_pu_obj_by_os_index(t->hw, (unsigned)pus[i])) {
            snprintf(err, ERR_LEN, "PU %d: no PU with that OS index here", pus[i]);
            hwloc_bitmap_free(set);
            return NULL;
        }
        hwloc_bitmap_set(set, (unsigned)pus[i]);
    }
    return set;
}

int topo_plan_memory(const struct topo *t, enum case_memory memory, int node, const int *pus,
                     int threads, int *nodes, int cap, char *err)
{
    hwloc_bitmap_t set = hwloc_bitmap_alloc();
    int n = -1;
    if (memory == CASE_MEMORY_BIND) {
        hwloc_obj_t numa = topo_numa_node(t, node, err);
        if (numa && set) {
            hwloc_bitmap_copy(set, numa->nodeset);
            n = 0;
        }
    } else if (memory == CASE_MEMORY_INTERLEAVE && set) {
        hwloc_bitmap_copy(set, hwloc_topology_get_topology_nodeset(t->hw));
        n = 0;
    } else if (set) {
        hwloc_bitmap_t cpus = topo_planned_set(t, pus, threads, err);
        if (cpus) {
            hwloc_cpuset_to_nodeset(t->hw, cpus, set);
            n = 0;
        }
        hwloc_bitmap_free(cpus);
    }
    if (n == 0)
        n = topo_set_list(set, nodes, cap);
    hwloc_bitmap_free(set);
    return n;
}

int topo_plan_helpers(const struct topo *t, const char *helpers, const int *pus, int threads,
                      int *out, int cap, char *err)
{
    hwloc_bitmap_t set = NULL;
    unsigned pu;
    if (strcmp(helpers, "free") == 0) {
        set = hwloc_bitmap_dup(hwloc_topology_get_topology_cpuset(t->hw));
    } else if (strcmp(helpers, "case-pus") == 0) {
        set = topo_planned_set(t, pus, threads, err);
    } else if (strncmp(helpers, "pu:", 3) == 0 &&
               topo_parse_uint(helpers + 3, helpers + strlen(helpers), &pu)) {
        if (hwloc_get_pu_obj_by_os_index(t->hw, pu) && (set = hwloc_bitmap_alloc()))
            hwloc_bitmap_only(set, pu);
        else
            snprintf(err, ERR_LEN, "helpers '%s': no PU with OS index %u here", helpers, pu);
    } else {
        snprintf(err, ERR_LEN, "helpers '%s' is not case-pus, free or pu:N", helpers);
    }
    int n = set ? topo_set_list(set, out, cap) : -1;
    hwloc_bitmap_free(set);
    return n;
}

int topo_area_nodes(const struct topo *t, const void *addr, size_t len, int *nodes, int cap)
{
    hwloc_bitmap_t set = hwloc_bitmap_alloc();
    int n = -1;
    if (set && hwloc_get_area_memlocation(t->hw, addr, len, set, HWLOC_MEMBIND_BYNODESET) == 0)
        n = topo_set_list(set, nodes, cap);
    hwloc_bitmap_free(set);
    return n;
}

/* ---- export and fingerprint ---- */

char *topo_export_xml(const struct topo *t)
{
    char *buf;
    int len;
    if (hwloc_topology_export_xmlbuffer(t->hw, &buf, &len, 0) < 0)
        return NULL;
    char *copy = xmalloc((size_t)len);
    memcpy(copy, buf, (size_t)len); /* len counts the terminating NUL */
    hwloc_free_xmlbuffer(t->hw, buf);
    return copy;
}

static const char *topo_kernel_release(const struct topo *t, struct utsname *uts)
{
    const char *release = hwloc_obj_get_info_by_name(hwloc_get_root_obj(t->hw), "OSRelease");
    if (release)
        return release;
    return t->this_system && uname(uts) == 0 ? uts->release : "";
}

/* The canonical text the fingerprint hashes: one token per fact, in a fixed order. */
static void topo_write_identity(const struct topo *t, FILE *out)
{
    struct utsname uts;
    fprintf(out, "model=%s\n", topo_cpu_model(t->hw));
    int depth = hwloc_topology_get_depth(t->hw);
    for (int d = 0; d < depth; d++) {
        int n = hwloc_get_nbobjs_by_depth(t->hw, d);
        hwloc_obj_t first = hwloc_get_obj_by_depth(t->hw, d, 0);
        fprintf(out, "level %d %s x%d", d, hwloc_obj_type_string(first->type), n);
        if (hwloc_obj_type_is_cache(first->type))
            for (int i = 0; i < n; i++)
                fprintf(out, " %llu",
                        (unsigned long long)hwloc_get_obj_by_depth(t->hw, d, (unsigned)i)
                            ->attr->cache.size);
        fputc('\n', out);
    }
    fprintf(out, "numa x%d\n", topo_count(t->hw, HWLOC_OBJ_NUMANODE));
    fprintf(out, "kernel=%s\ncompiler=%s\n", topo_kernel_release(t, &uts), __VERSION__);
}

void topo_fingerprint(const struct topo *t, char out[65])
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (!mem) {
        memset(out, '0', 64);
        out[64] = '\0';
        return;
    }
    topo_write_identity(t, mem);
    fclose(mem);
    for (int lane = 0; lane < 4; lane++) {
        uint64_t h = 0xcbf29ce484222325ULL ^ (0x9e3779b97f4a7c15ULL * (uint64_t)(lane + 1));
        for (size_t i = 0; i < len; i++) {
            h ^= (unsigned char)text[i];
            h *= 0x100000001b3ULL;
        }
        snprintf(out + lane * 16, 17, "%016llx", (unsigned long long)h);
    }
    free(text);
}

/* ---- printing ---- */

static const char *topo_format_bytes(uint64_t bytes, char *buf, size_t len)
{
    static const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)bytes;
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        u++;
    }
    snprintf(buf, len, v == (double)(uint64_t)v ? "%.0f %s" : "%.1f %s", v, units[u]);
    return buf;
}

static void topo_print_caches(const struct topo_summary *s, FILE *out)
{
    fprintf(out, "caches:");
    if (s->cache_levels == 0)
        fprintf(out, " none reported");
    for (int level = 0; level < s->cache_levels; level++) {
        char size[32];
        if (s->cache_count[level])
            fprintf(out, " L%d %d x %s%s", level + 1, s->cache_count[level],
                    topo_format_bytes(s->cache_bytes[level], size, sizeof size),
                    level + 1 < s->cache_levels ? "," : "");
    }
    fputc('\n', out);
}

/* One package (or the whole machine when there is no Package level). */
static void topo_print_container(const struct topo *t, hwloc_obj_t obj, FILE *out)
{
    char set[256], size[32];
    topo_format_set(obj->cpuset, set, sizeof set);
    if (obj->type == HWLOC_OBJ_PACKAGE)
        fprintf(out, "package L#%u P#%u: PUs %s\n", obj->logical_index, obj->os_index, set);
    else
        fprintf(out, "machine: PUs %s\n", set);
    for (hwloc_obj_t numa = NULL;
         (numa = hwloc_get_next_obj_by_type(t->hw, HWLOC_OBJ_NUMANODE, numa));) {
        if (!hwloc_bitmap_intersects(numa->cpuset, obj->cpuset))
            continue;
        topo_format_set(numa->cpuset, set, sizeof set);
        uint64_t bytes = numa->attr->numanode.local_memory;
        fprintf(out, "  NUMA node P#%u: PUs %s, %s\n", numa->os_index, set,
                bytes ? topo_format_bytes(bytes, size, sizeof size) : "memory size unknown");
    }
    fprintf(out, "  cores (PUs):");
    hwloc_obj_type_t unit = topo_count(t->hw, HWLOC_OBJ_CORE) ? HWLOC_OBJ_CORE : HWLOC_OBJ_PU;
    for (hwloc_obj_t core = NULL;
         (core = hwloc_get_next_obj_inside_cpuset_by_type(t->hw, obj->cpuset, unit, core));) {
        topo_format_set(core->cpuset, set, sizeof set);
        fprintf(out, " [%s]", set);
    }
    fputc('\n', out);
}

void topo_print(const struct topo *t, FILE *out)
{
    struct topo_summary s;
    topo_summarize(t, &s);
    fprintf(out, "machine: %s (%s)\n", s.cpu_model,
            t->this_system ? "this system" : "loaded topology, planning only");
    fprintf(out, "packages %d, NUMA nodes %d, cores %d, PUs %d\n", s.packages, s.numa_nodes,
            s.cores, s.pus);
    topo_print_caches(&s, out);
    if (s.packages == 0)
        topo_print_container(t, hwloc_get_root_obj(t->hw), out);
    for (hwloc_obj_t pack = NULL;
         (pack = hwloc_get_next_obj_by_type(t->hw, HWLOC_OBJ_PACKAGE, pack));)
        topo_print_container(t, pack, out);
}

static void topo_print_planned(const struct topo *t, const int *pus, int threads, bool over,
                               FILE *out)
{
    for (int i = 0; i < threads; i++) {
        if (pus[i] < 0)
            fprintf(out, "  thread %d -> unbound\n", i);
        else
            fprintf(out, "  thread %d -> PU P#%d\n", i, pus[i]);
    }
    if (over && pus[0] < 0)
        fprintf(out, "warning: oversubscribed: %d unbound threads on %d PUs\n", threads,
                topo_count(t->hw, HWLOC_OBJ_PU));
    else if (over)
        fprintf(out, "warning: oversubscribed: %d threads share %d PUs\n", threads,
                topo_plan_distinct(pus, threads));
}

void topo_print_plan(const struct topo *t, int threads, const char *placement, FILE *out)
{
    char err[ERR_LEN];
    bool over = false;
    int *pus = xcalloc((size_t)threads, sizeof *pus);
    if (!topo_plan_threads(t, threads, placement, pus, &over, err)) {
        fprintf(out, "plan: %s\n", err);
    } else {
        fprintf(out, "plan: %d threads, placement %s\n", threads, placement);
        topo_print_planned(t, pus, threads, over, out);
    }
    free(pus);
}
