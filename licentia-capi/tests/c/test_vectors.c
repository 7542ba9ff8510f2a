/* The shared vectors through the C ABI: every line of verdicts.txt,
 * revoked.txt and errors.txt, and the other documents, must give what the
 * Rust tests get. Usage: test_vectors [VECTORS_DIR] */
#include "check.h"

#define FIELD 512

/* The finding codes of a report, ascending and comma-joined, or "-". */
static void report_codes(const licentia_report *report, char *out, size_t cap) {
    size_t count = licentia_report_finding_count(report);
    out[0] = '\0';
    if (count == 0) {
        snprintf(out, cap, "-");
        return;
    }
    for (size_t i = 0; i < count; i++) {
        licentia_finding finding;
        CHECK_OK(licentia_report_finding(report, i, &finding));
        size_t used = strlen(out);
        snprintf(out + used, cap - used, "%s%u", i ? "," : "", (unsigned)finding.rule);
    }
}

/* Verifies FILE and checks it against one line's context; compares the
 * state and codes. `verifier` may hold a revocation list; `environment` is
 * NULL or the fake root under environments/ to probe. */
static void check_line(const char *dir, const licentia_verifier *verifier, const char *file,
                       const char *now, const char *product, const char *machine,
                       const char *release, const char *user, const char *state,
                       const char *codes, const char *environment, int line) {
    char *text = read_file(dir, file);
    CHECK(text != NULL);
    if (text == NULL) {
        return;
    }
    licentia_license *license = NULL;
    licentia_fingerprint *fingerprint = NULL;
    licentia_report *report = NULL;
    licentia_environment *seen = NULL;
    licentia_check_context ctx;
    memset(&ctx, 0, sizeof ctx);
    if (environment != NULL) {
        char root[4096];
        snprintf(root, sizeof root, "%s/environments/%s", dir, environment);
        CHECK_OK(licentia_environment_probe_root(root, &seen));
    }
    ctx.product = product;
    ctx.revocations = verifier;
    CHECK_OK(licentia_parse_time(now, &ctx.now));
    if (strcmp(machine, "-") != 0) {
        CHECK_OK(licentia_fingerprint_from_hex(machine, &fingerprint));
        ctx.machine = fingerprint;
    }
    if (strcmp(release, "-") != 0) {
        ctx.has_release_date = true;
        CHECK_OK(licentia_parse_time(release, &ctx.release_date));
    }
    if (strcmp(user, "-") != 0) {
        ctx.user = user;
    }
    CHECK_OK(licentia_verify(verifier, text, &license));
    CHECK_OK(licentia_check_in_environment(license, &ctx, NULL, seen, &report));
    if (report != NULL) {
        char got[FIELD];
        report_codes(report, got, sizeof got);
        const char *got_state = licentia_state_name(licentia_report_state(report));
        checks_run++;
        if (strcmp(got_state, state) != 0 || strcmp(got, codes) != 0) {
            checks_failed++;
            fprintf(stderr, "line %d (%s at %s): got %s %s, expected %s %s\n", line, file, now,
                    got_state, got, state, codes);
        }
    }
    licentia_report_free(report);
    licentia_license_free(license);
    licentia_fingerprint_free(fingerprint);
    licentia_environment_free(seen);
    free(text);
}

/* verdicts.txt: FILE NOW PRODUCT MACHINE RELEASE USER STATE CODES [ENVIRONMENT] */
static int verdicts(const char *dir) {
    char *table = read_file(dir, "verdicts.txt");
    licentia_verifier *verifier = issuer_verifier(dir);
    CHECK(table != NULL && verifier != NULL);
    int lines = 0, number = 0;
    for (char *line = table ? strtok(table, "\n") : NULL; line; line = strtok(NULL, "\n")) {
        number++;
        char f[9][FIELD];
        int fields = line[0] == '#' ? 0
                                    : sscanf(line, "%511s %511s %511s %511s %511s %511s %511s %511s %511s",
                                             f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8]);
        if (fields < 8) {
            continue;
        }
        check_line(dir, verifier, f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7],
                   fields == 9 ? f[8] : NULL, number);
        lines++;
    }
    licentia_verifier_free(verifier);
    free(table);
    return lines;
}

