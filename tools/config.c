/*
 * From options to a tenon_config: groups, suites, ALPN, certificates and keys, trust anchors.
 * The config keeps views, so everything it points to is owned here until cli_tls_free.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

#define CERT_FILE_MAX (256 * 1024)
#define KEY_FILE_MAX (64 * 1024)
#define TRUST_FILE_MAX (4 * 1024 * 1024)
#define TRUST_CERTS_MAX 1024

static const char SYSTEM_BUNDLE[] = "/etc/ssl/certs/ca-certificates.crt";

/* The next comma-separated item of *s into out; 0 at the end. */
static int next_item(const char **s, char *out, size_t cap)
{
    while (**s == ',' || **s == ' ')
        (*s)++;
    if (**s == 0)
        return 0;
    size_t n = strcspn(*s, ",");
    size_t k = n < cap - 1 ? n : cap - 1;
    memcpy(out, *s, k);
    out[k] = 0;
    while (k > 0 && out[k - 1] == ' ')
        out[--k] = 0;
    *s += n;
    return 1;
}

/* The names --groups takes: the TLS names (IANA's spelling for the hybrids), and OpenSSL's
 * for the curves. */
static const struct {
    const char *name;
    const tenon_kex_class *group;
} GROUP_NAMES[] = {
    {"x25519", &tenon_kex_x25519},
    {"X25519", &tenon_kex_x25519},
    {"secp256r1", &tenon_kex_secp256r1},
    {"P-256", &tenon_kex_secp256r1},
    {"prime256v1", &tenon_kex_secp256r1},
    {"secp384r1", &tenon_kex_secp384r1},
    {"P-384", &tenon_kex_secp384r1},
    {"X25519MLKEM768", &tenon_kex_x25519mlkem768},
    {"SecP256r1MLKEM768", &tenon_kex_secp256r1mlkem768},
    {"SecP384r1MLKEM1024", &tenon_kex_secp384r1mlkem1024},
};

const tenon_kex_class *group_by_name(const char *name)
{
    for (size_t i = 0; i < sizeof GROUP_NAMES / sizeof GROUP_NAMES[0]; i++)
        if (strcasecmp(name, GROUP_NAMES[i].name) == 0)
            return GROUP_NAMES[i].group;
    return NULL;
}

int cfg_set_groups(tenon_config *cfg, const char *list, const char *prog)
{
    char item[64];
    cfg->group_count = 0;
    while (next_item(&list, item, sizeof item)) {
        const tenon_kex_class *g = group_by_name(item);
        if (g == NULL) {
            fprintf(stderr,
                    "%s: unknown group '%s' (tenon has X25519MLKEM768, SecP256r1MLKEM768, "
                    "SecP384r1MLKEM1024, x25519, secp256r1, secp384r1)\n",
                    prog, item);
            return -1;
        }
        if (cfg->group_count == TENON_MAX_GROUPS) {
            fprintf(stderr, "%s: at most %d groups\n", prog, TENON_MAX_GROUPS);
            return -1;
        }
        cfg->groups[cfg->group_count++] = g;
    }
    if (cfg->group_count == 0) {
        fprintf(stderr, "%s: --groups is empty\n", prog);
        return -1;
    }
    return 0;
}

/* The suite names of one version (IANA spelling), for the messages that list them. */
static void print_suite_names(FILE *f, uint16_t version, int legacy)
{
    size_t n;
    const suite_info *t = suite_table(&n);
    const char *sep = "";
    for (size_t i = 0; i < n; i++)
        if (t[i].version == version && t[i].legacy == legacy) {
            fprintf(f, "%s%s", sep, t[i].iana);
            sep = ", ";
        }
}

