/* Request framing: see framing.h. */
#define _GNU_SOURCE
#include "framing.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The codings of one Transfer-Encoding value, a comma-separated list whose
 * empty elements do not count (RFC 9110 5.6.1). */
static void take_codings(struct server_framing *f, const char *v)
{
    while (*v != '\0') {
        v += strspn(v, " \t,");
        size_t n = strcspn(v, ",");
        size_t len = n;
        while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t'))
            len--;
        if (len > 0) {
            int chunked = len == 7 && strncasecmp(v, "chunked", 7) == 0;
            f->codings++;
            f->chunked += (unsigned)chunked;
            f->last_chunked = chunked;
            if (!chunked && f->other[0] == '\0')
                snprintf(f->other, sizeof(f->other), "%.*s", (int)len, v);
        }
        v += n;
    }
}

void server_framing_field(struct server_framing *f, const char *name, const char *value)
{
    if (strcasecmp(name, "Content-Length") == 0) {
        f->content_lengths++;
    } else if (strcasecmp(name, "Transfer-Encoding") == 0) {
        /* value as libmicrohttpd keeps it, and compares it to "chunked" */
        const char *v = value != NULL ? value : "";
        f->transfer_encodings++;
        f->plain_chunked += strcasecmp(v, "chunked") == 0;
        take_codings(f, v);
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

int server_framing_check(const struct server_framing *f, int http10,
                         struct route_response *resp)
{
    char detail[300];
    int status = 400;
    if (f->content_lengths > 1) {
        snprintf(detail, sizeof(detail), "The request has %u Content-Length fields; send "
                 "one (this API ignores request bodies: better, send none).",
                 f->content_lengths);
    } else if (f->transfer_encodings == 0) {
        return 0;
    } else if (f->content_lengths > 0) {
        snprintf(detail, sizeof(detail), "The request has both Transfer-Encoding and "
                 "Content-Length, which disagree on where its body ends; send one of them.");
    } else if (http10) {
        snprintf(detail, sizeof(detail), "Transfer-Encoding is not part of HTTP/1.0; send "
                 "Content-Length instead, or the request as HTTP/1.1.");
    } else if (!f->last_chunked || f->chunked > 1) {
        snprintf(detail, sizeof(detail), "Transfer-Encoding must end with chunked, once, "
                 "so that the end of the body can be found; send \"Transfer-Encoding: "
                 "chunked\", or Content-Length instead.");
    } else if (f->codings > 1) {
        char coding[sizeof(f->other)];
        printable(f->other, coding, sizeof(coding));
        status = 501;
        snprintf(detail, sizeof(detail), "The transfer coding \"%s\" is not implemented; "
                 "send the body with \"Transfer-Encoding: chunked\" alone (this API ignores "
                 "request bodies).", coding);
    } else if (f->transfer_encodings == 1 && f->plain_chunked == 1) {
        return 0;
    } else {
        /* chunked, but with empty list elements, white space or fields
         * around it: valid HTTP that libmicrohttpd 0.9.75 would not read as
         * chunked (it waits for the client to close instead) */
        snprintf(detail, sizeof(detail), "Transfer-Encoding must be exactly \"chunked\", in "
                 "one field, for the end of the body to be found; send \"Transfer-Encoding: "
                 "chunked\", or Content-Length instead.");
    }
    if (resp != NULL)
        route_problem(resp, status, status == 501 ? "Not Implemented" : "Malformed request "
                      "framing", detail, NULL, NULL);
    return status;
}
