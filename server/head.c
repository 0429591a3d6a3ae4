/* The request head: see head.h. */
#define _GNU_SOURCE
#include "head.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* The codings of one Transfer-Encoding value, a comma-separated list whose
 * empty elements do not count (RFC 9110 5.6.1). */
static void take_codings(struct server_head *h, const char *v)
{
    while (*v != '\0') {
        v += strspn(v, " \t,");
        size_t n = strcspn(v, ",");
        size_t len = n;
        while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t'))
            len--;
        if (len > 0) {
            int chunked = len == 7 && strncasecmp(v, "chunked", 7) == 0;
            h->codings++;
            h->chunked += (unsigned)chunked;
            h->last_chunked = chunked;
            if (!chunked && h->other[0] == '\0')
                snprintf(h->other, sizeof(h->other), "%.*s", (int)len, v);
        }
        v += n;
    }
}

/* Is name a token (RFC 9110 5.6.2)? */
static int is_token(const char *name)
{
    static const char tchar[] = "!#$%&'*+-.^_`|~";
    if (*name == '\0')
        return 0;
    for (const unsigned char *c = (const unsigned char *)name; *c != '\0'; c++)
        if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
              strchr(tchar, *c) != NULL))
            return 0;
    return 1;
}

/* Is v a field value without control characters but tab (RFC 9110 5.5)? */
static int is_field_value(const char *v)
{
    for (const unsigned char *c = (const unsigned char *)v; *c != '\0'; c++)
        if ((*c < 0x20 && *c != '\t') || *c == 0x7f)
            return 0;
    return 1;
}

/* Is v a Host value, uri-host [":" port] (RFC 9112 3.2, RFC 3986 3.2.2)? The
 * empty value is one (a target without authority). */
static int is_host(const char *v)
{
    static const char sub_delims[] = "-._~!$&'()*+,;=";
    const char *p = v;
    if (*p == '[') { /* IP-literal: an IPv6 address or IPvFuture */
        size_t n = strspn(p + 1, "0123456789abcdefABCDEF:.vV-_~!$&'()*+,;=");
        if (n == 0 || p[1 + n] != ']')
            return 0;
        p += n + 2;
    } else { /* reg-name, or an IPv4 address */
        while (*p != '\0' && *p != ':') {
            unsigned char c = (unsigned char)*p;
            if (c == '%' && isxdigit((unsigned char)p[1]) && isxdigit((unsigned char)p[2]))
                p += 3;
            else if (isalnum(c) || strchr(sub_delims, c) != NULL)
                p++;
            else
                return 0;
        }
    }
    if (*p == ':')
        p += 1 + strspn(p + 1, "0123456789");
    return *p == '\0';
}

/* The value of a Content-Length field, saturated at ULLONG_MAX; 0 when it
 * is not digits (libmicrohttpd refuses it then). */
static unsigned long long content_length(const char *v)
{
    unsigned long long n = 0;
    for (; *v >= '0' && *v <= '9'; v++)
        n = n > (ULLONG_MAX - 9) / 10 ? ULLONG_MAX : n * 10 + (unsigned)(*v - '0');
    return n;
}

void server_head_field(struct server_head *h, const char *name, const char *value)
{
    h->bad_value |= value != NULL && !is_field_value(value);
    if (!is_token(name)) {
        h->bad_name = 1;
    } else if (strcasecmp(name, "Host") == 0) {
        h->hosts++;
        h->bad_host |= !is_host(value != NULL ? value : "");
    } else if (strcasecmp(name, "Content-Length") == 0) {
        h->content_lengths++;
        h->length = content_length(value != NULL ? value : "");
    } else if (strcasecmp(name, "Transfer-Encoding") == 0) {
        /* value as libmicrohttpd keeps it, and compares it to "chunked" */
        const char *v = value != NULL ? value : "";
        h->transfer_encodings++;
        h->plain_chunked += strcasecmp(v, "chunked") == 0;
        take_codings(h, v);
    }
}

