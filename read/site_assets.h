/* site_assets.h - the site's one stylesheet and one script, as text. */
#ifndef OCCSNAP_SITE_ASSETS_H
#define OCCSNAP_SITE_ASSETS_H

/* style.css: system fonts only, colours of at least 4.5:1 contrast for text. */
extern const char SITE_CSS[];
/* site.js: the index's search (titles, alternate and reported titles) and
 * sorting, plain JavaScript that needs no server and no network. */
extern const char SITE_JS[];

#endif
