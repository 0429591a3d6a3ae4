/* Parsing of a raw request target into a route request. */
#ifndef SERVER_URI_H
#define SERVER_URI_H

#include "route.h"

struct server_uri {
    struct route_request req;
    char *buf; /* the decoded path and parameters live here: free() it */
};

/* Fills p->req.path (which begins with '/') and p->req.params from the raw
 * target uri ("/events?from=2025-08&q=a+b", or in absolute form
 * "http://host/events?..."). Returns 0; or -1 with a 400 problem in resp for
 * a target in neither form (http.c answers "OPTIONS *" and CONNECT before),
 * a space or control character, an invalid percent-escape, a NUL, invalid
 * UTF-8, more than ROUTE_MAX_PARAMS parameters or an absolute form with
 * user information (a 503 when out of memory). In the path, %2F stays as
 * it is: a slash within a segment. p->buf is allocated either way (NULL
 * when out of memory). */
int server_parse_uri(const char *uri, struct server_uri *p, struct route_response *resp);

#endif
