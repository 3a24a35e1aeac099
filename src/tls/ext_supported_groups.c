/*
 * supported_groups (RFC 8446 §4.2.7):
 *   struct { NamedGroup named_group_list<2..2^16-1>; } NamedGroupList;
 */
#include "tls13.h"

int ext_supported_groups_write(writer *w, const tenon_config *cfg, uint16_t version)
{
    wr_vec ext, list;
    GUARD(wr_u16(w, EXT_SUPPORTED_GROUPS));
    GUARD(wr_open_vec(w, 2, &ext));
    GUARD(wr_open_vec(w, 2, &list));
    for (size_t i = 0; i < cfg->group_count; i++)
        if (tls_group_usable(cfg, cfg->groups[i], version))
            GUARD(wr_u16(w, cfg->groups[i]->tls_group));
    GUARD(wr_close_vec(w, &list));
    return wr_close_vec(w, &ext);
}

/* The list is handed back as a view, not copied out: a client may list many groups, most of them
 * unknown to us (RFC 8446 §4.2.7, §9.3), and no fixed array is big enough for all of them. */
int ext_supported_groups_parse(cursor body, cursor *list)
{
    GUARD(cur_vec(&body, 2, 2, 0xffff, list));
    GUARD(cur_finish(&body));
    ENSURE(cur_remaining(list) % 2 == 0, TENON_ERR_MALFORMED);
    return TENON_OK;
}

int ext_supported_groups_has(cursor list, uint16_t group)
{
    uint16_t g;
    while (cur_u16(&list, &g) == TENON_OK)
        if (g == group)
            return 1;
    return 0;
}
