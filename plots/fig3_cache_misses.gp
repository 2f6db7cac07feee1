# Figure 3 — server cache misses per KiB transferred vs message size, one
# panel per cache-level event of events.events, one line per strategy.
# in: "key impl size median lo hi" (render.sh; lo, hi as in figure 1). keys/titles: the panels'
# event keys and their level names; why: the reason a level was not measured.
_p = ARG0; _i = strlen(_p); while (_i > 0 && _p[_i:_i] ne '/') { _i = _i - 1 }
load (_i > 0 ? _p[1:_i] : '').'style.gp'
if (!exists("titles")) titles = ''
if (!exists("why")) why = ''
if (!exists("t1")) t1 = '1'
if (!exists("tmode")) tmode = 'stream'

fig_title = 'Server cache misses per KiB transferred vs message size ('.tmode.', '.plural(t1, 'thread').'; '.bars_text.')'
eval begin_figure
eval reserve_key(words(impls))
do for [p = 1:npanels] {
	pv = word(panels, p)
	lv = p <= words(titles) ? word(titles, p) : pv
	set title (pv eq '-' ? '' : lv.' ('.pv.')') noenhanced
	eval size_axis
	set ylabel 'misses per KiB (server)'
	set yrange [0:*]
	if (miss ne '' || has_panel(empty, pv)) {
		if (miss eq '') { miss = lv.' misses not measured: '.why }
		eval show_missing
		miss = ''
	} else {
		plot for [i = 1:words(impls)] in using \
			(strcol(1) eq pv && strcol(2) eq word(impls, i) ? $3 : NaN):4:5:6 \
			lc rgb impl_color(word(impls, i)) pt impl_pt(word(impls, i)) lw 2 \
			title word(impls, i)
	}
	eval next_panel
}
unset multiplot
