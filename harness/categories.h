/*
 * categories — where a sample's CPU time goes: the category files of
 * perfcfg/categories/, and the rule that puts a call chain into one category.
 *
 *     # category    pattern...
 *     pass          k:_raw_spin_unlock_irqrestore k:_raw_spin_unlock_irq
 *     user_copy     u:memcpy u:__memmove_* u:message_gather
 *     syscall       ^k:do_syscall_64 ^k:entry_SYSCALL_64*
 *
 * One category a line, then its patterns; a category may have several lines,
 * and its column comes where it is first named. '#' starts a comment.
 * category  [a-z0-9_], at most CATEGORY_NAME_MAX characters. Two names are
 *           reserved: `pass` (a frame that matches does not decide: the next
 *           frame outwards does) and `other` (always a category, the last:
 *           samples no rule decides, and those a line sends there on purpose).
 * pattern   [^][k:|u:]GLOB: GLOB is an fnmatch(3) pattern over a symbol name;
 *           k: matches kernel frames only, u: user frames only, neither both;
 *           ^ matches only the first frame that is not passed (the leaf, or
 *           the first frame after the leaf's pass frames): self time.
 *
 * The rule: the frames of a chain are tried from the leaf outwards (kernel
 * frames, then user frames); at each frame the rules are tried in file order,
 * and the first that matches decides: `pass` goes on to the next frame, any
 * other category is the sample's. A chain no rule decides is `other`,
 * unmatched (copyscope top lists the leaves of those, to extend the file).
 *
 * Errors: -1 with one line "FILE:LINE: what was expected" in err. A
 * category_set owns everything in it; categories_free() releases it.
 */
#ifndef COPYSCOPE_CATEGORIES_H
#define COPYSCOPE_CATEGORIES_H

#include <stddef.h>

#define CATEGORY_NAME_MAX    32
#define CATEGORY_MAX	     32	  /* categories, other included */
#define CATEGORY_RULES_MAX   4096 /* patterns in a file */
#define CATEGORY_PATTERN_MAX 128  /* characters of one pattern */
#define CATEGORY_FILE_MAX    (1u << 20)
#define CATEGORY_PASS	     "pass"
#define CATEGORY_OTHER	     "other"
#define CATEGORY_DEFAULT     "default" /* perfcfg/categories/default.cat */

struct category_set; /* opaque */

/* One frame of a call chain: its symbol and whether it is the kernel's. */
struct chain_frame {
	const char *name;
	int kernel;
};

/* Reads and parses the file at path. */
int categories_load(const char *path, struct category_set **set, char *err, size_t errlen);

/* Parses len bytes of text; source names it in errors. */
int categories_parse(const char *text, size_t len, const char *source, struct category_set **set,
		     char *err, size_t errlen);

void categories_free(struct category_set *set);

/* The file it came from. */
const char *categories_source(const struct category_set *set);

/* Number of categories (other included, last), and the name of the i-th. */
size_t categories_count(const struct category_set *set);
const char *categories_name(const struct category_set *set, size_t i);

/* The index of `other`: categories_count() - 1. */
size_t categories_other(const struct category_set *set);

/*
 * The category of a chain of n frames, leaf first (frames[0] is where the
 * sample landed). *decided (may be NULL) gets the index of the frame that
 * decided, or n when no rule did (the sample is other, unmatched).
 */
size_t categories_match(const struct category_set *set, const struct chain_frame *frames, size_t n,
			size_t *decided);

/* The first frame of a chain that a `pass` rule does not pass (the frame
 * that holds the sample's self time), or n when every frame is passed. */
size_t categories_self(const struct category_set *set, const struct chain_frame *frames, size_t n);

/*
 * Where a category file named `name` is: perfcfg_find (perfcfg.h) in
 * categories/, ".cat" added to a bare name without an extension.
 */
void categories_find(const char *name, const char *near, char *path, size_t len);

#endif
