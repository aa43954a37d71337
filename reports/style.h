/*
 * style.h: how each backend is drawn, the same in every plot, every table and every report.  A
 * backend is told apart three ways at once, so a reader who cannot tell its colour (colour-blind,
 * or a page printed in grey) still can: its colour, its line's dash pattern and its marker's shape.
 *
 * The styles are one table in style.c, written by hand and keyed by backend name (never a hash of
 * the registered list, which would restyle every backend when one is added).  Colours are the
 * Okabe-Ito palette (Okabe and Ito, "Color Universal Design", 2008), designed to stay apart under
 * the common forms of colour blindness; its yellow is left out (too faint on white).  The dash
 * pattern says the role: solid for our designs, dashed for the references, dotted for the
 * ceilings and the harness; filled markers for our designs, open ones for the references.  Every
 * registered backend has a marker of its own, so even a grey print with the lines' dashes lost
 * tells them apart.
 *
 * A name the table does not know (a plugin, a backend added since) gets a fallback chosen from
 * its name alone (so it keeps it as other backends come and go), drawn with dash patterns and
 * markers the table never uses.  A series with options (`rwlock:impl=go` beside `rwlock`) keeps
 * its backend's colour and marker and takes a dash pattern of its own, chosen from its options'
 * text alone.
 */
#ifndef MAPBENCH_STYLE_H
#define MAPBENCH_STYLE_H

#include <stdbool.h>
#include <stddef.h>

#define STYLE_PALETTE "Okabe-Ito"
#define STYLE_DASH_MAX 8

enum style_marker {
    STYLE_PLUS,
    STYLE_CROSS,
    STYLE_ASTERISK,
    STYLE_SQUARE,
    STYLE_CIRCLE,
    STYLE_TRIANGLE_UP,
    STYLE_TRIANGLE_DOWN,
    STYLE_DIAMOND,
    STYLE_PENTAGON,
};

struct style {
    const char *colour;      /* "#0072B2" */
    const char *colour_name; /* "blue", for the legend in words */
    /* Dash pattern: alternating dash and gap lengths, in gnuplot's dash units; 0 of them: solid. */
    double dash[STYLE_DASH_MAX];
    size_t dash_count;
    enum style_marker marker;
    bool filled; /* false: an outline (crosses and pluses are lines either way) */
    bool known;  /* the table has a row for the name; false: the fallback */
};

/* The style of a series: `name` is the backend's name, `label` the series' spec as drawn
 * (`rwlock:impl=go`; NULL or equal to name: no options). */
void style_of(const char *name, const char *label, struct style *out);

/* Whether two styles look the same: colour, dash pattern, marker and fill. */
bool style_equal(const struct style *a, const struct style *b);

/* The dash pattern as SVG's stroke-dasharray ("8,5"), or "" when solid. */
void style_dash_text(const struct style *s, char *buf, size_t len);

#endif
