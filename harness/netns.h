/*
 * netns — the `netns` topology: two network namespaces joined by a veth pair,
 * made for one run and always removed after it.
 *
 * A link is two named namespaces, cs-<pid>-<n>-srv and cs-<pid>-<n>-cli
 * (<pid> the harness's, <n> a count within it), visible in `ip netns list`
 * while the run lasts. Inside them a veth pair, cs-srv / cs-cli, carries the
 * /30 198.18.0.0/30 of the benchmarking range (RFC 2544): the server end is
 * 198.18.0.1, the client end 198.18.0.2. The pair is created inside the
 * namespaces, so the harness's own namespace never sees it, and the same
 * addresses can serve any number of concurrent links. Both ends and both
 * namespaces' lo are up; both ends get the requested MTU.
 *
 * Setting up goes through iproute2 (`ip netns add`, `ip -n NS link add ...`),
 * run with execve and an argv, never a shell: ip knows how to make
 * /run/netns a shared mount and keep the namespace alive, which is easy to
 * get subtly wrong by hand. Removing is done here, with the same two
 * syscalls `ip netns del` makes (umount2 MNT_DETACH, unlink): it cannot be
 * interrupted by a Ctrl-C that reaches the whole process group, needs no
 * fork, and so is always safe to call on the way out. Removing the last name
 * of a namespace whose processes are gone destroys it and its veth end,
 * which destroys the peer.
 *
 * A harness killed by SIGKILL cannot clean up; the next link it creates
 * first removes the namespaces a dead copyscope left behind: names that
 * match cs-<pid>-<n>-srv|cli exactly and whose <pid> no longer runs (or is
 * ours, while we hold no link: an earlier process had our pid). Nothing else
 * under /run/netns is ever touched.
 *
 * Test hook: COPYSCOPE_IP names the ip program to run instead of the first
 * of /usr/sbin/ip, /sbin/ip, /usr/bin/ip, /bin/ip that exists.
 *
 * Memory: a netns_link is the caller's, holds only arrays; netns_destroy()
 * leaves it empty and may be called any number of times.
 * Errors: functions return -1 and write one line into err.
 */
#ifndef COPYSCOPE_NETNS_H
#define COPYSCOPE_NETNS_H

#include <stddef.h>

#define NETNS_DEFAULT_MTU  1500
#define NETNS_MIN_MTU	   68
#define NETNS_MAX_MTU	   65535 /* veth's limit */
#define NETNS_DIR	   "/run/netns"
#define NETNS_SRV_ADDR	   "198.18.0.1"
#define NETNS_CLI_ADDR	   "198.18.0.2"
#define NETNS_SRV_DEV	   "cs-srv"
#define NETNS_CLI_DEV	   "cs-cli"
#define NETNS_OFFLOADS_MAX 64

struct netns_link {
	char srv_name[48], cli_name[48];   /* "" when not (or no longer) created */
	char srv_path[64], cli_path[64];   /* NETNS_DIR/<name>: what spawn setns()es into */
	unsigned mtu;			   /* as the server end reports it */
	char offloads[NETNS_OFFLOADS_MAX]; /* of the server end, see netns_link_info() */
};

/*
 * 0 when this process may build a link (effective CAP_NET_ADMIN and
 * CAP_SYS_ADMIN), else -1 with "--topology netns: needs CAP_NET_ADMIN (run
 * as root); loopback works unprivileged" (or CAP_SYS_ADMIN) in err.
 */
int netns_check_privileges(char *err, size_t errlen);

/*
 * Removes stale links (see above), then builds one with the given MTU (0:
 * NETNS_DEFAULT_MTU) and fills link. On failure everything already made is
 * removed again and link is left empty.
 */
int netns_create(struct netns_link *link, unsigned mtu, char *err, size_t errlen);

/* Removes both namespaces (and so the veth pair); safe on an empty or half-built link. */
void netns_destroy(struct netns_link *link);

/* Removes the namespaces a dead copyscope left behind; returns how many (never fails). */
int netns_sweep_stale(void);

/*
 * The MTU and offloads of device dev, read with ioctls (SIOCGIFMTU,
 * SIOCETHTOOL ETHTOOL_GTSO/GGSO/GGRO) on a socket made inside the namespace
 * at ns_path (NULL: the harness's own) by a short-lived thread, so the
 * harness itself never changes namespace. offloads reads
 * "tso=on;gso=on;gro=off": no commas or spaces, so it sits in a CSV cell and
 * an env.txt value as it is; a feature the driver does not report is "?".
 */
int netns_link_info(const char *ns_path, const char *dev, unsigned *mtu, char *offloads, size_t len,
		    char *err, size_t errlen);

#endif
