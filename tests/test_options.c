/*
 * test_options.c: bad input must be a clear one-line error, never a crash or a silent default.
 * Specs: an unknown backend (named, with every valid backend listed), an unknown option (named,
 * with the valid options listed), malformed options and bad values (not a number, out of range,
 * not a power of two, not one of the choices).  Plugins (map_plugin_load): a good one loads, joins
 * the registry and passes a model check; a wrong ABI version, a missing symbol, a file that is not
 * a shared object and a second load of the same backend are each refused with a reason.  The CLI:
 * `mapbench list backends` lists every backend; a bad --plugin exits non-zero with one stderr line.
 * Plugins are found in ../plugins beside this binary's directory (build/tests -> build/plugins),
 * or in MAPBENCH_PLUGIN_DIR when set; mapbench itself in the build directory.
 */
#include "support.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void plugin_path(const char *file, char *out, size_t len)
{
    const char *dir = getenv("MAPBENCH_PLUGIN_DIR");
    char bin[PATH_MAX];
    support_binary_dir(bin, sizeof bin);
    if (dir && *dir)
        snprintf(out, len, "%s/%s", dir, file);
    else
        snprintf(out, len, "%s/../plugins/%s", bin, file);
}

/* Expects `spec` to be refused with a one-line error holding every string in `needles`. */
static void expect_spec_error(const char *spec, const char *const *needles)
{
    char err[ERR_LEN] = "";
    const struct map_backend *b = NULL;
    struct map *m = map_create_from_spec(spec, &b, err);
    if (m) {
        b->destroy(m);
        fail_msg("spec '%s' was accepted", spec);
    }
    if (!err[0] || strchr(err, '\n'))
        fail_msg("spec '%s': error is not one line: '%s'", spec, err);
    for (; *needles; needles++)
        if (!strstr(err, *needles))
            fail_msg("spec '%s': error '%s' does not mention '%s'", spec, err, *needles);
}

static void test_unknown_backend(void **state)
{
    (void)state;
    size_t count;
    const struct map_backend *const *all = map_registry_list(&count);
    const char *needles[MAP_MAX_OPTIONS + 66] = {"nosuch"};
    for (size_t i = 0; i < count && i < 64; i++)
        needles[i + 1] = all[i]->name;
    expect_spec_error("nosuch", needles);
    expect_spec_error("nosuch:shards=4", needles);
    expect_spec_error("", (const char *const[]){"unknown backend", NULL});
}

static void test_unknown_or_malformed_option(void **state)
{
    (void)state;
    expect_spec_error("mutex:foo=1", (const char *const[]){"mutex", "foo", "none", NULL});
    expect_spec_error("striped:bogus=1", (const char *const[]){"bogus", "shards", "lock", NULL});
    expect_spec_error("striped:shards", (const char *const[]){"shards", "key=value", NULL});
    expect_spec_error("striped:=4", (const char *const[]){"key=value", NULL});
    char long_spec[400];
    memset(long_spec, 'x', sizeof long_spec - 1);
    long_spec[sizeof long_spec - 1] = '\0';
    expect_spec_error(long_spec, (const char *const[]){"longer than", NULL});
}

