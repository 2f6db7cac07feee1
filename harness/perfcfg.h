/*
 * perfcfg — where the files of perfcfg/ are found: event files
 * (perfcfg/events/NAME.events) and category files (perfcfg/categories/
 * NAME.cat), by the same rule for both.
 *
 * A name with a '/' is a path, as given. A bare name (the kind's extension
 * added when it has none) is looked for in the kind's folder beside the
 * folder `near` (a sweep file's folder: perfcfg/sweeps -> perfcfg/events;
 * NULL: none), then in perfcfg/KIND/ under the current folder, then in
 * ../perfcfg/KIND/ next to the executable (an installed copyscope). The first
 * that exists is written into path, or, when none does, the first candidate
 * (for the error that names it).
 */
#ifndef COPYSCOPE_PERFCFG_H
#define COPYSCOPE_PERFCFG_H

#include <stddef.h>

/* kind: the folder ("events", "categories"); ext: its extension (".events"). */
void perfcfg_find(const char *kind, const char *ext, const char *name, const char *near,
		  char *path, size_t len);

#endif
