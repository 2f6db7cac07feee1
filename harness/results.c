/*
 * results — CSV rows and the files they go to (see results.h).
 */
#include "results.h"
#include "fdio.h"
#include "errmsg.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

void result_row_init(struct result_row *row)
{
	memset(row, 0, sizeof(*row));
}

void result_row_free(struct result_row *row)
{
	for (size_t i = 0; i < row->n; i++) {
		free(row->names[i]);
		free(row->values[i]);
	}
	free(row->names);
	free(row->values);
	memset(row, 0, sizeof(*row));
}

static int find(const struct result_row *row, const char *name)
{
	for (size_t i = 0; i < row->n; i++)
		if (!strcmp(row->names[i], name))
			return (int)i;
	return -1;
}

/* Takes ownership of value. */
static int set_owned(struct result_row *row, const char *name, char *value)
{
	if (!value)
		return -1;
	int i = find(row, name);
	if (i >= 0) {
		free(row->values[i]);
		row->values[i] = value;
		return 0;
	}
	if (row->n == row->cap) {
		size_t cap = row->cap ? row->cap * 2 : 64;
		char **n = realloc(row->names, cap * sizeof(*n));
		if (n)
			row->names = n;
		char **v = n ? realloc(row->values, cap * sizeof(*v)) : NULL;
		if (!v) {
			free(value);
			return -1;
		}
		row->values = v;
		row->cap = cap;
	}
	char *copy = strdup(name);
	if (!copy) {
		free(value);
		return -1;
	}
	row->names[row->n] = copy;
	row->values[row->n] = value;
	row->n++;
	return 0;
}

