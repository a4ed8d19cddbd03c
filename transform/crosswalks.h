/* crosswalks.h - the code crosswalks every transform step shares: O*NET-SOC 2010 -> 2019, SOC 2010 -> 2018, O*NET-SOC -> NEM. */
#ifndef OCCSNAP_CROSSWALKS_H
#define OCCSNAP_CROSSWALKS_H

#include "transform/context.h"
#include "transform/mapping.h"

/* Loads the O*NET-SOC 2010 -> 2019 crosswalk (table onet_xwalk_2010_2019)
 * into xw (the caller's, initialised); returns an os_result naming the row
 * of a bad code pair. */
int tf_load_onet_xwalk(tf *t, codemap *xw);

/* Loads the BLS SOC 2010 -> 2018 crosswalk (soc_2010_2018) into xw (the
 * caller's, initialised), each target checked against the SOC 2018 structure
 * (soc_structure_2018); fails with OS_EDATA naming table, file, row and value
 * of a bad code or of a target that is not a detailed code. */
int tf_load_soc_xwalk(tf *t, codemap *xw);

/* Loads the BLS O*NET-SOC -> NEM crosswalk into t->nem_of; returns an
 * os_result naming the row of a bad code pair. */
int tf_load_nem(tf *t);

#endif
