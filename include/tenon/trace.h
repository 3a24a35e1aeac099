/*
 * tenon — the handshake and key-schedule trace.
 *
 * A connection can report every step by which it reaches its keys to a callback: each message
 * and record sent or received, key shares, the (EC)DHE shared secret, every HKDF-Extract,
 * HKDF-Expand-Label, Derive-Secret and TLS 1.2 PRF call with its label, inputs and output, the
 * traffic keys installed, and Finished and signature checks. Values marked secret are passed
 * with data == NULL unless the caller asked for secrets (as with SSLKEYLOGFILE, a choice to make
 * knowingly). Events and their values are valid only during the callback.
 */
#ifndef TENON_TRACE_H
#define TENON_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "export.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tenon_trace_type {
    TENON_TRACE_MESSAGE = 1,       /* a handshake message: label = its name, value "bytes" */
    TENON_TRACE_RECORD,            /* a record: label = content type, values: header, length */
    TENON_TRACE_KEY_SHARE,         /* a key share generated: label = group */
    TENON_TRACE_SHARED_SECRET,     /* the (EC)DHE shared secret: label = group */
    TENON_TRACE_HKDF_EXTRACT,      /* label = the secret produced, values: salt, ikm, prk */
    TENON_TRACE_HKDF_EXPAND_LABEL, /* label = the HKDF label, values: secret, context, out */
    TENON_TRACE_DERIVE_SECRET,     /* label = the label, values: secret, transcript hash, out */
    TENON_TRACE_PRF,               /* TLS 1.2: label = the PRF label, values: secret, seed, out */
    TENON_TRACE_TRAFFIC_KEYS,      /* keys installed: label = "client handshake", ... */
    TENON_TRACE_FINISHED,          /* verify_data computed or checked */
    TENON_TRACE_VERIFIED,          /* a proof checked: label = "certificate chain", ... */
    TENON_TRACE_ALERT,             /* an alert sent or received: label = its description */
    TENON_TRACE_NOTE,              /* a decision: label = free text ("selected x25519") */
} tenon_trace_type;

typedef struct tenon_trace_value {
    const char *name;    /* "salt", "ikm", "out", "transcript hash", ... */
    const uint8_t *data; /* NULL when secret and secrets are not shown */
    size_t len;          /* always the real length */
    int secret;          /* 1 if this value is secret key material */
} tenon_trace_value;

typedef struct tenon_trace_event {
    tenon_trace_type type;
    int from_client; /* 1 if the client side emitted it, 0 the server */
    int sent;        /* MESSAGE, RECORD, ALERT: 1 sent, 0 received */
    const char *label;
    const tenon_trace_value *values;
    size_t nvalues;
} tenon_trace_event;

typedef void (*tenon_trace_fn)(void *user, const tenon_trace_event *ev);

/* A printable name for an event type ("hkdf-extract", ...). */
TENON_API const char *tenon_trace_type_name(tenon_trace_type type);

#ifdef __cplusplus
}
#endif

#endif
