/* fuzz_config.c - libFuzzer target: configuration text through common/config (config_parse). */
#include "common/config.h"
#include "common/error.h"
#include "common/util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input is the config file's text. Never fails: errors are results. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    os_quiet = 1;
    os_warnings_quiet = 1;
    char *text = xmalloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    config *c = NULL;
    if (config_parse("fuzz.ini", text, size, &c) == 0)
        config_free(c);
    free(text);
    return 0;
}
