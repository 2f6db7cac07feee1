/*
 * dataset — CSV into memory through libcsv (see dataset.h).
 */
#include "dataset.h"
#include "errmsg.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DATASET_MAX_BYTES (256u << 20)

struct parse_state {
	struct dataset *ds;
	char **record; /* fields of the record being read */
	size_t nfields, cap;
	size_t line; /* 1-based record number, for errors */
	int failed;
	char *err;
	size_t errlen;
	const char *source;
};

static void on_field(void *data, size_t len, void *priv)
{
	struct parse_state *st = priv;
	if (st->failed)
		return;
	if (st->nfields == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 64;
		char **r = realloc(st->record, cap * sizeof(*r));
		if (!r) {
			st->failed = 1;
			errmsg_set(st->err, st->errlen, "%s: out of memory", st->source);
			return;
		}
		st->record = r;
		st->cap = cap;
	}
	char *s = malloc(len + 1);
	if (!s) {
		st->failed = 1;
		errmsg_set(st->err, st->errlen, "%s: out of memory", st->source);
		return;
	}
	if (len)
		memcpy(s, data, len);
	s[len] = '\0';
	st->record[st->nfields++] = s;
}

static void drop_record(struct parse_state *st)
{
	for (size_t i = 0; i < st->nfields; i++)
		free(st->record[i]);
	st->nfields = 0;
}

/* Moves the record's fields into the dataset: as header or as a row. */
static int keep_record(struct parse_state *st)
{
	struct dataset *ds = st->ds;
	if (st->nfields == 0)
		return 0;
	if (!ds->cols) {
		ds->cols = malloc(st->nfields * sizeof(char *));
		if (!ds->cols)
			return errmsg_set(st->err, st->errlen, "%s: out of memory", st->source);
		memcpy(ds->cols, st->record, st->nfields * sizeof(char *));
		ds->ncols = st->nfields;
		st->nfields = 0;
		return 0;
	}
	if (st->nfields != ds->ncols)
		return errmsg_set(st->err, st->errlen,
				  "%s:%zu: expected %zu fields as in the header, found %zu",
				  st->source, st->line, ds->ncols, st->nfields);
	if ((ds->nrows + 1) * ds->ncols > ds->cap) {
		size_t cap = ds->cap ? ds->cap * 2 : ds->ncols * 64;
		char **c = realloc(ds->cells, cap * sizeof(*c));
		if (!c)
			return errmsg_set(st->err, st->errlen, "%s: out of memory", st->source);
		ds->cells = c;
		ds->cap = cap;
	}
	memcpy(ds->cells + ds->nrows * ds->ncols, st->record, st->nfields * sizeof(char *));
	ds->nrows++;
	st->nfields = 0;
	return 0;
}

static void on_record(int term, void *priv)
{
	(void)term;
	struct parse_state *st = priv;
	st->line++;
	if (st->failed) {
		drop_record(st);
		return;
	}
	if (keep_record(st)) {
		st->failed = 1;
		drop_record(st);
	}
}

int dataset_parse(const char *text, size_t len, const char *source, struct dataset *ds, char *err,
		  size_t errlen)
{
	memset(ds, 0, sizeof(*ds));
	struct csv_parser parser;
	if (csv_init(&parser, CSV_STRICT) != 0)
		return errmsg_set(err, errlen, "%s: cannot start the CSV parser", source);
	struct parse_state st = {.ds = ds, .err = err, .errlen = errlen, .source = source};
	int rc = 0;
	if (csv_parse(&parser, text, len, on_field, on_record, &st) != len && !st.failed)
		rc = errmsg_set(err, errlen, "%s:%zu: malformed CSV (%s)", source, st.line + 1,
				csv_strerror(csv_error(&parser)));
	if (!rc && !st.failed && csv_fini(&parser, on_field, on_record, &st) != 0)
		rc = errmsg_set(err, errlen, "%s:%zu: malformed CSV (%s)", source, st.line + 1,
				csv_strerror(csv_error(&parser)));
	csv_free(&parser);
	drop_record(&st);
	free(st.record);
	if (!rc && st.failed)
		rc = -1;
	if (!rc && !ds->cols)
		rc = errmsg_set(err, errlen, "%s: empty (expected a CSV header line)", source);
	if (rc)
		dataset_free(ds);
	return rc;
}

int dataset_load(const char *path, struct dataset *ds, char *err, size_t errlen)
{
	memset(ds, 0, sizeof(*ds));
	FILE *f = fopen(path, "r");
	if (!f)
		return errmsg_set(err, errlen, "%s: %s", path, strerror(errno));
	char *text = NULL;
	size_t len = 0, cap = 0;
	int rc = 0;
	for (;;) {
		if (len == cap) {
			if (cap >= DATASET_MAX_BYTES) {
				rc = errmsg_set(err, errlen, "%s: larger than 256 MiB", path);
				break;
			}
			cap = cap ? cap * 2 : 65536;
			char *t = realloc(text, cap);
			if (!t) {
				rc = errmsg_set(err, errlen, "%s: out of memory", path);
				break;
			}
			text = t;
		}
		size_t got = fread(text + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	if (!rc && ferror(f))
		rc = errmsg_set(err, errlen, "%s: read error", path);
	fclose(f);
	if (!rc)
		rc = dataset_parse(text ? text : "", len, path, ds, err, errlen);
	free(text);
	return rc;
}

int dataset_col(const struct dataset *ds, const char *name)
{
	for (size_t i = 0; i < ds->ncols; i++)
		if (!strcmp(ds->cols[i], name))
			return (int)i;
	return -1;
}

const char *dataset_cell(const struct dataset *ds, size_t row, int col)
{
	if (col < 0 || (size_t)col >= ds->ncols || row >= ds->nrows)
		return "";
	return ds->cells[row * ds->ncols + (size_t)col];
}

double dataset_num(const struct dataset *ds, size_t row, int col)
{
	const char *s = dataset_cell(ds, row, col);
	if (!*s)
		return NAN;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || *end || errno)
		return NAN;
	return v;
}

void dataset_free(struct dataset *ds)
{
	for (size_t i = 0; i < ds->ncols; i++)
		free(ds->cols[i]);
	for (size_t i = 0; i < ds->nrows * ds->ncols; i++)
		free(ds->cells[i]);
	free(ds->cols);
	free(ds->cells);
	memset(ds, 0, sizeof(*ds));
}
