# Comparison of two results folders — B ÷ A of each point's median vs message
# size, one panel per mode and thread count, one line per strategy; each bar
# is the 95% interval of the ratio, so a bar clear of the dotted 1.0 line is a
# significant difference. `copyscope compare A B --plot FILE.svg` runs it.
# in: the CSV of `copyscope compare --csv`, read by column name (impl, mode,
# msg_size, threads, ratio, ratio_lo, ratio_hi). Variables as style.gp, and
#   panels  MODE:THREADS words, e.g. 'stream:1 stream:4 rr:1' (default stream:1)
#   only    COLUMN=VALUE words: rows whose COLUMN differs are not drawn (default none)
if (!exists("panels") || panels eq '') panels = 'stream:1'
if (!exists("only")) only = ''
_p = ARG0; _i = strlen(_p); while (_i > 0 && _p[_i:_i] ne '/') { _i = _i - 1 }
load (_i > 0 ? _p[1:_i] : '').'style.gp'

set datafile separator ','
set datafile columnheaders
pmode(p) = p[1:strstrt(p, ':') - 1]
pthreads(p) = p[strstrt(p, ':') + 1:]
oname(w) = w[1:strstrt(w, '=') - 1]
ovalue(w) = w[strstrt(w, '=') + 1:]
# the current row has every COLUMN=VALUE of only
kept(x) = words(only) == 0 ? 1 : \
	(sum [k = 1:words(only)] (strcol(oname(word(only, k))) eq ovalue(word(only, k)) ? 0 : 1)) == 0
row(pv, im) = kept(0) && strcol('mode') eq pmode(pv) && strcol('threads') eq pthreads(pv) && \
	strcol('impl') eq im

fig_title = 'B ÷ A per point: median throughput (stream), median p50 latency (rr); bars: 95% interval'
eval begin_figure
eval reserve_key(words(impls) + 1)
do for [p = 1:npanels] {
	pv = word(panels, p)
	set title pmode(pv).', '.plural(pthreads(pv), 'thread'). \
		(pmode(pv) eq 'rr' ? ' (above 1.0: B slower)' : ' (above 1.0: B faster)')
	eval size_axis
	set ylabel 'B ÷ A (medians)'
	set yrange [0:*]
	if (miss ne '' || has_panel(empty, pv)) {
		eval show_missing
	} else {
		plot 1 with lines lc rgb '#444444' lw 1.5 dt 3 title 'no difference (1.0)', \
		     for [i = 1:words(impls)] in using \
			(row(pv, word(impls, i)) ? column('msg_size') : NaN):(column('ratio')): \
			(column('ratio_lo')):(column('ratio_hi')) \
			lc rgb impl_color(word(impls, i)) pt impl_pt(word(impls, i)) lw 2 \
			title word(impls, i)
	}
	eval next_panel
}
unset multiplot
