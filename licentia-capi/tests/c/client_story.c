/* The product's online half from C, against a real `licentia serve` over
 * HTTPS with a CA the test made (scripts/test-c.sh starts and stops it):
 *
 *   client_story PHASE BASE CA_FILE KEY_PEM STORE LOCKED_KEY FLOATING_KEY
 *
 * STORE holds other-ca.pem, a CA that did not sign the server's certificate.
 *
 * online:  activate, check in, a second machine refused while the seat is
 *          taken, deactivate, the second machine takes it; a floating seat
 *          checked out, kept alive, refused to another, returned; a client
 *          that does not trust the server's CA keeps nothing.
 * offline: (the server stopped) the check-in answers the stored license,
 *          checked offline, with the reason.
 * back:    (the server started again) the check-in is online again.
 */
#include "check.h"

/* The fingerprint of test machine `serial`. */
static licentia_fingerprint *machine(const char *serial) {
    licentia_fingerprint_builder *builder = NULL;
    licentia_fingerprint *fingerprint = NULL;
    CHECK_OK(licentia_fingerprint_builder_new("cad", &builder));
    CHECK_OK(licentia_fingerprint_builder_add_vendor(builder, "serial", serial));
    CHECK_OK(licentia_fingerprint_builder_build(builder, &fingerprint));
    return fingerprint;
}

/* A client for machine `serial`, keeping its files in STORE/serial. */
static licentia_client *client_for(char **argv, const char *serial, const char *ca) {
    licentia_verifier *verifier = NULL;
    licentia_client_config *config = NULL;
    licentia_client *client = NULL;
    licentia_fingerprint *fingerprint = machine(serial);
    char *pem = read_file(argv[4][0] == '/' ? "" : ".", argv[4]);
    char store[4096];
    snprintf(store, sizeof store, "%s/%s", argv[5], serial);
    CHECK_OK(licentia_verifier_from_pem(pem, &verifier));
    CHECK_OK(licentia_client_config_new(argv[2], "cad", verifier, &config));
    licentia_verifier_free(verifier);
    CHECK_OK(licentia_client_config_set_store(config, store));
    CHECK_OK(licentia_client_config_set_ca_file(config, ca));
    CHECK_OK(licentia_client_config_set_machine(config, fingerprint));
    CHECK_OK(licentia_client_config_set_timeout_ms(config, 5000));
    CHECK_OK(licentia_client_config_set_retries(config, 1, 50));
    CHECK_OK(licentia_client_new(config, &client));
    licentia_client_config_free(config);
    licentia_fingerprint_free(fingerprint);
    free(pem);
    return client;
}

/* Checks that `status` came online (or not) with a valid report. */
static void check_status(licentia_client_status *status, bool online) {
    licentia_report *report = NULL;
    CHECK(licentia_client_status_online(status) == online);
    CHECK_OK(licentia_client_status_report(status, &report));
    CHECK(licentia_report_state(report) != LICENTIA_STATE_INVALID);
    licentia_report_free(report);
}