int cfg_set_suites(tenon_config *cfg, const char *list, const char *prog)
{
    char item[96];
    cfg->suite_count = 0;
    while (next_item(&list, item, sizeof item)) {
        const suite_info *s = suite_by_name(item);
        if (s == NULL) {
            fprintf(stderr, "%s: unknown cipher suite '%s'. tenon has\n  TLS 1.3: ", prog, item);
            print_suite_names(stderr, TENON_TLS13, 0);
            fprintf(stderr, "\n  TLS 1.2: ");
            print_suite_names(stderr, TENON_TLS12, 0);
            fprintf(stderr, "\n  TLS 1.2 legacy (only when named, or with --enable-legacy): ");
            print_suite_names(stderr, TENON_TLS12, 1);
            fprintf(stderr,
                    "\n  (OpenSSL's names, such as ECDHE-ECDSA-AES128-GCM-SHA256, work too)\n");
            return -1;
        }
        int dup = 0;
        for (size_t i = 0; i < cfg->suite_count; i++)
            dup |= cfg->suites[i] == s->id;
        if (dup)
            continue;
        if (cfg->suite_count == TENON_MAX_SUITES) {
            fprintf(stderr, "%s: at most %d cipher suites\n", prog, TENON_MAX_SUITES);
            return -1;
        }
        cfg->suites[cfg->suite_count++] = s->id;
    }
    if (cfg->suite_count == 0) {
        fprintf(stderr, "%s: --suites is empty\n", prog);
        return -1;
    }
    return 0;
}

int cfg_set_protocol(tenon_config *cfg, const cli_opts *o, const char *prog)
{
    if (o->tls12_only)
        cfg->min_version = cfg->max_version = TENON_TLS12;
    if (o->tls13_only)
        cfg->min_version = cfg->max_version = TENON_TLS13;
    if (o->record_size_limit > 0)
        cfg->record_size_limit = (size_t)o->record_size_limit;
    if (o->groups != NULL && cfg_set_groups(cfg, o->groups, prog) != 0)
        return -1;
    if (o->suites != NULL && cfg_set_suites(cfg, o->suites, prog) != 0)
        return -1;
    if (o->enable_legacy) {
        /* After the chosen suites, in the table's order: never preferred to a modern one. */
        size_t n;
        const suite_info *t = suite_table(&n);
        for (size_t i = 0; i < n; i++) {
            if (!t[i].legacy)
                continue;
            int dup = 0;
            for (size_t k = 0; k < cfg->suite_count; k++)
                dup |= cfg->suites[k] == t[i].id;
            if (dup)
                continue;
            if (cfg->suite_count == TENON_MAX_SUITES) {
                fprintf(stderr, "%s: --enable-legacy: at most %d cipher suites in all\n", prog,
                        TENON_MAX_SUITES);
                return -1;
            }
            cfg->suites[cfg->suite_count++] = t[i].id;
        }
    }
    /* A version left without a suite of its own: say which, rather than the engine's general
     * "no cipher suite for an enabled protocol version". */
    int n13 = 0, n12 = 0;
    for (size_t i = 0; i < cfg->suite_count; i++) {
        const suite_info *s = suite_by_id(cfg->suites[i]);
        n13 += s != NULL && s->version == TENON_TLS13;
        n12 += s != NULL && s->version == TENON_TLS12;
    }
    if (o->tls12_only && n12 == 0) {
        fprintf(stderr, "%s: --tls1.2, but --suites names no TLS 1.2 suite (such as ", prog);
        print_suite_names(stderr, TENON_TLS12, 0);
        fprintf(stderr, ")\n");
        return -1;
    }
    if (o->tls13_only && n13 == 0) {
        fprintf(stderr, "%s: --tls1.3, but --suites names no TLS 1.3 suite (", prog);
        print_suite_names(stderr, TENON_TLS13, 0);
        fprintf(stderr, ")\n");
        return -1;
    }
    /* RFC 7627 §5.2-5.3: without the extended master secret a peer's session can be
     * synchronised with another (the triple handshake); --no-ems accepts such peers. */
    if (o->no_ems)
        cfg->require_extended_master_secret = 0;
    return 0;
}

