/* tcpinfo — TCP_INFO at the window's edges; see tcpinfo.h. */
#include "tcpinfo.h"

#include <linux/tcp.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "wire.h"

enum tcp_fold {
	DELTA_SUM, /* end - begin, summed over connections */
	SHARE_PCT, /* (end - begin) / window, mean over connections, in percent */
	END_MEAN,  /* the end value, mean over connections */
	END_SUM,   /* the end value, summed over connections */
};

/* One row per field: where the kernel keeps it, its key, how it folds. */
#define FIELD(f, member, key, fold)                                                              \
	[f] = {offsetof(struct tcp_info, member), sizeof(((struct tcp_info *)0)->member), key, fold}

static const struct {
	size_t offset, size;
	const char *key;
	enum tcp_fold fold;
} fields[TF_COUNT] = {
    FIELD(TF_SEGS_OUT, tcpi_segs_out, KEY_TCP_SEGS_OUT, DELTA_SUM),
    FIELD(TF_SEGS_IN, tcpi_segs_in, KEY_TCP_SEGS_IN, DELTA_SUM),
    FIELD(TF_DATA_SEGS_OUT, tcpi_data_segs_out, KEY_TCP_DATA_SEGS_OUT, DELTA_SUM),
    FIELD(TF_DATA_SEGS_IN, tcpi_data_segs_in, KEY_TCP_DATA_SEGS_IN, DELTA_SUM),
    FIELD(TF_BYTES_SENT, tcpi_bytes_sent, KEY_TCP_BYTES_SENT, DELTA_SUM),
    FIELD(TF_BYTES_ACKED, tcpi_bytes_acked, KEY_TCP_BYTES_ACKED, DELTA_SUM),
    FIELD(TF_BYTES_RECEIVED, tcpi_bytes_received, KEY_TCP_BYTES_RECEIVED, DELTA_SUM),
    FIELD(TF_RETRANS, tcpi_total_retrans, KEY_TCP_RETRANS, DELTA_SUM),
    FIELD(TF_BUSY_US, tcpi_busy_time, KEY_TCP_BUSY_PCT, SHARE_PCT),
    FIELD(TF_RWND_LIMITED_US, tcpi_rwnd_limited, KEY_TCP_RWND_LIMITED_PCT, SHARE_PCT),
    FIELD(TF_SNDBUF_LIMITED_US, tcpi_sndbuf_limited, KEY_TCP_SNDBUF_LIMITED_PCT, SHARE_PCT),
    FIELD(TF_RTT_US, tcpi_rtt, KEY_TCP_SRTT_US, END_MEAN),
    FIELD(TF_RTTVAR_US, tcpi_rttvar, KEY_TCP_RTTVAR_US, END_MEAN),
    FIELD(TF_CWND, tcpi_snd_cwnd, KEY_TCP_CWND, END_MEAN),
    FIELD(TF_DELIVERY_RATE, tcpi_delivery_rate, KEY_TCP_DELIVERY_RATE_GBPS, END_SUM),
    FIELD(TF_UNACKED, tcpi_unacked, KEY_TCP_UNACKED, END_SUM),
};

void tcp_sample_from(const void *info, size_t len, struct tcp_sample *s)
{
	memset(s, 0, sizeof(*s));
	for (int f = 0; f < TF_COUNT; f++) {
		if (fields[f].offset + fields[f].size > len)
			continue; /* an older kernel's shorter struct: not filled */
		const unsigned char *p = (const unsigned char *)info + fields[f].offset;
		if (fields[f].size == sizeof(uint64_t)) {
			uint64_t v;
			memcpy(&v, p, sizeof(v));
			s->v[f] = v;
		} else {
			uint32_t v;
			memcpy(&v, p, sizeof(v));
			s->v[f] = v;
		}
		s->have |= 1u << f;
	}
}

int tcp_info_wanted(void)
{
	const char *v = getenv("COPYSCOPE_TCP_INFO");
	return !v || strcmp(v, "off");
}

int tcp_sample_read(int fd, struct tcp_sample *s)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0) {
		memset(s, 0, sizeof(*s));
		return -1;
	}
	tcp_sample_from(&ti, len, s);
	return 0;
}

void tcp_window_init(struct tcp_window *w)
{
	memset(w, 0, sizeof(*w));
	w->have = (1u << TF_COUNT) - 1;
}

void tcp_window_add(struct tcp_window *w, const struct tcp_sample *begin,
		    const struct tcp_sample *end)
{
	w->conns++;
	w->have &= begin->have & end->have;
	for (int f = 0; f < TF_COUNT; f++) {
		int delta = fields[f].fold == DELTA_SUM || fields[f].fold == SHARE_PCT;
		/* the kernel's 32-bit counters wrap: the delta is taken modulo their width */
		uint64_t d = end->v[f] - begin->v[f];
		if (fields[f].size == sizeof(uint32_t))
			d &= 0xffffffffu;
		w->sum[f] += delta ? d : end->v[f];
	}
}

void tcp_window_edge(struct tcp_window *w, int fd, struct tcp_sample *begin, int end)
{
	struct tcp_sample now = {0};
	if (fd >= 0)
		tcp_sample_read(fd, &now);
	if (!end)
		*begin = now;
	else if (now.have && begin->have)
		tcp_window_add(w, begin, &now);
}

void tcp_window_print(FILE *out, const struct tcp_window *w, double window_s)
{
	if (!w->conns)
		return;
	for (int f = 0; f < TF_COUNT; f++) {
		if (!(w->have & (1u << f)))
			continue;
		double sum = (double)w->sum[f];
		switch (fields[f].fold) {
		case DELTA_SUM:
		case END_SUM:
			if (f == TF_DELIVERY_RATE)
				fprintf(out, "%s=%.6f\n", fields[f].key, sum * 8 / 1e9);
			else
				fprintf(out, "%s=%llu\n", fields[f].key,
					(unsigned long long)w->sum[f]);
			break;
		case SHARE_PCT: {
			if (!(window_s > 0))
				break;
			/* the kernel's chrono and our window are timed apart: a share
			 * a hair over the window is the whole window */
			double pct = sum / 1e6 / window_s / w->conns * 100;
			fprintf(out, "%s=%.2f\n", fields[f].key, pct > 100 ? 100.0 : pct);
			break;
		}
		case END_MEAN:
			fprintf(out, "%s=%.1f\n", fields[f].key, sum / w->conns);
			break;
		}
	}
}
