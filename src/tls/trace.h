/* Internal: emitting trace events (see tenon/trace.h). */
#ifndef TENON_TLS_TRACE_H
#define TENON_TLS_TRACE_H

#include <stddef.h>

#include "tenon/trace.h"

typedef struct tls_trace {
    tenon_trace_fn fn; /* NULL: tracing off */
    void *user;
    int show_secrets;
    int is_client;
} tls_trace;

/* Reports one event; does nothing when tr or tr->fn is NULL. Secret values are blanked (data =
 * NULL) unless tr->show_secrets. */
void tls_trace_emit(const tls_trace *tr, tenon_trace_type type, int sent, const char *label,
                    const tenon_trace_value *values, size_t nvalues);

static inline int tls_trace_on(const tls_trace *tr)
{
    return tr != NULL && tr->fn != NULL;
}

#endif
