/* extract.c - the extract stage: fetch every configured file, then stage its tables. */
#include "extract/extract.h"
#include "common/error.h"
#include "common/util.h"
#include "extract/fetch.h"
#include "extract/stage.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A distinct file to fetch, shared by the tables read from it. */
typedef struct {
    const cfg_table *first;
    char *dest;
    int optional; /* only when every table read from it is optional */
} file_plan;

static size_t plan_files(const config *c, const char *cache_dir, file_plan *plan)
{
    size_t n = 0;
    for (size_t i = 0; i < c->ntab; i++) {
        const cfg_table *t = &c->tab[i];
        size_t k;
        for (k = 0; k < n; k++)
            if (!strcmp(plan[k].first->source, t->source) && !strcmp(plan[k].first->url, t->url))
                break;
        if (k < n) {
            plan[k].optional &= t->optional;
            continue;
        }
        plan[n].first = t;
        plan[n].dest = xasprintf("%s/raw/%s/%s", cache_dir, t->source, t->cache_name);
        plan[n].optional = t->optional;
        n++;
    }
    return n;
}

static int file_index(const file_plan *plan, size_t n, const cfg_table *t)
{
    for (size_t k = 0; k < n; k++)
        if (!strcmp(plan[k].first->source, t->source) && !strcmp(plan[k].first->url, t->url))
            return (int)k;
    return -1;
}

int extract_run(const config *c, const extract_opts *opt)
{
    file_plan *plan = xcalloc(c->ntab, sizeof *plan);
    size_t n = plan_files(c, opt->cache_dir, plan);
    fetch_request *req = xcalloc(n, sizeof *req);
    fetch_receipt *rec = xcalloc(n, sizeof *rec);
    for (size_t k = 0; k < n; k++) {
        const cfg_table *t = plan[k].first;
        req[k] = (fetch_request){t->source, t->url, plan[k].dest,
                                 t->member || t->format == CFG_XLSX ? FETCH_EXPECT_ZIP
                                                                    : FETCH_EXPECT_TEXT,
                                 plan[k].optional};
    }
    fetch_options fo = {
        .mirror = opt->mirror,
        .user_agent = c->user_agent,
        .contact = c->contact,
        .max_bytes = c->max_download_bytes,
        .connect_timeout_s = c->connect_timeout_s,
        .timeout_s = c->timeout_s,
        .max_parallel = c->parallel > 0 ? c->parallel : 1,
        .retries = c->retries,
        .offline = opt->offline,
        .allow_stale = opt->allow_stale,
    };
    int rc = fetch_all(&fo, req, n, rec);

    /* A pinned sha256 guards against an upstream file changing unnoticed. */
    for (size_t i = 0; !rc && i < c->ntab; i++) {
        const cfg_table *t = &c->tab[i];
        int k = file_index(plan, n, t);
        if (t->sha256 && rec[k].ok && strcmp(t->sha256, rec[k].sha256))
            rc = os_error(OS_EFETCH, "%s: %s has sha256 %s, but the config pins %s", t->id,
                          t->url, rec[k].sha256, t->sha256);
    }

    char *stage_path = xasprintf("%s/stage.sqlite", opt->cache_dir);
    char *tmp = xasprintf("%s.tmp.%ld", stage_path, (long)getpid());
    sqlite3 *db = NULL;
    if (!rc)
        rc = stage_create(tmp, &db);
    if (!rc)
        rc = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK
                 ? OS_OK
                 : os_error(OS_EIO, "stage: %s", sqlite3_errmsg(db));
    for (size_t k = 0; !rc && k < n; k++)
        rc = stage_record_file(db, plan[k].first->source, plan[k].dest, &rec[k]);
    for (size_t i = 0; !rc && i < c->ntab; i++) {
        const cfg_table *t = &c->tab[i];
        int k = file_index(plan, n, t);
        if (!rec[k].ok)
            rc = stage_record_missing(db, t, rec[k].error[0] ? rec[k].error : "not fetched");
        else
            rc = stage_table(db, c, t, plan[k].dest);
    }
    if (!rc && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        rc = os_error(OS_EIO, "stage: %s", sqlite3_errmsg(db));
    if (db && sqlite3_close(db) != SQLITE_OK && !rc)
        rc = os_error(OS_EIO, "cannot close %s", tmp);
    if (!rc && rename(tmp, stage_path) != 0)
        rc = os_error(OS_EIO, "cannot rename %s to %s", tmp, stage_path);
    if (rc)
        unlink(tmp);
    for (size_t k = 0; k < n; k++)
        free(plan[k].dest);
    free(plan);
    free(req);
    free(rec);
    free(stage_path);
    free(tmp);
    return rc;
}
