/*
 * supported_groups (RFC 8446 §4.2.7):
 *   struct { NamedGroup named_group_list<2..2^16-1>; } NamedGroupList;
 */
#include "tls13.h"

int ext_supported_groups_write(writer *w, const tenon_config *cfg)
{
    wr_vec ext, list;
    GUARD(wr_u16(w, EXT_SUPPORTED_GROUPS));
    GUARD(wr_open_vec(w, 2, &ext));
    GUARD(wr_open_vec(w, 2, &list));
    for (size_t i = 0; i < cfg->group_count; i++)
        GUARD(wr_u16(w, cfg->groups[i]->tls_group));
    GUARD(wr_close_vec(w, &list));
    return wr_close_vec(w, &ext);
}

/* Keeps the first cap groups (the rest are read and dropped). */
int ext_supported_groups_parse(cursor body, uint16_t *groups, size_t cap, size_t *count)
{
    cursor list;
    *count = 0;
    GUARD(cur_vec(&body, 2, 2, 0xffff, &list));
    GUARD(cur_finish(&body));
    ENSURE(cur_remaining(&list) % 2 == 0, TENON_ERR_MALFORMED);
    while (cur_remaining(&list) > 0) {
        uint16_t g;
        GUARD(cur_u16(&list, &g));
        if (*count < cap)
            groups[(*count)++] = g;
    }
    return TENON_OK;
}
