/* test_util.h - shared helpers for the CUnit suites. */
#ifndef TEST_UTIL_H
#define TEST_UTIL_H

#include <CUnit/CUnit.h>

typedef struct {
    const char *name;
    void (*fn)(void);
} TestCase;

/* Adds a suite holding cases[0..n) to the registry. */
void test_add_suite(const char *name, const TestCase *cases, size_t n);

#define TEST_SUITE(name, cases) test_add_suite((name), (cases), sizeof(cases) / sizeof((cases)[0]))

/* Each suite file defines one of these; test_main.c calls them all. */
void tests_rng_register(void);
void tests_queue_register(void);
void tests_map_register(void);
void tests_core_register(void);
void tests_net_register(void);
void tests_disk_register(void);
void tests_trace_register(void);
void tests_tree_register(void);
void tests_zab_register(void);
void tests_client_register(void);
void tests_scn_register(void);
void tests_run_register(void);
void tests_out_register(void);
void tests_hist_register(void);
void tests_fuzz_register(void);

#endif
