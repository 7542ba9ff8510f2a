/* The product's online half from C, against a real `licentia serve` over
 * HTTPS with a CA the test made (scripts/test-c.sh starts and stops it):
 *
 *   client_story PHASE BASE CA_FILE KEY_PEM STORE LOCKED_KEY FLOATING_KEY
 *
 * STORE holds other-ca.pem, a CA that did not sign the server's certificate,
 * pin.txt, the base64 SHA-256 of the server certificate's SPKI, and
 * spare.key, the key of one more node-locked license.
 *
 * online:  activate, check in, a second machine refused while the seat is
 *          taken, deactivate, the second machine takes it; the new
 *          revocation list fetched, and the first machine's copy of its
 *          file refused offline once the list is applied; a floating seat
 *          checked out, kept alive, refused to another, returned; a client
 *          that does not trust the server's CA keeps nothing; a pinned
 *          client connects with the right pin only.
 * offline: (the server stopped) the check-in answers the stored license,
 *          checked offline, with the reason.
 * back:    (the server started again) the check-in is online again.
 * give-back: the second machine gives its license back offline: the file
 *          deleted, STORE/give-back.request written; a spare machine does
 *          the same with the spare license (STORE/spare.request).
 *          (The test script has the back office answer give-back.request
 *          with STORE/give-back.receipt.)
 * receipt: the receipt refused for the spare license's request, accepted
 *          for its own; the freed seat taken again.
 */
#include "check.h"

#include <time.h>

/* The fingerprint of test machine `serial`. */
static licentia_fingerprint *machine(const char *serial) {
    licentia_fingerprint_builder *builder = NULL;
    licentia_fingerprint *fingerprint = NULL;
    CHECK_OK(licentia_fingerprint_builder_new("cad", &builder));
    CHECK_OK(licentia_fingerprint_builder_add_vendor(builder, "serial", serial));
    CHECK_OK(licentia_fingerprint_builder_build(builder, &fingerprint));
    return fingerprint;
}

/* A client for machine `serial`, keeping its files in STORE/serial, with
 * the certificate `pin` (or none). */
static licentia_client *pinned_client_for(char **argv, const char *serial, const char *ca,
                                          const char *pin) {
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
    if (pin != NULL) {
        CHECK_OK(licentia_client_config_add_pin(config, pin));
    }
    CHECK_OK(licentia_client_new(config, &client));
    licentia_client_config_free(config);
    licentia_fingerprint_free(fingerprint);
    free(pem);
    return client;
}

/* A client for machine `serial`, keeping its files in STORE/serial. */
static licentia_client *client_for(char **argv, const char *serial, const char *ca) {
    return pinned_client_for(argv, serial, ca, NULL);
}

/* Writes `text` to STORE/name. */
static void write_store_file(char **argv, const char *name, const char *text) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", argv[5], name);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f != NULL) {
        CHECK(fputs(text, f) >= 0);
        fclose(f);
    }
}

/* The text of STORE/name without its trailing newline (free it). */
static char *store_line(char **argv, const char *name) {
    char *text = read_file(argv[5], name);
    CHECK(text != NULL);
    if (text != NULL) {
        text[strcspn(text, "\n")] = '\0';
    }
    return text;
}

/* Whether checking `file` (machine `serial`'s license file) now, with the
 * revocation list `list` applied, reports `rule`. */
