/*
 * workload.c: building the streams, generating their keys, counting the keys a window touched,
 * and validating a map after a window (workload.h documents the key space, the mix and what the
 * timed loop does).
 *
 * A pattern is built in three passes: exact class counts (reads and writes first, then each split
 * by cumulative rounding, so every count is within one of its share and they sum to the length);
 * the classes laid out in order and Fisher-Yates shuffled by one xoshiro256** seeded with (case
 * seed, worker); then each class turned into its pattern byte.  Keys come from the counter-based
 * generator (workload_keys), seeded with (case seed, worker) too, so a stream depends only on the
 * case, the worker and the pattern length.
 */
#include "runner/workload.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "runner/rng.h"
#include "runner/zipf.h"

/* The classes of a pattern's operations; the reads' three, then the writes' four, in that order. */
enum workload_class {
    CLASS_RANGE, CLASS_GET_HIT, CLASS_GET_MISS,
    CLASS_PUT,       /* on the access range */
    CLASS_PUT_FRESH, /* on the worker's next fresh key */
    CLASS_DEL,       /* on the access range */
    CLASS_DEL_MISS,  /* on a key never stored */
    CLASS_COUNT
};

uint64_t workload_key_range(const struct bench_case *c)
{
    if (c->key_range)
        return c->key_range;
    return c->write_kind == CASE_WRITE_INSERT_DELETE ? 2 * c->keys : c->keys;
}

void workload_prefill_range(const struct bench_case *c, int worker, int workers,
                            uint64_t *first_index, uint64_t *end_index)
{
    uint64_t base = c->keys / (uint64_t)workers, extra = c->keys % (uint64_t)workers;
    uint64_t w = (uint64_t)worker;
    *first_index = w * base + (w < extra ? w : extra);
    *end_index = *first_index + base + (w < extra ? 1 : 0);
}

/* Prefill through put_many in batches of this many keys, for backends that provide it. */
#define WORKLOAD_PREFILL_BATCH 65536

static uint64_t workload_prefill_batched(const struct map_backend *b, struct map *m,
                                         uint64_t first, uint64_t end)
{
    uint64_t *keys = xmalloc(WORKLOAD_PREFILL_BATCH * sizeof *keys);
    uint64_t *values = xmalloc(WORKLOAD_PREFILL_BATCH * sizeof *values);
    uint64_t inserted = 0;
    for (uint64_t at = first; at < end;) {
        size_t n = 0;
        for (; n < WORKLOAD_PREFILL_BATCH && at < end; n++, at++) {
            keys[n] = workload_key(at);
            values[n] = workload_value(keys[n], 0);
        }
        inserted += b->put_many(m, keys, values, n);
    }
    free(keys);
    free(values);
    return inserted;
}

uint64_t workload_prefill(const struct bench_case *c, const struct map_backend *b, struct map *m,
                          int worker, int workers)
{
    uint64_t first, end, inserted = 0;
    workload_prefill_range(c, worker, workers, &first, &end);
    if (b->put_many)
        return workload_prefill_batched(b, m, first, end);
    for (uint64_t i = first; i < end; i++) {
        uint64_t key = workload_key(i);
        inserted += b->put(m, key, workload_value(key, 0));
    }
    return inserted;
}

/* Inverse of x ^= x >> shift on 64 bits. */
static uint64_t unxorshift(uint64_t x, unsigned shift)
{
    uint64_t result = x;
    for (unsigned s = shift; s < 64; s += shift)
        result ^= x >> s;
    return result;
}

/* Inverse of an odd multiplier modulo 2^64 (Newton's iteration doubles the correct bits). */
static uint64_t odd_inverse(uint64_t a)
{
    uint64_t inverse = a; /* correct to 3 bits for odd a */
    for (int i = 0; i < 5; i++)
        inverse *= 2 - a * inverse;
    return inverse;
}

