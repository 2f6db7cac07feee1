/* strategy_info.c — the strategies' properties; see strategy_info.h. */
#include "strategy_info.h"

#include <string.h>

const struct strategy_info strategy_infos[] = {
    {"two-copy", "a1", 1, false, NULL},
    {"one-copy", "a2", 2, false, NULL},
    {"zero-copy", "a3", 3, true, NULL},
    {"uring-zc", "a4", 4, true,
     "not in this build: <liburing.h> was missing when copyscope was built (install "
     "liburing-dev, then make)"},
};
const size_t strategy_ninfos = sizeof(strategy_infos) / sizeof(strategy_infos[0]);

const struct strategy_info *strategy_info_find(const char *name)
{
	for (size_t i = 0; i < strategy_ninfos; i++)
		if (!strcmp(name, strategy_infos[i].name) || !strcmp(name, strategy_infos[i].alias))
			return &strategy_infos[i];
	return NULL;
}

int strategy_is_zerocopy(const char *name)
{
	const struct strategy_info *s = strategy_info_find(name);
	return s && s->zerocopy;
}
