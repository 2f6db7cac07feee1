# Figure 7 — what TCP did with the sender's bytes, vs message size: bytes per
# data segment (log scale), the share of the window TCP was busy sending, and
# the shares it was held back by the receive window (solid) and by the send
# buffer (dashed). The sender is the server (copyscope-server sends in both
# modes); numbers from TCP_INFO at the window's edges.
# in: "seg|busy|rwnd|sndbuf impl size median lo hi" (copyscope figdata; lo, hi as
# in figure 1).
left_margin = 0.1
panel_gap = 0.09
_p = ARG0; _i = strlen(_p); while (_i > 0 && _p[_i:_i] ne '/') { _i = _i - 1 }
load (_i > 0 ? _p[1:_i] : '').'style.gp'
if (!exists("t1")) t1 = '1'
if (!exists("tmode")) tmode = 'stream'
panel_title(p) = p eq 'seg' ? 'bytes per data segment (sender)' : \
		 p eq 'busy' ? 'sender busy (% of the window)' : \
		 p eq 'limited' ? 'sender limited: rwnd solid, sndbuf dashed' : ''

fig_title = 'What TCP did with the bytes vs message size ('.tmode.', '.plural(t1, 'thread').'; '.bars_text.')'
eval begin_figure
do for [p = 1:npanels] {
	pv = word(panels, p)
	set title panel_title(pv) font ',11'
	eval size_axis
	unset logscale y
	set yrange [0:*]
	eval reserve_key(words(impls) * (pv eq 'limited' ? 2 : 1))
	if (pv eq 'seg') {
		set logscale y 2
		set yrange [*:*]
		set ylabel 'bytes per data segment'
	} else {
		set ylabel '% of the measured window'
	}
	if (miss ne '' || has_panel(empty, pv)) {
		eval show_missing
	} else {
		if (pv eq 'limited') {
			plot for [i = 1:words(impls)] in using \
				(strcol(1) eq 'rwnd' && strcol(2) eq word(impls, i) ? $3 : NaN):4:5:6 \
				lc rgb impl_color(word(impls, i)) pt impl_pt(word(impls, i)) lw 2 \
				title word(impls, i).' rwnd', \
			     for [i = 1:words(impls)] in using \
				(strcol(1) eq 'sndbuf' && strcol(2) eq word(impls, i) ? $3 : NaN):4:5:6 \
				lc rgb impl_color(word(impls, i)) pt impl_pt(word(impls, i)) lw 2 dt 2 \
				title word(impls, i).' sndbuf'
		} else {
			plot for [i = 1:words(impls)] in using \
				(strcol(1) eq pv && strcol(2) eq word(impls, i) ? $3 : NaN):4:5:6 \
				lc rgb impl_color(word(impls, i)) pt impl_pt(word(impls, i)) lw 2 \
				title word(impls, i)
		}
	}
	eval next_panel
}
unset multiplot
