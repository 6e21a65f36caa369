#ifndef ADSIG_SVG_H
#define ADSIG_SVG_H
#include <stddef.h>

#include "buf.h"

/*
 * A standalone SVG line chart with error bars and a label at each point
 * (egress-ablate's size/utility curve).  The document is complete
 * (XML declaration, width/height and viewBox, text escaped), so a
 * browser or rsvg-convert opens it as is.  Axes get ticks at 1, 2 or 5
 * times a power of ten; the y range always holds 0 and 100 and every
 * point with its error bar; a dashed line marks y = ref when ref is
 * finite.
 */
struct svg_point {
	double		 x, y, err;	/* err: half the bar, 0 for none */
	const char	*label;		/* may be NULL */
};

void	svg_curve(struct buf *b, const struct svg_point *pts, size_t n,
	    const char *title, const char *xlabel, const char *ylabel,
	    double ref);

#endif
