/* symbols — kernel symbols from kallsyms, a workload's through libdwfl; see symbols.h. */
#include "symbols.h"
#include "errmsg.h"

#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KSYM_MAX_REACH (1u << 20) /* beyond the last symbol by more: not a kernel text address */

/* --- the kernel ------------------------------------------------------------- */

struct ksym {
	uint64_t addr;
	size_t name; /* offset in names */
};

struct ksyms {
	size_t n, cap;
	struct ksym *sym;
	char *names;
	size_t names_len, names_cap;
	char note[512];
};

static int ksym_push(struct ksyms *k, uint64_t addr, const char *name)
{
	size_t len = strlen(name) + 1;
	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 4096;
		struct ksym *s = realloc(k->sym, cap * sizeof(*s));
		if (!s)
			return -1;
		k->sym = s, k->cap = cap;
	}
	if (k->names_len + len > k->names_cap) {
		size_t cap = k->names_cap ? k->names_cap * 2 : 1 << 16;
		while (cap < k->names_len + len)
			cap *= 2;
		char *p = realloc(k->names, cap);
		if (!p)
			return -1;
		k->names = p, k->names_cap = cap;
	}
	memcpy(k->names + k->names_len, name, len);
	k->sym[k->n++] = (struct ksym){addr, k->names_len};
	k->names_len += len;
	return 0;
}

static int by_addr(const void *a, const void *b)
{
	uint64_t x = ((const struct ksym *)a)->addr, y = ((const struct ksym *)b)->addr;
	return x < y ? -1 : x > y;
}

static int read_int_file(const char *path)
{
	FILE *f = fopen(path, "r");
	int v = -1;
	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* Parses "ADDR TYPE NAME [MODULE]" lines, keeping text symbols. */
static int ksyms_read(FILE *f, struct ksyms *k, size_t *zeros)
{
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;
	while (!rc && getline(&line, &cap, f) > 0) {
		char type, name[512];
		uint64_t addr;
		if (sscanf(line, "%" SCNx64 " %c %511s", &addr, &type, name) != 3)
			continue;
		if (type != 't' && type != 'T' && type != 'w' && type != 'W')
			continue;
		if (!addr) {
			(*zeros)++;
			continue;
		}
		rc = ksym_push(k, addr, name);
	}
	free(line);
	return rc;
}

int ksyms_load(const char *path, struct ksyms **out, char *err, size_t errlen)
{
	*out = NULL;
	FILE *f = fopen(path, "r");
	if (!f)
		return errmsg_set(err, errlen, "%s: %s", path, strerror(errno));
	struct ksyms *k = calloc(1, sizeof(*k));
	size_t zeros = 0;
	int rc = k ? ksyms_read(f, k, &zeros) : -1;
	fclose(f);
	if (rc) {
		ksyms_free(k);
		return errmsg_set(err, errlen, "%s: out of memory", path);
	}
	if (k->n > 1)
		qsort(k->sym, k->n, sizeof(*k->sym), by_addr);
	if (zeros && !k->n)
		snprintf(k->note, sizeof(k->note),
			 "kernel symbols hidden: %s shows every address as 0 "
			 "(kernel.kptr_restrict=%d, kernel.perf_event_paranoid=%d: without "
			 "CAP_SYSLOG, 0 shows them where perf_event_paranoid is 1 or less, 1 "
			 "hides them, 2 hides them from everyone): kernel frames are %s",
			 path, read_int_file("/proc/sys/kernel/kptr_restrict"),
			 read_int_file("/proc/sys/kernel/perf_event_paranoid"),
			 SYMBOLS_KERNEL_UNKNOWN);
	else if (!k->n)
		snprintf(k->note, sizeof(k->note), "%s holds no text symbol: kernel frames are %s",
			 path, SYMBOLS_KERNEL_UNKNOWN);
	*out = k;
	return 0;
}

void ksyms_free(struct ksyms *k)
{
	if (!k)
		return;
	free(k->sym);
	free(k->names);
	free(k);
}

size_t ksyms_count(const struct ksyms *k)
{
	return k ? k->n : 0;
}

const char *ksyms_note(const struct ksyms *k)
{
	return k ? k->note : "";
}

const char *ksyms_lookup(const struct ksyms *k, uint64_t addr, uint64_t *offset)
{
	if (!k || !k->n || addr < k->sym[0].addr)
		return NULL;
	size_t lo = 0, hi = k->n; /* the last symbol at or below addr is in [lo, hi) */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (k->sym[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (lo == k->n - 1 && addr - k->sym[lo].addr > KSYM_MAX_REACH)
		return NULL;
	if (offset)
		*offset = addr - k->sym[lo].addr;
	return k->names + k->sym[lo].name;
}

/* --- a workload ------------------------------------------------------------- */

int symbols_read_maps(pid_t pid, char **text, size_t *len, char *err, size_t errlen)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	*text = NULL;
	*len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errmsg_set(err, errlen, "%s: %s", path, strerror(errno));
	size_t cap = 0;
	for (;;) {
		if (*len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 16384;
			char *t = realloc(*text, cap);
			if (!t)
				break;
			*text = t;
		}
		ssize_t n = read(fd, *text + *len, cap - *len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			if (n < 0 || !*text) {
				free(*text);
				*text = NULL;
				return errmsg_set(err, errlen, "%s: %s", path,
						  n < 0 ? strerror(errno) : "empty");
			}
			(*text)[*len] = '\0';
			return 0;
		}
		*len += (size_t)n;
	}
	close(fd);
	free(*text);
	*text = NULL;
	return errmsg_set(err, errlen, "%s: out of memory", path);
}

struct mapping {
	uint64_t start, end;
	char *label; /* "[libc.so.6]", "[vdso]" */
};

struct addr_name {
	uint64_t addr;
	const char *name;
	int used;
};

struct usyms {
	Dwfl *dwfl;
	size_t nmaps;
	struct mapping *maps;
	size_t cache_cap, cache_n; /* open addressing, a power of two */
	struct addr_name *cache;
};

static char *debuginfo_path; /* libdwfl's default: .debug beside, /usr/lib/debug */
static const Dwfl_Callbacks proc_callbacks = {
    .find_elf = dwfl_linux_proc_find_elf,
    .find_debuginfo = dwfl_standard_find_debuginfo,
    .debuginfo_path = &debuginfo_path,
};

/* "start-end perms offset dev inode path" lines with a path, as labels. */
static int read_mappings(struct usyms *u, const char *maps, size_t len)
{
	const char *p = maps, *end = maps + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char line[4200], path[4096] = "";
		snprintf(line, sizeof(line), "%.*s", (int)(n < sizeof(line) ? n : sizeof(line) - 1),
			 p);
		uint64_t a, b;
		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %*s %*s %*s %*s %4095[^\n]", &a, &b,
			   path) == 3 &&
		    path[0]) {
			struct mapping *m = realloc(u->maps, (u->nmaps + 1) * sizeof(*m));
			if (!m)
				return -1;
			u->maps = m;
			const char *base = path[0] == '[' ? path : strrchr(path, '/');
			base = base ? (base[0] == '/' ? base + 1 : base) : path;
			int r = base[0] == '[' ? asprintf(&m[u->nmaps].label, "%s", base)
					       : asprintf(&m[u->nmaps].label, "[%s]", base);
			if (r < 0)
				return -1;
			m[u->nmaps].start = a;
			m[u->nmaps++].end = b;
		}
		p += n + 1;
	}
	return 0;
}