static int set_alpn(cli_tls *t, const char *list, const char *prog)
{
    size_t n = strlen(list);
    t->alpn_text = malloc(n + 1);
    if (t->alpn_text == NULL)
        return -1;
    memcpy(t->alpn_text, list, n + 1);
    char *save = NULL;
    for (char *p = strtok_r(t->alpn_text, ",", &save); p != NULL; p = strtok_r(NULL, ",", &save)) {
        if (strlen(p) > TENON_MAX_ALPN_LEN || t->cfg.alpn_count == TENON_MAX_ALPN) {
            fprintf(stderr, "%s: --alpn: at most %d names of at most %d bytes\n", prog,
                    TENON_MAX_ALPN, TENON_MAX_ALPN_LEN);
            return -1;
        }
        t->cfg.alpn[t->cfg.alpn_count++] = p;
    }
    return 0;
}

/* A certificate chain file: PEM (every CERTIFICATE block, leaf first) or one DER
 * certificate. The DER goes to buf; chain receives views into it. */
static int load_chain(const char *path, uint8_t *buf, size_t cap, tenon_bytes *chain, size_t *count,
                      const char *prog)
{
    uint8_t *file = malloc(CERT_FILE_MAX);
    size_t len = 0, used = 0;
    *count = 0;
    if (file == NULL)
        return -1;
    int rc = tenon_read_file(path, file, CERT_FILE_MAX, &len);
    if (rc != 0) {
        fprintf(stderr, "%s: cannot read the certificate file %s: %s\n", prog, path,
                tenon_strerror(rc));
        free(file);
        return -1;
    }
    size_t off = 0;
    for (;;) {
        const char *label;
        size_t label_len, der_len;
        rc = tenon_pem_next((const char *)file, len, &off, &label, &label_len, buf + used,
                            cap - used, &der_len);
        if (rc == TENON_ERR_PEM_NOT_FOUND)
            break;
        if (rc != 0) {
            fprintf(stderr, "%s: %s: %s\n", prog, path, tenon_strerror(rc));
            free(file);
            return -1;
        }
        if (label_len == 11 && memcmp(label, "CERTIFICATE", 11) == 0 && *count < TENON_MAX_CHAIN) {
            chain[*count].ptr = buf + used;
            chain[*count].len = der_len;
            (*count)++;
            used += der_len;
        }
    }
    if (*count == 0 && len > 0 && file[0] == 0x30 && len <= cap) {
        memcpy(buf, file, len); /* a DER certificate */
        chain[0].ptr = buf;
        chain[0].len = len;
        *count = 1;
    }
    free(file);
    if (*count == 0) {
        fprintf(stderr, "%s: %s holds no certificate (PEM CERTIFICATE blocks or DER)\n", prog,
                path);
        return -1;
    }
    tenon_x509_cert c;
    rc = tenon_x509_parse(&c, chain[0].ptr, chain[0].len);
    if (rc != 0) {
        fprintf(stderr, "%s: %s: the certificate does not parse: %s\n", prog, path,
                tenon_strerror(rc));
        return -1;
    }
    return 0;
}

static int load_trust(cli_tls *t, const char *path, const char *prog)
{
    t->roots = calloc(TRUST_CERTS_MAX, sizeof *t->roots);
    t->trust_der = malloc(TRUST_FILE_MAX);
    char *text = malloc(TRUST_FILE_MAX);
    int rc = -1;
    if (t->roots == NULL || t->trust_der == NULL || text == NULL)
        goto out;
    tenon_x509_store_init(&t->store, t->roots, TRUST_CERTS_MAX);
    size_t len = 0, used = 0, skipped = 0;
    const char *file = path != NULL ? path : SYSTEM_BUNDLE;
    rc = tenon_read_file(file, (uint8_t *)text, TRUST_FILE_MAX, &len);
    if (rc != 0) {
        if (path != NULL)
            fprintf(stderr, "%s: cannot read the CA file %s: %s\n", prog, path, tenon_strerror(rc));
        else
            fprintf(stderr, "%s: cannot read the system trust store %s: %s (give --ca FILE)\n",
                    prog, file, tenon_strerror(rc));
        rc = -1;
        goto out;
    }
    rc = tenon_x509_store_add_pem(&t->store, text, len, t->trust_der, TRUST_FILE_MAX, &used,
                                  &skipped);
    if (rc != 0 || t->store.count == 0) {
        fprintf(stderr, "%s: %s: %s\n", prog, file,
                rc != 0 ? tenon_strerror(rc) : "no usable CA certificate in it");
        rc = -1;
        goto out;
    }
    t->cfg.trust = &t->store;
    rc = 0;
out:
    free(text);
    return rc;
}

