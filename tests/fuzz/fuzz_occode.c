/* fuzz_occode.c - libFuzzer target: occupation code spellings through transform/occode. */
#include "transform/occode.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Never fails; aborts when a parsed code breaks its documented shape. */
static void check_shape(const occode *c)
{
    if (strlen(c->soc) != 7 || c->soc[2] != '-' || strlen(c->onet) != 10 ||
        strncmp(c->onet, c->soc, 7) != 0 || c->onet[7] != '.')
        abort();
    for (int i = 0; i < 10; i++)
        if (i != 2 && i != 7 && !isdigit((unsigned char)c->onet[i]))
            abort();
    char broad[8];
    occode_broad(c->soc, broad);
    if (strlen(broad) != 7 || strncmp(broad, c->soc, 6) != 0)
        abort();
}

/* The input is one cell's text (cut at its first NUL). Never fails. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    occode c;
    if (occode_parse(text, &c) == 0)
        check_shape(&c);
    free(text);
    return 0;
}
