/*
 * splitmix — the one pseudo-random generator of the harness: splitmix64
 * (Steele, Lea and Flood, 2014). Small, good enough for a shuffle and a
 * bootstrap, and the same on every machine, so a seed gives the same run
 * order (plan.c) and the same data the same interval (stats.c) anywhere.
 */
#ifndef COPYSCOPE_SPLITMIX_H
#define COPYSCOPE_SPLITMIX_H

#include <stdint.h>

/* The next number of the sequence whose state is *state. */
static inline uint64_t splitmix_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

#endif
