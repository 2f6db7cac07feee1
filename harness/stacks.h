/*
 * stacks — the call chains a workload was sampled in: raw while the window
 * runs (addresses, as the kernel wrote them, counted by identical chain), and
 * folded once it has closed (symbol names, root first, one line per distinct
 * chain: the format flame-graph tools read).
 *
 * A raw chain is PERF_SAMPLE_CALLCHAIN's: context markers (PERF_CONTEXT_KERNEL,
 * PERF_CONTEXT_USER, ...) each followed by that context's addresses, leaf
 * first. Adding one costs a hash of it and, the first time, a copy: no
 * symbol is looked up while the window runs.
 *
 * A folded line is "frame;frame;...;frame COUNT": the outermost user frame
 * first, the leaf last; kernel frames carry the suffix "_[k]" (as perf's
 * stackcollapse writes them, so flame graphs colour them apart), user
 * frames none. ';' and white space inside a name become '_'.
 *
 * Memory: a stack_table and a folded own everything in them; names a folded
 * hands out live as long as it does. Errors: -1 with one line in err.
 */
#ifndef COPYSCOPE_STACKS_H
#define COPYSCOPE_STACKS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "categories.h"
#include "symbols.h"

#define STACKS_UNIQUE_MAX    (1u << 18) /* distinct raw chains kept; more are dropped */
#define STACKS_POOL_MAX	     (1u << 23) /* addresses those chains hold together: 64 MiB */
#define STACKS_FRAMES_MAX    256	/* addresses and markers of one chain */
#define STACKS_KERNEL_SUFFIX "_[k]"

/* --- raw, while the window runs -------------------------------------------- */

struct stack_table;

struct stack_table *stack_table_new(void);
void stack_table_free(struct stack_table *t);

/*
 * Counts one sample of chain[0..n-1] (with its markers). 0, or -1 when it was
 * dropped: too long, a new chain past STACKS_UNIQUE_MAX chains or
 * STACKS_POOL_MAX addresses, or no memory.
 */
int stack_table_add(struct stack_table *t, const uint64_t *chain, size_t n);

/* Samples counted, and distinct chains. */
uint64_t stack_table_samples(const struct stack_table *t);
size_t stack_table_unique(const struct stack_table *t);

/* --- folded, after it has closed -------------------------------------------- */

struct folded;

/* Symbolizes every distinct chain of t (kernel frames through k, user frames
 * through u; either may be NULL: "[kernel]", "[unknown]") and merges those
 * that read the same. */
int stacks_fold(const struct stack_table *t, const struct ksyms *k, struct usyms *u,
		struct folded **out, char *err, size_t errlen);

/* An empty set, to add folded lines to (copyscope top reads files into one). */
struct folded *folded_new(void);
void folded_free(struct folded *f);

/* Adds one line "frame;...;frame COUNT" (no newline needed); an identical
 * chain adds up. 0, or -1 when it is not such a line (err: what is wrong). */
int folded_add_line(struct folded *f, const char *line, char *err, size_t errlen);

/* Reads a folded file into f (adding up): FILE:LINE on a bad line. */
int folded_read(struct folded *f, const char *path, char *err, size_t errlen);

/* Writes every line, sorted by chain (as stackcollapse does). 0, or -1 (errno). */
int folded_write(const struct folded *f, FILE *out);
/* ... to path, whole or not at all (atomicfile.h). */
int folded_write_file(const struct folded *f, const char *path, char *err, size_t errlen);

/* Distinct chains, total samples, and chain i: its frames leaf first (kernel
 * frames without their suffix, kernel flag set) and its count. */
size_t folded_count(const struct folded *f);
uint64_t folded_samples(const struct folded *f);
void folded_entry(const struct folded *f, size_t i, const struct chain_frame **frames,
		  size_t *nframes, uint64_t *count);

/*
 * Samples per category (per_category[categories_count(cats)], zeroed here)
 * and, into *unmatched (may be NULL), those no rule decided (other).
 */
void folded_categorize(const struct folded *f, const struct category_set *cats,
		       uint64_t *per_category, uint64_t *unmatched);

#endif
