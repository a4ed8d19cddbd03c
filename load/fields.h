/* fields.h - what every exported column means: its description (unit and origin) and whether it is a boolean. */
#ifndef OCCSNAP_FIELDS_H
#define OCCSNAP_FIELDS_H

/* The fixed words for column of table (a snapshot table, or "occupations"
 * for the profile view): the table's own entry, else the entry every table
 * shares, else NULL (a measure's columns are worded from measure_info by
 * the caller). *boolean is set to 1 for a 0/1 column exported as
 * true/false. Static strings; cannot fail. */
const char *fields_describe(const char *table, const char *column, int *boolean);

/* One sentence on what a snapshot table holds, for its Data Package
 * resource; a static string, NULL for an unknown table. */
const char *fields_table_title(const char *table);

#endif
