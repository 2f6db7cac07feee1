/*
 * hostdesc — what a machine is, as key=value lines: for env.txt, and for the
 * agent's MACHINE message (agentwire.h), so that a row measured across two
 * hosts says what both were.
 *
 * The lines, each best effort (a value that cannot be read is empty, never
 * guessed): host (the hostname), kernel (uname -r), arch, cpu_model,
 * cpus_online, copyscope (COPYSCOPE_VERSION), and for the network interface
 * that holds the local address asked about: iface, driver (ethtool's
 * driver name, "" for lo and where the driver does not say), driver_version,
 * mtu, offloads (netns.h's form: "tso=on;gso=on;gro=off"), speed_mbps
 * (ethtool's link speed; empty when unknown, e.g. on veth or lo).
 * Keys are [a-z0-9_]; values one line of printable ASCII, no '=' trouble:
 * a value is everything after the first '='.
 */
#ifndef COPYSCOPE_HOSTDESC_H
#define COPYSCOPE_HOSTDESC_H

#include <stddef.h>

/*
 * Describes this machine and the interface holding local_addr (an IPv4 or
 * IPv6 address in text; NULL: no interface lines) into buf as key=value
 * lines. 0, or -1 when buf is too small (err says so).
 */
int hostdesc_write(const char *local_addr, char *buf, size_t len, char *err, size_t errlen);

/*
 * The local address this machine would use to reach host (a name or an
 * address), into addr: a connected UDP socket's name, no packet sent. 0 or -1.
 */
int hostdesc_route_addr(const char *host, char *addr, size_t len, char *err, size_t errlen);

#endif
