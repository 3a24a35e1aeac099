/*
 * tenon — symbol visibility.
 *
 * libtenon is built with -fvisibility=hidden; only declarations marked TENON_API are
 * exported from the shared library.
 */
#ifndef TENON_EXPORT_H
#define TENON_EXPORT_H

#if defined(TENON_BUILDING_LIBRARY) && defined(__GNUC__)
#define TENON_API __attribute__((visibility("default")))
#else
#define TENON_API
#endif

/* Results that must not be ignored: every fallible call returns a tenon_err. */
#if defined(__GNUC__)
#define TENON_MUST_CHECK __attribute__((warn_unused_result))
#else
#define TENON_MUST_CHECK
#endif

#endif
