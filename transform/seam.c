/* seam.c - what the transform's C code reads from the configuration, checked when the config loads. */
#include "transform/transform.h"
#include "common/error.h"

#include <stdio.h>
#include <string.h>

/* A column the C code reads: "name", or "name|oews" when it also reads the
 * <name>_flag that only a column of that type has. */
typedef struct {
    const char *table;   /* a [table] id the C code names */
    int declared;        /* 1: the table must be in the config; 0: only if it is */
    const char *cols[24];
} c_read;

#define ELEMENT_COLS \
    {"onet_code", "element_id", "element_name", "scale_id", "data_value|real", \
     "recommend_suppress", "not_relevant"}

/* Every fixed table the transform opens, with the columns it reads (keep in
 * step with the tf_open_staged calls: t_config_seam.sh drops each one). */
static const c_read FIXED[] = {
    {"onet_occupation", 1, {"onet_code", "title", "description"}},
    {"onet_task", 1, {"onet_code", "task_id", "task", "task_type", "incumbents_responding",
                      "date", "domain_source"}},
    {"onet_alt_titles", 1, {"onet_code", "title", "short_title", "sources"}},
    {"onet_reported_titles", 1, {"onet_code", "title", "shown_in_my_next_move"}},
    {"onet_technology", 1, {"onet_code", "example", "commodity_code", "commodity_title",
                            "hot_technology", "in_demand"}},
    {"onet_job_zones", 1, {"onet_code", "job_zone"}},
    {"onet_knowledge", 0, ELEMENT_COLS},
    {"onet_knowledge_xlsx", 0, ELEMENT_COLS},
    {"onet_skills", 0, ELEMENT_COLS},
    {"onet_skills_xlsx", 0, ELEMENT_COLS},
    {"onet_abilities", 0, ELEMENT_COLS},
    {"onet_essential_skills", 0, ELEMENT_COLS},
    {"onet_essential_skills_xlsx", 0, ELEMENT_COLS},
    {"onet_transferable_skills", 0, ELEMENT_COLS},
    {"onet_transferable_skills_xlsx", 0, ELEMENT_COLS},
    {"onet_abilities_xlsx", 0, ELEMENT_COLS},
    {"onet_xwalk_2010_2019", 1, {"onet2010", "onet2019"}},
    {"bls_nem_xwalk", 1, {"onet_code", "nem_code"}},
    {"soc_2010_2018", 1, {"soc2010", "soc2018"}},
    {"soc_structure_2018", 1, {"detailed"}},
    {"ep_occupation", 1, {"nem_title", "nem_code", "occ_type", "emp_base", "emp_proj",
                          "change_num", "change_pct", "self_employed_pct", "openings",
                          "median_wage|ep", "education", "experience", "training"}},
    {"oews_national", 1, {"occ_code", "occ_title", "o_group", "annual", "hourly",
                          "tot_emp|oews", "emp_prse|oews", "h_mean|oews", "a_mean|oews",
                          "h_median|oews", "a_median|oews", "h_pct10|oews", "h_pct25|oews",
                          "h_pct75|oews", "h_pct90|oews", "a_pct10|oews", "a_pct25|oews",
                          "a_pct75|oews", "a_pct90|oews"}},
};

/* The columns of each table an [aei] section names, by its role. */
static const struct {
    const char *key;
    const char *cols[10];
} AEI_ROLES[] = {
    {"tasks", {"task_name", "pct"}},
    {"patterns", {"task_name", "directive", "feedback_loop", "task_iteration", "validation",
                  "learning", "filtered"}},
    {"raw", {"facet", "variable", "cluster_name", "value"}},
    {"statements", {"onet_code", "task_id", "task"}},
};

/* The measures the C code computes: each must be declared, computed_by it. */
static const struct {
    const char *name; /* NULL: the [methodology] composite */
    enum cfg_computed by;
} COMPUTED[] = {
    {NULL, COMPUTED_COMPOSITE},
    {"aei_usage_pct", COMPUTED_ECONOMIC_INDEX},
};