int result_row_set(struct result_row *row, const char *name, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *value = NULL;
	int rc = vasprintf(&value, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return -1;
	return set_owned(row, name, value);
}

void csv_format_num(double v, enum csv_num_precision precision, char *buf, size_t len)
{
	if (!isfinite(v)) {
		snprintf(buf, len, "%s", "");
		return;
	}
	if (v == 0)
		v = 0; /* no "-0" */
	if (v == trunc(v) && fabs(v) < 1e15) {
		snprintf(buf, len, "%.0f", v);
		return;
	}
	int most = precision == CSV_NUM_EXACT ? 10 : 6;
	for (int prec = 6; prec <= most; prec++) {
		snprintf(buf, len, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

int result_row_set_num(struct result_row *row, const char *name, double value)
{
	char num[64];
	csv_format_num(value, CSV_NUM_SHORT, num, sizeof(num));
	return result_row_set(row, name, "%s", num);
}

int result_row_set_empty(struct result_row *row, const char *name)
{
	return set_owned(row, name, strdup(""));
}

const char *result_row_get(const struct result_row *row, const char *name)
{
	int i = find(row, name);
	return i < 0 ? NULL : row->values[i];
}

static void write_cell(FILE *out, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

int csv_write_record(FILE *out, char *const *cells, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputc(',', out);
		write_cell(out, cells[i]);
	}
	fputc('\n', out);
	return ferror(out) ? -1 : 0;
}

int results_write_header(FILE *out, const struct result_row *row)
{
	return csv_write_record(out, row->names, row->n);
}

int results_write_row(FILE *out, const struct result_row *row)
{
	return csv_write_record(out, row->values, row->n);
}

/* The header line (with its newline) as results_write_header writes it; caller frees. */
static char *header_text(const struct result_row *row)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	if (!m)
		return NULL;
	int rc = results_write_header(m, row);
	if (fclose(m) || rc) {
		free(text);
		return NULL;
	}
	return text;
}

/*
 * Compares the first line of fd with header. 1 same, 0 the file is empty,
 * -1 different or unreadable (err says which).
 */
static int check_header(int fd, const char *path, const char *header, char *err, size_t errlen)
{
	size_t want = strlen(header);
	char *buf = malloc(want + 1);
	if (!buf)
		return errmsg_set(err, errlen, "%s: out of memory", path);
	size_t got = 0;
	while (got < want) {
		ssize_t n = pread(fd, buf + got, want - got, (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	int rc;
	if (got == 0)
		rc = 0;
	else if (got == want && !memcmp(buf, header, want))
		rc = 1;
	else
		rc = errmsg_set(
		    err, errlen,
		    "%s: has a different CSV header (other columns or events); expected a new "
		    "file or one written with the same event file",
		    path);
	free(buf);
	return rc;
}

static int ends_with_newline(int fd, off_t size)
{
	char last = '\n';
	return size == 0 || (pread(fd, &last, 1, size - 1) == 1 && last == '\n');
}

/*
 * Proves that a file can be created in dir by creating one: an unnamed
 * O_TMPFILE, or where the file system has none, a uniquely named file that is
 * removed at once. access(W_OK) is not proof: it says yes to root for /sys or
 * /proc, where creating a file fails. 0, or -1 with errno set.
 */
static int dir_takes_new_files(const char *dir)
{
	int fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
		return -1; /* O_TMPFILE works here, and said no */
	char *probe;
	if (asprintf(&probe, "%s/.copyscope-probe-XXXXXX", dir) < 0)
		return errno = ENOMEM, -1;
	fd = mkostemp(probe, O_CLOEXEC);
	int e = errno;
	if (fd >= 0) {
		unlink(probe);
		close(fd);
	}
	free(probe);
	errno = e;
	return fd >= 0 ? 0 : -1;
}

int results_check_appendable(const char *path, const struct result_row *row, char *err,
			     size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			return errmsg_set(err, errlen, "%s: %s (expected a writable CSV file)",
					  path, strerror(errno));
		char *copy = strdup(path);
		if (!copy)
			return errmsg_set(err, errlen, "%s: out of memory", path);
		int ok = dir_takes_new_files(dirname(copy)) == 0;
		int e = errno;
		free(copy);
		return ok ? 0
			  : errmsg_set(err, errlen,
				       "%s: cannot create it: %s (expected a writable place)", path,
				       strerror(e));
	}
	struct stat st;
	int wfd = -1; /* opening for writing proves it can be written, even for root */
	int rc = fstat(fd, &st);
	if (rc == 0 && !S_ISREG(st.st_mode))
		rc = errmsg_set(err, errlen, "%s: not a regular file (expected a CSV file)", path);
	else if (rc == 0 && (wfd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)) < 0)
		rc = errmsg_set(err, errlen, "%s: %s (expected a writable CSV file)", path,
				strerror(errno));
	char *header = rc == 0 ? header_text(row) : NULL;
	if (rc == 0 && !header)
		rc = errmsg_set(err, errlen, "%s: out of memory", path);
	if (rc == 0 && check_header(fd, path, header, err, errlen) < 0)
		rc = -1;
	free(header);
	if (wfd >= 0)
		close(wfd);
	close(fd);
	return rc;
}


int results_append(const char *path, const struct result_row *row, char *err, size_t errlen)
{
	char *header = header_text(row);
	char *text = NULL;
	size_t len = 0;
	FILE *m = header ? open_memstream(&text, &len) : NULL;
	if (!m) {
		free(header);
		return errmsg_set(err, errlen, "%s: out of memory", path);
	}
	int rc = results_write_row(m, row);
	if (fclose(m) || rc) {
		free(header);
		free(text);
		return errmsg_set(err, errlen, "%s: out of memory", path);
	}
	int fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = errmsg_set(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	flock(fd, LOCK_EX); /* two writers of one file append whole rows */
	struct stat st;
	if (fstat(fd, &st)) {
		rc = errmsg_set(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	int same = check_header(fd, path, header, err, errlen);
	if (same < 0) {
		rc = -1;
		goto out;
	}
	if (same == 1 && !ends_with_newline(fd, st.st_size)) {
		rc = errmsg_set(err, errlen, "%s: its last row is cut short (no final newline)",
				path);
		goto out;
	}
	if ((same == 0 && fd_write_all(fd, header, strlen(header))) || fd_write_all(fd, text, len) ||
	    fsync(fd)) {
		int e = errno ? errno : EIO;
		/* A full disk may have taken part of the row: cut the file back to its
		 * last whole row, so it stays readable and --resume can go on. */
		if (ftruncate(fd, st.st_size) == 0)
			(void)fsync(fd);
		rc = errmsg_set(err, errlen, "%s: %s (the row was not written)", path, strerror(e));
	}
out:
	if (fd >= 0)
		close(fd);
	free(header);
	free(text);
	return rc;
}
