/*
 * KeyUpdate (RFC 8446 §4.6.3), both sides:
 *   enum { update_not_requested(0), update_requested(1), (255) } KeyUpdateRequest;
 *   struct { KeyUpdateRequest request_update; } KeyUpdate;
 * application_traffic_secret_N+1 = HKDF-Expand-Label(application_traffic_secret_N,
 *                                                    "traffic upd", "", Hash.length)  (§7.2)
 */
#include "tls13.h"

int hs_key_update_send(tls_conn *c, int request_update)
{
    writer w;
    wr_vec body;
    uint8_t *secret = c->is_client ? c->c_ap : c->s_ap;
    GUARD(tls_hs_begin(c, HS_KEY_UPDATE, &w, &body));
    GUARD(wr_u8(&w, request_update ? 1 : 0));
    GUARD(tls_hs_finish(&w, &body));
    GUARD(tls_hs_commit(c, &w, NULL));
    /* "the sender MUST send its KeyUpdate message with the old keys" and then switch. */
    GUARD(tls13_update_secret(c->suite->hash, secret, &c->trace));
    return tls_install_write(
        c, secret, c->is_client ? "client application (updated)" : "server application (updated)");
}

int hs_key_update_recv(tls_conn *c, const uint8_t *msg, size_t len)
{
    cursor cur = cur_init(msg + 4, len - 4);
    uint8_t request;
    GUARD(cur_u8(&cur, &request));
    GUARD(cur_finish(&cur));
    /* "If an implementation receives any other value [than 0 or 1], it MUST terminate the
     * connection with an "illegal_parameter" alert." */
    ENSURE(request <= 1, TENON_ERR_TLS_ILLEGAL_PARAMETER);
    uint8_t *secret = c->is_client ? c->s_ap : c->c_ap;
    GUARD(tls13_update_secret(c->suite->hash, secret, &c->trace));
    GUARD(tls_install_read(
        c, secret, c->is_client ? "server application (updated)" : "client application (updated)"));
    /* "If the request_update field is set to "update_requested", then the receiver MUST send a
     * KeyUpdate of its own with request_update set to "update_not_requested" prior to sending
     * its next Application Data record." Several requests are answered by one update. */
    if (request == 1 && !c->sent_close)
        c->key_update_pending = 1;
    return TENON_OK;
}
