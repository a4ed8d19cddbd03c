/* discover.h - finding each source's newest release (DESIGN section 2a): a page that links releases, or probes of the next release's URL. */
#ifndef OCCSNAP_DISCOVER_H
#define OCCSNAP_DISCOVER_H

#include "common/config.h"

typedef struct {
    const char *mirror;       /* NULL, a directory, or an http://127.0.0.1:PORT base */
    int offline;              /* look for nothing: the newest known release */
    const char *latest_dir;   /* <out>/latest: the releases it used are known ones */
    const char *const *pins;  /* --pin ID=RELEASE, npin of them */
    size_t npin;
    long now_year;            /* the current year (UTC), where year probes start */
} discover_opts;

/* Puts every source with a release scheme on its release: a pin (--pin, else
 * the config's), else the newest of the known one (config `known`, and the
 * release the latest snapshot used: occsnap never goes back by itself) and
 * whatever the source's index page links or its probes find, a few requests
 * each (a page or probe that cannot be reached is a warning). Mutates c
 * (config_use_release). Returns OS_EUSAGE for a --pin naming no source or
 * no release of its scheme, OS_ECONFIG for a bls.gov request without a
 * contact, else OS_OK. */
int discover_run(config *c, const discover_opts *o);

/* Puts every source with a release scheme on the release discovery starts
 * from (its pin, else the newest known one: see discover_run), which
 * discovery keeps unless it finds a newer one, so that the files of those
 * releases can be fetched while discovery looks (extract_early_start).
 * discover_run sets every release again. Mutates c; returns an os_result:
 * OS_EUSAGE, unreported, for a bad --pin (discover_run reports it), or
 * OS_ECONFIG from config_use_release. */
int discover_use_start(config *c, const discover_opts *o);

/* For --allow-stale after a failed extract: puts the source that failed (the
 * one of the table why names first, else every source) back on its last
 * good release (the latest snapshot's) if it had moved to a newer one,
 * warning with why and saying so in its release note. Returns how many
 * sources it put back (0: nothing to fall back to). */
size_t discover_fall_back(config *c, const char *why);

/* The --pin ID=... for source id (the text after '='), or NULL. */
const char *discover_cli_pin(const discover_opts *o, const char *id);

/* GETs url (an upstream URL, mapped to the mirror when there is one) into
 * *text (malloc'd, NUL-terminated; the caller frees), at most 4 MiB, with
 * the download rules. Returns 1 when read, 0 when not (why says why), -1
 * after a reported error (a refused request). */
int discover_get(const config *c, const discover_opts *o, const char *url, char **text,
                 char why[256]);

/* The release that the template tmpl (e.g. "db_{major}_{minor}_text.zip")
 * names in text at its newest, of scheme; returns 1 and *best, or 0 when
 * text names none. Cannot fail. */
int discover_newest_in(const char *text, const char *tmpl, enum release_scheme scheme,
                       relver *best);

#endif
