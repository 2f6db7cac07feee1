/*
 * symbols — names for the addresses of a call chain, once the window has
 * closed: the kernel's from /proc/kallsyms, a workload's through elfutils'
 * libdwfl over the memory map it had when the window closed.
 *
 * Kernel: every text symbol of kallsyms (`t`, `T`, `w`, `W`; modules'
 * too), sorted; an address gets the symbol at or below it. Where the kernel
 * hides them (every address reads 0: kernel.kptr_restrict 2, or 1 without
 * CAP_SYSLOG, or 0 without it where kernel.perf_event_paranoid is above 1),
 * the table is empty and ksyms_note() says so, with both settings: every
 * kernel frame is then "[kernel]".
 *
 * User: the text of /proc/PID/maps is read while the workload still runs
 * (symbols_read_maps, right after the window closes); usyms_open() reports
 * its file mappings to libdwfl (dwfl_linux_proc_maps_report), which finds
 * each ELF file by path and its symbol table in the file, or in its debug
 * file (/usr/lib/debug/.build-id, by build id: libc's memcpy variants are
 * named only there, Debian's libc6-dbg). Never over the network: a
 * DEBUGINFOD_URLS in the environment is dropped (unsetenv) by usyms_open().
 * An address no symbol holds is named after its mapping, "[libc.so.6]",
 * "[vdso]", "[copyscope-server]" (a stripped program), else "[unknown]".
 *
 * Memory: a ksyms and a usyms own their tables and strings; names they return
 * live as long as they do. Errors: -1 with one line in err.
 */
#ifndef COPYSCOPE_SYMBOLS_H
#define COPYSCOPE_SYMBOLS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SYMBOLS_KALLSYMS       "/proc/kallsyms"
#define SYMBOLS_KERNEL_UNKNOWN "[kernel]"
#define SYMBOLS_USER_UNKNOWN   "[unknown]"

struct ksyms;
struct usyms;

/* Reads a kallsyms file (path: SYMBOLS_KALLSYMS, or a fixture). An unreadable
 * file is an error; a file whose addresses are all 0 is an empty table with a note. */
int ksyms_load(const char *path, struct ksyms **out, char *err, size_t errlen);
void ksyms_free(struct ksyms *k);

/* Symbols in the table; "" or why the table is empty / partial (kptr_restrict). */
size_t ksyms_count(const struct ksyms *k);
const char *ksyms_note(const struct ksyms *k);

/* The text symbol holding addr, or NULL (below the first, beyond the last by
 * more than 1 MiB, or an empty table). *offset (may be NULL): addr - its start. */
const char *ksyms_lookup(const struct ksyms *k, uint64_t addr, uint64_t *offset);

/* /proc/PID/maps as text (caller frees). 0, or -1 with err. */
int symbols_read_maps(pid_t pid, char **text, size_t *len, char *err, size_t errlen);

/* A symbolizer over a process's maps text (not kept). NULL with err when libdwfl fails. */
struct usyms *usyms_open(const char *maps, size_t len, char *err, size_t errlen);
void usyms_close(struct usyms *u);

/* The name of user address addr; never NULL (see above for unknowns). */
const char *usyms_lookup(struct usyms *u, uint64_t addr);

#endif