static bool refused_with(char **argv, const char *file, const char *serial, const char *list,
                         licentia_rule rule) {
    licentia_verifier *verifier = NULL;
    licentia_license *license = NULL;
    licentia_report *report = NULL;
    licentia_fingerprint *here = machine(serial);
    char *pem = read_file(argv[4][0] == '/' ? "" : ".", argv[4]);
    bool found = false;
    CHECK_OK(licentia_verifier_from_pem(pem, &verifier));
    CHECK_OK(licentia_verify(verifier, file, &license));
    if (list != NULL) {
        CHECK_OK(licentia_verifier_set_revocation_list(verifier, list, "cad"));
    }
    licentia_check_context ctx = {0};
    ctx.now = (int64_t)time(NULL);
    ctx.product = "cad";
    ctx.machine = here;
    ctx.revocations = verifier;
    CHECK_OK(licentia_check(license, &ctx, &report));
    for (size_t i = 0; i < licentia_report_finding_count(report); i++) {
        licentia_finding finding;
        CHECK_OK(licentia_report_finding(report, i, &finding));
        found |= finding.rule == rule;
    }
    CHECK(licentia_report_state(report) == (found ? LICENTIA_STATE_INVALID : LICENTIA_STATE_VALID));
    licentia_report_free(report);
    licentia_license_free(license);
    licentia_verifier_free(verifier);
    licentia_fingerprint_free(here);
    free(pem);
    return found;
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
    /* A copy of the first machine's file, as a user might keep one. */
    char first_store[4096];
    snprintf(first_store, sizeof first_store, "%s/SN-1", argv[5]);
    char *copy = read_file(first_store, "license.lic");
    CHECK(copy != NULL);
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

    /* The new revocation list names the first machine: its copy of the
     * file, valid without the list, is refused offline once it is applied;
     * the same license on the second machine still holds. */
    uint64_t sequence = 0;
    CHECK_OK(licentia_client_refresh_revocations(first, &sequence));
    CHECK(sequence > 0);
    char tiny[8];
    CHECK_STATUS(licentia_client_revocation_list(first, tiny, sizeof tiny, &len),
                 LICENTIA_BUFFER_TOO_SMALL);
    CHECK(len > sizeof tiny);
    char *list = malloc(len + 1);
    CHECK_OK(licentia_client_revocation_list(first, list, len + 1, &len));
    CHECK(strstr(list, "BEGIN LICENTIA REVOCATION LIST") != NULL);
    if (copy != NULL) {
        CHECK(!refused_with(argv, copy, "SN-1", NULL, LICENTIA_RULE_MACHINE_RELEASED));
        CHECK(refused_with(argv, copy, "SN-1", list, LICENTIA_RULE_MACHINE_RELEASED));
    }
    char second_store[4096];
    snprintf(second_store, sizeof second_store, "%s/SN-2", argv[5]);
    char *moved = read_file(second_store, "license.lic");
    CHECK(moved != NULL);
    if (moved != NULL) {
        CHECK(!refused_with(argv, moved, "SN-2", list, LICENTIA_RULE_MACHINE_RELEASED));
    }
    CHECK_OK(licentia_client_refresh_revocations(second, NULL));
    CHECK_OK(licentia_client_check_offline(second, &status));
    check_status(status, false);
    licentia_client_status_free(status);
    CHECK_STATUS(licentia_client_refresh_revocations(NULL, &sequence), LICENTIA_NULL_ARGUMENT);
    CHECK_STATUS(licentia_client_revocation_list(first, NULL, 8, &len), LICENTIA_NULL_ARGUMENT);
    free(list);
    free(moved);
    free(copy);

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

    /* Pinned: the right pin (the server certificate's SPKI) connects; any
     * other is unreachable and keeps nothing; a pin that is no SHA-256 is
     * refused when set. */
    char *pin = store_line(argv, "pin.txt");
    licentia_client *pinned = pinned_client_for(argv, "SN-2", argv[3], pin);
    CHECK_OK(licentia_client_check_in(pinned, &status));
    check_status(status, true);
    licentia_client_status_free(status);
    licentia_client_free(pinned);
    char wrong[] = "0000000000000000000000000000000000000000000000000000000000000000";
    licentia_client *elsewhere = pinned_client_for(argv, "SN-6", argv[3], wrong);
    CHECK_STATUS(licentia_client_activate(elsewhere, argv[6], &status), LICENTIA_UNREACHABLE);
    CHECK_OK(licentia_client_error_message(words, sizeof words, &len));
    CHECK(strstr(words, "pinned") != NULL);
    CHECK_STATUS(licentia_client_check_offline(elsewhere, &status), LICENTIA_NOT_ACTIVATED);
    licentia_client_free(elsewhere);
    licentia_client_config *config = NULL;
    licentia_verifier *verifier = NULL;
    char *pem = read_file(argv[4][0] == '/' ? "" : ".", argv[4]);
    CHECK_OK(licentia_verifier_from_pem(pem, &verifier));
    CHECK_OK(licentia_client_config_new(argv[2], "cad", verifier, &config));
    CHECK_STATUS(licentia_client_config_add_pin(config, "abc"), LICENTIA_INVALID_ARGUMENT);
    CHECK_STATUS(licentia_client_config_add_pin(config, NULL), LICENTIA_NULL_ARGUMENT);
    CHECK_STATUS(licentia_client_config_add_pin(NULL, pin), LICENTIA_NULL_ARGUMENT);
    licentia_client_config_free(config);
    licentia_verifier_free(verifier);
    free(pem);
    free(pin);
}