struct usyms *usyms_open(const char *maps, size_t len, char *err, size_t errlen)
{
	unsetenv("DEBUGINFOD_URLS"); /* symbols come from this machine's files only */
	struct usyms *u = calloc(1, sizeof(*u));
	if (!u || read_mappings(u, maps, len)) {
		usyms_close(u);
		errmsg_set(err, errlen, "out of memory");
		return NULL;
	}
	u->dwfl = dwfl_begin(&proc_callbacks);
	FILE *f = u->dwfl ? fmemopen((void *)maps, len, "r") : NULL;
	int rc = f ? dwfl_linux_proc_maps_report(u->dwfl, f) : -1;
	if (f)
		fclose(f);
	if (rc != 0 || dwfl_report_end(u->dwfl, NULL, NULL) != 0) {
		errmsg_set(err, errlen, "libdwfl: cannot read the memory map: %s",
			   dwfl_errmsg(-1) ? dwfl_errmsg(-1) : "unknown error");
		usyms_close(u);
		return NULL;
	}
	return u;
}

void usyms_close(struct usyms *u)
{
	if (!u)
		return;
	if (u->dwfl)
		dwfl_end(u->dwfl);
	for (size_t i = 0; i < u->nmaps; i++)
		free(u->maps[i].label);
	free(u->maps);
	free(u->cache);
	free(u);
}

static const char *resolve(struct usyms *u, uint64_t addr)
{
	Dwfl_Module *mod = dwfl_addrmodule(u->dwfl, addr);
	if (mod) {
		GElf_Off off = 0;
		GElf_Sym sym;
		const char *name = dwfl_module_addrinfo(mod, addr, &off, &sym, NULL, NULL, NULL);
		/* a sized symbol that ends before addr is a neighbour, not a holder */
		if (name && name[0] && (sym.st_size == 0 || off < sym.st_size))
			return name;
	}
	for (size_t i = 0; i < u->nmaps; i++)
		if (addr >= u->maps[i].start && addr < u->maps[i].end)
			return u->maps[i].label;
	return SYMBOLS_USER_UNKNOWN;
}

static struct addr_name *cache_slot(struct addr_name *cache, size_t cap, uint64_t addr)
{
	size_t i = (size_t)((addr * 0x9e3779b97f4a7c15ull) >> 20) & (cap - 1);
	while (cache[i].used && cache[i].addr != addr)
		i = (i + 1) & (cap - 1);
	return &cache[i];
}

static int cache_grow(struct usyms *u)
{
	size_t cap = u->cache_cap ? u->cache_cap * 2 : 1024;
	struct addr_name *c = calloc(cap, sizeof(*c));
	if (!c)
		return -1;
	for (size_t i = 0; i < u->cache_cap; i++)
		if (u->cache[i].used)
			*cache_slot(c, cap, u->cache[i].addr) = u->cache[i];
	free(u->cache);
	u->cache = c;
	u->cache_cap = cap;
	return 0;
}

const char *usyms_lookup(struct usyms *u, uint64_t addr)
{
	if (!u)
		return SYMBOLS_USER_UNKNOWN;
	if ((u->cache_n + 1) * 2 > u->cache_cap && cache_grow(u))
		return resolve(u, addr);
	struct addr_name *slot = cache_slot(u->cache, u->cache_cap, addr);
	if (!slot->used) {
		*slot = (struct addr_name){addr, resolve(u, addr), 1};
		u->cache_n++;
	}
	return slot->name;
}
