/* test_main.c - runs every CUnit suite; exit status 1 if any test fails. */
#include "test_util.h"

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>

void test_add_suite(const char *name, const TestCase *cases, size_t n)
{
    CU_pSuite s = CU_add_suite(name, NULL, NULL);
    if (!s) {
        fprintf(stderr, "cannot add suite %s\n", name);
        exit(2);
    }
    for (size_t i = 0; i < n; i++)
        CU_add_test(s, cases[i].name, cases[i].fn);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    tests_rng_register();
    tests_queue_register();
    tests_map_register();
    tests_core_register();
    tests_net_register();
    tests_disk_register();
    tests_trace_register();
    tests_tree_register();
    tests_zab_register();
    tests_client_register();
    tests_scn_register();
    tests_run_register();
    tests_out_register();
    tests_hist_register();
    tests_fuzz_register();
    CU_basic_set_mode(CU_BRM_NORMAL);
    CU_basic_run_tests();
    unsigned tests_failed = CU_get_number_of_tests_failed();
    unsigned failures = CU_get_number_of_failures();
    unsigned run = CU_get_number_of_tests_run();
    CU_cleanup_registry();
    printf("%u passed, %u failed\n", run - tests_failed, tests_failed);
    return failures || tests_failed ? 1 : 0;
}