uint64_t workload_key_index(uint64_t key)
{
    uint64_t x = unxorshift(key, 31);
    x = unxorshift(x * odd_inverse(0x94d049bb133111ebULL), 27);
    x = unxorshift(x * odd_inverse(0xbf58476d1ce4e5b9ULL), 30);
    return x - 0x9e3779b97f4a7c15ULL;
}

/* ---- rank permutation ---- */

static void workload_permutation_init(struct workload_permutation *p, uint64_t range, uint64_t seed)
{
    unsigned bits = 0;
    while (bits < 64 && (1ULL << bits) < range)
        bits++;
    p->range = range;
    p->mask = bits == 64 ? UINT64_MAX : (1ULL << bits) - 1;
    p->shift = bits / 2 + 1;
    uint64_t state = seed ^ 0x243f6a8885a308d3ULL; /* apart from the stream generators' seeds */
    for (int round = 0; round < 3; round++) {
        p->mul[round] = rng_splitmix64(&state) | 1; /* odd: a bijection mod 2^bits */
        p->add[round] = rng_splitmix64(&state);
    }
}

/* A bijection on [0, mask]: multiply by odd, xorshift, add, three rounds. */
static inline uint64_t workload_permute_step(const struct workload_permutation *p, uint64_t x)
{
    for (int round = 0; round < 3; round++) {
        x = (x * p->mul[round]) & p->mask;
        x ^= x >> p->shift;
        x = (x + p->add[round]) & p->mask;
    }
    return x;
}

/* Cycle walking: a bijection on [0, range) since range > mask / 2 (under two steps expected). */
static inline uint64_t workload_rank_to_index(const struct workload_permutation *p, uint64_t rank)
{
    uint64_t x = workload_permute_step(p, rank);
    while (x >= p->range)
        x = workload_permute_step(p, x);
    return x;
}

/* ---- class counts ---- */

/* Splits total into parts by shares (summing to 1) by cumulative rounding. */
static void workload_split(uint64_t total, const double *shares, int parts, uint64_t *out)
{
    double cumulative = 0.0;
    uint64_t given = 0;
    for (int i = 0; i < parts; i++) {
        cumulative += shares[i];
        uint64_t upto = i == parts - 1 ? total : (uint64_t)((double)total * cumulative + 0.5);
        if (upto > total)
            upto = total;
        if (upto < given)
            upto = given;
        out[i] = upto - given;
        given = upto;
    }
}

static void workload_class_counts(const struct bench_case *c, uint64_t length,
                                  uint64_t counts[CLASS_COUNT])
{
    uint64_t writes = (uint64_t)((double)length * (100.0 - c->read_pct) / 100.0 + 0.5);
    if (c->write_kind == CASE_WRITE_INSERT_DELETE)
        writes &= ~1ULL; /* even, so puts and dels are exactly equal */
    uint64_t reads = length - writes;
    double range_share = c->range_pct / 100.0, get_share = 1.0 - range_share;
    double read_shares[3] = {range_share, get_share * c->hit_pct / 100.0,
                             get_share * (100.0 - c->hit_pct) / 100.0};
    workload_split(reads, read_shares, 3, &counts[CLASS_RANGE]);
    bool paired = c->write_kind == CASE_WRITE_INSERT_DELETE;
    double hit = c->hit_pct / 100.0, del_share = paired ? 0.5 : c->delete_pct / 100.0;
    double put_hit = c->write_kind == CASE_WRITE_INSERT          ? 0.0
                     : c->write_kind == CASE_WRITE_LOAD_OR_STORE ? hit
                                                                 : 1.0;
    double del_hit = paired ? 1.0 : hit;
    double write_shares[4] = {(1.0 - del_share) * put_hit, (1.0 - del_share) * (1.0 - put_hit),
                              del_share * del_hit, del_share * (1.0 - del_hit)};
    workload_split(writes, write_shares, 4, &counts[CLASS_PUT]);
}

static bool workload_percent_ok(double pct)
{
    return pct >= 0.0 && pct <= 100.0;
}

