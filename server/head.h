/* The request head: what RFC 9112 says a server must refuse in it, and
 * libmicrohttpd 0.9.75 lets through.
 *
 * - Framing (section 6): it takes the first of two Content-Length fields,
 *   lets Transfer-Encoding win over Content-Length on a connection it keeps,
 *   and waits for a body without end under a transfer coding it does not
 *   know. A proxy in front that read the same bytes another way would see
 *   other requests than we do (request smuggling).
 * - Host (section 3.2): missing on HTTP/1.1, given twice, or not a host.
 * - Field names (section 5.1): white space before the colon ("Host : x"),
 *   or an obs-fold line, which it glues to the name before it.
 * - Field values (RFC 9110 5.5, RFC 9112 2.2): a control character other
 *   than tab, a bare CR among them, which a proxy in front may take for the
 *   end of the line and so read another field than we do. (A NUL cannot be
 *   seen: libmicrohttpd ends the value there.)
 * - Size: a body declared (Content-Length) longer than SERVER_MAX_BODY. The
 *   API ignores bodies: reading a long one would only keep a thread busy.
 *   (http.c closes the connection of a chunked one once that much of it has
 *   been read: libmicrohttpd 0.9.75 cannot answer in the middle of a body.)
 * Such a request is answered at once and its connection closed. No
 * libmicrohttpd here: http.c feeds the fields in. */
#ifndef SERVER_HEAD_H
#define SERVER_HEAD_H

#include <time.h>

#include "route.h"

#define SERVER_MAX_BODY (1024 * 1024) /* bytes of a request body read, at most */

struct server_head {
    unsigned content_lengths; /* Content-Length fields */
    unsigned transfer_encodings; /* Transfer-Encoding fields */
    unsigned chunked; /* "chunked" codings among them */
    unsigned plain_chunked; /* fields whose whole value is "chunked" */
    unsigned codings; /* codings of any kind */
    int last_chunked; /* the last coding is "chunked" */
    char other[24]; /* the first coding other than chunked (cut), or "" */
    unsigned hosts; /* Host fields */
    int bad_host; /* a Host field whose value is not host[:port] */
    int bad_name; /* a field name that is not a token */
    int bad_value; /* a field value with a control character other than tab */
    unsigned long long length; /* the Content-Length value (saturated), or 0 */
};

/* Takes one header field (name, value) of the request, in order. h starts
 * zeroed. */
void server_head_field(struct server_head *h, const char *name, const char *value);

/* 0 when the head may be answered. Otherwise the status to answer, and when
 * resp is not NULL a problem in it: 400 for a malformed field name or value, a
 * missing (on HTTP/1.1), repeated or malformed Host, or a body whose end is
 * ambiguous (Content-Length given twice, with Transfer-Encoding,
 * Transfer-Encoding on HTTP/1.0, chunked missing, repeated or not last, or
 * not alone in a field of its own, the only chunked libmicrohttpd reads);
 * 501 for a transfer coding other than chunked; 413 for a Content-Length
 * over SERVER_MAX_BODY. http10: the request is HTTP/1.0. */
int server_head_check(const struct server_head *h, int http10, struct route_response *resp);

/* Parsers of request field values (RFC 9110) for the answer's choice. A
 * field sent on several lines is one list: pass the lines joined by ", ". */

/* Does an Accept-Encoding value (NULL: none sent) ask for gzip: gzip or
 * x-gzip (any case) with a weight over 0? A weight that is not a number
 * counts as 0. "*" alone gets the identity coding, which it accepts too
 * (RFC 9110 12.5.3): proxies send it for any coding they could decode,
 * and then pass the plain bytes on under the gzip tag. */
int server_accepts_gzip(const char *value);

/* How an If-None-Match or If-Match value names etag (a quoted tag, as
 * sent in ETag): SERVER_TAG_ANY for "*"; SERVER_TAG_STRONG when it lists
 * etag itself, SERVER_TAG_WEAK when only as W/etag; SERVER_TAG_NONE when it
 * does not, or is not a list of entity-tags (x"tag"x names nothing). */
enum server_tag { SERVER_TAG_NONE, SERVER_TAG_WEAK, SERVER_TAG_STRONG, SERVER_TAG_ANY };
enum server_tag server_tag_in(const char *value, const char *etag);

/* The time of an HTTP-date in any of its three forms (RFC 9110 5.6.7:
 * IMF-fixdate, RFC 850 with a two-digit year, asctime), white space around
 * it allowed, in *t: 0, or -1 when value is not one. */
int server_http_date(const char *value, time_t *t);

#endif
