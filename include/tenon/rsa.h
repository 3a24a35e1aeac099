/*
 * tenon — RSA (PKCS #1 v2.2, RFC 8017): PKCS#1 v1.5 and PSS signatures, PKCS#1 v1.5 encryption
 * and the TLS 1.2 pre-master-secret decryption of RFC 5246 §7.4.7.1.
 * (Being written: declarations follow.)
 */
#ifndef TENON_RSA_H
#define TENON_RSA_H

#include "crypto.h"

#endif