static bool workload_check_percents(const struct bench_case *c, char *err)
{
    if (!workload_percent_ok(c->read_pct) || !workload_percent_ok(c->hit_pct) ||
        !workload_percent_ok(c->range_pct) || !workload_percent_ok(c->delete_pct)) {
        snprintf(err, ERR_LEN, "read_pct, hit_pct, range_pct and delete_pct must be in 0..100");
        return false;
    }
    return true;
}

static bool workload_check_case(const struct bench_case *c, const uint64_t counts[CLASS_COUNT],
                                uint64_t range, char *err)
{
    if (range >= WORKLOAD_MISS_BASE || c->keys >= WORKLOAD_MISS_BASE) {
        snprintf(err, ERR_LEN, "keys and key_range must be below 2^62");
        return false;
    }
    if (range == 0 && (counts[CLASS_GET_HIT] || counts[CLASS_DEL] || counts[CLASS_PUT])) {
        snprintf(err, ERR_LEN, "keys=0 and key_range=0 leave no key for gets or writes to use");
        return false;
    }
    return true;
}

/* ---- the key generator ---- */

/* wyrand (Wang Yi): the Weyl increment and the mix of one counter value into 64 random bits. */
#define WORKLOAD_WEYL 0xa0761d6478bd642fULL

static inline uint64_t workload_mix(uint64_t counter)
{
    unsigned __int128 m = (unsigned __int128)counter * (counter ^ 0xe7037ed1a0b428dbULL);
    return (uint64_t)(m >> 64) ^ (uint64_t)m;
}

/* Lemire's multiply-high reduction of 64 random bits into [0, n) (bias below n / 2^64). */
static inline uint64_t workload_reduce(uint64_t random, uint64_t n)
{
    return (uint64_t)(((unsigned __int128)random * n) >> 64);
}

/* The access-range index that 64 random bits draw under distribution `kind` (the stream's). */
static inline __attribute__((always_inline)) uint64_t
workload_draw(const struct workload_stream *s, uint64_t random, enum case_distribution kind)
{
    switch (kind) {
    case CASE_DIST_ZIPF:
        return workload_rank_to_index(&s->permutation, zipf_table_rank(&s->zipf, random));
    case CASE_DIST_HOT: {
        uint64_t rank = workload_reduce(random, s->hot);
        return s->hot_index ? s->hot_index[rank] : workload_rank_to_index(&s->permutation, rank);
    }
    case CASE_DIST_UNIFORM:
    default:
        return workload_reduce(random, s->range);
    }
}

/* One batch of draws: indices of the miss region where the pattern flags a miss (when the
 * pattern has any), scrambled into keys when `as_keys`.  Called with constant `kind`, `misses` and
 * `as_keys`, so each combination gets its own tight loop with no branch but the table walks of zipf
 * and hot. */
static inline __attribute__((always_inline)) void
workload_fill(const struct workload_stream *s, uint64_t position, size_t n, uint64_t *out,
              bool as_keys, enum case_distribution kind, bool misses)
{
    const uint8_t *pattern = s->ops + (position & s->mask);
    uint64_t counter = s->weyl + position * WORKLOAD_WEYL;
    for (size_t j = 0; j < n; j++) {
        counter += WORKLOAD_WEYL;
        uint64_t index = workload_draw(s, workload_mix(counter), kind);
        if (misses) /* WORKLOAD_MISS_FLAG: + WORKLOAD_MISS_BASE */
            index |= (uint64_t)(pattern[j] >> 7) << 62;
        out[j] = as_keys ? workload_key(index) : index;
    }
}

static inline __attribute__((always_inline)) void
workload_fill_by_kind(const struct workload_stream *s, uint64_t position, size_t n, uint64_t *out,
                      bool as_keys, bool misses)
{
    switch (s->kind) {
    case CASE_DIST_ZIPF: workload_fill(s, position, n, out, as_keys, CASE_DIST_ZIPF, misses); break;
    case CASE_DIST_HOT: workload_fill(s, position, n, out, as_keys, CASE_DIST_HOT, misses); break;
    case CASE_DIST_UNIFORM:
    default: workload_fill(s, position, n, out, as_keys, CASE_DIST_UNIFORM, misses); break;
    }
}

