/* site.h - `occsnap site`: a static website of every role page, written from a snapshot and published by rename. */
#ifndef OCCSNAP_SITE_H
#define OCCSNAP_SITE_H

typedef struct {
    const char *snapshot; /* snapshot directory (holding occsnap.sqlite and manifest.json) */
    const char *out;      /* the site's directory, replaced whole when complete */
    const char *base_url; /* "https://example.org/occ" for canonical URLs, or NULL */
} site_opts;

/* Writes the site of every occupation of the snapshot: index.html,
 * roles/role-<code>.html, style.css, site.js and data/occupations.json,
 * first under a temporary name beside out, then renamed to out (an earlier
 * site there is replaced; any other non-empty directory is refused).
 * Returns an os_result: OS_EUSAGE (2) for a bad --base-url or an out that
 * is not a site, OS_EIO (7) when the snapshot cannot be read or a file
 * cannot be written (nothing is left at out then but what was there).
 * Prints one summary line to stderr. */
int site_run(const site_opts *opt);

#endif
