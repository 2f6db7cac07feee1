/* perfcfg — where event and category files are found; see perfcfg.h. */
#include "perfcfg.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

void perfcfg_find(const char *kind, const char *ext, const char *name, const char *near,
		  char *path, size_t len)
{
	if (strchr(name, '/')) {
		snprintf(path, len, "%s", name);
		return;
	}
	if (strchr(name, '.'))
		ext = "";
	char exe[4096] = "";
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	char *slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	char cand[3][4500];
	size_t nc = 0;
	if (near)
		snprintf(cand[nc++], sizeof(cand[0]), "%s/../%s/%s%s", near, kind, name, ext);
	snprintf(cand[nc++], sizeof(cand[0]), "perfcfg/%s/%s%s", kind, name, ext);
	if (exe[0])
		snprintf(cand[nc++], sizeof(cand[0]), "%s/../perfcfg/%s/%s%s", exe, kind, name,
			 ext);
	for (size_t i = 0; i < nc; i++)
		if (access(cand[i], F_OK) == 0) {
			snprintf(path, len, "%s", cand[i]);
			return;
		}
	snprintf(path, len, "%s", cand[0]);
}
