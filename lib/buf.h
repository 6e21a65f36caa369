#ifndef ADSIG_BUF_H
#define ADSIG_BUF_H
#include <stddef.h>
#include <string.h>

/*
 * A growable byte buffer.  b->p always has room for a terminating NUL
 * after b->len bytes once anything was added; a zeroed struct is an
 * empty buffer.  Growth goes through xrealloc (exits 71 on OOM).
 */
struct buf {
	char	*p;
	size_t	 len;
	size_t	 cap;
};

void	buf_grow(struct buf *b, size_t more);
void	buf_free(struct buf *b);		/* NULL-safe; leaves it empty */

static inline void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->cap - b->len < n + 1)
		buf_grow(b, n + 1);
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static inline void
buf_addc(struct buf *b, char c)
{
	if (b->cap - b->len < 2)
		buf_grow(b, 2);
	b->p[b->len++] = c;
	b->p[b->len] = '\0';
}

static inline void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* printf into the buffer. */
void	buf_printf(struct buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
