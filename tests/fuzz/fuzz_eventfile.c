/*
 * fuzz_eventfile — libFuzzer target for the event-file parser
 * (harness/eventfile.h eventfile_parse): any bytes either parse into a set
 * whose every field obeys the documented bounds, or fail with one line.
 */
#include "eventfile.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct event_set set;
	char err[256] = "";
	if (eventfile_parse((const char *)data, size, "fuzz.events", &set, err, sizeof(err)) < 0) {
		if (!err[0] || memchr(err, '\n', sizeof(err)))
			abort(); /* an error is one line */
		return 0;
	}
	if (set.n == 0 || set.n > EVENT_SET_MAX)
		abort();
	for (size_t i = 0; i < set.n; i++) {
		const struct event_spec *ev = &set.ev[i];
		if (!ev->key[0] || strlen(ev->key) > EVENT_KEY_MAX || !ev->level[0] ||
		    !ev->name[0] || ev->line < 1)
			abort();
		if (event_set_find(&set, ev->key) != ev) /* keys are unique */
			abort();
	}
	eventfile_free(&set);
	return 0;
}
