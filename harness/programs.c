/* programs — the workload programs and what they offer; see programs.h. */
#include "programs.h"
#include "errmsg.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eventfile.h"
#include "spawn.h"
#include "wire.h"

int program_path(const char *which, char *path, size_t len, char *err, size_t errlen)
{
	const char *hook =
	    getenv(!strcmp(which, "server") ? "COPYSCOPE_SERVER" : "COPYSCOPE_CLIENT");
	if (hook && *hook) {
		snprintf(path, len, "%s", hook);
		return 0;
	}
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return errmsg_set(err, errlen, "/proc/self/exe: %s (cannot find the workloads)",
				  strerror(errno));
	exe[n] = '\0';
	if ((size_t)snprintf(path, len, "%s/copyscope-%s", dirname(exe), which) >= len)
		return errmsg_set(err, errlen, "%s: path too long", exe);
	return 0;
}

void program_default_events(char *path, size_t len)
{
	eventfile_find("parte", NULL, path, len);
}

/* --- strategies, as the workloads know them ------------------------------- */

/* The server's answer to `--list-impls` or `--list-absent` in *out (the
 * caller frees); 0, or -2 with a message naming the strategy asked for. */
static int server_listing(const char *name, const char *flag, char **out, char *err,
			  size_t errlen)
{
	char server[PATH_MAX];
	*out = NULL;
	if (program_path("server", server, sizeof(server), err, errlen))
		return -2;
	char *argv[] = {server, (char *)flag, NULL};
	char why[PATH_MAX + 64];
	int status = spawn_capture(server, argv, PROGRAM_LISTING_S, out, why, sizeof(why));
	if (status == 0)
		return 0;
	if (status > 0) {
		char text[48];
		snprintf(why, sizeof(why), "%s %s: %s", server, flag,
			 spawn_status_text(status, text, sizeof(text)));
	}
	free(*out);
	*out = NULL;
	errmsg_set(err, errlen, "%s: cannot list the strategies: %s", name, why);
	return -2;
}

/* A strategy this build left out: 1 with "NAME: why, and how to get it"; else 0. */
static int resolve_absent(const char *name, char *err, size_t errlen)
{
	char *out;
	if (server_listing(name, "--list-absent", &out, err, errlen))
		return -2;
	int found = 0;
	for (char *save = NULL, *line = strtok_r(out, "\n", &save); line && !found;
	     line = strtok_r(NULL, "\n", &save)) {
		char impl[64], alias[64];
		int why = 0;
		if (sscanf(line, "%63s %63s %n", impl, alias, &why) < 2 || !why)
			continue;
		if (!strcmp(name, impl) || !strcmp(name, alias)) {
			errmsg_set(err, errlen, "%s: %s", name, line + why);
			found = 1;
		}
	}
	free(out);
	return found;
}

int program_resolve_impl(const char *name, char *canonical, size_t len, char *err, size_t errlen)
{
	char *out;
	if (server_listing(name, "--list-impls", &out, err, errlen))
		return -2;
	char known[512] = "";
	int found = 0;
	for (char *save = NULL, *line = strtok_r(out, "\n", &save); line && !found;
	     line = strtok_r(NULL, "\n", &save)) {
		char impl[64], alias[64] = "";
		if (sscanf(line, "%63s %63s", impl, alias) < 1)
			continue;
		if (!strcmp(name, impl) || (alias[0] && !strcmp(name, alias))) {
			snprintf(canonical, len, "%s", impl);
			found = 1;
		}
		size_t k = strlen(known);
		snprintf(known + k, sizeof(known) - k, "%s%s (%s)", k ? ", " : "", impl, alias);
	}
	free(out);
	if (found)
		return 0;
	int absent = resolve_absent(name, err, errlen);
	if (absent)
		return absent;
	return errmsg_set(err, errlen, "%s: unknown strategy (expected one of %s)", name,
			  known[0] ? known : "none: the server listed no strategy");
}

int program_listening(const char *out, char *host, size_t hlen, char *port, size_t plen)
{
	const size_t skip = sizeof(WIRE_LISTENING " ") - 1;
	if (!out || strncmp(out, WIRE_LISTENING " ", skip))
		return -1;
	const char *addr = out + skip, *nl = strchr(addr, '\n');
	const char *colon = nl ? memrchr(addr, ':', (size_t)(nl - addr)) : NULL;
	if (!colon || colon == addr || nl - colon < 2 || (size_t)(colon - addr) >= hlen ||
	    (size_t)(nl - colon) > plen)
		return -1;
	snprintf(host, hlen, "%.*s", (int)(colon - addr), addr);
	snprintf(port, plen, "%.*s", (int)(nl - colon - 1), colon + 1);
	if (host[0] == '[' && host[strlen(host) - 1] == ']') { /* [::1] */
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	return strspn(port, "0123456789") == strlen(port) ? 0 : -1;
}
