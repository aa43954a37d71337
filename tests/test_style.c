/*
 * test_style.c: the backends' styles (reports/style.h).  Every registered backend has a row of the
 * table and a style no other has, told apart even without its colour (a grey print keeps the dash
 * pattern and the marker); a backend keeps its style when others are registered (a plugin loaded);
 * a name the table lacks gets a fallback chosen from its name alone and unlike every row; a series
 * with options keeps its backend's colour and marker.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "maps/map.h"
#include "reports/style.h"
#include "tests/support.h"

#define STYLE_TEST_MAX 64

/* The style of every registered backend, by index of the registry. */
static size_t registered_styles(struct style *out, const char **names)
{
    size_t count;
    const struct map_backend *const *all = map_registry_list(&count);
    assert_true(count <= STYLE_TEST_MAX);
    for (size_t i = 0; i < count; i++) {
        names[i] = all[i]->name;
        style_of(all[i]->name, all[i]->name, &out[i]);
    }
    return count;
}

/* Two styles a grey print could not tell apart: the same dash pattern and the same marker. */
static bool same_in_grey(const struct style *a, const struct style *b)
{
    return a->dash_count == b->dash_count && memcmp(a->dash, b->dash, a->dash_count * sizeof *a->dash) == 0 &&
           a->marker == b->marker && a->filled == b->filled;
}

static void test_every_registered_backend_has_its_own_style(void **state)
{
    (void)state;
    struct style styles[STYLE_TEST_MAX];
    const char *names[STYLE_TEST_MAX];
    size_t count = registered_styles(styles, names);
    assert_true(count >= 13);
    for (size_t i = 0; i < count; i++) {
        if (!styles[i].known)
            fail_msg("backend %s has no row in reports/style.c", names[i]);
        assert_true(styles[i].colour[0] == '#' && strlen(styles[i].colour) == 7);
        for (size_t j = 0; j < i; j++) {
            if (style_equal(&styles[i], &styles[j]))
                fail_msg("%s and %s are drawn alike", names[i], names[j]);
            if (same_in_grey(&styles[i], &styles[j]))
                fail_msg("%s and %s look alike without colour", names[i], names[j]);
            if (styles[i].marker == styles[j].marker && styles[i].filled == styles[j].filled)
                fail_msg("%s and %s share a marker", names[i], names[j]);
        }
    }
}

/* A backend's style does not depend on which others are registered: loading a plugin adds a name
 * and changes none of the others' styles; the plugin's own is its name's, the same every time. */
static void test_styles_survive_a_new_backend(void **state)
{
    (void)state;
    struct style before[STYLE_TEST_MAX], after[STYLE_TEST_MAX];
    const char *names[STYLE_TEST_MAX];
    size_t count = registered_styles(before, names);
    char bin[PATH_MAX], path[PATH_MAX + 64], err[ERR_LEN] = "";
    support_binary_dir(bin, sizeof bin);
    snprintf(path, sizeof path, "%s/../plugins/good_plugin.so", bin);
    if (!map_plugin_load(path, err))
        fail_msg("good plugin refused: %s", err);
    size_t grown = registered_styles(after, names);
    assert_int_equal(grown, count + 1);
    for (size_t i = 0; i < count; i++)
        assert_true(style_equal(&before[i], &after[i]));
    struct style plugin, again;
    style_of("test-array", "test-array", &plugin);
    style_of("test-array", NULL, &again);
    assert_false(plugin.known);
    assert_true(style_equal(&plugin, &again));
    for (size_t i = 0; i < count; i++) /* a fallback is unlike every row */
        assert_false(same_in_grey(&plugin, &after[i]));
}

/* Options keep the backend's colour and marker and draw their own dash pattern. */
static void test_options_keep_colour_and_marker(void **state)
{
    (void)state;
    struct style plain, go, writer;
    style_of("rwlock", "rwlock", &plain);
    style_of("rwlock", "rwlock:impl=go", &go);
    style_of("rwlock", "rwlock:prefer=writer", &writer);
    assert_string_equal(go.colour, plain.colour);
    assert_int_equal(go.marker, plain.marker);
    assert_int_equal(go.filled, plain.filled);
    assert_false(style_equal(&go, &plain));
    assert_false(style_equal(&writer, &plain));
    assert_false(style_equal(&go, &writer));
    char dash[64];
    style_dash_text(&plain, dash, sizeof dash);
    assert_string_equal(dash, ""); /* our designs: solid */
    struct style lfht;
    style_of("ref-lfht", NULL, &lfht);
    style_dash_text(&lfht, dash, sizeof dash);
    assert_string_equal(dash, "8,5"); /* references: dashed */
    assert_false(lfht.filled);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_registered_backend_has_its_own_style),
        cmocka_unit_test(test_styles_survive_a_new_backend),
        cmocka_unit_test(test_options_keep_colour_and_marker),
    };
    return cmocka_run_group_tests_name("style", tests, NULL, NULL);
}
