/*
 * atomicfile — a file written whole or not at all: PATH.tmp is written,
 * flushed, fsync'ed and renamed over PATH, so a reader (or a crash) never
 * sees half of it and the old PATH stays until the new one is complete.
 * Every file copyscope writes whole (summary.csv, env.txt, report.md, the
 * copies of the sweep and event files, compare's outputs) goes through it.
 *
 * A PATH that exists and is not a regular file (/dev/stdout, /dev/null, a
 * pipe) is written directly: a rename would replace the device itself.
 *
 * Errors: -1 with one line in err naming the file and the reason; on any
 * error PATH.tmp is removed and PATH is left as it was.
 */
#ifndef COPYSCOPE_ATOMICFILE_H
#define COPYSCOPE_ATOMICFILE_H

#include <limits.h>
#include <stddef.h>
#include <stdio.h>

struct atomic_file {
	FILE *f; /* write here between open and commit */
	char path[PATH_MAX];
	char tmp[PATH_MAX + 8];
	int direct; /* PATH is not a regular file: written in place */
};

int atomic_open(struct atomic_file *af, const char *path, char *err, size_t errlen);
/* Flushes, syncs, closes and renames; -1 (err) when any step failed. */
int atomic_commit(struct atomic_file *af, char *err, size_t errlen);
/* Gives up: closes and removes the temporary file. */
void atomic_abort(struct atomic_file *af);

#endif
