/*
 * style.c: the one table of backend styles, and the fallbacks (see style.h).  Colours that repeat
 * do so across roles only: a contender and a reference may share a colour (the reference closest
 * to it in design, where there is one), but never their dash pattern or marker.
 */
#include "reports/style.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Okabe-Ito, without its yellow. */
#define STYLE_BLACK "#000000"
#define STYLE_ORANGE "#E69F00"
#define STYLE_SKY_BLUE "#56B4E9"
#define STYLE_GREEN "#009E73"
#define STYLE_BLUE "#0072B2"
#define STYLE_VERMILLION "#D55E00"
#define STYLE_PURPLE "#CC79A7"

struct style_colour {
    const char *hex, *name;
};

static const struct style_colour style_colours[] = {
    {STYLE_BLUE, "blue"},     {STYLE_VERMILLION, "vermillion"}, {STYLE_GREEN, "bluish green"},
    {STYLE_PURPLE, "reddish purple"}, {STYLE_ORANGE, "orange"}, {STYLE_SKY_BLUE, "sky blue"},
    {STYLE_BLACK, "black"},
};

enum style_dash_kind { STYLE_SOLID, STYLE_DASHED, STYLE_DOTTED, STYLE_DASH_DOT };

struct style_dash {
    double lengths[STYLE_DASH_MAX];
    size_t count;
};

/* The table's patterns, by role. */
static const struct style_dash style_dashes[] = {
    [STYLE_SOLID] = {{0}, 0},
    [STYLE_DASHED] = {{8, 5}, 2},
    [STYLE_DOTTED] = {{2, 4}, 2},
    [STYLE_DASH_DOT] = {{8, 4, 2, 4}, 4},
};

/* Patterns the table never uses: for names it does not know, and for series with options. */
static const struct style_dash style_other_dashes[] = {
    {{14, 5}, 2},          {{8, 3, 2, 3, 2, 3}, 6}, {{4, 3}, 2},        {{12, 3, 4, 3}, 4},
    {{1, 3}, 2},           {{16, 4, 2, 4}, 4},      {{6, 2, 6, 6}, 4},  {{10, 3, 1, 3, 1, 3}, 6},
};

struct style_row {
    const char *name;
    size_t colour; /* index into style_colours */
    enum style_dash_kind dash;
    enum style_marker marker;
    bool filled;
};

/* One row per backend; add a row for each new one, with a marker no other row has. */
static const struct style_row style_rows[] = {
    /* our designs: solid, filled */
    {"mutex", 0, STYLE_SOLID, STYLE_CIRCLE, true},
    {"rwlock", 1, STYLE_SOLID, STYLE_SQUARE, true},
    {"striped", 2, STYLE_SOLID, STYLE_TRIANGLE_UP, true},
    {"rcu", 3, STYLE_SOLID, STYLE_DIAMOND, true},
    {"cow", 4, STYLE_SOLID, STYLE_TRIANGLE_DOWN, true},
    {"syncmap", 5, STYLE_SOLID, STYLE_PENTAGON, true},
    /* the references: dashed, open */
    {"ref-lfht", 3, STYLE_DASHED, STYLE_CIRCLE, false},
    {"ref-ckht", 2, STYLE_DASHED, STYLE_SQUARE, false},
    {"ref-tbb-hash", 1, STYLE_DASHED, STYLE_TRIANGLE_UP, false},
    {"ref-tbb-unordered", 5, STYLE_DASHED, STYLE_TRIANGLE_DOWN, false},
    {"ref-absl", 0, STYLE_DASHED, STYLE_DIAMOND, false},
    /* the ceiling and the harness: black, dotted or dash-dotted, line markers */
    {"plain", 6, STYLE_DOTTED, STYLE_CROSS, false},
    {"null", 6, STYLE_DASH_DOT, STYLE_PLUS, false},
};

/* FNV-1a over text: depends on the text alone. */
static uint32_t style_hash(const char *text, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)text[i]) * 16777619u;
    return h;
}

static void style_set_dash(struct style *s, const struct style_dash *d)
{
    memcpy(s->dash, d->lengths, sizeof s->dash);
    s->dash_count = d->count;
}

static void style_set_colour(struct style *s, size_t colour)
{
    s->colour = style_colours[colour].hex;
    s->colour_name = style_colours[colour].name;
}

void style_of(const char *name, const char *label, struct style *out)
{
    const char *n = name ? name : "";
    size_t rows = sizeof style_rows / sizeof *style_rows, others = sizeof style_other_dashes / sizeof *style_other_dashes;
    *out = (struct style){0};
    size_t i = 0;
    while (i < rows && strcmp(style_rows[i].name, n) != 0)
        i++;
    if (i < rows) {
        style_set_colour(out, style_rows[i].colour);
        style_set_dash(out, &style_dashes[style_rows[i].dash]);
        out->marker = style_rows[i].marker;
        out->filled = style_rows[i].filled;
        out->known = true;
    } else { /* unknown: from the name alone, with patterns and markers no row uses */
        uint32_t h = style_hash(n, strlen(n));
        style_set_colour(out, h % (sizeof style_colours / sizeof *style_colours));
        style_set_dash(out, &style_other_dashes[(h >> 8) % 2]);
        out->marker = (h >> 12) % 2 ? STYLE_ASTERISK : STYLE_PENTAGON;
        out->filled = false;
    }
    /* a series with options: its backend's colour and marker, a dash pattern of its own */
    const char *options = label ? strchr(label, ':') : NULL;
    if (options && options[1])
        style_set_dash(out, &style_other_dashes[style_hash(options + 1, strlen(options + 1)) % others]);
}

bool style_equal(const struct style *a, const struct style *b)
{
    return strcmp(a->colour, b->colour) == 0 && a->dash_count == b->dash_count &&
           memcmp(a->dash, b->dash, a->dash_count * sizeof *a->dash) == 0 && a->marker == b->marker &&
           a->filled == b->filled;
}

void style_dash_text(const struct style *s, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < s->dash_count && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%g", i ? "," : "", s->dash[i]);
}
