#include "svg.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "jw.h"

#define W	900.0
#define H	560.0
#define ML	80.0		/* margins: left, right, top, bottom */
#define MR	110.0
#define MT	60.0
#define MB	70.0

/* Text with &, <, > and " escaped. */
static void
esc(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&': buf_adds(b, "&amp;"); break;
		case '<': buf_adds(b, "&lt;"); break;
		case '>': buf_adds(b, "&gt;"); break;
		case '"': buf_adds(b, "&quot;"); break;
		default: buf_addc(b, *s);
		}
	}
}

/* A tick step of 1, 2 or 5 times a power of ten, about span/6. */
static double
tick_step(double span)
{
	double raw = span / 6, p, f;

	if (!(raw > 0))
		return 1;
	p = pow(10, floor(log10(raw)));
	f = raw / p;
	return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * p;
}

static void
num(struct buf *b, double v)
{
	char t[40];

	/* plain, short numbers for coordinates and tick labels */
	if (fabs(v - round(v)) < 1e-9)
		snprintf(t, sizeof(t), "%.0f", v);
	else
		snprintf(t, sizeof(t), "%.4g", v);
	buf_adds(b, t);
}

void
svg_curve(struct buf *b, const struct svg_point *pts, size_t n,
    const char *title, const char *xlabel, const char *ylabel, double ref)
{
	double x0 = 0, x1 = 1, y0 = 0, y1 = 100, sx, sy, t, step, px, py, e;
	size_t i;

	for (i = 0; i < n; i++) {
		if (pts[i].x > x1)
			x1 = pts[i].x;
		if (pts[i].x < x0)
			x0 = pts[i].x;
		if (isfinite(pts[i].y)) {
			e = isfinite(pts[i].err) ? pts[i].err : 0;
			if (pts[i].y + e > y1)
				y1 = pts[i].y + e;
			if (pts[i].y - e < y0)
				y0 = pts[i].y - e;
		}
	}
	step = tick_step(y1 - y0);
	y0 = floor(y0 / step) * step;
	y1 = ceil(y1 / step) * step + step;	/* room for the labels */
	t = tick_step(x1 - x0);
	x1 = ceil(x1 / t) * t;
	sx = (W - ML - MR) / (x1 - x0);
	sy = (H - MT - MB) / (y1 - y0);
#define PX(v)	(ML + ((v) - x0) * sx)
#define PY(v)	(H - MB - ((v) - y0) * sy)

	buf_adds(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	buf_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
	    "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\">\n",
	    W, H, W, H);
	buf_adds(b, "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
	buf_printf(b, "<text x=\"%.1f\" y=\"30\" text-anchor=\"middle\" "
	    "font-size=\"18\">", W / 2);
	esc(b, title);
	buf_adds(b, "</text>\n");
	/* grid and ticks */
	buf_adds(b, "<g font-size=\"12\" fill=\"#333\">\n");
	for (t = y0; t <= y1 + step / 2; t += step) {
		buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		    "y2=\"%.1f\" stroke=\"#ddd\"/>", ML, PY(t), W - MR, PY(t));
		buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">",
		    ML - 8, PY(t) + 4);
		num(b, t);
		buf_adds(b, "</text>\n");
	}
	step = tick_step(x1 - x0);
	for (t = x0; t <= x1 + step / 2; t += step) {
		buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		    "y2=\"%.1f\" stroke=\"#ddd\"/>", PX(t), MT, PX(t), H - MB);
		buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" "
		    "text-anchor=\"middle\">", PX(t), H - MB + 18);
		num(b, t);
		buf_adds(b, "</text>\n");
	}
	buf_adds(b, "</g>\n");
	/* axes and their labels */
	buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
	    "stroke=\"black\"/>\n", ML, H - MB, W - MR, H - MB);
	buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
	    "stroke=\"black\"/>\n", ML, MT, ML, H - MB);
	buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
	    "font-size=\"14\">", (ML + W - MR) / 2, H - 20);
	esc(b, xlabel);
	buf_adds(b, "</text>\n");
	buf_printf(b, "<text x=\"20\" y=\"%.1f\" text-anchor=\"middle\" "
	    "font-size=\"14\" transform=\"rotate(-90 20 %.1f)\">",
	    (MT + H - MB) / 2, (MT + H - MB) / 2);
	esc(b, ylabel);
	buf_adds(b, "</text>\n");
	if (isfinite(ref) && ref >= y0 && ref <= y1)
		buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		    "y2=\"%.1f\" stroke=\"#888\" stroke-dasharray=\"6 4\"/>\n",
		    ML, PY(ref), W - MR, PY(ref));
	/* the curve, error bars, points, labels */
	buf_adds(b, "<polyline fill=\"none\" stroke=\"#1f77b4\" "
	    "stroke-width=\"2\" points=\"");
	for (i = 0; i < n; i++)
		if (isfinite(pts[i].y))
			buf_printf(b, "%s%.1f,%.1f", i ? " " : "", PX(pts[i].x),
			    PY(pts[i].y));
	buf_adds(b, "\"/>\n");
	for (i = 0; i < n; i++) {
		if (!isfinite(pts[i].y))
			continue;
		px = PX(pts[i].x);
		py = PY(pts[i].y);
		e = isfinite(pts[i].err) ? pts[i].err * sy : 0;
		if (e > 0)
			buf_printf(b, "<path d=\"M%.1f %.1fV%.1fM%.1f %.1fH%.1f"
			    "M%.1f %.1fH%.1f\" stroke=\"#d62728\" "
			    "stroke-width=\"1.5\"/>\n", px, py - e, py + e,
			    px - 5, py - e, px + 5, px - 5, py + e, px + 5);
		buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" "
		    "fill=\"#1f77b4\"/>\n", px, py);
		if (pts[i].label != NULL && pts[i].label[0] != '\0') {
			buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" "
			    "font-size=\"11\" transform=\"rotate(-40 %.1f %.1f)\">",
			    px + 4, py - e - 8, px + 4, py - e - 8);
			esc(b, pts[i].label);
			buf_adds(b, "</text>\n");
		}
	}
	buf_adds(b, "</svg>\n");
#undef PX
#undef PY
}