/* revoked.txt: LIST then a verdicts.txt line. */
static int revoked(const char *dir) {
    char *table = read_file(dir, "revoked.txt");
    CHECK(table != NULL);
    int lines = 0, number = 0;
    for (char *line = table ? strtok(table, "\n") : NULL; line; line = strtok(NULL, "\n")) {
        number++;
        char f[9][FIELD];
        if (line[0] == '#' ||
            sscanf(line, "%511s %511s %511s %511s %511s %511s %511s %511s %511s", f[0], f[1],
                   f[2], f[3], f[4], f[5], f[6], f[7], f[8]) != 9) {
            continue;
        }
        licentia_verifier *verifier = issuer_verifier(dir);
        char *list = read_file(dir, f[0]);
        CHECK_OK(licentia_verifier_set_revocation_list(verifier, list, f[3]));
        check_line(dir, verifier, f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], NULL, number);
        free(list);
        licentia_verifier_free(verifier);
        lines++;
    }
    free(table);
    return lines;
}

/* errors.txt: FILE CODE NAME, through licentia_verify and licentia_verify_file. */
static int errors(const char *dir) {
    char *table = read_file(dir, "errors.txt");
    licentia_verifier *verifier = issuer_verifier(dir);
    CHECK(table != NULL && verifier != NULL);
    int lines = 0;
    for (char *line = table ? strtok(table, "\n") : NULL; line; line = strtok(NULL, "\n")) {
        char file[FIELD], name[FIELD];
        unsigned code;
        if (line[0] == '#' || sscanf(line, "%511s %u %511s", file, &code, name) != 3) {
            continue;
        }
        char *text = read_file(dir, file);
        licentia_license *sentinel = (licentia_license *)&lines;
        licentia_license *license = sentinel;
        CHECK_STATUS(licentia_verify(verifier, text, &license), code);
        CHECK(license == sentinel); /* out-parameter untouched on error */
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, file);
        CHECK_STATUS(licentia_verify_file(verifier, path, &license), code);
        CHECK(license == sentinel);
        free(text);
        lines++;
    }
    licentia_verifier_free(verifier);
    free(table);
    return lines;
}

static licentia_license *verified(const licentia_verifier *verifier, const char *dir,
                                  const char *file) {
    char *text = read_file(dir, file);
    licentia_license *license = NULL;
    CHECK_OK(licentia_verify(verifier, text, &license));
    free(text);
    return license;
}

static int64_t at(const char *text) {
    int64_t secs = 0;
    CHECK_OK(licentia_parse_time(text, &secs));
    return secs;
}

/* Renewal tokens extend terms.lic and add a feature; never another license. */
static void renewals(const char *dir) {
    licentia_verifier *verifier = issuer_verifier(dir);
    licentia_license *terms = verified(verifier, dir, "licenses/terms.lic");
    licentia_license *unbound = verified(verifier, dir, "licenses/unbound.lic");
    test_files files = {.dir = dir};
    char *extend = test_file(&files, "documents/renewal_extend.renewal");
    char *compact = test_file(&files, "documents/renewal_extend.compact");
    char *feature = test_file(&files, "documents/renewal_feature.renewal");

    CHECK_STATUS(licentia_license_apply_renewal(unbound, verifier, extend),
                 LICENTIA_RENEWAL_MISMATCH);
    CHECK_OK(licentia_license_apply_renewal(terms, verifier, extend));
    CHECK_OK(licentia_license_apply_renewal(terms, verifier, compact));
    licentia_terms t;
    CHECK_OK(licentia_license_terms(terms, &t));
    CHECK(t.hard_expiry.present && t.hard_expiry.value == at("2027-12-01T00:00:00Z"));
    CHECK(t.soft_expiry.present && t.soft_expiry.value == at("2027-11-01T00:00:00Z"));

    CHECK(!licentia_license_has_feature(terms, "plugins", at("2027-01-01")));
    CHECK_OK(licentia_license_apply_renewal(terms, verifier, feature));
    CHECK(licentia_license_has_feature(terms, "plugins", at("2027-01-01")));
    CHECK(!licentia_license_has_feature(terms, "plugins", at("2027-06-01")));
    licentia_entitlement e;
    CHECK_OK(licentia_license_entitlement(terms, "plugins", at("2027-01-01"), &e));
    CHECK(e.has_count && e.count == 2 && e.expires.present &&
          e.expires.value == at("2027-06-01"));
    CHECK_STATUS(licentia_license_apply_renewal(terms, verifier, "garbage"),
                 LICENTIA_NOT_LICENTIA_TEXT);

    free_test_files(&files);
    licentia_license_free(terms);
    licentia_license_free(unbound);
    licentia_verifier_free(verifier);
}

