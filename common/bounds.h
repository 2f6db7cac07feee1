/*
 * bounds.h — every bound the harness and the workloads share, one each.
 *
 * The client, the server, `copyscope run` and sweep files all check their
 * input against these, so a value one of them takes is never refused by
 * another later (e.g. mid-sweep).
 */
#ifndef COPYSCOPE_BOUNDS_H
#define COPYSCOPE_BOUNDS_H

/* A message: MESSAGE_FIELDS fields, MESSAGE_HEADER bytes of them carrying the
 * sequence number and connection; at least one byte per field. */
#define MESSAGE_FIELDS	 8
#define MESSAGE_HEADER	 8
#define MESSAGE_MIN_SIZE 8u
#define MESSAGE_MAX_SIZE (64u << 20)

/* Connections one client opens, one thread and one message each. */
#define CLIENT_THREADS_MAX 1024u

/* The shortest measured window (--duration, `duration =`), in seconds. */
#define DURATION_MIN_S 0.001
/* The longest measured window and the longest warm-up, in seconds. */
#define SECONDS_MAX_S 3600.0

#endif
