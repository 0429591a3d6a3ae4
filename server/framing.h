/* Request framing (RFC 9112 section 6): are the header fields that say where
 * a request's body ends unambiguous? libmicrohttpd 0.9.75 takes the first of
 * two Content-Length fields, lets Transfer-Encoding win over Content-Length
 * and keeps the connection open, and waits for a body without end under a
 * transfer coding it does not know. A proxy in front that reads the same
 * bytes another way would then see other requests than we do (request
 * smuggling), so such a request is refused and its connection closed.
 * No libmicrohttpd here: http.c feeds the fields in. */
#ifndef SERVER_FRAMING_H
#define SERVER_FRAMING_H

#include "route.h"

struct server_framing {
    unsigned content_lengths; /* Content-Length fields */
    unsigned transfer_encodings; /* Transfer-Encoding fields */
    unsigned chunked; /* "chunked" codings among them */
    unsigned plain_chunked; /* fields whose whole value is "chunked" */
    unsigned codings; /* codings of any kind */
    int last_chunked; /* the last coding is "chunked" */
    char other[24]; /* the first coding other than chunked (cut), or "" */
};

/* Takes one header field (name, value) of the request, in order. f starts
 * zeroed. */
void server_framing_field(struct server_framing *f, const char *name, const char *value);

/* 0 when the framing is sound. Otherwise the status to answer, and when resp
 * is not NULL a problem in it: 400 for a body whose end is ambiguous
 * (Content-Length given twice, with Transfer-Encoding, Transfer-Encoding on
 * HTTP/1.0, chunked missing, repeated or not last, or not alone in a field
 * of its own, the only chunked libmicrohttpd reads), 501 for a transfer
 * coding other than chunked. http10: the request is HTTP/1.0. */
int server_framing_check(const struct server_framing *f, int http10,
                         struct route_response *resp);

#endif
