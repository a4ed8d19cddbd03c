/* verify.h - re-hash a published snapshot against its manifest and re-run its data tests. */
#ifndef OCCSNAP_VERIFY_H
#define OCCSNAP_VERIFY_H

#include <stdio.h>

/* Checks every file listed in dir/manifest.json (bytes and sha256) and
 * re-runs the data tests on dir/occsnap.sqlite; prints what it checked and
 * every mismatch. Returns OS_OK, OS_EDATA when anything differs or fails. */
int verify_run(const char *dir, FILE *out);

#endif
