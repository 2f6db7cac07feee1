/* opttable — options from one table; see opttable.h. */
#include "opttable.h"

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpulist.h"
#include "units.h"

#define OPT_MAX	  48
#define OPT_FIRST 256 /* getopt values: OPT_FIRST + row */

int opt_refuse(const char *prog, const char *input, const char *expected)
{
	fprintf(stderr, "%s: %s: expected %s\n", prog, input, expected);
	return 2;
}

/* "stream or rr", "a, b or c" */
static void choice_text(const char *choices, char *buf, size_t len)
{
	char copy[256];
	snprintf(copy, sizeof(copy), "%s", choices);
	size_t n = 0, total = 0;
	for (const char *p = choices; *p;) {
		p += strspn(p, " ");
		if (*p)
			total++;
		p += strcspn(p, " ");
	}
	buf[0] = '\0';
	for (char *save = NULL, *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		size_t used = strlen(buf);
		snprintf(buf + used, len - used, "%s%s", n == 0 ? "" : n + 1 == total ? " or " : ", ",
			 w);
		n++;
	}
}

static int is_choice(const char *choices, const char *v)
{
	size_t n = strlen(v);
	for (const char *p = choices; *p;) {
		p += strspn(p, " ");
		size_t w = strcspn(p, " ");
		if (w == n && n && !strncmp(p, v, n))
			return 1;
		p += w;
	}
	return 0;
}

/* What a row expects, for refusals and --help: "a size in bytes, 8..67108864". */
static void expected_text(const struct opt_def *o, char *buf, size_t len)
{
	switch (o->kind) {
	case OPT_SIZE:
		snprintf(buf, len, "a size in bytes, %.0f..%.0f (suffix K, M, G or KiB, MiB, GiB)",
			 o->min, o->max);
		break;
	case OPT_COUNT:
		snprintf(buf, len, "a whole number, %.0f..%.0f", o->min, o->max);
		break;
	case OPT_SECONDS:
		snprintf(buf, len, "seconds, at least %g, at most %g (e.g. 0.5, 2s, 300ms)", o->min,
			 o->max);
		break;
	case OPT_CHOICE:
		choice_text(o->choices, buf, len);
		break;
	case OPT_CPUS:
		snprintf(buf, len, "a CPU list such as 0 or 0-1,3");
		break;
	default:
		snprintf(buf, len, "a value");
	}
}

/* Checks value against row o and stores it at dest; -1 taken, 2 refused. */
static int take(const char *prog, const struct opt_def *o, const char *value, void *dest)
{
	char *at = (char *)dest + o->offset, input[320], expected[320], why[256];
	snprintf(input, sizeof(input), "--%s %.200s", o->name, value ? value : "");
	expected_text(o, expected, sizeof(expected));
	uint64_t u;
	switch (o->kind) {
	case OPT_FLAG:
		*(int *)at = 1;
		return -1;
	case OPT_STRING:
		*(const char **)at = value;
		return -1;
	case OPT_CHOICE:
		if (!is_choice(o->choices, value))
			return opt_refuse(prog, input, expected);
		*(const char **)at = value;
		return -1;
	case OPT_SIZE:
		if (parse_size(value, (uint64_t)o->min, (uint64_t)o->max, &u))
			return opt_refuse(prog, input, expected);
		*(unsigned long *)at = (unsigned long)u;
		return -1;
	case OPT_COUNT:
		if (parse_uint(value, (uint64_t)o->min, (uint64_t)o->max, &u))
			return opt_refuse(prog, input, expected);
		*(unsigned *)at = (unsigned)u;
		return -1;
	case OPT_SECONDS:
		if (parse_seconds(value, o->min, o->max, (double *)at))
			return opt_refuse(prog, input, expected);
		return -1;
	case OPT_CPUS:
		if (!cpu_list_valid(value))
			return opt_refuse(prog, input, expected);
		if (cpu_list_available(value, why, sizeof(why))) {
			fprintf(stderr, "%s: %s: %s\n", prog, input, why);
			return 2;
		}
		*(const char **)at = value;
		return -1;
	}
	return -1;
}