/* Machine `serial` gives its license back offline: the request into
 * STORE/name, the store left without a license. */
static void give_back(char **argv, licentia_client *client, const char *name) {
    licentia_client_status *status = NULL;
    char tiny[16];
    size_t len = 0;
    /* Too small a buffer: the length needed, and the same request after. */
    CHECK_STATUS(licentia_client_deactivate_offline(client, tiny, sizeof tiny, &len),
                 LICENTIA_BUFFER_TOO_SMALL);
    char *request = malloc(len + 1);
    CHECK_OK(licentia_client_deactivate_offline(client, request, len + 1, &len));
    CHECK(strstr(request, "BEGIN LICENTIA DEACTIVATION REQUEST") != NULL);
    CHECK_STATUS(licentia_client_check_offline(client, &status), LICENTIA_NOT_ACTIVATED);
    write_store_file(argv, name, request);
    free(request);
}

static void give_back_phase(char **argv) {
    licentia_client *second = client_for(argv, "SN-2", argv[3]);
    licentia_client *spare = client_for(argv, "SN-5", argv[3]);
    licentia_client_status *status = NULL;
    char *spare_key = store_line(argv, "spare.key");
    give_back(argv, second, "give-back.request");
    CHECK_OK(licentia_client_activate(spare, spare_key, &status));
    licentia_client_status_free(status);
    give_back(argv, spare, "spare.request");
    CHECK_STATUS(licentia_client_deactivate_offline(NULL, NULL, 0, NULL), LICENTIA_NULL_ARGUMENT);
    free(spare_key);
    licentia_client_free(spare);
    licentia_client_free(second);
}

static void receipt_phase(char **argv) {
    licentia_client *second = client_for(argv, "SN-2", argv[3]);
    licentia_client *spare = client_for(argv, "SN-5", argv[3]);
    licentia_client_status *status = NULL;
    char *receipt = read_file(argv[5], "give-back.receipt");
    CHECK(receipt != NULL && strstr(receipt, "BEGIN LICENTIA DEACTIVATION RECEIPT") != NULL);
    /* Another license's request: refused, and it stays pending. */
    CHECK_STATUS(licentia_client_accept_deactivation_receipt(spare, receipt),
                 LICENTIA_RECEIPT_MISMATCH);
    CHECK_STATUS(licentia_client_accept_deactivation_receipt(spare, "garbage"),
                 LICENTIA_NOT_LICENTIA_TEXT);
    CHECK_OK(licentia_client_accept_deactivation_receipt(second, receipt));
    CHECK_STATUS(licentia_client_accept_deactivation_receipt(second, receipt),
                 LICENTIA_NOT_ACTIVATED);
    CHECK_STATUS(licentia_client_accept_deactivation_receipt(second, NULL), LICENTIA_NULL_ARGUMENT);
    /* The seat is free: the machine takes it again. */
    CHECK_OK(licentia_client_activate(second, argv[6], &status));
    check_status(status, true);
    licentia_client_status_free(status);
    free(receipt);
    licentia_client_free(spare);
    licentia_client_free(second);
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
    } else if (strcmp(argv[1], "give-back") == 0) {
        give_back_phase(argv);
    } else if (strcmp(argv[1], "receipt") == 0) {
        receipt_phase(argv);
    } else {
        check_in(argv, true);
    }
    return finish(argv[1]);
}
