/* cli_main.c - the zksim command line (placeholder until the model lands). */
#include "sim.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        printf("usage: zksim COMMAND [OPTIONS]\n");
        return argc < 2 ? 2 : 0;
    }
    fprintf(stderr, "zksim: unknown command '%s'\n", argv[1]);
    return 2;
}
