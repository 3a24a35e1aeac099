/*
 * Explaining a failed negotiation in words: what the peer offered (tenon_conn_peer_offer) next
 * to what this side has, so a user can fix a configuration without a packet capture.
 */
#include <string.h>

#include "cli.h"

typedef const char *(*name_fn)(uint16_t);

static const char *suite_iana(uint16_t id)
{
    if (id == 0x00ff)
        return "TLS_EMPTY_RENEGOTIATION_INFO_SCSV";
    const suite_info *s = suite_by_id(id);
    return s != NULL ? s->iana : NULL;
}

/* A code point's name, or its number (RFC 8701 GREASE values by that name). */
static void code_name(char *out, size_t cap, uint16_t v, name_fn name)
{
    const char *n = name(v);
    if ((v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff))
        snprintf(out, cap, "GREASE");
    else if (n == NULL || strncmp(n, "unknown", 7) == 0)
        snprintf(out, cap, "0x%04x", v);
    else
        snprintf(out, cap, "%s", n);
}

/* "name, name, ... (N in all)" into out. */
static void list_text(char *out, size_t cap, const uint16_t *v, size_t count, name_fn name)
{
    size_t kept = count < TENON_OFFER_MAX ? count : TENON_OFFER_MAX, used = 0;
    out[0] = 0;
    if (count == 0) {
        snprintf(out, cap, "none");
        return;
    }
    for (size_t i = 0; i < kept && used < cap; i++) {
        char one[64];
        code_name(one, sizeof one, v[i], name);
        int w = snprintf(out + used, cap - used, "%s%s", i ? ", " : "", one);
        used += w > 0 ? (size_t)w : 0;
    }
    if (count > kept && used < cap)
        snprintf(out + used, cap - used, ", ... (%zu in all)", count);
}

void describe_offer(const char *prog, const tenon_conn *conn)
{
    tenon_peer_offer o;
    if (tenon_conn_peer_offer(conn, &o) != 0)
        return;
    char text[1200], legacy[32];
    fprintf(stderr, "%s: the peer offered:\n", prog);
    code_name(legacy, sizeof legacy, o.legacy_version, version_name);
    if (o.version_count > 0) {
        list_text(text, sizeof text, o.versions, o.version_count, version_name);
        fprintf(stderr, "%s:   versions: %s\n", prog, text);
    } else {
        fprintf(stderr, "%s:   versions: %s (legacy_version; no supported_versions)\n", prog,
                legacy);
    }
    list_text(text, sizeof text, o.suites, o.suite_count, suite_iana);
    fprintf(stderr, "%s:   cipher suites: %s\n", prog, text);
    list_text(text, sizeof text, o.groups, o.group_count, group_name);
    fprintf(stderr, "%s:   groups: %s\n", prog, text);
    list_text(text, sizeof text, o.key_shares, o.key_share_count, group_name);
    fprintf(stderr, "%s:   key shares: %s\n", prog, text);
    if (o.sig_scheme_count > 0) {
        list_text(text, sizeof text, o.sig_schemes, o.sig_scheme_count, sig_scheme_name);
        fprintf(stderr, "%s:   signature schemes: %s\n", prog, text);
    }
    fprintf(stderr,
            "%s:   extended master secret (RFC 7627): %s; secure renegotiation (RFC 5746): %s\n",
            prog, o.ext_master_secret ? "yes" : "no", o.secure_renegotiation ? "yes" : "no");
}

static const char *key_type_name(const tenon_private_key *k)
{
    if (k == NULL)
        return "?";
    if (k->type == TENON_KEY_RSA)
        return "RSA";
    if (k->type == TENON_KEY_ED25519)
        return "Ed25519";
    return k->u.ec.curve == TENON_EC_P384 ? "ECDSA P-384" : "ECDSA P-256";
}

void describe_ours(const char *prog, int err, const tenon_config *cfg)
{
    char text[1200];
    size_t used = 0;
    uint16_t v[TENON_MAX_SUITES > TENON_MAX_SIG_SCHEMES ? TENON_MAX_SUITES : TENON_MAX_SIG_SCHEMES];
    size_t n = 0;
    int server = cfg->role == TENON_SERVER;
    switch (err) {
    case TENON_ERR_TLS_NO_COMMON_VERSION:
        fprintf(stderr, "%s: this side has: %s%s%s (--tls1.2 / --tls1.3 choose)\n", prog,
                cfg->max_version >= TENON_TLS13 ? "TLS 1.3" : "",
                cfg->max_version >= TENON_TLS13 && cfg->min_version <= TENON_TLS12 ? ", " : "",
                cfg->min_version <= TENON_TLS12 ? "TLS 1.2" : "");
        break;
    case TENON_ERR_TLS_NO_COMMON_SUITE:
        for (size_t i = 0; i < cfg->suite_count; i++)
            v[n++] = cfg->suites[i];
        list_text(text, sizeof text, v, n, suite_iana);
        fprintf(stderr, "%s: this side has the cipher suites: %s (--suites chooses)\n", prog, text);
        break;
    case TENON_ERR_TLS_NO_COMMON_GROUP:
        for (size_t i = 0; i < cfg->group_count; i++)
            v[n++] = cfg->groups[i]->tls_group;
        list_text(text, sizeof text, v, n, group_name);
        fprintf(stderr, "%s: this side has the groups: %s (--groups chooses)\n", prog, text);
        break;
    case TENON_ERR_TLS_NO_COMMON_SIG_SCHEME:
    case TENON_ERR_TLS_NO_CERT_FOR_PEER:
        for (size_t i = 0; i < cfg->sig_scheme_count; i++)
            v[n++] = cfg->sig_schemes[i];
        list_text(text, sizeof text, v, n, sig_scheme_name);
        fprintf(stderr, "%s: this side has the signature schemes: %s\n", prog, text);
        text[0] = 0;
        for (size_t i = 0; i < cfg->cert_count && used < sizeof text; i++) {
            int w = snprintf(text + used, sizeof text - used, "%s%s", i ? ", " : "",
                             key_type_name(cfg->certs[i].key));
            used += w > 0 ? (size_t)w : 0;
        }
        fprintf(stderr, "%s: and certificates with the keys: %s\n", prog,
                cfg->cert_count ? text : "none");
        break;
    case TENON_ERR_TLS_EMS_REQUIRED:
        fprintf(stderr,
                "%s: (%s accepts a TLS 1.2 peer without the extended master secret: the master "
                "secret is then not bound to the handshake, RFC 7627 §1)\n",
                prog, server ? "tenon server --no-ems" : "--no-ems");
        break;
    default:
        break;
    }
}
