/* Unit tests of kubernetes: cloud and zone read from Node objects, hostile ones included. */
/* cmocka.h needs these first */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "kubernetes.h"

static void test_node(void **state)
{
    (void)state;
    char cloud[64] = "unknown", zone[64] = "unknown";
    const char *gke = "{\"metadata\":{\"name\":\"n1\",\"labels\":{\"topology.kubernetes.io/zone\":"
                      "\"us-central1-a\",\"failure-domain.beta.kubernetes.io/zone\":\"old\"}},"
                      "\"spec\":{\"providerID\":\"gce://proj/us-central1-a/n1\"}}";
    assert_true(kubernetes_parse_node(gke, strlen(gke), cloud, sizeof cloud, zone, sizeof zone));
    assert_string_equal(cloud, "gce");
    assert_string_equal(zone, "us-central1-a");

    strcpy(cloud, "unknown"), strcpy(zone, "unknown");
    const char *old = "{\"metadata\":{\"labels\":{\"failure-domain.beta.kubernetes.io/zone\":"
                      "\"eu-west-1b\"}},\"spec\":{\"providerID\":\"aws:///eu-west-1b/i-1\"}}";
    assert_true(kubernetes_parse_node(old, strlen(old), cloud, sizeof cloud, zone, sizeof zone));
    assert_string_equal(cloud, "aws");
    assert_string_equal(zone, "eu-west-1b");

    strcpy(cloud, "unknown"), strcpy(zone, "unknown");
    const char *minikube = "{\"metadata\":{\"name\":\"minikube\",\"labels\":{}},\"spec\":{}}";
    assert_true(
        kubernetes_parse_node(minikube, strlen(minikube), cloud, sizeof cloud, zone, sizeof zone));
    assert_string_equal(cloud, "unknown");
    assert_string_equal(zone, "unknown");

    const char *hostile = "{\"metadata\":{\"labels\":{\"topology.kubernetes.io/zone\":"
                          "\"a\\u0001b\"}},\"spec\":{\"providerID\":\"://x\"}}";
    assert_true(
        kubernetes_parse_node(hostile, strlen(hostile), cloud, sizeof cloud, zone, sizeof zone));
    assert_string_equal(zone, "unknown");
    assert_string_equal(cloud, "unknown");
    assert_false(kubernetes_parse_node("[1]", 3, cloud, sizeof cloud, zone, sizeof zone));
    assert_false(kubernetes_parse_node("nope", 4, cloud, sizeof cloud, zone, sizeof zone));
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_node)};
    return cmocka_run_group_tests_name("kubernetes", tests, NULL, NULL);
}
