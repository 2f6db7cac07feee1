# Figure 8 — where the CPU goes (sample = on; docs/sampling.md): each
# category's share of a side's samples, server and client panels, one cluster
# per message size and one stacked bar per strategy (the medians of the shares:
# they sum to about 100%).
# in: one block per side and size (srv first; sizes as in `sizes`), apart by
# two blank lines, a row per strategy: "side size impl PCT..." with PCT in the
# order of cats (copyscope figdata; NaN: not sampled there).
# cats, cat_labels: the categories and what the key calls them (quoted words);
# size_labels: the clusters' titles; miss_side: why a side has no bar.
# The key sits right of the panels, outside every plot area: it covers no data.
left_margin = 0.08
bottom_margin = 0.22 # the strategies' names, upright, and the sizes under them
if (!exists("miss")) miss = ''
right_margin = miss eq '' ? 0.8 : 0.98
_p = ARG0; _i = strlen(_p); while (_i > 0 && _p[_i:_i] ne '/') { _i = _i - 1 }
load (_i > 0 ? _p[1:_i] : '').'style.gp'
if (!exists("cats")) cats = ''
if (!exists("cat_labels")) cat_labels = cats
if (!exists("sizes")) sizes = ''
if (!exists("size_labels")) size_labels = sizes
if (!exists("miss_side")) miss_side = ''
if (!exists("t1")) t1 = '1'
if (!exists("tmode")) tmode = 'stream'

fig_title = 'Where the CPU goes: each category''s share of the samples ('.tmode.', '.plural(t1, 'thread').'; medians)'
eval begin_figure
set style data histograms
set style histogram rowstacked title offset 0, -0.3
set style fill solid 1.0 border lc rgb '#ffffff'
set boxwidth 0.8 relative
set grid noxtics ytics
# the key, in the order the bars stack, right of the panels
key_beside = "set key at screen right_margin + 0.015, 0.89 left top vertical invert"
# one bar per row of block b, stacking its categories
bars(b) = sprintf("for [c = 1:words(cats)] in index %d using (column(c + 3)):xtic(3) " . \
	"lc rgb cat_color(word(cats, c)) notitle", b)
# the key, once, by itself: newhistogram would give it a blank line per cluster
key_entries = "for [c = 1:words(cats)] keyentry with boxes lc rgb cat_color(word(cats, c)) " . \
	"title word(cat_labels, c)"
keyed = 0 # the key comes with the first panel drawn
do for [p = 1:npanels] {
	pv = word(panels, p)
	set title side_name(pv)
	set xrange [*:*]
	set yrange [0:*]
	set ytics 0, 20, 100
	set ylabel 'share of the side''s samples (%)'
	set xtics rotate by 90 right font ',9' scale 0
	if (miss ne '' || has_panel(empty, pv)) {
		whole = miss
		if (miss eq '') { miss = miss_side }
		eval show_missing
		miss = whole
	} else {
		side = pv eq 'srv' ? 0 : 1
		cmd = ''
		do for [s = 1:words(sizes)] {
			cmd = cmd . (s > 1 ? ', ' : '') . "newhistogram '" . word(size_labels, s) . "', " . \
				bars(side * words(sizes) + s - 1)
		}
		if (keyed) { unset key } else { eval key_beside }
		eval 'plot '.cmd.(keyed ? '' : ', '.key_entries)
		keyed = 1
	}
	eval next_panel
}
unset multiplot