/* A rollover signed by the trusted key makes the new key trusted. */
static void rollover(const char *dir) {
    licentia_verifier *verifier = issuer_verifier(dir);
    test_files files = {.dir = dir};
    char *license_text = test_file(&files, "documents/rollover_license.lic");
    char *good = test_file(&files, "documents/rollover.rollover");
    char *untrusted = test_file(&files, "documents/rollover_untrusted.rollover");
    licentia_license *license = NULL;
    CHECK_STATUS(licentia_verify(verifier, license_text, &license), LICENTIA_UNKNOWN_KEY_ID);
    CHECK_STATUS(licentia_verifier_accept_rollover(verifier, untrusted), LICENTIA_UNKNOWN_KEY_ID);
    CHECK_STATUS(licentia_verify(verifier, license_text, &license), LICENTIA_UNKNOWN_KEY_ID);
    CHECK_OK(licentia_verifier_accept_rollover(verifier, good));
    /* The same statement again changes nothing and is not an error. */
    CHECK_OK(licentia_verifier_accept_rollover(verifier, good));
    CHECK_OK(licentia_verify(verifier, license_text, &license));
    licentia_license_free(license);
    free_test_files(&files);
    licentia_verifier_free(verifier);
}

/* A newer list replaces an older one, never the reverse; lists are per product. */
static void revocation_lists(const char *dir) {
    licentia_verifier *verifier = issuer_verifier(dir);
    test_files files = {.dir = dir};
    char *one = test_file(&files, "documents/revocation_1.revocation");
    char *two = test_file(&files, "documents/revocation_2.revocation");
    uint64_t sequence = 77;
    CHECK_STATUS(licentia_verifier_revocation_sequence(verifier, &sequence), LICENTIA_NOT_FOUND);
    CHECK(sequence == 77);
    CHECK_STATUS(licentia_verifier_set_revocation_list(verifier, one, "other-product"),
                 LICENTIA_WRONG_PRODUCT);
    CHECK_OK(licentia_verifier_set_revocation_list(verifier, two, "acme-cad"));
    CHECK_STATUS(licentia_verifier_set_revocation_list(verifier, one, "acme-cad"),
                 LICENTIA_STALE_REVOCATION_LIST);
    CHECK_OK(licentia_verifier_revocation_sequence(verifier, &sequence));
    CHECK(sequence == 2);
    free_test_files(&files);
    licentia_verifier_free(verifier);
}

/* The request parses; its answer is accepted in its window only. */
static void activation(const char *dir) {
    licentia_verifier *verifier = issuer_verifier(dir);
    test_files files = {.dir = dir};
    char *request_text = test_file(&files, "documents/activation.request");
    char *answer = test_file(&files, "documents/activation.answer");
    licentia_activation_request *request = NULL;
    CHECK_OK(licentia_activation_request_parse(request_text, &request));

    char file[4096];
    size_t len = 0;
    CHECK_STATUS(licentia_activation_request_accept(request, verifier, answer,
                                                    at("2026-03-08T00:00:00Z"), file,
                                                    sizeof file, &len),
                 LICENTIA_ACTIVATION_MISMATCH);
    CHECK_OK(licentia_activation_request_accept(request, verifier, answer,
                                                at("2026-03-02T00:00:00Z"), file, sizeof file,
                                                &len));
    CHECK(len == strlen(file) && strstr(file, "-----BEGIN LICENTIA LICENSE-----") == file);

    licentia_license *license = NULL;
    CHECK_OK(licentia_verify(verifier, file, &license));
    licentia_binding binding;
    CHECK_OK(licentia_license_binding(license, &binding));
    CHECK(binding.kind == LICENTIA_BINDING_NODE_LOCKED && binding.machine_count == 1 &&
          binding.match_rule == LICENTIA_MATCH_MOST);
    licentia_license_free(license);

    /* A request this machine writes round-trips through its text. */
    licentia_fingerprint *machine = NULL;
    CHECK_OK(licentia_fingerprint_from_hex(
        "03609ac5750e57fd8727f95bcfff3ce06a03daa58406d6f907ab64a58baadb33254d03d444549f12"
        "6d17d5fa8afb381c28ea4e",
        &machine));
    licentia_activation_request *mine = NULL, *again = NULL;
    CHECK_OK(licentia_activation_request_new("acme-cad", "ACME-0001", machine,
                                             at("2026-03-01"), &mine));
    char text[2048], text_again[2048];
    CHECK_OK(licentia_activation_request_to_text(mine, text, sizeof text, &len));
    CHECK_OK(licentia_activation_request_parse(text, &again));
    CHECK_OK(licentia_activation_request_to_text(again, text_again, sizeof text_again, &len));
    CHECK(strcmp(text, text_again) == 0);
    licentia_activation_request_free(again);
    licentia_activation_request_free(mine);
    CHECK_STATUS(licentia_activation_request_new_for_id("acme-cad", "not-hex", machine,
                                                        at("2026-03-01"), &mine),
                 LICENTIA_INVALID_ARGUMENT);
    CHECK_OK(licentia_activation_request_new_for_id(
        "acme-cad", "1c000000000000000000000000000001", machine, at("2026-03-01"), &mine));
    licentia_activation_request_free(mine);
    licentia_fingerprint_free(machine);

    free_test_files(&files);
    licentia_activation_request_free(request);
    licentia_verifier_free(verifier);
}

