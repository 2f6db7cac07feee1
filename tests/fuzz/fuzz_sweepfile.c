/*
 * fuzz_sweepfile — libFuzzer target for the sweep-file parser
 * (harness/sweepfile.h sweepfile_parse, libinih underneath): any text either
 * gives a configuration within the documented bounds or fails with one line.
 * The first byte picks whether the event file comes from the text (resolved
 * next to a sweeps/ folder that does not exist: the stat fails cleanly) or is
 * forced to a file that exists, so the checks after parsing run too.
 */
#include "sweepfile.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > (64u << 10))
		return 0;
	struct sweepfile_options opts = {.events_path = "/proc/self/exe"};
	const struct sweepfile_options *o = data[0] & 1 ? &opts : NULL;
	char *text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0'; /* the parser takes a C string: text up to a NUL */
	struct sweep_config cfg;
	char err[512] = "";
	if (sweepfile_parse(text, "/nonexistent/sweeps/fuzz.ini", o, &cfg, err, sizeof(err)) < 0) {
		if (!err[0] || strchr(err, '\n'))
			abort();
		free(text);
		return 0;
	}
	if (!cfg.n_impls || !cfg.n_sizes || !cfg.n_threads || !cfg.n_modes || !cfg.n_layouts ||
	    !cfg.n_topologies || !cfg.n_busy_poll || cfg.n_busy_poll > 2)
		abort();
	if (cfg.n_sizes > SWEEP_LIST_MAX || cfg.n_threads > SWEEP_LIST_MAX ||
	    cfg.n_impls > SWEEP_LIST_MAX)
		abort();
	for (size_t i = 0; i < cfg.n_sizes; i++)
		if (cfg.sizes[i] < MESSAGE_MIN_SIZE || cfg.sizes[i] > MESSAGE_MAX_SIZE)
			abort();
	for (size_t i = 0; i < cfg.n_threads; i++)
		if (cfg.threads[i] < 1 || cfg.threads[i] > CLIENT_THREADS_MAX)
			abort();
	if (cfg.reps < 1 || cfg.reps > SWEEP_REPS_MAX)
		abort();
	if (!(cfg.duration_s > 0) || cfg.duration_s > SECONDS_MAX_S || cfg.warmup_s < 0 ||
	    cfg.warmup_s > SECONDS_MAX_S)
		abort();
	if (sweep_config_points(&cfg) == 0)
		abort();
	sweepfile_free(&cfg);
	free(text);
	return 0;
}