static int add_cert(cli_tls *t, size_t i, const char *cert, const char *key, const char *prog)
{
    tenon_bytes chain[TENON_MAX_CHAIN];
    size_t count = 0;
    t->cert_der[i] = malloc(CERT_FILE_MAX);
    t->keys[i] = calloc(1, sizeof *t->keys[i]);
    uint8_t *scratch = malloc(KEY_FILE_MAX);
    int rc = -1;
    if (t->cert_der[i] == NULL || t->keys[i] == NULL || scratch == NULL)
        goto out;
    if (load_chain(cert, t->cert_der[i], CERT_FILE_MAX, chain, &count, prog) != 0)
        goto out;
    rc = tenon_private_key_load_file(t->keys[i], key, scratch, KEY_FILE_MAX);
    if (rc != 0) {
        fprintf(stderr, "%s: cannot load the private key %s: %s\n", prog, key, tenon_strerror(rc));
        rc = -1;
        goto out;
    }
    const char *why = NULL;
    rc = tenon_config_add_cert(&t->cfg, chain, count, t->keys[i], &why);
    if (rc != 0) {
        fprintf(stderr, "%s: %s with %s: %s\n", prog, cert, key, why ? why : tenon_strerror(rc));
        rc = -1;
    }
out:
    free(scratch);
    return rc;
}

/* --ocsp: a DER OCSPResponse, stapled as it is to the first certificate (tenon does not read
 * it; the client judges it). */
#define OCSP_FILE_MAX (64 * 1024)
static int load_ocsp(cli_tls *t, const char *file, const char *prog)
{
    size_t len = 0;
    t->ocsp_der = malloc(OCSP_FILE_MAX);
    if (t->ocsp_der == NULL)
        return -1;
    int rc = tenon_read_file(file, t->ocsp_der, OCSP_FILE_MAX, &len);
    if (rc != 0 || len == 0) {
        fprintf(stderr, "%s: --ocsp %s: %s\n", prog, file,
                rc != 0 ? tenon_strerror(rc) : "empty file");
        return -1;
    }
    t->cfg.certs[0].ocsp_response.ptr = t->ocsp_der;
    t->cfg.certs[0].ocsp_response.len = len;
    return 0;
}

/* The server's certificate when none is given: fresh at each start, so its fingerprint is
 * printed for the client to compare. ECDSA P-256 in slot 0; RSA in slot 1 for the RSA suites
 * (RSA key transport and ECDHE_RSA need an RSA key, and the engine picks by suite). */
static int ephemeral_cert(cli_tls *t, size_t slot, tenon_key_type type, const char *prog)
{
    t->cert_der[slot] = malloc(2048);
    t->keys[slot] = calloc(1, sizeof *t->keys[slot]);
    if (t->cert_der[slot] == NULL || t->keys[slot] == NULL)
        return -1;
    size_t len = 0;
    t->keys[slot]->type = type;
    int rc = pki_issue("localhost", "localhost", 0, NULL, NULL, t->keys[slot], t->cert_der[slot],
                       2048, &len);
    const char *why = NULL;
    tenon_bytes chain[1] = {{t->cert_der[slot], len}};
    if (rc == 0)
        rc = tenon_config_add_cert(&t->cfg, chain, 1, t->keys[slot], &why);
    if (rc != 0) {
        fprintf(stderr, "%s: cannot make an ephemeral certificate: %s\n", prog,
                why ? why : tenon_strerror(rc));
        return -1;
    }
    if (type == TENON_KEY_RSA) {
        tenon_hash(&tenon_sha256, t->cert_der[slot], len, t->ephemeral_rsa_fp);
        t->has_ephemeral_rsa = 1;
    } else {
        tenon_hash(&tenon_sha256, t->cert_der[slot], len, t->ephemeral_fp);
        t->has_ephemeral = 1;
    }
    return 0;
}

