# Figure 6 — zero-copy: the share of zero-copy sends the kernel copied anyway
# (zc_copied ÷ zc_completions), and context switches per MiB transferred,
# server solid and client dashed, both vs message size.
# in: "zc impl size pct lo hi srv" (the share of medians and its 95% interval)
# and "ctx impl size median lo hi side" (render.sh; lo, hi as in figure 1).
# miss_zc / miss_ctx: why a panel has no data.
_p = ARG0; _i = strlen(_p); while (_i > 0 && _p[_i:_i] ne '/') { _i = _i - 1 }
load (_i > 0 ? _p[1:_i] : '').'style.gp'
if (!exists("zc_impls")) zc_impls = ''
if (!exists("miss_zc")) miss_zc = ''
if (!exists("miss_ctx")) miss_ctx = ''
if (!exists("t1")) t1 = '1'
if (!exists("tmode")) tmode = 'stream'

fig_title = 'Zero-copy: copied fallback and context switches vs message size ('.tmode.', '.plural(t1, 'thread').'; '.bars_text.')'
eval begin_figure
# panel 1: copied-fallback share
set title 'sends the kernel copied anyway (loopback and veth always copy)'
eval size_axis
set ylabel 'copied fallback (% of zero-copy completions)'
set yrange [0:*]
set ytics 0, 20, 100
eval reserve_key(words(zc_impls))
if (miss_zc ne '' || has_panel(empty, 'zc') || words(zc_impls) == 0) {
	miss = miss_zc
	eval show_missing
} else {
	plot for [i = 1:words(zc_impls)] in using \
		(strcol(1) eq 'zc' && strcol(2) eq word(zc_impls, i) ? $3 : NaN):4:5:6 \
		lc rgb impl_color(word(zc_impls, i)) pt impl_pt(word(zc_impls, i)) lw 2 \
		title word(zc_impls, i)
}
eval next_panel
# panel 2: context switches per MiB
set title 'context switches per MiB (server solid, client dashed)'
eval size_axis
set ylabel 'context switches per MiB'
set logscale y 10
set yrange [*:*]
set ytics autofreq
eval reserve_key(2 * words(impls))
set key top right
if (miss_ctx ne '' || has_panel(empty, 'ctx')) {
	miss = miss_ctx
	eval show_missing
} else {
	plot for [i = 1:words(impls)] in using (strcol(1) eq 'ctx' && strcol(2) eq word(impls, i) \
			&& strcol(7) eq 'srv' ? $3 : NaN):4:5:6 \
		lc rgb impl_color(word(impls, i)) pt impl_pt(word(impls, i)) lw 2 \
		title word(impls, i).' server', \
	     for [i = 1:words(impls)] in using (strcol(1) eq 'ctx' && strcol(2) eq word(impls, i) \
			&& strcol(7) eq 'cli' ? $3 : NaN):4:5:6 \
		lc rgb impl_color(word(impls, i)) pt impl_pt(word(impls, i)) lw 2 dt 2 \
		title word(impls, i).' client'
}
unset multiplot
