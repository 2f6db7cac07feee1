# Figure 2 — request-response latency vs thread count: p50 solid, p99 dashed,
# one colour per strategy, one panel per message size.
# in: "size impl threads p50 p50lo p50hi p99 p99lo p99hi" (render.sh; lo, hi: the
# median's 95% interval, or min and max without runs.csv).
_p = ARG0; _i = strlen(_p); while (_i > 0 && _p[_i:_i] ne '/') { _i = _i - 1 }
load (_i > 0 ? _p[1:_i] : '').'style.gp'
if (!exists("tt")) tt = '()'
size_name(b) = b eq '-' ? '' : (b % 1024 == 0 ? sprintf('%d KiB messages', b / 1024) : b.' B messages')

fig_title = 'Request-response latency vs thread count (rr mode; p50 solid, p99 dashed; '.bars_text.')'
eval begin_figure
do for [p = 1:npanels] {
	pv = word(panels, p)
	set title size_name(pv)
	set logscale x 2
	set xlabel 'client threads (log_2 scale)'
	eval 'set xtics '.tt
	set ylabel 'latency (µs)'
	set yrange [0:*]
	set offsets graph 0.05, graph 0.05, graph key_room(words(impls)), 0
	set key maxrows words(impls) # p50 and p99 side by side: a key as tall as the strategies
	if (miss ne '' || has_panel(empty, pv)) {
		eval show_missing
	} else {
		plot for [i = 1:words(impls)] in using \
			(strcol(1) eq pv && strcol(2) eq word(impls, i) ? $3 : NaN):4:5:6 \
			lc rgb impl_color(word(impls, i)) pt impl_pt(word(impls, i)) lw 2 \
			title word(impls, i).' p50', \
		     for [i = 1:words(impls)] in using \
			(strcol(1) eq pv && strcol(2) eq word(impls, i) ? $3 : NaN):7:8:9 \
			lc rgb impl_color(word(impls, i)) pt impl_pt(word(impls, i)) lw 2 dt 2 \
			title word(impls, i).' p99'
	}
	eval next_panel
}
unset multiplot