/* Checks that [table id] has each column in cols (with the type a "|type"
 * suffix names), for the C code in what ("the transform", "[aei X] raw");
 * returns OS_ECONFIG naming the file, section and key. */
static int has_columns(const config *c, const char *id, const char *const *cols,
                       const char *what)
{
    const cfg_table *t = config_table(c, id);
    for (size_t k = 0; k < 24 && cols[k]; k++) {
        const char *bar = strchr(cols[k], '|');
        size_t len = bar ? (size_t)(bar - cols[k]) : strlen(cols[k]);
        int found = -1;
        for (size_t j = 0; j < t->ncol; j++)
            if (strlen(t->col[j].name) == len && !strncmp(t->col[j].name, cols[k], len))
                found = (int)j;
        if (found < 0)
            return os_error(OS_ECONFIG, "%s: [table %s] col.%.*s: missing, and %s reads it",
                            c->path, id, (int)len, cols[k], what);
        enum cfg_type ty = t->col[found].type;
        const char *want = bar ? bar + 1 : NULL;
        if (want && !((!strcmp(want, "oews") && ty == CFG_OEWS) ||
                       (!strcmp(want, "ep") && ty == CFG_EP) ||
                       (!strcmp(want, "real") && ty == CFG_REAL)))
            return os_error(OS_ECONFIG, "%s: [table %s] col.%.*s: must be typed | %s, as %s "
                            "reads it", c->path, id, (int)len, cols[k], want, what);
    }
    return OS_OK;
}

int transform_check_config(const config *c)
{
    if (!c->has_methodology)
        return os_error(OS_ECONFIG, "%s: [methodology]: missing; the composite index and the "
                        "percentile labels are configured there (see config/occsnap.ini)",
                        c->path);
    int rc = OS_OK;
    for (size_t k = 0; !rc && k < sizeof FIXED / sizeof *FIXED; k++) {
        if (!config_table(c, FIXED[k].table)) {
            if (FIXED[k].declared)
                rc = os_error(OS_ECONFIG, "%s: [table %s]: missing, and the transform reads it",
                              c->path, FIXED[k].table);
            continue;
        }
        rc = has_columns(c, FIXED[k].table, FIXED[k].cols, "the transform");
    }
    for (size_t i = 0; !rc && i < c->naei; i++) {
        const cfg_aei *a = &c->aei[i];
        const char *ref[] = {a->tasks, a->patterns, a->raw, a->statements};
        for (size_t k = 0; !rc && k < 4; k++)
            if (ref[k]) {
                char what[128];
                snprintf(what, sizeof what, "[aei %s] %s", a->release, AEI_ROLES[k].key);
                rc = has_columns(c, ref[k], AEI_ROLES[k].cols, what);
            }
    }
    for (size_t k = 0; !rc && k < sizeof COMPUTED / sizeof *COMPUTED; k++) {
        const char *name = COMPUTED[k].name ? COMPUTED[k].name : c->composite;
        const cfg_measure *m = config_measure(c, name);
        if (!m || m->computed_by != COMPUTED[k].by)
            rc = os_error(OS_ECONFIG, "%s: [measure %s] computed_by: the C code computes %s, "
                          "so the config declares it with computed_by = %s", c->path, name, name,
                          config_computed_name(COMPUTED[k].by));
    }
    for (size_t i = 0; !rc && i < c->nmeas; i++) {
        const cfg_measure *m = &c->meas[i];
        int known = !m->computed_by;
        for (size_t k = 0; !known && k < sizeof COMPUTED / sizeof *COMPUTED; k++)
            known = m->computed_by == COMPUTED[k].by &&
                    !strcmp(m->name, COMPUTED[k].name ? COMPUTED[k].name : c->composite);
        if (!known)
            rc = os_error(OS_ECONFIG, "%s: [measure %s] computed_by: the C code computes no "
                          "measure of that name (%s computes %s)", c->path, m->name,
                          config_computed_name(m->computed_by),
                          m->computed_by == COMPUTED_COMPOSITE ? c->composite : "aei_usage_pct");
    }
    return rc;
}