void workload_keys(const struct workload_stream *s, uint64_t position, size_t n, uint64_t *keys)
{
    if (s->misses)
        workload_fill_by_kind(s, position, n, keys, true, true);
    else
        workload_fill_by_kind(s, position, n, keys, true, false);
}

void workload_indices(const struct workload_stream *s, uint64_t position, size_t n,
                      uint64_t *indices)
{
    if (s->misses)
        workload_fill_by_kind(s, position, n, indices, false, true);
    else
        workload_fill_by_kind(s, position, n, indices, false, false);
}

uint64_t workload_wraps(uint64_t first, uint64_t count)
{
    return first + count < first ? 1 : 0; /* count < 2^64: at most one pass over 2^64 */
}

static bool workload_generator_init(struct workload_stream *s, const struct bench_case *c,
                                    uint64_t range, char *err)
{
    uint64_t mixed = (uint64_t)s->worker + 1;
    s->weyl = c->seed ^ rng_splitmix64(&mixed);
    s->kind = range ? c->distribution : CASE_DIST_UNIFORM;
    s->range = range;
    if (!range)
        return true;
    workload_permutation_init(&s->permutation, range, c->seed);
    if (s->kind == CASE_DIST_ZIPF && !zipf_table_init(&s->zipf, range, c->zipf_theta)) {
        if (range >= (1ULL << 53))
            snprintf(err, ERR_LEN, "distribution zipf:%g: the key range must be below 2^53",
                     c->zipf_theta);
        else
            snprintf(err, ERR_LEN, "distribution zipf:%g: theta must be a finite number >= 0",
                     c->zipf_theta);
        return false;
    }
    if (s->kind == CASE_DIST_HOT && c->hot_keys == 0) {
        snprintf(err, ERR_LEN, "distribution hot:0: at least one hot key is needed");
        return false;
    }
    s->hot = c->hot_keys < range ? c->hot_keys : range;
    if (s->kind == CASE_DIST_HOT && s->hot <= WORKLOAD_HOT_TABLE_MAX) {
        s->hot_index = xmalloc(s->hot * sizeof *s->hot_index);
        for (uint64_t rank = 0; rank < s->hot; rank++)
            s->hot_index[rank] = workload_rank_to_index(&s->permutation, rank);
    }
    return true;
}

/* ---- the operation pattern ---- */

static bool workload_alloc(struct workload_stream *s, size_t min_length, char *err)
{
    size_t length = WORKLOAD_BATCH_MAX;
    while (length < min_length && length < ((size_t)1 << 40))
        length <<= 1;
    if (length < min_length) {
        snprintf(err, ERR_LEN, "workload pattern of %zu operations is too long", min_length);
        return false;
    }
    s->length = length;
    s->mask = length - 1;
    s->ops = xmalloc(length + WORKLOAD_BATCH_MAX);
    return true;
}

static void workload_shuffle(uint8_t *classes, size_t length, struct rng *r)
{
    for (size_t i = length - 1; i > 0; i--) {
        size_t j = (size_t)rng_below(r, i + 1);
        uint8_t t = classes[i];
        classes[i] = classes[j];
        classes[j] = t;
    }
}

static uint8_t workload_put_op(const struct bench_case *c)
{
    return c->write_kind == CASE_WRITE_LOAD_OR_STORE ? WORKLOAD_PUT_IF_ABSENT : WORKLOAD_PUT;
}

static const uint8_t class_op[CLASS_COUNT] = {
    [CLASS_RANGE] = WORKLOAD_RANGE, [CLASS_GET_HIT] = WORKLOAD_GET,
    [CLASS_GET_MISS] = WORKLOAD_GET | WORKLOAD_MISS_FLAG, [CLASS_DEL] = WORKLOAD_DEL,
    [CLASS_DEL_MISS] = WORKLOAD_DEL | WORKLOAD_MISS_FLAG};

/* Exact class counts laid out in order, shuffled, turned into pattern bytes; the bytes past the
 * end repeat the first ones. */