static void test_bad_option_values(void **state)
{
    (void)state;
    static const struct {
        const char *spec;
        const char *needles[4];
    } cases[] = {
        {"striped:shards=abc", {"shards=abc", "1..65536", NULL}},
        {"striped:shards=12x", {"shards=12x", NULL}},
        {"striped:shards=0", {"shards=0", "1..65536", NULL}},
        {"striped:shards=65537", {"shards=65537", NULL}},
        {"striped:shards=-1", {"shards=-1", NULL}},
        {"striped:shards=99999999999999999999999", {"shards", NULL}},
        {"striped:shards=3", {"shards=3", "power of two", NULL}},
        {"striped:lock=spin", {"lock=spin", "mutex|rwlock", NULL}},
        {"rwlock:prefer=both", {"prefer=both", "reader|writer", NULL}},
        {"rwlock:impl=rust", {"impl=rust", "pthread|go", NULL}},
        {"rwlock:impl=go,prefer=reader", {"prefer=reader", "impl=go", NULL}},
        {"rwlock:range=snapshot", {"range=snapshot", "locked|copy-keys", NULL}},
        {"striped:lock=go", {"lock=go", "mutex|rwlock|go-rwlock", NULL}},
        {"cow:put_if_absent=lazy", {"put_if_absent=lazy", "lock-first|load-first", NULL}},
        {"cow:copy=never", {"copy=never", "on-change|always", NULL}},
        {"plain:detect=2", {"detect=2", "0..1", NULL}},
        {"ref-absl:lock=spin", {"ref-absl", "lock=spin", "mutex|shared|none", NULL}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_spec_error(cases[i].spec, cases[i].needles);
}

static void test_good_options_accepted(void **state)
{
    (void)state;
    static const char *const specs[] = {"striped:shards=1,lock=rwlock", "striped:shards=65536",
                                        "rwlock:prefer=writer", "plain:detect=1", "mutex",
                                        "rwlock:impl=go", "rwlock:impl=go,prefer=writer",
                                        "rwlock:impl=go,range=copy-keys", "striped:lock=go-rwlock",
                                        "cow:put_if_absent=load-first,copy=always",
                                        "ref-absl:lock=shared", "ref-absl:lock=none"};
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        char err[ERR_LEN] = "";
        const struct map_backend *b;
        struct map *m = map_create_from_spec(specs[i], &b, err);
        if (!m)
            fail_msg("spec '%s' refused: %s", specs[i], err);
        b->destroy(m);
    }
}

/* Loads the good plugin unless an earlier test did (the registry lives for the process). */
static void load_good_plugin(void)
{
    char path[PATH_MAX + 32], err[ERR_LEN] = "";
    if (map_registry_find("test-array"))
        return;
    plugin_path("good_plugin.so", path, sizeof path);
    if (!map_plugin_load(path, err))
        fail_msg("good plugin refused: %s", err);
}

/* Roles and concurrency are properties of the parsed spec, with names and a parser that round-trip,
 * so reports never compare backend names. */
static void test_roles_of_specs(void **state)
{
    (void)state;
    static const struct {
        const char *spec;
        enum map_role role;
        enum map_concurrency concurrency;
    } want[] = {
        {"null", MAP_ROLE_HARNESS, MAP_CONCURRENCY_FULL},
        {"plain", MAP_ROLE_CEILING, MAP_CONCURRENCY_NONE},
        {"plain:detect=1", MAP_ROLE_CEILING, MAP_CONCURRENCY_NONE},
        {"mutex", MAP_ROLE_CONTENDER, MAP_CONCURRENCY_FULL},
        {"striped:shards=4", MAP_ROLE_CONTENDER, MAP_CONCURRENCY_FULL},
        {"ref-lfht", MAP_ROLE_REFERENCE, MAP_CONCURRENCY_FULL},
        {"ref-ckht", MAP_ROLE_REFERENCE, MAP_CONCURRENCY_FULL},
        {"ref-tbb-hash", MAP_ROLE_REFERENCE, MAP_CONCURRENCY_FULL},
        {"ref-tbb-unordered", MAP_ROLE_REFERENCE, MAP_CONCURRENCY_NO_DELETE},
        {"ref-absl", MAP_ROLE_REFERENCE, MAP_CONCURRENCY_FULL},
        {"ref-absl:lock=shared", MAP_ROLE_REFERENCE, MAP_CONCURRENCY_FULL},
        {"ref-absl:lock=none", MAP_ROLE_CEILING, MAP_CONCURRENCY_NONE},
        {"ref-absl:lock=mutex,lock=none", MAP_ROLE_CEILING, MAP_CONCURRENCY_NONE}, /* last wins */
    };
    char err[ERR_LEN] = "";
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        struct map_traits t;
        assert_true(map_traits_of(want[i].spec, &t, err));
        assert_int_equal(t.role, want[i].role);
        assert_int_equal(t.concurrency, want[i].concurrency);
    }
    assert_false(map_traits_of("nosuch", &(struct map_traits){0}, err));
    for (int r = 0; r < MAP_ROLE_COUNT; r++) {
        enum map_role back;
        assert_true(map_role_parse(map_role_name((enum map_role)r), &back));
        assert_int_equal(back, r);
    }
    enum map_role unused;
    assert_false(map_role_parse("winner", &unused));
    assert_true(map_role_ranked(MAP_ROLE_REFERENCE) && !map_role_ranked(MAP_ROLE_CEILING) &&
                !map_role_ranked(MAP_ROLE_HARNESS));
}

static void test_good_plugin_loads_and_works(void **state)
{
    (void)state;
    size_t before, after;
    map_registry_list(&before);
    bool was_loaded = map_registry_find("test-array") != NULL;
    load_good_plugin();
    const struct map_backend *const *all = map_registry_list(&after);
    assert_int_equal(after, before + !was_loaded);
    assert_string_equal(all[after - 1]->name, "test-array");
    assert_ptr_equal(map_registry_find("test-array"), all[after - 1]);
    support_model_check("test-array", 11, 48, 20000);
    support_model_check("test-array", 12, 600, 20000);
}

static void expect_plugin_error(const char *file, const char *needle)
{
    char path[PATH_MAX + 32], err[ERR_LEN] = "";
    size_t before, after;
    map_registry_list(&before);
    plugin_path(file, path, sizeof path);
    if (map_plugin_load(path, err))
        fail_msg("plugin %s was accepted", path);
    map_registry_list(&after);
    assert_int_equal(after, before);
    if (strchr(err, '\n') || !strstr(err, path) || !strstr(err, needle))
        fail_msg("plugin %s: error '%s' lacks the path or '%s'", file, err, needle);
}

