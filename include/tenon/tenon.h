/*
 * tenon — a TLS 1.3 and TLS 1.2 library with its own constant-time cryptography.
 *
 * Include this header to get the whole public API.
 */
#ifndef TENON_H
#define TENON_H

#include "export.h"
#include "error.h"
#include "crypto.h"
#include "kex.h"
#include "kem.h"
#include "x25519.h"
#include "ed25519.h"
#include "ec.h"
#include "rsa.h"
#include "trace.h"
#include "x509.h"
#include "tls.h"

#define TENON_VERSION_MAJOR 0
#define TENON_VERSION_MINOR 1
#define TENON_VERSION_PATCH 0
#define TENON_VERSION_STRING "0.1.0"

#ifdef __cplusplus
extern "C" {
#endif

/* The library's version string, e.g. "0.1.0". */
TENON_API const char *tenon_version(void);

#ifdef __cplusplus
}
#endif

#endif