static void workload_pattern(const struct bench_case *c, struct workload_stream *s,
                             const uint64_t counts[CLASS_COUNT])
{
    size_t at = 0;
    for (int class = 0; class < CLASS_COUNT; class++)
        for (uint64_t k = 0; k < counts[class]; k++)
            s->ops[at++] = (uint8_t)class;
    struct rng r;
    rng_seed(&r, c->seed, (uint64_t)s->worker + 1);
    workload_shuffle(s->ops, s->length, &r);
    s->gets_only = true;
    for (size_t i = 0; i < s->length; i++) {
        uint8_t class = s->ops[i];
        s->ops[i] = class == CLASS_PUT         ? workload_put_op(c)
                    : class == CLASS_PUT_FRESH ? workload_put_op(c) | WORKLOAD_FRESH_FLAG
                                               : class_op[class];
        s->gets_only = s->gets_only && (s->ops[i] & WORKLOAD_OP_BITS) == WORKLOAD_GET;
        s->misses = s->misses || (s->ops[i] & WORKLOAD_MISS_FLAG);
    }
    memcpy(s->ops + s->length, s->ops, WORKLOAD_BATCH_MAX);
}

static enum workload_loop_kind workload_loop_of(const struct bench_case *c)
{
    return c->write_kind == CASE_WRITE_ADVERSARIAL_ALLOC    ? WORKLOAD_LOOP_ALLOC
           : c->write_kind == CASE_WRITE_ADVERSARIAL_DELETE ? WORKLOAD_LOOP_DELETE
                                                            : WORKLOAD_LOOP_NONE;
}

bool workload_build(const struct bench_case *c, int worker, int workers, size_t min_length,
                    struct workload_stream *out, char *err)
{
    *out = (struct workload_stream){.worker = worker, .workers = workers,
                                    .loop = workload_loop_of(c)};
    uint64_t range = workload_key_range(c);
    if (out->loop != WORKLOAD_LOOP_NONE) { /* Go's loop: no pattern, no drawn key */
        out->range = range;
        return true;
    }
    if (!workload_check_percents(c, err) || !workload_alloc(out, min_length, err))
        return false;
    uint64_t counts[CLASS_COUNT];
    workload_class_counts(c, out->length, counts);
    if (!workload_check_case(c, counts, range, err) ||
        !workload_generator_init(out, c, range, err)) {
        workload_free(out);
        return false;
    }
    workload_pattern(c, out, counts);
    return true;
}

void workload_free(struct workload_stream *s)
{
    free(s->ops);
    free(s->hot_index);
    zipf_table_free(&s->zipf);
    s->ops = NULL;
    s->hot_index = NULL;
    s->length = s->mask = 0;
}

/* ---- Go's loops ---- */

/* BenchmarkAdversarialAlloc: Load(i); if loadsSinceStore++ > stores: LoadOrStore(i); i++. */
static uint8_t workload_loop_alloc(struct workload_loop *l)
{
    if (l->step == 0) {
        if (++l->since_store > l->stores)
            l->step = 1;
        else
            l->i++;
        return WORKLOAD_GET;
    }
    l->since_store = 0;
    l->stores++;
    l->step = 0;
    l->i++;
    return WORKLOAD_PUT_IF_ABSENT;
}

/* BenchmarkAdversarialDelete: Load(i); if i % 1024 == 0: Range to the first key, Delete it,
 * Store(i); i++.  Steps 0 to 3 are those four operations; an empty map has no key to delete. */
static uint8_t workload_loop_delete(struct workload_loop *l, uint64_t *found)
{
    switch (l->step) {
    case 0:
        if (l->i % WORKLOAD_LOOP_DELETE_EVERY == 0)
            l->step = 1;
        else
            l->i++;
        return WORKLOAD_GET;
    case 1:
        l->step = 2;
        l->found_any = false;
        return WORKLOAD_RANGE_FIRST;
    case 2:
        l->step = 3;
        if (l->found_any) {
            *found = l->found;
            return WORKLOAD_DEL;
        }
        break;
    default:
        break;
    }
    l->step = 0;
    l->i++;
    return WORKLOAD_PUT;
}

