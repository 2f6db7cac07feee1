# extract.awk — summary.csv (+ events.events, env.txt) into the small data
# files the figure scripts plot, and a meta.sh of shell assignments that
# tells render.sh what each figure has and, when it has nothing, why.
#
#   awk -v tmp=DIR -f plots/extract.awk EVENTS_FILE_OR_/dev/null ENV_OR_/dev/null summary.csv
#
# Every value plotted is a cell of summary.csv (median, min, max), or a fixed
# rescaling of one (per message -> per MiB), or a ratio of two (speed-up,
# copied-fallback share). Rows are written sorted by panel, strategy, x so
# that the scripts' per-strategy filters see each line as one run of points.
# Works with mawk (Debian's default awk): no gawk extensions.

function add_unique(list, n, v,   i) { # returns new n
	for (i = 1; i <= n; i++) if (list[i] == v) return n
	list[++n] = v
	return n
}
function sort_num(list, n,   i, j, t) {
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && list[j - 1] + 0 > list[j] + 0; j--) {
			t = list[j]; list[j] = list[j - 1]; list[j - 1] = t
		}
}
function words(list, n,   i, s) {
	s = ""
	for (i = 1; i <= n; i++) s = s (i > 1 ? " " : "") list[i]
	return s
}
function cell(r, name) { return (name in col) ? cellv[r, col[name]] : "" }
function num(x) { return x == "" ? "" : x + 0 }
function size_label(b) {
	if (b >= 1048576 && b % 1048576 == 0) return (b / 1048576) "M"
	if (b >= 1024 && b % 1024 == 0) return (b / 1024) "K"
	return b ""
}
function datfile(i) { return tmp "/fig" i ".dat" }
# the panels of list (n words) that got no point in file
function empty_panels(file, list, n,   i, e) {
	e = ""
	for (i = 1; i <= n; i++) if (!((file, list[i]) in npts)) e = e (e == "" ? "" : " ") list[i]
	return e
}
function sq(s) { gsub(/'/, "", s); return "'" s "'" }
function meta(k, v) { printf "%s=%s\n", k, sq(v) > (tmp "/meta.sh") }
# the base rows: the sweep's first topology, scattered layout, no busy-poll
function is_base(r) {
	return cellv[r, col["topology"]] == base_topo && cellv[r, col["layout"]] == base_layout &&
	       cellv[r, col["busy_poll"]] == base_bp
}
# one "panel impl x median min max" line when the median was measured
function put(file, panel, impl, x, r, name,   m) {
	m = cell(r, name "_median")
	if (m == "") return 0
	printf "%s %s %s %s %s %s\n", panel, impl, x, m, num(cell(r, name "_min")),
	       num(cell(r, name "_max")) > file
	npts[file, panel]++
	return 1
}

FILENAME == ARGV[1] { # events.events
	sub(/#.*/, "")
	if (NF < 3) next
	nkeys++; key[nkeys] = $1; level[nkeys] = $2
	if ($3 ~ /^PERF_COUNT_SW_TASK_CLOCK/ || $1 == "task_clock") tclock_key = $1
	if ($3 ~ /^PERF_COUNT_SW_CONTEXT_SWITCHES/ || $1 == "ctx_switches" || $1 == "context_switches")
		ctx_key = $1
	next
}
FILENAME == ARGV[2] { # env.txt: the key=value block only
	if (done_env || $0 !~ /^[a-z_0-9]+=/) { done_env = 1; next }
	k = $0; sub(/=.*/, "", k); v = $0; sub(/^[^=]*=/, "", v); env[k] = v
	next
}
FNR == 1 {
	ncols = split($0, h, ",")
	for (i = 1; i <= ncols; i++) { gsub(/"/, "", h[i]); col[h[i]] = i }
	next
}
{
	n = split($0, f, ",")
	nrows++
	for (i = 1; i <= n; i++) { gsub(/"/, "", f[i]); cellv[nrows, i] = f[i] }
	impl = f[col["impl"]]; mode = f[col["mode"]]
	if (nrows == 1) base_topo = f[col["topology"]]
	if (f[col["layout"]] == "scattered") has_scattered = 1
	if (f[col["busy_poll"]] == "0") has_bp0 = 1
	if (mode == "stream") has_stream = 1
	if (!(impl in seen_impl)) { seen_impl[impl] = 1; appear[++nappear] = impl }
}
END {
	base_layout = has_scattered ? "scattered" : cellv[1, col["layout"]]
	base_bp = has_bp0 ? "0" : cellv[1, col["busy_poll"]]
	tmode = has_stream ? "stream" : "rr"
	# strategies in the order of the design's table, then any newcomer
	ni = 0
	split("two-copy one-copy zero-copy uring-zc", canon, " ")
	for (i = 1; i <= 4; i++) if (canon[i] in seen_impl) impls[++ni] = canon[i]
	for (i = 1; i <= nappear; i++) ni = add_unique(impls, ni, appear[i])

	nt = nsz = nrs = nrt = 0
	for (r = 1; r <= nrows; r++) {
		if (!is_base(r)) continue
		m = cellv[r, col["mode"]]
		if (m == tmode) {
			nt = add_unique(threads, nt, cellv[r, col["threads"]])
			nsz = add_unique(sizes, nsz, cellv[r, col["msg_size"]])
		}
		if (m == "rr") {
			nrs = add_unique(rrsizes, nrs, cellv[r, col["msg_size"]])
			nrt = add_unique(rrthreads, nrt, cellv[r, col["threads"]])
		}
	}
	sort_num(threads, nt); sort_num(sizes, nsz); sort_num(rrsizes, nrs); sort_num(rrthreads, nrt)
	t1 = threads[1]

	# at most six latency panels: the smallest, the largest and some between
	if (nrs > 6) {
		for (i = 1; i <= 6; i++) pick[i] = rrsizes[1 + int((i - 1) * (nrs - 1) / 5 + 0.5)]
		for (i = 1; i <= 6; i++) rrsizes[i] = pick[i]
		nrs = 6
	}

	xt = ""
	for (i = 1; i <= nsz; i++)
		xt = xt (i > 1 ? ", " : "") "\"" size_label(sizes[i]) "\" " sizes[i]
	tt = ""
	for (i = 1; i <= nrt; i++) tt = tt (i > 1 ? ", " : "") "\"" rrthreads[i] "\" " rrthreads[i]

	# cache-level panels, named by level (and key when a level has several)
	nl = 0
	for (k = 1; k <= nkeys; k++) if (level[k] != "-") { ckey[++nl] = key[k]; clev[nl] = level[k] }
	for (k = 1; k <= nl; k++) {
		dup = 0
		for (j = 1; j <= nl; j++) if (j != k && clev[j] == clev[k]) dup = 1
		ctitle[k] = dup ? clev[k] "/" ckey[k] : clev[k]
	}

	cpu_metric = "cpu_ns"
	for (r = 1; r <= nrows; r++)
		if (cell(r, "srv_cycles_per_byte_median") != "" || cell(r, "cli_cycles_per_byte_median") != "")
			cpu_metric = "cycles"

	# one pass per figure, in panel, strategy, x order
	F1 = tmp "/fig1.dat"; F2 = tmp "/fig2.dat"; F3 = tmp "/fig3.dat"; F4 = tmp "/fig4.dat"
	F5 = tmp "/fig5.dat"; F6 = tmp "/fig6.dat"
	for (fi = 1; fi <= 6; fi++) printf "" > datfile(fi)
	n1 = n2 = n3 = n4 = n5 = n6a = n6b = zc_seen = nzi = 0
	for (r = 1; r <= nrows; r++) if (is_base(r)) {
		id = cellv[r, col["impl"]] SUBSEP cellv[r, col["mode"]] SUBSEP cellv[r, col["msg_size"]] \
		     SUBSEP cellv[r, col["threads"]]
		rowof[id] = r
	}
	for (p = 1; p <= nt; p++) for (i = 1; i <= ni; i++) for (s = 1; s <= nsz; s++) {
		id = impls[i] SUBSEP tmode SUBSEP sizes[s] SUBSEP threads[p]
		if (!(id in rowof)) continue
		r = rowof[id]
		n1 += put(F1, threads[p], impls[i], sizes[s], r, "throughput_gbps")
		# speed-up over two-copy: ratio of medians, bars from the extremes
		bid = "two-copy" SUBSEP tmode SUBSEP sizes[s] SUBSEP threads[p]
		if (impls[i] != "two-copy" && (bid in rowof)) {
			b = rowof[bid]
			m = cell(r, "throughput_gbps_median"); bm = cell(b, "throughput_gbps_median")
			lo = cell(r, "throughput_gbps_min"); bhi = cell(b, "throughput_gbps_max")
			hi = cell(r, "throughput_gbps_max"); blo = cell(b, "throughput_gbps_min")
			if (m != "" && bm + 0 > 0 && blo + 0 > 0 && bhi + 0 > 0) {
				printf "%s %s %s %.6g %.6g %.6g\n", threads[p], impls[i], sizes[s], m / bm,
				       lo / bhi, hi / blo > F5
				n5++; npts[F5, threads[p]]++
			}
		}
	}
	for (p = 1; p <= nrs; p++) for (i = 1; i <= ni; i++) for (t = 1; t <= nrt; t++) {
		id = impls[i] SUBSEP "rr" SUBSEP rrsizes[p] SUBSEP rrthreads[t]
		if (!(id in rowof)) continue
		r = rowof[id]
		if (cell(r, "lat_p50_us_median") == "") continue
		printf "%s %s %s %s %s %s %s %s %s\n", rrsizes[p], impls[i], rrthreads[t],
		       cell(r, "lat_p50_us_median"), num(cell(r, "lat_p50_us_min")),
		       num(cell(r, "lat_p50_us_max")), num(cell(r, "lat_p99_us_median")),
		       num(cell(r, "lat_p99_us_min")), num(cell(r, "lat_p99_us_max")) > F2
		n2++; npts[F2, rrsizes[p]]++
	}
	for (k = 1; k <= nl; k++) for (i = 1; i <= ni; i++) for (s = 1; s <= nsz; s++) {
		id = impls[i] SUBSEP tmode SUBSEP sizes[s] SUBSEP t1
		if (id in rowof) n3 += put(F3, ckey[k], impls[i], sizes[s], rowof[id], "srv_" ckey[k] "_per_kb")
	}
	split("srv cli", sides, " ")
	for (d = 1; d <= 2; d++) for (i = 1; i <= ni; i++) for (s = 1; s <= nsz; s++) {
		id = impls[i] SUBSEP tmode SUBSEP sizes[s] SUBSEP t1
		if (!(id in rowof)) continue
		r = rowof[id]
		n4 += put(F4, sides[d], impls[i], sizes[s], r,
			  sides[d] (cpu_metric == "cycles" ? "_cycles_per_byte" : "_cpu_ns_per_byte"))
		if (ctx_key != "" && cell(r, sides[d] "_" ctx_key "_per_msg_median") != "") {
			c = sides[d] "_" ctx_key "_per_msg"
			printf "ctx %s %s %.6g %.6g %.6g %s\n", impls[i], sizes[s],
			       cell(r, c "_median") * 1048576 / sizes[s],
			       cell(r, c "_min") * 1048576 / sizes[s],
			       cell(r, c "_max") * 1048576 / sizes[s], sides[d] > F6
			n6b++; npts[F6, "ctx"]++
		}
		if (d == 1 && cell(r, "zc_completions_median") != "") {
			zc_seen = 1
			if (cell(r, "zc_completions_median") + 0 > 0) {
				pct = 100 * cell(r, "zc_copied_median") / cell(r, "zc_completions_median")
				zcbuf = zcbuf sprintf("zc %s %s %.6g %.6g %.6g srv\n", impls[i], sizes[s],
						      pct, pct, pct)
				n6a++; npts[F6, "zc"]++
				if (!(impls[i] in zc_has)) { zc_has[impls[i]] = 1; zc_impls[++nzi] = impls[i] }
			}
		}
	}
	printf "%s", zcbuf > F6 # after the ctx rows: each line stays one run of rows
	for (fi = 1; fi <= 6; fi++) close(datfile(fi))

	nopmu = env["hw_pmu"] == "no"
	levels = ""
	for (k = 1; k <= nl; k++) levels = levels (k > 1 ? "/" : "") ctitle[k]
	why_hw = nopmu ? "no hardware PMU exposed" : "the counters were not supported here (see copyscope events)"
	printf "" > (tmp "/meta.sh")
	meta("impls", words(impls, ni))
	meta("tmode", tmode)
	meta("threads", words(threads, nt))
	meta("t1", t1)
	meta("xt", "(" xt ")")
	# a little room on both sides so the end points and their tics show
	meta("xr", nsz ? sprintf("[%.6g:%.6g]", sizes[1] / 1.2, sizes[nsz] * 1.2) : "[*:*]")
	meta("tt", "(" tt ")")
	meta("rr_sizes", words(rrsizes, nrs))
	meta("cache_keys", words(ckey, nl))
	meta("cache_titles", words(ctitle, nl))
	meta("cpu_metric", cpu_metric)
	meta("cpu_clock", tclock_key != "" ? "task-clock" : "user+system time")
	meta("hw_pmu", env["hw_pmu"] == "" ? "unknown" : env["hw_pmu"])
	meta("p1", words(threads, nt)); meta("e1", empty_panels(F1, threads, nt))
	meta("p2", words(rrsizes, nrs)); meta("e2", empty_panels(F2, rrsizes, nrs))
	meta("p3", words(ckey, nl)); meta("e3", empty_panels(F3, ckey, nl))
	meta("p4", "srv cli"); meta("e4", empty_panels(F4, sides, 2))
	meta("p5", words(threads, nt)); meta("e5", empty_panels(F5, threads, nt))
	split("zc ctx", p6, " ")
	meta("p6", "zc ctx"); meta("e6", empty_panels(F6, p6, 2))
	meta("zc_impls", words(zc_impls, nzi))
	meta("why3", why_hw)
	meta("miss1", n1 ? "" : "Throughput not measured: no successful " tmode " run in summary.csv")
	meta("miss2", n2 ? "" : (nrs ? "Latency not measured: the rr runs reported no latency" \
				     : "Latency not measured: this sweep ran no request-response (rr) points"))
	meta("miss3", n3 ? "" : (nl ? levels " misses not measured: " why_hw \
				    : "Cache misses not measured: the event file names no cache level"))
	meta("miss4", n4 ? "" : "CPU cost per byte not measured: no cycles, task-clock or rusage data")
	meta("miss5", n5 ? "" : (("two-copy" in seen_impl) ? "Speed-up not computed: no throughput to compare" \
				 : "Speed-up not computed: the sweep has no two-copy baseline"))
	meta("miss6a", n6a ? "" : (zc_seen ? "Copied fallback not measured: no zero-copy completions arrived" \
				   : "Copied fallback not measured: no zero-copy strategy in this sweep"))
	meta("miss6b", n6b ? "" : (ctx_key != "" ? "Context switches not measured on this machine" \
				   : "Context switches not measured: the event file has no context-switch event"))
}
