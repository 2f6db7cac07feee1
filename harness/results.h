/*
 * results — one run's CSV row, and the files rows go to.
 *
 * A result_row is an ordered list of (column, value) cells. The column order
 * is the contract of runs.csv (schema.h declares every column; docs/results.md documents them): run_point() always
 * sets every column, in the same order for the same event set, so rows of one
 * sweep share one header. A value that was not measured is the empty string,
 * never "0".
 *
 * Memory: a row owns its strings; result_row_free() releases them.
 * Errors: functions that touch files return -1 and one line in err naming
 * the file; nothing is written to a file whose header differs.
 */
#ifndef COPYSCOPE_RESULTS_H
#define COPYSCOPE_RESULTS_H

#include <stddef.h>
#include <stdio.h>

struct result_row {
	size_t n, cap;
	char **names;
	char **values;
};

void result_row_init(struct result_row *row);
void result_row_free(struct result_row *row);

/* Sets column name to a printf-formatted value, appending the column if new. 0 or -1 (ENOMEM). */
int result_row_set(struct result_row *row, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Sets a number: NAN gives an empty cell; integers print exactly; others with 6 significant digits.
 */
int result_row_set_num(struct result_row *row, const char *name, double value);

/* Sets an empty cell ("not measured"). */
int result_row_set_empty(struct result_row *row, const char *name);

/* The value of column name, or NULL when the row has no such column. */
const char *result_row_get(const struct result_row *row, const char *name);

/* Writes the header line / the value line (RFC 4180 quoting where needed). */
/* One CSV record of n cells and its newline: a cell with a comma, a quote or
 * a line break is quoted (RFC 4180). The one CSV writer: rows, summary.csv.
 * 0, or -1 when out has an error. */
int csv_write_record(FILE *out, char *const *cells, size_t n);

/* The one number formatter of the CSV files and the figures' data: "" for a
 * value not measured (NAN, inf), whole numbers whole (below 1e15, no "-0"),
 * others with 6 significant digits (CSV_NUM_SHORT: runs.csv, figure data),
 * or with the fewest from 6 to 10 that read back the same value
 * (CSV_NUM_EXACT: summary.csv, whose medians are recomputed from it). */
enum csv_num_precision { CSV_NUM_SHORT, CSV_NUM_EXACT };
void csv_format_num(double v, enum csv_num_precision precision, char *buf, size_t len);

int results_write_header(FILE *out, const struct result_row *row);
int results_write_row(FILE *out, const struct result_row *row);

/*
 * Appends row to the CSV file at path, writing the header first when the file
 * is new or empty. An existing file must start with exactly this row's header,
 * else nothing is written and -1 says so. The row is flushed and fsync'ed
 * before return, so a crash later never loses it.
 */
int results_append(const char *path, const struct result_row *row, char *err, size_t errlen);

/*
 * Checks, writing nothing, that results_append(path, row) would be accepted:
 * path is a writable regular file starting with row's header (or empty), or
 * does not exist in a writable folder. 0, or -1 with one line in err. For
 * refusing bad --out before anything runs.
 */
int results_check_appendable(const char *path, const struct result_row *row, char *err,
			     size_t errlen);

#endif
