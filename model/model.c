/* Enumeration names, lookups by id, and freeing a snapshot. */
#include <string.h>

#include "arena.h"
#include "internal.h"

const char *const model_actor_kind_names[MODEL_ACTOR_KIND_COUNT] = {
    "person", "organization", "country", "region", "media-outlet", "platform"};
const char *const model_event_type_names[MODEL_EVENT_TYPE_COUNT] = {
    "summit", "meeting", "interview", "press-conference", "call",
    "social-media-post", "statement", "speech", "agreement",
    "military-action", "annexation", "background"};
const char *const model_event_status_names[MODEL_STATUS_COUNT] = {
    "occurred", "scheduled", "proposed", "cancelled"};
const char *const model_quote_kind_names[MODEL_QUOTE_KIND_COUNT] = {"full",
                                                                    "fragment"};
const char *const model_basis_names[MODEL_BASIS_COUNT] = {
    "reported", "resolved", "inferred", "external"};
const char *const model_role_names[MODEL_ROLE_COUNT] = {
    "host", "guest", "attendee", "interviewer", "interviewee", "speaker",
    "author", "invitee", "party", "subject", "organizer"};

int model_is_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 80 || s[0] == '-' || s[n - 1] == '-')
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 (c == '-' && s[i + 1] != '-');
        if (!ok)
            return 0;
    }
    return 1;
}

int model_enum_lookup(const char *const *names, int count, const char *name)
{
    for (int i = 0; i < count; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

const struct model_source *model_find_source(const struct model_snapshot *s,
                                             const char *id)
{
    return model_idtable_get(&s->index->by_id[MODEL_ID_SOURCE], id);
}

const struct model_actor *model_find_actor(const struct model_snapshot *s,
                                           const char *id)
{
    return model_idtable_get(&s->index->by_id[MODEL_ID_ACTOR], id);
}

const struct model_event *model_find_event(const struct model_snapshot *s,
                                           const char *id)
{
    return model_idtable_get(&s->index->by_id[MODEL_ID_EVENT], id);
}

const struct model_quote *model_find_quote(const struct model_snapshot *s,
                                           const char *id)
{
    return model_idtable_get(&s->index->by_id[MODEL_ID_QUOTE], id);
}

void model_snapshot_free(struct model_snapshot *snap)
{
    if (snap != NULL)
        model_arena_free(snap->arena); /* the snapshot lives in its arena */
}

struct model_plist model_group(const struct model_groups *g, uint32_t key)
{
    struct model_plist p = {NULL, 0, NULL, g->universe};
    if (key < g->n_keys) {
        p.ranks = g->ranks + g->off[key];
        p.n = g->off[key + 1] - g->off[key];
        p.bits = g->bits != NULL ? g->bits[key] : NULL;
    }
    return p;
}

const uint64_t *model_bitmap(struct model_arena *a, const uint32_t *ranks, uint32_t n,
                             uint32_t universe)
{
    if (universe < MODEL_DENSE_MIN || (uint64_t)n * MODEL_DENSE_RATIO < universe)
        return NULL;
    uint64_t *bits = model_arena_alloc(a, ((size_t)universe + 63) / 64 * sizeof(*bits));
    for (uint32_t i = 0; i < n; i++)
        bits[ranks[i] >> 6] |= 1ull << (ranks[i] & 63);
    return bits;
}
