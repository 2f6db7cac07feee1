/* TCP_INFO samples and windows (workloads/tcpinfo.c): a field a kernel did
 * not fill is missing, never 0; deltas, shares and means fold as promised. */
#include <criterion/criterion.h>
#include <linux/tcp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tcpinfo.h"

static struct tcp_info info(uint32_t segs, uint64_t bytes, uint64_t busy_us, uint32_t rtt)
{
	struct tcp_info ti;
	memset(&ti, 0, sizeof(ti));
	ti.tcpi_data_segs_out = segs;
	ti.tcpi_segs_out = segs;
	ti.tcpi_bytes_sent = bytes;
	ti.tcpi_busy_time = busy_us;
	ti.tcpi_rtt = rtt;
	return ti;
}

static char *printed(const struct tcp_window *w, double window_s)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	tcp_window_print(f, w, window_s);
	fclose(f);
	return text;
}

Test(tcpinfo, a_full_struct_fills_every_field)
{
	struct tcp_info ti = info(3, 3000, 10, 50);
	struct tcp_sample s;
	tcp_sample_from(&ti, sizeof(ti), &s);
	cr_expect_eq(s.have, (1u << TF_COUNT) - 1);
	cr_expect_eq(s.v[TF_DATA_SEGS_OUT], 3);
	cr_expect_eq(s.v[TF_BYTES_SENT], 3000);
	cr_expect_eq(s.v[TF_RTT_US], 50);
}

Test(tcpinfo, a_short_struct_leaves_later_fields_missing_not_zero)
{
	struct tcp_info a = info(3, 3000, 10, 50), b = info(9, 9000, 20, 60);
	size_t short_len = offsetof(struct tcp_info, tcpi_busy_time); /* an older kernel */
	struct tcp_sample s0, s1;
	tcp_sample_from(&a, short_len, &s0);
	tcp_sample_from(&b, short_len, &s1);
	cr_expect(s1.have & (1u << TF_DATA_SEGS_OUT));
	cr_expect_not(s1.have & (1u << TF_BUSY_US));
	cr_expect_not(s1.have & (1u << TF_BYTES_SENT)); /* after busy_time in the struct */
	struct tcp_window w;
	tcp_window_init(&w);
	tcp_window_add(&w, &s0, &s1);
	char *text = printed(&w, 1.0);
	cr_expect(strstr(text, "tcp_data_segs_out=6\n"), "%s", text);
	cr_expect_null(strstr(text, "tcp_busy_pct="), "%s", text);
	cr_expect_null(strstr(text, "tcp_bytes_sent="), "%s", text);
	free(text);
}

Test(tcpinfo, a_window_sums_deltas_shares_the_chrono_and_averages_rtt)
{
	struct tcp_info a0 = info(10, 1000, 0, 40), a1 = info(110, 101000, 500000, 60);
	struct tcp_info b0 = info(5, 500, 0, 10), b1 = info(55, 50500, 250000, 20);
	struct tcp_sample s[4];
	tcp_sample_from(&a0, sizeof(a0), &s[0]);
	tcp_sample_from(&a1, sizeof(a1), &s[1]);
	tcp_sample_from(&b0, sizeof(b0), &s[2]);
	tcp_sample_from(&b1, sizeof(b1), &s[3]);
	struct tcp_window w;
	tcp_window_init(&w);
	tcp_window_add(&w, &s[0], &s[1]);
	tcp_window_add(&w, &s[2], &s[3]);
	char *text = printed(&w, 1.0);
	cr_expect(strstr(text, "tcp_data_segs_out=150\n"), "%s", text);
	cr_expect(strstr(text, "tcp_bytes_sent=150000\n"), "%s", text);
	cr_expect(strstr(text, "tcp_busy_pct=37.50\n"), "(50%% + 25%%) / 2: %s", text);
	cr_expect(strstr(text, "tcp_srtt_us=40.0\n"), "(60 + 20) / 2 at the end: %s", text);
	free(text);
}

Test(tcpinfo, a_wrapped_32_bit_counter_still_gives_its_delta)
{
	struct tcp_info a = info(0xfffffff0u, 0, 0, 1), b = info(0x10, 0, 0, 1);
	struct tcp_sample s0, s1;
	tcp_sample_from(&a, sizeof(a), &s0);
	tcp_sample_from(&b, sizeof(b), &s1);
	struct tcp_window w;
	tcp_window_init(&w);
	tcp_window_add(&w, &s0, &s1);
	cr_expect_eq(w.sum[TF_DATA_SEGS_OUT], 0x20);
}

Test(tcpinfo, no_connection_prints_nothing)
{
	struct tcp_window w;
	tcp_window_init(&w);
	char *text = printed(&w, 1.0);
	cr_expect_str_eq(text, "");
	free(text);
}

/* A connection closed before the window's end (fd -1) is left out, not added
 * as zeros; one read at both edges counts. */
Test(tcpinfo, an_edge_leaves_out_a_connection_it_cannot_read)
{
	int sv[2];
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	struct tcp_window w;
	struct tcp_sample begin;
	tcp_window_init(&w);
	tcp_window_edge(&w, -1, &begin, 0);
	cr_expect_eq(begin.have, 0);
	tcp_window_edge(&w, -1, &begin, 1);
	cr_expect_eq(w.conns, 0);
	tcp_window_edge(&w, sv[0], &begin, 0); /* not TCP: getsockopt refuses */
	tcp_window_edge(&w, sv[0], &begin, 1);
	cr_expect_eq(w.conns, 0);
	close(sv[0]);
	close(sv[1]);
}