uint8_t workload_loop_next(const struct workload_stream *s, struct workload_loop *l, uint64_t *key)
{
    *key = workload_fresh_key(s->worker, s->workers, l->i); /* the key of iteration i */
    return s->loop == WORKLOAD_LOOP_ALLOC ? workload_loop_alloc(l) : workload_loop_delete(l, key);
}

void workload_loop_found(struct workload_loop *l, bool any, uint64_t key)
{
    l->found_any = any;
    l->found = key;
}

/* ---- distinct keys touched ---- */

static uint64_t workload_touched_size(const struct workload_stream *s)
{
    return s->range <= WORKLOAD_TOUCHED_EXACT_MAX ? s->range : WORKLOAD_TOUCHED_EXACT_MAX;
}

uint64_t workload_touched_bytes(const struct workload_stream *s)
{
    return (workload_touched_size(s) / 64 + 1) * sizeof(uint64_t);
}

void workload_touched_init(struct workload_touched *t, const struct workload_stream *s)
{
    t->exact = s->range <= WORKLOAD_TOUCHED_EXACT_MAX;
    t->size = workload_touched_size(s);
    t->bits = xcalloc(t->size / 64 + 1, sizeof *t->bits);
}

/* The bit of an access-range index: itself, or a hash of it into the estimate's bitmap. */
static uint64_t workload_touched_bit(const struct workload_touched *t, uint64_t index)
{
    return t->exact ? index : workload_reduce(map_hash(index), t->size);
}

/* Does the pattern byte name an access-range key?  Gets that hit, puts and dels not flagged. */
static bool workload_keyed(uint8_t byte)
{
    return (byte & WORKLOAD_OP_BITS) != WORKLOAD_RANGE &&
           !(byte & (WORKLOAD_MISS_FLAG | WORKLOAD_FRESH_FLAG));
}

static void workload_touched_set(struct workload_touched *t, uint64_t bit, bool shared)
{
    uint64_t *word = &t->bits[bit / 64], mask = 1ULL << (bit % 64);
    if (!shared)
        *word |= mask;
    else if (!(__atomic_load_n(word, __ATOMIC_RELAXED) & mask))
        __atomic_fetch_or(word, mask, __ATOMIC_RELAXED);
}

void workload_touched_mark(struct workload_touched *t, const struct workload_stream *s,
                           uint64_t first, uint64_t count, bool shared)
{
    uint64_t indices[WORKLOAD_BATCH_MAX];
    bool keyed[256];
    if (!s->range || s->loop != WORKLOAD_LOOP_NONE)
        return;
    for (unsigned byte = 0; byte < 256; byte++)
        keyed[byte] = workload_keyed((uint8_t)byte);
    for (uint64_t done = 0; done < count;) {
        size_t n = count - done < WORKLOAD_BATCH_MAX ? (size_t)(count - done) : WORKLOAD_BATCH_MAX;
        uint64_t position = first + done;
        workload_indices(s, position, n, indices);
        const uint8_t *pattern = s->ops + (position & s->mask);
        for (size_t j = 0; j < n; j++)
            if (keyed[pattern[j]])
                workload_touched_set(t, workload_touched_bit(t, indices[j]), shared);
        done += n;
    }
}

void workload_touched_merge(struct workload_touched *into, const struct workload_touched *from)
{
    for (uint64_t w = 0; w <= into->size / 64; w++)
        into->bits[w] |= from->bits[w];
}

uint64_t workload_touched_count(const struct workload_touched *t)
{
    uint64_t set = 0;
    for (uint64_t w = 0; w <= t->size / 64; w++)
        set += (uint64_t)__builtin_popcountll(t->bits[w]);
    if (t->exact)
        return set;
    if (set >= t->size) /* saturated: the estimate is unbounded; report what it can say */
        set = t->size - 1;
    double m = (double)t->size;
    return (uint64_t)llround(-m * log((m - (double)set) / m));
}

