/*
 * test_environment.c: the facts stored with a run for "How to reproduce" (runner/environment.h):
 * the scenario files' text as run, each headed by its path; the flags naming the target (-march);
 * the kernel's CPU mitigations, one sorted "name: state" line per vulnerability the kernel lists.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner/environment.h"

static void test_scenario_text_is_each_file_as_run(void **state)
{
    (void)state;
    const char *two[] = {"quick", "no-such-preset", "churn"};
    char *text = environment_scenario_text(two, 3);
    assert_non_null(text);
    /* quick first, headed by its path, then churn after a blank line; the missing one left out */
    assert_memory_equal(text, "; ", 2);
    const char *quick = strstr(text, "scenarios/quick.ini\n"), *churn = strstr(text, "\n\n; ");
    assert_non_null(quick);
    assert_non_null(churn);
    assert_true(quick < churn);
    assert_non_null(strstr(churn, "scenarios/churn.ini\n"));
    assert_non_null(strstr(text, "name = quick\n"));
    assert_non_null(strstr(churn, "[scenario]"));
    assert_null(strstr(text, "no-such-preset"));
    free(text);
    const char *none[] = {"no-such-preset"};
    assert_null(environment_scenario_text(none, 1));
}

static void test_flags_and_mitigations(void **state)
{
    (void)state;
    char *argv[] = {"run", "quick", "--label", "it's <new>", "--set", "duration=100ms"};
    struct environment env;
    environment_collect(6, argv, &env);
    /* as a shell would take it back */
    assert_string_equal(env.command_line, "mapbench run quick --label 'it'\\''s <new>' --set duration=100ms");
    assert_non_null(strstr(env.cflags, "-march=")); /* CFLAGS' own, or the compiler's default named */
    DIR *dir = opendir("/sys/devices/system/cpu/vulnerabilities");
    if (!dir) { /* a kernel without the directory: nothing recorded, never guessed */
        assert_string_equal(env.cpu_mitigations, "");
        return;
    }
    size_t files = 0;
    for (struct dirent *e; (e = readdir(dir));)
        files += e->d_name[0] != '.';
    closedir(dir);
    size_t lines = 0;
    char previous[256] = "";
    for (char *line = env.cpu_mitigations; *line; lines++) {
        size_t n = strcspn(line, "\n");
        char name[256];
        snprintf(name, sizeof name, "%.*s", (int)strcspn(line, ":"), line);
        assert_true(strcspn(line, ":") < n && line[strcspn(line, ":") + 1] == ' ');
        assert_true(strcmp(previous, name) < 0); /* sorted by name */
        snprintf(previous, sizeof previous, "%s", name);
        line += n + (line[n] == '\n');
    }
    assert_int_equal(lines, files);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scenario_text_is_each_file_as_run),
        cmocka_unit_test(test_flags_and_mitigations),
    };
    return cmocka_run_group_tests_name("environment", tests, NULL, NULL);
}
