# Figure 4 — CPU cost per byte vs message size, server and client panels.
# metric 'cycles': cycles per byte; otherwise CPU nanoseconds per byte from
# clock (task-clock, or user+system time), and the axis label says which.
# in: "side impl size median lo hi" (render.sh; lo, hi as in figure 1).
# The y tics run to 0.0625 and below, beside a long axis label: more room left of each panel.
left_margin = 0.1
panel_gap = 0.1
_p = ARG0; _i = strlen(_p); while (_i > 0 && _p[_i:_i] ne '/') { _i = _i - 1 }
load (_i > 0 ? _p[1:_i] : '').'style.gp'
if (!exists("metric")) metric = 'cycles'
if (!exists("clock")) clock = 'task-clock'
if (!exists("t1")) t1 = '1'
if (!exists("tmode")) tmode = 'stream'

if (metric eq 'cycles') {
	what = 'CPU cycles per byte'
	ylab = 'CPU cycles per byte (cycles/B)'
} else {
	what = 'CPU time per byte (no cycle counter: '.clock.')'
	ylab = 'CPU time per byte (ns/B, from '.clock.')'
}
fig_title = what.' vs message size ('.tmode.', '.plural(t1, 'thread').'; '.bars_text.')'
eval begin_figure
eval reserve_key(words(impls))
do for [p = 1:npanels] {
	pv = word(panels, p)
	set title side_name(pv)
	eval size_axis
	set ylabel ylab
	set logscale y 2
	set yrange [*:*]
	set key top right
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