void workload_touched_free(struct workload_touched *t)
{
    free(t->bits);
    t->bits = NULL;
}

/* ---- validation ---- */

struct workload_walk {
    const struct bench_case *c;
    uint64_t range_end; /* indices below are prefilled or in the access range */
    uint64_t visited;
    char *reason;
    bool failed;
};

static bool workload_key_producible(const struct workload_walk *w, uint64_t key)
{
    uint64_t index = workload_key_index(key);
    if (index < w->range_end)
        return true;
    return index >= WORKLOAD_FRESH_BASE && w->c->write_kind != CASE_WRITE_UPDATE &&
           w->c->write_kind != CASE_WRITE_INSERT_DELETE; /* the kinds that store fresh keys */
}

static bool workload_walk_visit(uint64_t key, uint64_t value, void *arg)
{
    struct workload_walk *w = arg;
    w->visited++;
    if (w->failed)
        return true; /* keep counting; the first problem is already recorded */
    if (!workload_key_producible(w, key)) {
        snprintf(w->reason, 256, "range found key %#llx (index %#llx) that the workload never inserts",
                 (unsigned long long)key, (unsigned long long)workload_key_index(key));
        w->failed = true;
    } else if (!workload_value_matches(key, value)) {
        snprintf(w->reason, 256, "range found key %#llx with value %#llx that does not encode it",
                 (unsigned long long)key, (unsigned long long)value);
        w->failed = true;
    }
    return true;
}

/* With no effective delete, every prefilled key must still be there with a value encoding it. */
static bool workload_check_prefilled(const struct bench_case *c, const struct map_backend *b,
                                     struct map *m, char *reason)
{
    for (uint64_t i = 0; i < c->keys; i++) {
        uint64_t key = workload_key(i), value = 0;
        if (!b->get(m, key, &value)) {
            snprintf(reason, 256, "prefilled key %#llx (index %llu) is missing, yet no delete took effect",
                     (unsigned long long)key, (unsigned long long)i);
            return false;
        }
        if (!workload_value_matches(key, value)) {
            snprintf(reason, 256, "get of key %#llx returned value %#llx that does not encode it",
                     (unsigned long long)key, (unsigned long long)value);
            return false;
        }
    }
    return true;
}

static bool workload_check_walk(const struct bench_case *c, const struct map_backend *b,
                                struct map *m, char *reason)
{
    uint64_t range = workload_key_range(c);
    struct workload_walk walk = {.c = c, .range_end = range > c->keys ? range : c->keys,
                                 .reason = reason};
    b->range(m, workload_walk_visit, &walk);
    if (walk.failed)
        return false;
    uint64_t size = b->size(m);
    if (walk.visited != size) {
        snprintf(reason, 256, "range visited %llu keys but size() reports %llu",
                 (unsigned long long)walk.visited, (unsigned long long)size);
        return false;
    }
    return true;
}

static bool workload_check_size(const struct bench_case *c, const struct map_backend *b,
                                struct map *m, uint64_t inserts, uint64_t deletes, char *reason)
{
    uint64_t size = b->size(m);
    if (deletes > c->keys + inserts || size != c->keys + inserts - deletes) {
        snprintf(reason, 256, "size() is %llu, expected %llu prefilled + %llu inserts - %llu deletes",
                 (unsigned long long)size, (unsigned long long)c->keys,
                 (unsigned long long)inserts, (unsigned long long)deletes);
        return false;
    }
    return true;
}

bool workload_validate(const struct bench_case *c, const struct map_backend *b, struct map *m,
                       uint64_t effective_inserts, uint64_t effective_deletes, char *reason)
{
    b->thread_enter(m);
    bool ok = (effective_deletes != 0 || workload_check_prefilled(c, b, m, reason)) &&
              workload_check_walk(c, b, m, reason) &&
              workload_check_size(c, b, m, effective_inserts, effective_deletes, reason);
    b->thread_leave(m);
    if (ok)
        reason[0] = '\0';
    return ok;
}
