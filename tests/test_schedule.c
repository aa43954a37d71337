/*
 * test_schedule.c: the run order of windows (runner/schedule.c).  Rounds: points are the cases
 * that differ only in the backend (its options included), in expansion order; each round of a
 * point measures each of its backends once, in an order that changes from round to round and from
 * seed to seed and is rebuilt exactly from the same seed; a case with fewer repetitions sits out
 * the last rounds; skipped cases have no window.  Sequential: every repetition of a case back to
 * back, no rounds.
 */
#include "support.h"

#include <stdlib.h>
#include <string.h>

#include "runner/schedule.h"

/* Every backend at every read_pct, backend-major as the expander lists them (the backend first,
 * then the dimensions), so the cases of one point lie apart in the array. */
static struct bench_case *schedule_cases(const char *const *backends, size_t nb, const double *reads,
                                         size_t np, int repetitions, size_t *count)
{
    struct bench_case *cases = calloc(nb * np, sizeof *cases);
    for (size_t b = 0; b < nb; b++)
        for (size_t p = 0; p < np; p++) {
            struct bench_case *c = &cases[b * np + p];
            case_init(c, "t", backends[b]);
            c->read_pct = reads[p];
            c->repetitions = repetitions;
        }
    *count = nb * np;
    return cases;
}

/* Every round of every point holds each runnable case of the point exactly once, at positions
 * 1..k; rounds run 1, 2, ... and points 0, 1, ... */
static void check_rounds(const struct bench_case *cases, size_t count,
                         const struct schedule_window *w, size_t n)
{
    size_t i = 0;
    size_t point = 0;
    while (i < n) {
        assert_int_equal(w[i].point, point);
        for (int round = 1; i < n && w[i].point == point; round++) {
            size_t start = i;
            while (i < n && w[i].point == point && w[i].round == round) {
                assert_int_equal(w[i].position, (int)(i - start) + 1);
                for (size_t j = start; j < i; j++)
                    assert_int_not_equal(w[j].case_index, w[i].case_index);
                i++;
            }
            assert_true(i > start); /* no empty round, no round skipped */
            size_t expected = 0; /* the point's cases with at least `round` repetitions */
            for (size_t c = 0; c < count; c++)
                if (!cases[c].skipped && cases[c].repetitions >= round &&
                    cases[c].read_pct == cases[w[start].case_index].read_pct)
                    expected++;
            assert_int_equal(i - start, expected);
        }
        point++;
    }
}

static void test_rounds_measure_every_backend_of_a_point_once(void **state)
{
    (void)state;
    static const char *const backends[] = {"mutex", "striped:shards=4", "striped:shards=8", "rwlock"};
    static const double reads[] = {90, 50};
    size_t count, n;
    struct bench_case *cases = schedule_cases(backends, 4, reads, 2, 5, &count);
    struct schedule_window *w = schedule_build(cases, count, SCHEDULE_ROUNDS, 42, &n);
    assert_int_equal(n, 8 * 5);
    check_rounds(cases, count, w, n);
    /* points in expansion order: the first case (mutex at 90%) is in point 0, at 50% in point 1;
     * the striped options are backends of the same point */
    for (size_t i = 0; i < n; i++)
        assert_int_equal(w[i].point, cases[w[i].case_index].read_pct == 90 ? 0 : 1);
    /* each case runs its 5 repetitions, one per round */
    for (size_t c = 0; c < count; c++) {
        int seen = 0;
        for (size_t i = 0; i < n; i++)
            seen += w[i].case_index == c;
        assert_int_equal(seen, 5);
    }
    free(w);
    free(cases);
}

/* The order inside a round is the seed's: the same seed rebuilds it, another seed does not, and
 * the rounds of one run do not all share one order. */
