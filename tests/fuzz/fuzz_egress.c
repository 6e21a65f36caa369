/*
 * Egress schemas and wire payloads on arbitrary bytes: the input is a
 * schema JSON, a newline, and a base64 wire string.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "egress.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl;
	struct egress_schema *s = NULL;
	struct egress_values v;
	json_error_t je;
	json_t *j;
	char err[256], *wire;
	size_t jlen;

	nl = memchr(data, '\n', size);
	jlen = nl ? (size_t)(nl - data) : size;
	if ((j = json_loadb((const char *)data, jlen, 0, &je)) == NULL)
		return 0;
	if (egress_schema_parse(j, &s, err, sizeof(err)) == 0) {
		wire = strndup(nl ? (const char *)nl + 1 : "",
		    nl ? size - jlen - 1 : 0);
		egress_values_init(&v, s);
		egress_decode(s, wire, &v, err, sizeof(err));
		egress_values_free(&v);
		free(wire);
		/* and the schema JSON as a payload of itself */
		egress_payload_validate(s, j, NULL, err, sizeof(err));
		egress_schema_free(s);
	}
	json_decref(j);
	return 0;
}
