/* Finds where a value sits in a JSON text, so that errors found after
 * parsing (a bad enum, a dangling reference) can still be reported as
 * file:line:column. jansson keeps no positions for values, and keeping them
 * for every value of a large corpus would cost memory and time; errors are
 * rare, so the text is scanned again only for files that have them. */
#ifndef MODEL_JSONLOC_H
#define MODEL_JSONLOC_H

#include <stddef.h>

/* Locates the value named by the JSON pointer (RFC 6901, e.g.
 * "/events/3/status") in text[0..n), which must be valid JSON. When a step
 * of the pointer does not exist, the deepest value that does is located
 * instead (so a missing field points at its object). Writes the 1-based line
 * and column (in code points) of the value's first character. */
void model_json_locate(const char *text, size_t n, const char *pointer,
                       int *line, int *column);

#endif
