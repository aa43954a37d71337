/*
 * test_maps_model.c: every map backend, and specs that exercise its options, driven through a
 * long random sequence of every operation and checked step by step against a trivially correct
 * reference (support_model_check).  Several seeds; a small key pool (48 keys, 0 and UINT64_MAX
 * among them, so updates and put_if_absent hits dominate) and a large one (2,000 keys, so the map
 * grows from empty through several resizes and deletes shrink it back across resizes).
 * At least 200,000 operations per backend (a quarter with MAPBENCH_TEST_QUICK=1).
 * Every backend has get_many (the runner costs each the same per get only then), so the model's
 * check that a batch answers as its gets would runs for every one of them.
 */
#include "support.h"

static const uint64_t model_seeds[] = {1, 0x5eed, 20240601};
#define MODEL_SEED_COUNT (sizeof model_seeds / sizeof model_seeds[0])

static void test_model(void **state)
{
    const struct support_case *c = *state;
    assert_non_null(c->backend->get_many);
    size_t small_ops = support_scale(20000, 5000), large_ops = support_scale(47000, 12000);
    for (size_t i = 0; i < MODEL_SEED_COUNT; i++) {
        support_model_check(c->spec, model_seeds[i], 48, small_ops);
        support_model_check(c->spec, model_seeds[i], 2000, large_ops);
    }
}

int main(void)
{
    static const char *const option_specs[] = {
        "striped:shards=1", "striped:shards=256,lock=rwlock", "rwlock:prefer=writer",
        "plain:detect=1", "ref-absl:lock=shared", "ref-absl:lock=none",
        /* Go's RWMutex, and Go's reference maps' behaviour (RWMutexMap, DeepCopyMap) */
        "rwlock:impl=go", "rwlock:impl=go,range=copy-keys", "rwlock:range=copy-keys",
        "striped:shards=16,lock=go-rwlock", "cow:put_if_absent=load-first,copy=always",
    };
    struct support_suite suite = {0};
    support_suite_add_backends(&suite, "model", test_model, SUPPORT_SELECT_MAPS);
    for (size_t i = 0; i < sizeof option_specs / sizeof option_specs[0]; i++)
        support_suite_add(&suite, "model", test_model, option_specs[i]);
    return support_suite_run(&suite, "maps_model");
}