/* Keys: PEM and raw forms, the untrusted key, the small-order key. */
static void keys(const char *dir) {
    test_files files = {.dir = dir};
    char *small_pem = test_file(&files, "keys/small_order.pub");
    char *other_pem = test_file(&files, "keys/other.pub");
    char *raw_hex = test_file(&files, "keys/issuer.raw");
    char *small_hex = test_file(&files, "keys/small_order.raw");
    char *unbound = test_file(&files, "licenses/unbound.lic");
    licentia_verifier *verifier = NULL;
    licentia_license *license = NULL;

    CHECK_STATUS(licentia_verifier_from_pem(small_pem, &verifier), LICENTIA_WEAK_KEY);
    CHECK(verifier == NULL);
    CHECK_STATUS(licentia_verifier_from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n", &verifier),
                 LICENTIA_KEY_FORMAT);
    CHECK_OK(licentia_verifier_from_pem(other_pem, &verifier));
    CHECK_STATUS(licentia_verify(verifier, unbound, &license), LICENTIA_UNKNOWN_KEY_ID);

    uint8_t raw[32], small[32];
    for (int i = 0; i < 32; i++) {
        unsigned a = 0, b = 0;
        CHECK(sscanf(raw_hex + 2 * i, "%2x", &a) == 1 && sscanf(small_hex + 2 * i, "%2x", &b) == 1);
        raw[i] = (uint8_t)a;
        small[i] = (uint8_t)b;
    }
    CHECK_STATUS(licentia_verifier_add_key_raw(verifier, small), LICENTIA_WEAK_KEY);
    CHECK_OK(licentia_verifier_add_key_raw(verifier, raw));
    CHECK_OK(licentia_verify(verifier, unbound, &license));
    licentia_license_free(license);
    licentia_verifier_free(verifier);

    /* A lease is not a license. */
    verifier = issuer_verifier(dir);
    char *lease = test_file(&files, "documents/lease.lease");
    license = NULL;
    CHECK_STATUS(licentia_verify(verifier, lease, &license), LICENTIA_WRONG_DOCUMENT_KIND);
    CHECK_STATUS(licentia_verify_lease(verifier, unbound, &license), LICENTIA_WRONG_DOCUMENT_KIND);
    CHECK(license == NULL);
    CHECK_OK(licentia_verify_lease(verifier, lease, &license));
    /* Issued 2026-03-01T00:00:00Z, hard expiry 08:00:00Z, machine a. */
    licentia_fingerprint *a = NULL;
    CHECK_OK(licentia_fingerprint_from_hex(
        "03609ac5750e57fd8727f95bcfff3ce06a03daa58406d6f907ab64a58baadb33254d03d444549f12"
        "6d17d5fa8afb381c28ea4e",
        &a));
    licentia_check_context ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.product = "acme-cad";
    ctx.machine = a;
    licentia_report *report = NULL;
    ctx.now = at("2026-03-01T07:59:59Z");
    CHECK_OK(licentia_check(license, &ctx, &report));
    CHECK(licentia_report_state(report) == LICENTIA_STATE_VALID);
    licentia_report_free(report);
    ctx.now = at("2026-03-01T08:00:00Z");
    CHECK_OK(licentia_check(license, &ctx, &report));
    CHECK(licentia_report_state(report) == LICENTIA_STATE_INVALID);
    licentia_report_free(report);
    licentia_fingerprint_free(a);
    licentia_license_free(license);
    char *lease_compact = test_file(&files, "documents/lease.compact");
    license = NULL;
    CHECK_OK(licentia_verify_lease(verifier, lease_compact, &license));
    licentia_license_free(license);
    licentia_verifier_free(verifier);
    free_test_files(&files);
}

int main(int argc, char **argv) {
    const char *dir = vectors_dir(argc, argv);
    int v = verdicts(dir), r = revoked(dir), e = errors(dir);
    CHECK(v > 40 && r > 5 && e > 25);
    renewals(dir);
    rollover(dir);
    revocation_lists(dir);
    activation(dir);
    keys(dir);
    printf("vectors: %d verdicts, %d revoked, %d errors\n", v, r, e);
    return finish("test_vectors");
}
