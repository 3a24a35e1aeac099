/* Trace events: the one place where secret values are blanked before they leave the engine. */
#include "trace.h"

#include "../common.h"

#define TRACE_MAX_VALUES 8

void tls_trace_emit(const tls_trace *tr, tenon_trace_type type, int sent, const char *label,
                    const tenon_trace_value *values, size_t nvalues)
{
    if (!tls_trace_on(tr))
        return;
    tenon_trace_value shown[TRACE_MAX_VALUES];
    if (nvalues > TRACE_MAX_VALUES)
        nvalues = TRACE_MAX_VALUES;
    for (size_t i = 0; i < nvalues; i++) {
        shown[i] = values[i];
        if (values[i].secret && !tr->show_secrets)
            shown[i].data = NULL;
    }
    tenon_trace_event ev = {type, tr->is_client, sent, label, shown, nvalues};
    tr->fn(tr->user, &ev);
}

TENON_API const char *tenon_trace_type_name(tenon_trace_type type)
{
    switch (type) {
    case TENON_TRACE_MESSAGE:
        return "message";
    case TENON_TRACE_RECORD:
        return "record";
    case TENON_TRACE_KEY_SHARE:
        return "key-share";
    case TENON_TRACE_SHARED_SECRET:
        return "shared-secret";
    case TENON_TRACE_HKDF_EXTRACT:
        return "hkdf-extract";
    case TENON_TRACE_HKDF_EXPAND_LABEL:
        return "hkdf-expand-label";
    case TENON_TRACE_DERIVE_SECRET:
        return "derive-secret";
    case TENON_TRACE_PRF:
        return "prf";
    case TENON_TRACE_TRAFFIC_KEYS:
        return "traffic-keys";
    case TENON_TRACE_FINISHED:
        return "finished";
    case TENON_TRACE_VERIFIED:
        return "verified";
    case TENON_TRACE_ALERT:
        return "alert";
    case TENON_TRACE_NOTE:
        return "note";
    }
    return "unknown";
}