static void online(char **argv) {
    licentia_client *first = client_for(argv, "SN-1", argv[3]);
    licentia_client *second = client_for(argv, "SN-2", argv[3]);
    licentia_client_status *status = NULL;
    licentia_license *license = NULL;
    char words[512];
    size_t len = 0;

    CHECK_STATUS(licentia_client_check_offline(first, &status), LICENTIA_NOT_ACTIVATED);
    CHECK_OK(licentia_client_activate(first, argv[6], &status));
    check_status(status, true);
    CHECK_OK(licentia_client_status_license(status, &license));
    CHECK(licentia_license_seats(license) == 1);
    licentia_license_free(license);
    licentia_client_status_free(status);
    licentia_validation view;
    CHECK_OK(licentia_client_validate(first, &view));
    CHECK(view.standing == LICENTIA_STANDING_ACTIVE && view.activated && !view.refreshed);
    CHECK(view.seats == 1 && view.seats_used == 1);
    CHECK_STATUS(licentia_client_validate(first, NULL), LICENTIA_NULL_ARGUMENT);
    CHECK_OK(licentia_client_check_in(first, &status));
    check_status(status, true);
    CHECK_STATUS(licentia_client_status_offline_reason(status, words, sizeof words, &len),
                 LICENTIA_NOT_FOUND);
    licentia_client_status_free(status);

    /* One seat: the second machine is refused, with the server's words. */
    status = NULL;
    CHECK_STATUS(licentia_client_activate(second, argv[6], &status), LICENTIA_REFUSED);
    CHECK(status == NULL);
    CHECK_OK(licentia_client_error_message(words, sizeof words, &len));
    CHECK(strstr(words, "no_seat_available") != NULL);
    CHECK_STATUS(licentia_client_check_in(second, &status), LICENTIA_NOT_ACTIVATED);

    /* The first gives its machine back; the second takes the seat. */
    CHECK_OK(licentia_client_deactivate(first));
    CHECK_STATUS(licentia_client_check_offline(first, &status), LICENTIA_NOT_ACTIVATED);
    CHECK_OK(licentia_client_activate(second, argv[6], &status));
    check_status(status, true);
    licentia_client_status_free(status);

    /* A floating seat: out, kept alive, refused to another, given back. */
    int64_t ends = 0, again = 0;
    bool renewed = true;
    CHECK_OK(licentia_client_checkout_lease(first, argv[7], &ends));
    CHECK(ends > 0);
    CHECK_OK(licentia_client_heartbeat_if_due(first, argv[7], &renewed, &again));
    CHECK(!renewed && again == ends); /* not yet half-way */
    CHECK_STATUS(licentia_client_checkout_lease(second, argv[7], NULL), LICENTIA_REFUSED);
    CHECK_OK(licentia_client_return_lease(first, argv[7]));
    CHECK_STATUS(licentia_client_return_lease(first, argv[7]), LICENTIA_NOT_ACTIVATED);
    CHECK_OK(licentia_client_checkout_lease(second, argv[7], NULL));
    CHECK_OK(licentia_client_return_lease(second, argv[7]));

    /* NULL and garbage arguments are refused, never a crash. */
    CHECK_STATUS(licentia_client_activate(NULL, argv[6], &status), LICENTIA_NULL_ARGUMENT);
    CHECK_STATUS(licentia_client_activate(first, NULL, &status), LICENTIA_NULL_ARGUMENT);
    CHECK_STATUS(licentia_client_activate(first, argv[6], NULL), LICENTIA_NULL_ARGUMENT);
    CHECK_STATUS(licentia_client_error_message(words, 1, &len), LICENTIA_BUFFER_TOO_SMALL);
    CHECK(!licentia_client_status_online(NULL));
    licentia_client_free(NULL);
    licentia_client_status_free(NULL);

    licentia_client_free(first);
    licentia_client_free(second);

    /* A client trusting another CA reaches nothing and keeps nothing. */
    char other_ca[4096];
    snprintf(other_ca, sizeof other_ca, "%s/other-ca.pem", argv[5]);
    licentia_client *stranger = client_for(argv, "SN-3", other_ca);
    CHECK_STATUS(licentia_client_activate(stranger, argv[6], &status), LICENTIA_UNREACHABLE);
    CHECK_STATUS(licentia_client_check_offline(stranger, &status), LICENTIA_NOT_ACTIVATED);
    licentia_client_free(stranger);
}

/* The second machine, holding the activation, checks in. */
static void check_in(char **argv, bool expect_online) {
    licentia_client *second = client_for(argv, "SN-2", argv[3]);
    licentia_client_status *status = NULL;
    char reason[512];
    size_t len = 0;
    CHECK_OK(licentia_client_check_in(second, &status));
    check_status(status, expect_online);
    licentia_status why = licentia_client_status_offline_reason(status, reason, sizeof reason, &len);
    CHECK(why == (expect_online ? LICENTIA_NOT_FOUND : LICENTIA_OK));
    licentia_client_status_free(status);
    licentia_client_free(second);
}

int main(int argc, char **argv) {
    if (argc != 8) {
        fprintf(stderr, "usage: %s PHASE BASE CA KEY_PEM STORE LOCKED_KEY FLOATING_KEY\n", argv[0]);
        return 2;
    }
    if (strcmp(argv[1], "online") == 0) {
        online(argv);
    } else if (strcmp(argv[1], "offline") == 0) {
        check_in(argv, false);
    } else {
        check_in(argv, true);
    }
    return finish(argv[1]);
}