int cli_tls_setup(cli_tls *t, const cli_opts *o, tenon_role role, const char *server_name,
                  const char *prog)
{
    memset(t, 0, sizeof *t);
    tenon_config_init(&t->cfg, role);
    t->cfg.server_name = server_name;
    if (cfg_set_protocol(&t->cfg, o, prog) != 0)
        return EXIT_USAGE;
    if (o->alpn != NULL && set_alpn(t, o->alpn, prog) != 0)
        return EXIT_USAGE;
    for (int i = 0; i < o->ncerts; i++)
        if (add_cert(t, (size_t)i, o->certs[i], o->keys[i], prog) != 0)
            return EXIT_USAGE;
    if (role == TENON_SERVER) {
        if (o->ncerts == 0 && ephemeral_cert(t, 0, TENON_KEY_EC, prog) != 0)
            return EXIT_TLS;
        /* An RSA certificate too when RSA suites were asked for by name (--suites,
         * --enable-legacy): the default ECDHE_RSA suites alone do not cost an RSA key
         * generation at every start. */
        if (o->ncerts == 0 && (o->suites != NULL || o->enable_legacy) &&
            pki_suites_need_rsa(&t->cfg) && ephemeral_cert(t, 1, TENON_KEY_RSA, prog) != 0)
            return EXIT_TLS;
        if (o->verify_client && o->ca == NULL) {
            fprintf(stderr, "%s: --verify-client needs --ca FILE (the client CAs to trust)\n",
                    prog);
            return EXIT_USAGE;
        }
        if (o->ca != NULL) {
            if (load_trust(t, o->ca, prog) != 0)
                return EXIT_USAGE;
            t->cfg.client_auth =
                o->verify_client ? TENON_CLIENT_AUTH_REQUIRE : TENON_CLIENT_AUTH_REQUEST;
        }
        if (o->ocsp != NULL && load_ocsp(t, o->ocsp, prog) != 0)
            return EXIT_USAGE;
        /* Tickets for resumption: a fresh key per run. */
        t->cfg.ticket_key_count = 1;
        if (tenon_random(&t->cfg.ticket_keys[0], sizeof t->cfg.ticket_keys[0]) != 0)
            return EXIT_TLS;
    } else if (o->insecure && o->ca != NULL) {
        /* The library refuses the pair too (tenon_config_check): a trust store that would be
         * ignored is a mistake to report, not to honour half-way. */
        fprintf(stderr,
                "%s: --insecure and --ca contradict each other: --insecure accepts any "
                "certificate, so the CA file would be ignored; give one of them\n",
                prog);
        return EXIT_USAGE;
    } else if (o->insecure) {
        fprintf(stderr,
                "%s: WARNING: --insecure: the server's certificate is NOT verified; "
                "anyone on the path can read and change this connection\n",
                prog);
        t->cfg.insecure_skip_verify = 1;
    } else if (load_trust(t, o->ca, prog) != 0) {
        return EXIT_USAGE;
    }
    /* A client asks for a stapled OCSP response (RFC 6066 §8) and says when one came. */
    if (role == TENON_CLIENT)
        t->cfg.ocsp_stapling = 1;
    const char *why = NULL;
    if (tenon_config_check(&t->cfg, &why) != 0) {
        fprintf(stderr, "%s: the configuration cannot work: %s\n", prog, why ? why : "?");
        return EXIT_USAGE;
    }
    return 0;
}

void cli_tls_free(cli_tls *t)
{
    for (size_t i = 0; i < CLI_MAX_CERTS; i++) {
        free(t->cert_der[i]);
        if (t->keys[i] != NULL) {
            tenon_private_key_wipe(t->keys[i]);
            free(t->keys[i]);
        }
    }
    free(t->roots);
    free(t->trust_der);
    free(t->alpn_text);
    free(t->ocsp_der);
    tenon_wipe(&t->cfg.ticket_keys, sizeof t->cfg.ticket_keys);
    memset(t, 0, sizeof *t);
}