static void test_round_order_is_random_and_reproducible(void **state)
{
    (void)state;
    static const char *const backends[] = {"mutex", "rwlock", "striped", "rcu", "cow", "syncmap"};
    static const double reads[] = {90};
    size_t count, n, again_n, other_n;
    struct bench_case *cases = schedule_cases(backends, 6, reads, 1, 8, &count);
    struct schedule_window *w = schedule_build(cases, count, SCHEDULE_ROUNDS, 7, &n);
    struct schedule_window *again = schedule_build(cases, count, SCHEDULE_ROUNDS, 7, &again_n);
    struct schedule_window *other = schedule_build(cases, count, SCHEDULE_ROUNDS, 8, &other_n);
    assert_int_equal(n, 48);
    check_rounds(cases, count, w, n);
    assert_int_equal(again_n, n);
    assert_memory_equal(w, again, n * sizeof *w);
    bool differs = false;
    for (size_t i = 0; i < n; i++)
        differs |= w[i].case_index != other[i].case_index;
    assert_true(differs);
    /* a fresh order every round: of 720 orders, 8 rounds repeat one with probability 4% */
    int distinct = 0;
    for (size_t r = 0; r < 8; r++) {
        bool repeated = false;
        for (size_t q = 0; q < r && !repeated; q++) {
            bool same = true;
            for (size_t k = 0; k < 6; k++)
                same &= w[r * 6 + k].case_index == w[q * 6 + k].case_index;
            repeated = same;
        }
        distinct += !repeated;
    }
    assert_true(distinct >= 7);
    free(w);
    free(again);
    free(other);
    free(cases);
}

/* Skipped cases have no window; a case with fewer repetitions than its point sits out the last
 * rounds; cases that differ in an identifying dimension other than the backend are other points. */
static void test_skipped_and_uneven_cases(void **state)
{
    (void)state;
    static const char *const backends[] = {"mutex", "plain", "rwlock"};
    static const double reads[] = {90};
    size_t count, n;
    struct bench_case *cases = schedule_cases(backends, 3, reads, 1, 4, &count);
    cases[1].skipped = true;
    cases[2].repetitions = 2;
    struct schedule_window *w = schedule_build(cases, count, SCHEDULE_ROUNDS, 1, &n);
    assert_int_equal(n, 4 + 2);
    check_rounds(cases, count, w, n);
    for (size_t i = 0; i < n; i++)
        assert_int_not_equal(w[i].case_index, 1);
    assert_int_equal(w[n - 1].round, 4); /* rounds 3 and 4 hold mutex alone */
    assert_int_equal(w[n - 2].round, 3);
    free(w);
    cases[2].repetitions = 4;
    cases[2].threads = 2; /* now another point */
    w = schedule_build(cases, count, SCHEDULE_ROUNDS, 1, &n);
    assert_int_equal(n, 8);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(w[i].point, w[i].case_index == 0 ? 0 : 1);
        assert_int_equal(w[i].position, 1);
    }
    free(w);
    cases[0].skipped = cases[2].skipped = true;
    assert_null(schedule_build(cases, count, SCHEDULE_ROUNDS, 1, &n));
    assert_int_equal(n, 0);
    free(cases);
}

/* Sequential: case after case, each case's repetitions back to back, no round stored. */
static void test_sequential_keeps_case_order(void **state)
{
    (void)state;
    static const char *const backends[] = {"mutex", "rwlock"};
    static const double reads[] = {90, 50};
    size_t count, n;
    struct bench_case *cases = schedule_cases(backends, 2, reads, 2, 3, &count);
    struct schedule_window *w = schedule_build(cases, count, SCHEDULE_SEQUENTIAL, 99, &n);
    assert_int_equal(n, 12);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(w[i].case_index, i / 3);
        assert_int_equal(w[i].round, 0);
        assert_int_equal(w[i].position, 0);
    }
    free(w);
    free(cases);
}

static void test_kind_names(void **state)
{
    (void)state;
    enum schedule_kind kind;
    assert_true(schedule_kind_parse("sequential", &kind));
    assert_int_equal(kind, SCHEDULE_SEQUENTIAL);
    assert_string_equal(schedule_kind_name(kind), "sequential");
    assert_true(schedule_kind_parse("rounds", &kind));
    assert_string_equal(schedule_kind_name(kind), "rounds");
    assert_false(schedule_kind_parse("random", &kind));
    assert_true(schedule_seed_draw() != schedule_seed_draw()); /* 2^-64 to fail by chance */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rounds_measure_every_backend_of_a_point_once),
        cmocka_unit_test(test_round_order_is_random_and_reproducible),
        cmocka_unit_test(test_skipped_and_uneven_cases),
        cmocka_unit_test(test_sequential_keeps_case_order),
        cmocka_unit_test(test_kind_names),
    };
    return cmocka_run_group_tests_name("schedule", tests, NULL, NULL);
}
