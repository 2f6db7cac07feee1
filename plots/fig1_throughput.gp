# Figure 1 — throughput vs message size, one panel per thread count, one
# line per strategy. in: "threads impl size median lo hi" (render.sh; lo, hi: the
# median's 95% interval, or min and max without runs.csv).
_p = ARG0; _i = strlen(_p); while (_i > 0 && _p[_i:_i] ne '/') { _i = _i - 1 }
load (_i > 0 ? _p[1:_i] : '').'style.gp'
if (!exists("tmode")) tmode = 'stream'

fig_title = 'Throughput vs message size ('.tmode.' mode; median of repetitions, '.bars_text.')'
eval begin_figure
eval reserve_key(words(impls))
do for [p = 1:npanels] {
	pv = word(panels, p)
	set title plural(pv, 'thread')
	eval size_axis
	set ylabel 'throughput (Gbit/s)'
	set yrange [0:*]
	if (miss ne '' || has_panel(empty, pv)) {
		eval show_missing
	} else {
		plot for [i = 1:words(impls)] in using \
			(strcol(1) eq pv && strcol(2) eq word(impls, i) ? $3 : NaN):4:5:6 \
			lc rgb impl_color(word(impls, i)) pt impl_pt(word(impls, i)) lw 2 \
			title word(impls, i)
	}
	eval next_panel
}
unset multiplot