/* The coding for a message: printable ASCII only, as it is quoted back. */
static void printable(const char *in, char *out, size_t size)
{
    size_t o = 0;
    for (; *in != '\0' && o + 1 < size; in++)
        out[o++] = *in >= 0x20 && *in < 0x7f && *in != '"' ? *in : '?';
    out[o] = '\0';
}

/* What is wrong with the field names, values and Host, in detail: 400, or 0. */
static int check_fields(const struct server_head *h, int http10, char *detail, size_t size)
{
    if (h->bad_name)
        snprintf(detail, size, "A header field name is not a token: white space before its "
                 "colon, or a line folded into it (obs-fold); send each field on one line "
                 "as \"Name: value\".");
    else if (h->bad_value)
        snprintf(detail, size, "A header field value holds a control character (a bare CR, "
                 "say); send printable characters and tabs only, each field on one line "
                 "ended by CRLF.");
    else if (h->hosts == 0 && !http10)
        snprintf(detail, size, "An HTTP/1.1 request must have a Host field; send \"Host: "
                 "\" with the server's name (and port).");
    else if (h->hosts > 1)
        snprintf(detail, size, "The request has %u Host fields; send one.", h->hosts);
    else if (h->bad_host)
        snprintf(detail, size, "The Host field is not a host name or address with an optional "
                 ":port; send the server's name (and port) as in its URL.");
    else
        return 0;
    return 400;
}

/* What is wrong with the framing, in detail: 400 or 501, or 0. */
static int check_framing(const struct server_head *h, int http10, char *detail, size_t size)
{
    if (h->content_lengths > 1) {
        snprintf(detail, size, "The request has %u Content-Length fields; send one (this API "
                 "ignores request bodies: better, send none).", h->content_lengths);
    } else if (h->transfer_encodings == 0) {
        return 0;
    } else if (h->content_lengths > 0) {
        snprintf(detail, size, "The request has both Transfer-Encoding and Content-Length, "
                 "which disagree on where its body ends; send one of them.");
    } else if (http10) {
        snprintf(detail, size, "Transfer-Encoding is not part of HTTP/1.0; send "
                 "Content-Length instead, or the request as HTTP/1.1.");
    } else if (!h->last_chunked || h->chunked > 1) {
        snprintf(detail, size, "Transfer-Encoding must end with chunked, once, so that the "
                 "end of the body can be found; send \"Transfer-Encoding: chunked\", or "
                 "Content-Length instead.");
    } else if (h->codings > 1) {
        char coding[sizeof(h->other)];
        printable(h->other, coding, sizeof(coding));
        snprintf(detail, size, "The transfer coding \"%s\" is not implemented; send the body "
                 "with \"Transfer-Encoding: chunked\" alone (this API ignores request "
                 "bodies).", coding);
        return 501;
    } else if (h->transfer_encodings == 1 && h->plain_chunked == 1) {
        return 0;
    } else {
        /* chunked, but with empty list elements, white space or fields
         * around it: valid HTTP that libmicrohttpd 0.9.75 would not read as
         * chunked (it waits for the client to close instead) */
        snprintf(detail, size, "Transfer-Encoding must be exactly \"chunked\", in one field, "
                 "for the end of the body to be found; send \"Transfer-Encoding: chunked\", "
                 "or Content-Length instead.");
    }
    return 400;
}

/* Is the body too long to be read, in detail: 413, or 0. */
static int check_size(const struct server_head *h, char *detail, size_t size)
{
    if (h->length <= SERVER_MAX_BODY)
        return 0;
    snprintf(detail, size, "The request body is longer than %d bytes, the most this API reads "
             "of one (it ignores request bodies); send none.", SERVER_MAX_BODY);
    return 413;
}

int server_head_check(const struct server_head *h, int http10, struct route_response *resp)
{
    char detail[300];
    const char *title = "Malformed request head";
    int status = check_fields(h, http10, detail, sizeof(detail));
    if (status == 0) {
        status = check_framing(h, http10, detail, sizeof(detail));
        title = status == 501 ? "Not Implemented" : "Malformed request framing";
    }
    if (status == 0) {
        status = check_size(h, detail, sizeof(detail));
        title = "Content Too Large";
    }
    if (status != 0 && resp != NULL)
        route_problem(resp, status, title, detail, NULL, NULL);
    return status;
}