int opt_parse(const char *prog, const struct opt_def *table, int argc, char **argv, void *dest,
	      const char *about)
{
	struct option longs[OPT_MAX + 2];
	int seen[OPT_MAX] = {0};
	size_t n = 0;
	for (; table[n].name && n < OPT_MAX; n++)
		longs[n] = (struct option){table[n].name, table[n].metavar ? required_argument
									   : no_argument,
					   0, OPT_FIRST + (int)n};
	longs[n] = (struct option){"help", no_argument, 0, 'h'};
	longs[n + 1] = (struct option){0, 0, 0, 0};
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
		if (c == 'h') {
			opt_usage(stdout, prog, table, about);
			return 0;
		}
		if (c == ':')
			return opt_refuse(prog, argv[optind - 1], "a value after it");
		if (c < OPT_FIRST) {
			char expected[96];
			snprintf(expected, sizeof(expected), "an option of %s (see --help)", prog);
			return opt_refuse(prog, argv[optind - 1], expected);
		}
		size_t row = (size_t)(c - OPT_FIRST);
		seen[row] = 1;
		int rc = take(prog, &table[row], optarg, dest);
		if (rc >= 0)
			return rc;
	}
	if (optind < argc)
		return opt_refuse(prog, argv[optind], "no arguments besides options");
	for (size_t i = 0; i < n; i++)
		if (table[i].required && !seen[i]) {
			char input[64], expected[320];
			snprintf(input, sizeof(input), "--%s %s", table[i].name,
				 table[i].metavar ? table[i].metavar : "");
			snprintf(expected, sizeof(expected), "%s (required)", table[i].help);
			return opt_refuse(prog, input, expected);
		}
	return -1;
}

void opt_usage(FILE *out, const char *prog, const struct opt_def *table, const char *about)
{
	/* the synopsis: required options first, then the others in brackets */
	char line[128];
	int col = snprintf(line, sizeof(line), "usage: %s", prog);
	fputs(line, out);
	int indent = col;
	for (int pass = 0; pass < 2; pass++)
		for (const struct opt_def *o = table; o->name; o++) {
			if (o->required != (pass == 0))
				continue;
			char item[96];
			int w = snprintf(item, sizeof(item), pass == 0 ? " --%s%s%s" : " [--%s%s%s]",
					 o->name, o->metavar ? " " : "", o->metavar ? o->metavar : "");
			if (col + w > 88) {
				fprintf(out, "\n%*s", indent, "");
				col = indent;
			}
			fputs(item, out);
			col += w;
		}
	fprintf(out, "\n%s\n", about);
	for (const struct opt_def *o = table; o->name; o++) {
		char head[64], expected[320], text[900];
		snprintf(head, sizeof(head), "--%s%s%s", o->name, o->metavar ? " " : "",
			 o->metavar ? o->metavar : "");
		expected_text(o, expected, sizeof(expected));
		int shows_bounds = o->kind != OPT_FLAG && o->kind != OPT_STRING;
		snprintf(text, sizeof(text), "%s%s%s%s%s%s", o->help, shows_bounds ? ": " : "",
			 shows_bounds ? expected : "", o->def ? " (default " : "", o->def ? o->def : "",
			 o->def ? ")" : "");
		/* the text wrapped at 80 columns, after a 20-column head */
		fprintf(out, "  %-18s", head);
		if (strlen(head) > 17)
			fprintf(out, "\n  %-18s", "");
		int width = 0;
		for (char *save = NULL, *w = strtok_r(text, " ", &save); w;
		     w = strtok_r(NULL, " ", &save)) {
			int wl = (int)strlen(w);
			if (width && width + 1 + wl > 60) {
				fprintf(out, "\n  %-18s", "");
				width = 0;
			}
			fprintf(out, "%s%s", width ? " " : "", w);
			width += (width ? 1 : 0) + wl;
		}
		fputc('\n', out);
	}
	fprintf(out, "  %-18s%s\n", "--help", "this text");
}
