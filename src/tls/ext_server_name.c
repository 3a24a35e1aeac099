/*
 * server_name (RFC 6066 §3):
 *   struct { NameType name_type; select (name_type) { case host_name: HostName; } name; }
 *       ServerName;
 *   enum { host_name(0), (255) } NameType;
 *   opaque HostName<1..2^16-1>;
 *   struct { ServerName server_name_list<1..2^16-1> } ServerNameList;
 * The server's answer in EncryptedExtensions has an empty body.
 */
#include "tls13.h"

int ext_server_name_write_ch(writer *w, const char *name)
{
    wr_vec ext, list, host;
    GUARD(wr_u16(w, EXT_SERVER_NAME));
    GUARD(wr_open_vec(w, 2, &ext));
    GUARD(wr_open_vec(w, 2, &list));
    GUARD(wr_u8(w, 0));
    GUARD(wr_open_vec(w, 2, &host));
    GUARD(wr_bytes(w, name, strlen(name)));
    GUARD(wr_close_vec(w, &host));
    GUARD(wr_close_vec(w, &list));
    return wr_close_vec(w, &ext);
}

int ext_server_name_write_empty(writer *w)
{
    GUARD(wr_u16(w, EXT_SERVER_NAME));
    return wr_u16(w, 0);
}

/* RFC 6066 §3: "The ServerNameList MUST NOT contain more than one name of the same name_type."
 * Names of other types are skipped. */
int ext_server_name_parse_ch(cursor body, const uint8_t **name, size_t *len)
{
    cursor list;
    *name = NULL;
    *len = 0;
    if (cur_remaining(&body) == 0)
        return TENON_OK;
    GUARD(cur_vec(&body, 2, 1, 0xffff, &list));
    GUARD(cur_finish(&body));
    while (cur_remaining(&list) > 0) {
        uint8_t type;
        cursor host;
        GUARD(cur_u8(&list, &type));
        GUARD(cur_vec(&list, 2, 1, 0xffff, &host));
        if (type != 0)
            continue;
        ENSURE(*name == NULL, TENON_ERR_TLS_ILLEGAL_PARAMETER);
        *name = host.p;
        *len = host.len;
    }
    return TENON_OK;
}