/* ---- Field values for the answer's choice ---- */

/* A qvalue (RFC 9110 12.4.2) of n bytes at v: 0 to 1, or 0 when it is not
 * one. */
static double qvalue(const char *v, size_t n)
{
    char num[8];
    if (n == 0 || n >= sizeof(num) || (v[0] != '0' && v[0] != '1'))
        return 0;
    memcpy(num, v, n);
    num[n] = '\0';
    char *end;
    double q = strtod(num, &end);
    return *end == '\0' && q >= 0 && q <= 1 ? q : 0;
}

/* The weight of the list element at *p (codings ; name=value ...), which
 * is left after its parameters; 1 when it has no q. */
static double element_weight(const char **p)
{
    double q = 1;
    const char *c = *p;
    for (;;) {
        c += strspn(c, " \t");
        if (*c != ';')
            break;
        c += 1 + strspn(c + 1, " \t");
        size_t name = strcspn(c, " \t=;,");
        int is_q = name == 1 && (*c == 'q' || *c == 'Q');
        c += name;
        if (*c != '=')
            continue;
        c++;
        size_t value = strcspn(c, " \t;,");
        if (is_q)
            q = qvalue(c, value);
        c += value;
    }
    *p = c;
    return q;
}

int server_accepts_gzip(const char *value)
{
    if (value == NULL)
        return 0;
    double gzip = 0; /* the best weight given to gzip */
    const char *p = value;
    for (;;) {
        p += strspn(p, " \t,");
        if (*p == '\0')
            break;
        size_t n = strcspn(p, " \t;,");
        int is_gzip = (n == 4 && strncasecmp(p, "gzip", 4) == 0) ||
                      (n == 6 && strncasecmp(p, "x-gzip", 6) == 0);
        p += n;
        double q = element_weight(&p);
        if (is_gzip && q > gzip)
            gzip = q;
        p += strcspn(p, ","); /* past anything malformed, to the next element */
    }
    return gzip > 0;
}

enum server_tag server_tag_in(const char *value, const char *etag)
{
    const char *p = value + strspn(value, " \t");
    if (*p == '*') {
        p += 1 + strspn(p + 1, " \t");
        return *p == '\0' ? SERVER_TAG_ANY : SERVER_TAG_NONE;
    }
    size_t n = strlen(etag);
    enum server_tag found = SERVER_TAG_NONE;
    for (;;) {
        p += strspn(p, " \t,");
        if (*p == '\0')
            return found;
        int weak = strncmp(p, "W/", 2) == 0;
        p += weak ? 2 : 0;
        const char *end = *p == '"' ? strchr(p + 1, '"') : NULL;
        if (end == NULL)
            return SERVER_TAG_NONE; /* not an entity-tag */
        if ((size_t)(end + 1 - p) == n && memcmp(p, etag, n) == 0 && found != SERVER_TAG_STRONG)
            found = weak ? SERVER_TAG_WEAK : SERVER_TAG_STRONG;
        p = end + 1 + strspn(end + 1, " \t");
        if (*p != ',' && *p != '\0')
            return SERVER_TAG_NONE;
    }
}

int server_http_date(const char *value, time_t *t)
{
    static const char *const forms[] = {
        "%a, %d %b %Y %H:%M:%S GMT",  /* IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT */
        "%A, %d-%b-%y %H:%M:%S GMT",  /* RFC 850: Sunday, 06-Nov-94 08:49:37 GMT */
        "%a %b %e %H:%M:%S %Y",       /* asctime: Sun Nov  6 08:49:37 1994 */
    };
    const char *v = value + strspn(value, " \t");
    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        struct tm tm;
        memset(&tm, 0, sizeof(tm));
        const char *end = strptime(v, forms[i], &tm);
        if (end != NULL && end[strspn(end, " \t")] == '\0') {
            *t = timegm(&tm);
            return 0;
        }
    }
    return -1;
}