static void test_bad_plugins_refused(void **state)
{
    (void)state;
    expect_plugin_error("wrong_version.so", "ABI version 999");
    expect_plugin_error("no_symbol.so", MAP_PLUGIN_SYMBOL);
    expect_plugin_error("does_not_exist.so", "cannot load");
    load_good_plugin();
    expect_plugin_error("good_plugin.so", "already registered");
}

static void test_non_shared_object_refused(void **state)
{
    (void)state;
    char path[] = "/tmp/mapbench-not-a-plugin-XXXXXX.so", err[ERR_LEN] = "";
    int fd = mkstemps(path, 3);
    assert_true(fd >= 0);
    assert_true(write(fd, "this is text\n", 13) == 13);
    close(fd);
    bool loaded = map_plugin_load(path, err);
    unlink(path);
    assert_false(loaded);
    if (strchr(err, '\n') || !strstr(err, path) || !strstr(err, "cannot load"))
        fail_msg("non-plugin file: unclear error '%s'", err);
}

/* Runs build/mapbench with `args` (NULL-terminated, at most 6). */
static void run_mapbench(const char *const *args, struct support_child *child)
{
    char bin[PATH_MAX], exe[PATH_MAX + 16];
    char *argv[8] = {exe};
    support_binary_dir(bin, sizeof bin);
    snprintf(exe, sizeof exe, "%s/../mapbench", bin);
    for (int i = 0; args[i] && i < 6; i++)
        argv[i + 1] = (char *)args[i];
    support_child_exec(argv, child);
}

static bool lists_backend(const char *out, const char *name)
{
    size_t len = strlen(name);
    for (const char *line = out; line && *line; line = strchr(line, '\n'), line += !!line)
        if (strncmp(line, name, len) == 0 && line[len] == ' ')
            return true;
    return false;
}

static void test_cli_lists_backends(void **state)
{
    (void)state;
    struct support_child child;
    char good[PATH_MAX + 32];
    size_t count;
    run_mapbench((const char *const[]){"list", "backends", NULL}, &child);
    assert_true(WIFEXITED(child.wait_status) && WEXITSTATUS(child.wait_status) == 0);
    const struct map_backend *const *all = map_registry_list(&count);
    for (size_t i = 0; i < count; i++)
        if (strcmp(all[i]->name, "test-array") != 0 && !lists_backend(child.out, all[i]->name))
            fail_msg("`mapbench list backends` omits %s:\n%s", all[i]->name, child.out);
    plugin_path("good_plugin.so", good, sizeof good);
    run_mapbench((const char *const[]){"--plugin", good, "list", "backends", NULL}, &child);
    assert_true(WIFEXITED(child.wait_status) && WEXITSTATUS(child.wait_status) == 0);
    assert_true(lists_backend(child.out, "test-array"));
}

static void expect_cli_plugin_error(const char *path, const char *needle)
{
    struct support_child child;
    run_mapbench((const char *const[]){"--plugin", path, "list", "backends", NULL}, &child);
    if (!WIFEXITED(child.wait_status) || WEXITSTATUS(child.wait_status) == 0)
        fail_msg("mapbench --plugin %s: status %#x, expected a non-zero exit", path,
                 child.wait_status);
    char *newline = strchr(child.err, '\n');
    if (!newline || newline[1] || !strstr(child.err, needle))
        fail_msg("mapbench --plugin %s: stderr is not one line naming '%s': %s", path, needle,
                 child.err);
    assert_string_equal(child.out, "");
}

static void test_cli_bad_plugin(void **state)
{
    (void)state;
    char path[PATH_MAX + 32];
    plugin_path("wrong_version.so", path, sizeof path);
    expect_cli_plugin_error(path, "ABI version 999");
    plugin_path("no_symbol.so", path, sizeof path);
    expect_cli_plugin_error(path, MAP_PLUGIN_SYMBOL);
    expect_cli_plugin_error("/nonexistent/bad.so", "cannot load");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unknown_backend),
        cmocka_unit_test(test_unknown_or_malformed_option),
        cmocka_unit_test(test_bad_option_values),
        cmocka_unit_test(test_good_options_accepted),
        cmocka_unit_test(test_roles_of_specs),
        cmocka_unit_test(test_good_plugin_loads_and_works),
        cmocka_unit_test(test_bad_plugins_refused),
        cmocka_unit_test(test_non_shared_object_refused),
        cmocka_unit_test(test_cli_lists_backends),
        cmocka_unit_test(test_cli_bad_plugin),
    };
    return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
