# style.gp — the look every copyscope figure shares; each figure script loads it.
#
# Variables the caller sets with -e (render.sh does):
#   out     output path without extension (required)
#   fmt     'png' (pngcairo, default) or 'svg'
#   footer  the system line from env.txt (CPU, cores, kernel, topology, counters)
#   impls   the strategies to draw, space separated, in legend order
#   panels  the panel values of this figure, space separated
#   empty   the panels of that list that have no data
#   miss    what is missing and why, for a figure (or panel) without data
#   xt      the size axis tics, e.g. ("256" 256, "1K" 1024)
#   xr      the size axis range, e.g. [213.3:78643.2]
#   ci      '1': error bars are 95% intervals (copyscope figdata had the runs);
#           else why they run from the repetitions' min to max ('no runs.csv')
# A figure script may set, before it loads this file, for y tic labels and a
# y-axis label wider than most:
#   left_margin  the share of the width left of the first panel (default 0.07)
#   right_margin where the last panel ends, as a share of the width (default
#                0.98; less leaves room for a key right of the panels)
#   panel_gap    the share of the width between two panels (default 0.07)
#   bottom_margin where the panels start, as a share of the height (default
#                0.15; more leaves room for long x tic labels)
# Every figure is 1280x720 pixels, so tests and the README can rely on it.

if (!exists("fmt")) fmt = 'png'
if (!exists("footer")) footer = ''
if (!exists("impls")) impls = 'two-copy one-copy zero-copy uring-zc'
if (!exists("panels")) panels = ''
if (!exists("empty")) empty = ''
if (!exists("miss")) miss = ''
if (!exists("xt")) xt = '()'
if (!exists("xr")) xr = '[*:*]'
if (!exists("ci")) ci = '1'
# What the error bars are, for the figure titles (docs/confidence.md).
bars_text = ci eq '1' ? 'bars: 95% interval' : 'bars: min–max, no intervals ('.ci.')'
if (!exists("left_margin")) left_margin = 0.07
if (!exists("right_margin")) right_margin = 0.98
if (!exists("panel_gap")) panel_gap = 0.07
if (!exists("bottom_margin")) bottom_margin = 0.15
if (fmt eq 'svg') {
	set terminal svg size 1280,720 dynamic enhanced font 'DejaVu Sans,12' background '#ffffff'
} else {
	set terminal pngcairo size 1280,720 enhanced font 'DejaVu Sans,12' background '#ffffff'
}
set output out.'.'.fmt

# One colour and point shape per strategy (Okabe-Ito, colour-blind safe);
# a strategy added later gets the next spare colour by its place in impls.
spare_colors = '#E69F00 #56B4E9 #000000 #F0E442'
impl_index(s) = words(impls) == 0 ? 1 : sum [k = 1:words(impls)] (word(impls, k) eq s ? k : 0)
impl_color(s) = s eq 'two-copy' ? '#D55E00' : s eq 'one-copy' ? '#0072B2' : \
		s eq 'zero-copy' ? '#009E73' : s eq 'uring-zc' ? '#CC79A7' : \
		word(spare_colors, (impl_index(s) - 1) % 4 + 1)
impl_pt(s) = s eq 'two-copy' ? 7 : s eq 'one-copy' ? 5 : s eq 'zero-copy' ? 9 : \
	     s eq 'uring-zc' ? 11 : 13
# One colour per sampling category of perfcfg/categories/default.cat (Paul
# Tol's muted scheme and two of his light one, colour-blind safe; other grey);
# a category of another file gets a spare colour by its place in cats.
spare_cat_colors = '#000000 #E69F00 #56B4E9 #F0E442 #0072B2 #D55E00'
cat_index(c) = !exists("cats") || words(cats) == 0 ? 1 : \
	sum [k = 1:words(cats)] (word(cats, k) eq c ? k : 0)
cat_color(c) = c eq 'user_copy' ? '#CC6677' : c eq 'kernel_copy' ? '#882255' : \
	c eq 'pinning' ? '#AA4499' : c eq 'zc_completion' ? '#DDCC77' : \
	c eq 'locks' ? '#EE8866' : c eq 'netdev_softirq' ? '#44AA99' : \
	c eq 'tcp_ip' ? '#332288' : c eq 'skb_mm' ? '#88CCEE' : \
	c eq 'sched' ? '#117733' : c eq 'syscall' ? '#999933' : \
	c eq 'other' ? '#BBBBBB' : word(spare_cat_colors, (cat_index(c) - 1) % 6 + 1)
side_name(s) = s eq 'srv' ? 'server (sender)' : s eq 'cli' ? 'client (receiver)' : ''
has_panel(list, p) = strstrt(' '.list.' ', ' '.p.' ') > 0
plural(n, unit) = n eq '-' ? '' : n.' '.unit.(n eq '1' ? '' : 's')

set grid xtics ytics lc rgb '#dddddd' lw 1 dt 1
set border 3 lc rgb '#444444'
set tics nomirror out
set key top left Left reverse samplen 2.5 spacing 1.1 font ',10' opaque box lc rgb '#cccccc'
set pointsize 0.9
set bars 0.6
set style data yerrorlines

# The panels of a figure: one row up to three, else two rows.
grid_rows(n) = n <= 3 ? 1 : 2
grid_cols(n) = int(ceil(n * 1.0 / grid_rows(n)))
npanels = words(panels) > 0 ? words(panels) : 1

# Starts the figure: the title on top, the footer once at the bottom.
begin_figure = "set multiplot layout grid_rows(npanels), grid_cols(npanels) " . \
	"title fig_title font ',15' margins left_margin,right_margin,bottom_margin,0.89 spacing panel_gap,0.16; " . \
	"set label 99 footer at screen 0.5,0.03 center font ',10' noenhanced tc rgb '#444444'"
# No key covers data: a panel leaves empty room at its top, as tall as its key
# of n entries (about 17 px each: 8% of a panel in two rows, 4% in one), and the key
# sits in that room. `eval reserve_key(n)` before the plot.
# gnuplot adds a graph offset as a share of the data's own range, so a key
# taking share k of the panel needs k / (1 - k) of it.
key_share(n) = 0.04 + n * (grid_rows(npanels) == 2 ? 0.08 : 0.04)
key_room(n) = key_share(n) / (1 - key_share(n))
reserve_key(n) = sprintf("set offsets 0, 0, graph %g, 0", key_room(n))
# After the first panel: the footer is not drawn again.
next_panel = "unset label 99"

size_axis = "set logscale x 2; set xrange ".xr."; set xlabel 'message size (bytes, log_2 scale)'; " . \
	"set xtics ".xt." rotate by 0"

# Draws the frame with the reason inside the plot area instead of a line;
# "what: why" is set on two lines so that it fits a narrow panel.
wrap(s) = npanels > 1 && strstrt(s, ': ') > 0 ? s[1:strstrt(s, ': ')]."\n".s[strstrt(s, ': ') + 2:] : s
show_missing = "unset logscale; unset key; set xrange [0:1]; set yrange [0:1]; set xtics format ''; " . \
	"set ytics format ''; set label 98 wrap(miss) at graph 0.5,0.5 center front font ',12' " . \
	"noenhanced tc rgb '#B00000'; plot NaN notitle; unset label 98; set xtics format '% h'; " . \
	"set ytics format '% h'; set yrange [*:*]; set xrange [*:*]; set key"
