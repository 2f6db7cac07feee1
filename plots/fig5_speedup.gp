# Figure 5 — speed-up over two-copy (strategy throughput ÷ two-copy
# throughput) vs message size, one panel per thread count, with the 1.0 line:
# where a line crosses it, that strategy overtakes two-copy.
# in: "threads impl size ratio lo hi" (render.sh; lo, hi: the ratio's 95%
# interval from both strategies' runs; without runs.csv, min ÷ two-copy's max
# to max ÷ two-copy's min). A bar wholly above or below 1.0 is significant.
_p = ARG0; _i = strlen(_p); while (_i > 0 && _p[_i:_i] ne '/') { _i = _i - 1 }
load (_i > 0 ? _p[1:_i] : '').'style.gp'
if (!exists("tmode")) tmode = 'stream'

fig_title = 'Speed-up over two-copy vs message size ('.tmode.'; above 1.0 = faster than two-copy; '.bars_text.')'
eval begin_figure
eval reserve_key(words(impls))
do for [p = 1:npanels] {
	pv = word(panels, p)
	set title plural(pv, 'thread')
	eval size_axis
	set ylabel 'throughput ÷ two-copy throughput'
	set yrange [0:*]
	if (miss ne '' || has_panel(empty, pv)) {
		eval show_missing
	} else {
		plot 1 with lines lc rgb '#D55E00' lw 1.5 dt 3 title 'two-copy (1.0)', \
		     for [i = 1:words(impls)] in using \
			(strcol(1) eq pv && strcol(2) eq word(impls, i) ? $3 : NaN):4:5:6 \
			lc rgb impl_color(word(impls, i)) pt impl_pt(word(impls, i)) lw 2 \
			title (word(impls, i) eq 'two-copy' ? '' : word(impls, i))
	}
	eval next_panel
}
unset multiplot
