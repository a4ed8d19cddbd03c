/* urlmap.h - upstream URLs: checks, and where a mirror holds each file. */
#ifndef OCCSNAP_URLMAP_H
#define OCCSNAP_URLMAP_H

/* Maps an upstream URL to where the mirror holds it: "https://host/a%20b" with
 * mirror "/m" gives "file:///m/host/a%20b"; with "http://127.0.0.1:8000" it
 * gives "http://127.0.0.1:8000/host/a%20b". Returns a malloc'd string (caller
 * frees), or NULL (after reporting) if url is not http(s). */
char *fetch_map_url(const char *mirror, const char *url);

/* 1 if mirror sends requests over the network (no mirror, or an http(s)://
 * base), 0 for a local directory (a path or file://); cannot fail. */
int fetch_mirror_is_remote(const char *mirror);

/* 1 if url is http(s) to bls.gov or a subdomain, else 0. */
int fetch_url_is_bls(const char *url);

/* The local path of a file:// URL, percent-decoded, malloc'd (caller
 * frees); NULL when url is not file:// or has a bad or NUL escape. */
char *fetch_file_url_path(const char *url);

/* The lowercase host of an http(s) URL in host: 0, or -1 ("") when url is
 * not one. Allocates nothing. */
int fetch_url_host(const char *url, char host[256]);

#endif
