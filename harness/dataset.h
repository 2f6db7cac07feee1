/*
 * dataset — a CSV file (runs.csv, summary.csv) read into memory with libcsv.
 *
 * The first record is the header; every later record must have as many
 * fields. Cells are kept as strings exactly as written; an empty cell means
 * "not measured" (never 0), so dataset_num() gives NAN for it.
 *
 * Memory: the dataset owns every string; dataset_free() releases all of it.
 * Errors: functions return -1 and write one line "FILE: what" or
 * "FILE:LINE: what" into err.
 */
#ifndef COPYSCOPE_DATASET_H
#define COPYSCOPE_DATASET_H

#include <stddef.h>

struct dataset {
	size_t ncols;
	size_t nrows;
	char **cols;  /* ncols header names */
	char **cells; /* nrows * ncols, row-major */
	size_t cap;   /* allocated cells */
};

/* Reads path (at most 256 MiB). A missing file is an error. */
int dataset_load(const char *path, struct dataset *ds, char *err, size_t errlen);

/* Parses len bytes of CSV text; source names the input in errors. */
int dataset_parse(const char *text, size_t len, const char *source, struct dataset *ds, char *err,
		  size_t errlen);

/* Column index of name, or -1. */
int dataset_col(const struct dataset *ds, const char *name);

/* The cell as written; "" for a column of -1 or a row out of range. */
const char *dataset_cell(const struct dataset *ds, size_t row, int col);

/* The cell as a number; NAN when empty, absent or not a number. */
double dataset_num(const struct dataset *ds, size_t row, int col);

void dataset_free(struct dataset *ds);

#endif
