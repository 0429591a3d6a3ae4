/* Strict parsing of a raw request target: the path and query are
 * percent-decoded here (libmicrohttpd is told not to), and anything that is
 * not clean UTF-8 is refused rather than guessed at. No HTTP library in here,
 * so that the fuzzer can drive it directly. */
#include "uri.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "text.h"


static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decodes s[0..n) into out (room for n + 1). query: '+' is a
 * space (query strings); else s is a path, where an escaped slash stays
 * "%2F": it is data within a segment, not a separator (RFC 3986 2.2), and
 * no resource here has one in its name, so such a path names nothing
 * (decoded, /actors%2Fsteve-witkoff was /actors/steve-witkoff, another
 * resource than a proxy routing on the raw path would see). Returns 0, or
 * -1 for a bad escape, a NUL or invalid UTF-8. */
static int decode(const char *s, size_t n, int query, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%') {
            if (i + 2 >= n)
                return -1; /* needs two hex digits after it */
            int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
            if (hi < 0 || lo < 0)
                return -1;
            c = (char)(hi * 16 + lo);
            i += 2;
            if (c == '/' && !query) {
                memcpy(out + o, "%2F", 3);
                o += 3;
                continue;
            }
        } else if (c == '+' && query) {
            c = ' ';
        }
        if (c == '\0')
            return -1;
        out[o++] = c;
    }
    out[o] = '\0';
    return model_utf8_valid(out, o) ? 0 : -1;
}

/* The path and query of an absolute-form target ("http://host:port/path?q",
 * RFC 9112 3.2.2: what a client sends a proxy, which a server must accept as
 * the origin form "/path?q"): what follows the authority, or uri itself when
 * it is not one. NULL for an authority with userinfo ("user@"), which an
 * http URI must not have (RFC 9110 4.2.4). */
static const char *origin_form(const char *uri)
{
    size_t scheme = strncasecmp(uri, "http://", 7) == 0    ? 7
                    : strncasecmp(uri, "https://", 8) == 0 ? 8
                                                           : 0;
    if (scheme == 0)
        return uri;
    size_t authority = strcspn(uri + scheme, "/?");
    if (memchr(uri + scheme, '@', authority) != NULL)
        return NULL;
    return uri + scheme + authority;
}

/* The first byte of uri that no request target may hold (RFC 9112 3.2,
 * RFC 3986 2): a space or a control character, which a proxy in front may
 * read otherwise (a bare CR as the end of the line); NULL when there is
 * none. */
static const char *bad_target_byte(const char *uri)
{
    for (const unsigned char *c = (const unsigned char *)uri; *c != '\0'; c++)
        if (*c <= 0x20 || *c == 0x7f)
            return (const char *)c;
    return NULL;
}

int server_parse_uri(const char *uri, struct server_uri *p, struct route_response *resp)
{
    size_t n = strlen(uri);
    p->buf = malloc(2 * n + 16);
    if (p->buf == NULL) {
        route_problem(resp, 503, "Service Unavailable", "The server is out of memory; try "
                      "again later.", NULL, NULL);
        return -1;
    }
    char *o = p->buf;
    const char *bad = bad_target_byte(uri);
    if (bad != NULL) {
        char detail[200];
        snprintf(detail, sizeof(detail), "The request target has a %s (byte 0x%02X); "
                 "percent-encode it (a space as %%20, or + in the query).",
                 *bad == ' ' ? "space" : "control character", (unsigned char)*bad);
        route_problem(resp, 400, "Malformed request target", detail, NULL, NULL);
        return -1;
    }
    const char *target = origin_form(uri);
    if (target == NULL) {
        route_problem(resp, 400, "Malformed request target",
                      "An http(s) URL in the request line must not have user information "
                      "(user@); send the path and query alone.", NULL, NULL);
        return -1;
    }
    if (target == uri && *uri != '/') { /* "*", "host:port", "events", "%2Fevents" */
        route_problem(resp, 400, "Malformed request target",
                      "The request target is neither a path (/events) nor an http URL, nor "
                      "* (for OPTIONS only); ask for a path, such as /events.", NULL, NULL);
        return -1;
    }
    char *path = o;
    if (target != uri && (*target == '\0' || *target == '?'))
        *o++ = '/'; /* the absolute form's empty path */
    uri = target;
    n = strlen(uri);
    const char *q = strchr(uri, '?');
    size_t path_len = q ? (size_t)(q - uri) : n;
    if (decode(uri, path_len, 0, o) != 0) {
        route_problem(resp, 400, "Malformed path",
                      "The path has an invalid percent-escape, a NUL or invalid UTF-8.",
                      NULL, NULL);
        return -1;
    }
    p->req.path = path;
    o += strlen(o) + 1;
    if (q == NULL)
        return 0;
    const char *s = q + 1;
    while (*s != '\0') {
        size_t len = strcspn(s, "&");
        if (len > 0) {
            if (p->req.n_params == ROUTE_MAX_PARAMS) {
                route_problem(resp, 400, "Too many query parameters",
                              "A request may have at most 64 query parameters.", NULL, NULL);
                return -1;
            }
            const char *eq = memchr(s, '=', len);
            size_t nlen = eq ? (size_t)(eq - s) : len;
            struct route_param *prm = &p->req.params[p->req.n_params++];
            if (decode(s, nlen, 1, o) != 0) {
                route_problem(resp, 400, "Malformed query string",
                              "A parameter name has an invalid percent-escape, a NUL or "
                              "invalid UTF-8.", NULL, NULL);
                return -1;
            }
            prm->name = o;
            o += strlen(o) + 1;
            if (decode(eq ? eq + 1 : s + len, eq ? len - nlen - 1 : 0, 1, o) != 0) {
                route_problem(resp, 400, "Malformed query string",
                              "A parameter value has an invalid percent-escape, a NUL or "
                              "invalid UTF-8; percent-encode it as UTF-8.", prm->name, NULL);
                return -1;
            }
            prm->value = o;
            o += strlen(o) + 1;
        }
        s += len;
        if (*s == '&')
            s++;
    }
    return 0;
}
