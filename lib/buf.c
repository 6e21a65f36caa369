#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "xalloc.h"

void
buf_grow(struct buf *b, size_t more)
{
	size_t cap;

	cap = b->cap ? b->cap : 256;
	while (cap - b->len < more) {
		if (cap > (size_t)-1 / 2)
			cap = b->len + more;
		else
			cap *= 2;
	}
	b->p = xrealloc(b->p, cap);
	b->cap = cap;
}

void
buf_free(struct buf *b)
{
	if (b == NULL)
		return;
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0,
	    fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (b->p == NULL || (size_t)n >= b->cap - b->len) {
		buf_grow(b, (size_t)n + 1);
		va_start(ap, fmt);
		vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}
