/*
 * CSV files read through libcsv (dataset.h): cells kept as written, empty
 * means not measured, and malformed input named by FILE:LINE.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dataset.h"

static char err[512];

static int parse(const char *text, struct dataset *ds)
{
	err[0] = '\0';
	return dataset_parse(text, strlen(text), "t.csv", ds, err, sizeof(err));
}

Test(dataset, header_and_rows)
{
	struct dataset ds;
	cr_assert_eq(
	    parse("impl,msg_size,throughput_gbps\none-copy,16384,7.5\ntwo-copy,64,0.25\n", &ds), 0,
	    "%s", err);
	cr_assert_eq(ds.ncols, 3);
	cr_assert_eq(ds.nrows, 2);
	cr_assert_eq(dataset_col(&ds, "msg_size"), 1);
	cr_assert_str_eq(dataset_cell(&ds, 1, 0), "two-copy");
	cr_assert_float_eq(dataset_num(&ds, 0, 2), 7.5, 1e-12);
	dataset_free(&ds);
}

Test(dataset, empty_cell_is_nan_never_zero)
{
	struct dataset ds;
	cr_assert_eq(parse("a,b,c\n1,,3\n", &ds), 0, "%s", err);
	cr_assert_str_eq(dataset_cell(&ds, 0, 1), "");
	cr_assert(isnan(dataset_num(&ds, 0, 1)));
	cr_assert_float_eq(dataset_num(&ds, 0, 2), 3.0, 0);
	dataset_free(&ds);
}

Test(dataset, quoted_cells_keep_commas_quotes_and_newlines)
{
	struct dataset ds;
	cr_assert_eq(parse("a,b\n\"x,y\",\"say \"\"hi\"\"\nthere\"\n", &ds), 0, "%s", err);
	cr_assert_eq(ds.nrows, 1);
	cr_assert_str_eq(dataset_cell(&ds, 0, 0), "x,y");
	cr_assert_str_eq(dataset_cell(&ds, 0, 1), "say \"hi\"\nthere");
	dataset_free(&ds);
}

Test(dataset, crlf_and_no_final_newline)
{
	struct dataset ds;
	cr_assert_eq(parse("a,b\r\n1,2\r\n3,4", &ds), 0, "%s", err);
	cr_assert_eq(ds.nrows, 2);
	cr_assert_str_eq(dataset_cell(&ds, 1, 1), "4");
	dataset_free(&ds);
}

Test(dataset, header_only_has_no_rows)
{
	struct dataset ds;
	cr_assert_eq(parse("a,b\n", &ds), 0, "%s", err);
	cr_assert_eq(ds.nrows, 0);
	cr_assert_eq(ds.ncols, 2);
	cr_assert_str_eq(dataset_cell(&ds, 0, 0), "");
	dataset_free(&ds);
}

Test(dataset, short_row_names_its_line)
{
	struct dataset ds;
	cr_assert_eq(parse("a,b,c\n1,2,3\n4,5\n", &ds), -1);
	cr_assert_not_null(strstr(err, "t.csv:3: expected 3 fields as in the header, found 2"),
			   "%s", err);
	cr_assert_eq(ds.ncols, 0);
	cr_assert_null(ds.cols);
}

Test(dataset, long_row_is_an_error)
{
	struct dataset ds;
	cr_assert_eq(parse("a\n1,2\n", &ds), -1);
	cr_assert_not_null(strstr(err, "t.csv:2:"), "%s", err);
}

Test(dataset, stray_quote_is_malformed)
{
	struct dataset ds;
	cr_assert_eq(parse("a,b\n\"x\"y,2\n", &ds), -1);
	cr_assert_not_null(strstr(err, "malformed CSV"), "%s", err);
}

Test(dataset, empty_input_is_an_error)
{
	struct dataset ds;
	cr_assert_eq(parse("", &ds), -1);
	cr_assert_not_null(strstr(err, "t.csv: empty"), "%s", err);
}

Test(dataset, lookups_out_of_range_are_empty)
{
	struct dataset ds;
	cr_assert_eq(parse("a,b\nx,1e3\n", &ds), 0);
	cr_assert_eq(dataset_col(&ds, "nope"), -1);
	cr_assert_str_eq(dataset_cell(&ds, 0, -1), "");
	cr_assert_str_eq(dataset_cell(&ds, 0, 2), "");
	cr_assert_str_eq(dataset_cell(&ds, 5, 0), "");
	cr_assert(isnan(dataset_num(&ds, 0, 0)), "not a number");
	cr_assert_float_eq(dataset_num(&ds, 0, 1), 1000.0, 0);
	cr_assert(isnan(dataset_num(&ds, 0, dataset_col(&ds, "nope"))));
	dataset_free(&ds);
}

Test(dataset, number_with_trailing_garbage_is_nan)
{
	struct dataset ds;
	cr_assert_eq(parse("a\n12abc\n", &ds), 0);
	cr_assert(isnan(dataset_num(&ds, 0, 0)));
	dataset_free(&ds);
}

Test(dataset, many_rows_grow_the_table)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	fputs("i,sq\n", m);
	for (int i = 0; i < 5000; i++)
		fprintf(m, "%d,%d\n", i, i * i);
	fclose(m);
	struct dataset ds;
	cr_assert_eq(dataset_parse(text, len, "big", &ds, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(ds.nrows, 5000);
	cr_assert_float_eq(dataset_num(&ds, 4999, 1), 4999.0 * 4999.0, 0);
	dataset_free(&ds);
	free(text);
}

Test(dataset, load_reads_a_file_and_names_a_missing_one)
{
	char path[] = "/tmp/copyscope-dataset-XXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	const char text[] = "a,b\n1,2\n";
	cr_assert_eq(write(fd, text, sizeof(text) - 1), (ssize_t)(sizeof(text) - 1));
	close(fd);
	struct dataset ds;
	cr_assert_eq(dataset_load(path, &ds, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(ds.nrows, 1);
	dataset_free(&ds);
	unlink(path);
	cr_assert_eq(dataset_load(path, &ds, err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, path), "%s", err);
}
