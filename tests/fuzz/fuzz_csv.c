/*
 * fuzz_csv — libFuzzer target for the CSV reader (harness/dataset.h
 * dataset_parse): any bytes either give a rectangular dataset whose every
 * cell can be read back, or fail with one line.
 */
#include "dataset.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dataset ds;
	char err[256] = "";
	if (dataset_parse((const char *)data, size, "fuzz.csv", &ds, err, sizeof(err)) < 0) {
		if (!err[0])
			abort();
		return 0;
	}
	if (ds.ncols == 0 || !ds.cols)
		abort();
	for (size_t c = 0; c < ds.ncols; c++)
		if (dataset_col(&ds, ds.cols[c]) < 0)
			abort();
	for (size_t r = 0; r < ds.nrows; r++)
		for (size_t c = 0; c < ds.ncols; c++) {
			(void)strlen(dataset_cell(&ds, r, (int)c));
			(void)dataset_num(&ds, r, (int)c);
		}
	/* out of range is "" and NAN, never a read past the end */
	if (dataset_cell(&ds, ds.nrows, 0)[0] || dataset_cell(&ds, 0, -1)[0])
		abort();
	dataset_free(&ds);
	return 0;
}
