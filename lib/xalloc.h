#ifndef ADSIG_XALLOC_H
#define ADSIG_XALLOC_H
#include <stddef.h>

/*
 * Allocators that never return NULL: on failure they print
 * "TOOL: out of memory" and exit 71 (EX_OSERR). They are the one
 * exception to the module-prefix rule, as in sbase and OpenBSD.
 * xrealloc(NULL, n) allocates; xfree is free(3) and NULL-safe.
 */
void	*xmalloc(size_t n);
void	*xcalloc(size_t nmemb, size_t size);
void	*xrealloc(void *p, size_t n);
/* xreallocarray: like xrealloc for nmemb * size, failing on overflow. */
void	*xreallocarray(void *p, size_t nmemb, size_t size);
char	*xstrdup(const char *s);
char	*xstrndup(const char *s, size_t n);
void	*xmemdup(const void *p, size_t n);

#endif
