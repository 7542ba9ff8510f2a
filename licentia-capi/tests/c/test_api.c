/* The C ABI's contract, function by function: accessors, issuance, the
 * clock guard and its options, metering, NULL for every pointer argument, buffers too small
 * by one, free of NULL, invalid UTF-8, and the panic boundary.
 * Usage: test_api [VECTORS_DIR] */
#define _POSIX_C_SOURCE 200809L /* mkstemp, mkdtemp */
#include "check.h"

#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

/* Replaces the file at `path` with `text`. */
static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f != NULL) {
        CHECK(fputs(text, f) >= 0);
        CHECK(fclose(f) == 0);
    }
}

static const char *MACHINE_A =
    "03609ac5750e57fd8727f95bcfff3ce06a03daa58406d6f907ab64a58baadb33254d03d444549f12"
    "6d17d5fa8afb381c28ea4e";
static const char *MACHINE_B =
    "03ba22ceea9170b2969de6d2f4a639f1850307ad96a7b9a1a3ad2dec47c873645f7d03a3121055e7"
    "81214c5172b26422c5775f";

/* The last string CHECK_STRING read. */
static char last[8192];

/* Compares `last` with `expected`, unless `expected` is NULL. */
static void expect_string(int line, const char *expected) {
    if (expected != NULL && strcmp(last, expected) != 0) {
        checks_failed++;
        fprintf(stderr, "test_api.c:%d: got \"%s\", expected \"%s\"\n", line, last, expected);
    }
}

/* Runs a string-out call three times — the length query (NULL, 0), a buffer
 * too small by one (must stay untouched), an exact buffer — and compares the
 * result with `expected` (skipped when NULL). `call` passes p_, cap_ and
 * &n_ as its buffer, buffer length and out_len. */
#define CHECK_STRING(call, expected)                                                    \
    do {                                                                                \
        char *p_ = NULL;                                                                \
        size_t cap_ = 0, n_ = 12345, needed_;                                           \
        last[0] = '\0';                                                                 \
        CHECK_STATUS(call, LICENTIA_BUFFER_TOO_SMALL);                                  \
        needed_ = n_;                                                                   \
        CHECK(needed_ < sizeof last);                                                   \
        if (needed_ >= sizeof last) {                                                   \
            break;                                                                      \
        }                                                                               \
        memset(last, 'x', sizeof last);                                                 \
        p_ = last;                                                                      \
        cap_ = needed_;                                                                 \
        n_ = 12345;                                                                     \
        CHECK_STATUS(call, LICENTIA_BUFFER_TOO_SMALL);                                  \
        CHECK(n_ == needed_ && last[0] == 'x' && (needed_ == 0 || last[needed_ - 1] == 'x')); \
        cap_ = needed_ + 1;                                                             \
        CHECK_OK(call);                                                                 \
        CHECK(n_ == needed_ && strlen(last) == needed_);                                \
        expect_string(__LINE__, expected);                                              \
    } while (0)

static int64_t at(const char *text) {
    int64_t secs = 0;
    CHECK_OK(licentia_parse_time(text, &secs));
    return secs;
}

static void versions(void) {
    CHECK(strcmp(licentia_version(), "0.1.0") == 0);
    CHECK(licentia_format_version() == 1);
    const uint8_t *list = NULL;
    size_t count = 0;
    CHECK_OK(licentia_supported_format_versions(&list, &count));
    CHECK(count >= 1 && list != NULL && list[0] == 1);

    CHECK(strcmp(licentia_status_message(LICENTIA_OK), "ok") == 0);
    CHECK(strstr(licentia_status_message(LICENTIA_BAD_SIGNATURE), "signature") != NULL);
    CHECK(strcmp(licentia_status_message(4242), "unknown status") == 0);
    for (unsigned s = 0; s < 6000; s++) {
        CHECK(licentia_status_message(s) != NULL);
    }
    CHECK(strcmp(licentia_rule_name(LICENTIA_RULE_EXPIRED), "expired") == 0);
    CHECK(strcmp(licentia_rule_name(LICENTIA_RULE_CHECK_IN_DUE), "check_in_due") == 0);
    CHECK(licentia_rule_name(100) == NULL);
    CHECK(strcmp(licentia_state_name(LICENTIA_STATE_VALID_WITH_WARNINGS),
                 "valid_with_warnings") == 0);
    CHECK(licentia_state_name(3) == NULL);

    int64_t t = 0;
    CHECK_OK(licentia_parse_time("2027-01-31", &t));
    CHECK(t == 1801353600);
    CHECK_OK(licentia_parse_time("2027-01-31T01:00:00+01:00", &t));
    CHECK(t == 1801353600);
    t = 5;
    CHECK_STATUS(licentia_parse_time("tomorrow", &t), LICENTIA_INVALID_ARGUMENT);
    CHECK(t == 5);
    CHECK_STRING(licentia_format_time(1801353600, p_, cap_, &n_), "2027-01-31T00:00:00Z");
}

/* Every accessor on licenses/full.lic, which sets every field. */
static void accessors(const char *dir) {
    licentia_verifier *verifier = issuer_verifier(dir);
    char *full = read_file(dir, "licenses/full.lic");
    licentia_license *l = NULL;
    CHECK_OK(licentia_verify(verifier, full, &l));

    CHECK_STRING(licentia_license_id(l, p_, cap_, &n_), NULL);
    CHECK(strlen(last) == 32 && strcmp(last + 30, "0f") == 0);
    CHECK_STRING(licentia_license_product(l, p_, cap_, &n_), "acme-cad");
    CHECK_STRING(licentia_license_licensee_name(l, p_, cap_, &n_),
                 "Soci\xc3\xa9t\xc3\xa9 Exemplaire, Z\xc3\xbcrich");
    CHECK_STRING(licentia_license_licensee_email(l, p_, cap_, &n_), "licences@exemple.ch");
    CHECK_STRING(licentia_license_customer_ref(l, p_, cap_, &n_), "CUST-00042");
    CHECK_STRING(licentia_license_key_id(l, p_, cap_, &n_), NULL);
    CHECK(strlen(last) == 16);
    CHECK(licentia_license_kind(l) == LICENTIA_KIND_STANDARD);
    CHECK(licentia_license_seats(l) == 25);
    char buf[64];
    size_t n = 77;
    CHECK_STATUS(licentia_license_replaces(l, buf, sizeof buf, &n), LICENTIA_NOT_FOUND);
    CHECK(n == 77);

    licentia_terms t;
    CHECK_OK(licentia_license_terms(l, &t));
    CHECK(t.issued_at == at("2026-01-01T00:00:00Z"));
    CHECK(t.valid_from.present && t.valid_from.value == at("2026-01-01"));
    CHECK(t.soft_expiry.present && t.soft_expiry.value == at("2026-12-01"));
    CHECK(t.hard_expiry.present && t.hard_expiry.value == at("2027-01-01"));
    CHECK(t.has_grace && t.grace_secs == 30 * 86400);
    CHECK(t.updates_until.present && t.updates_until.value == at("2026-10-01"));
    CHECK(t.has_check_in && t.check_in_interval_secs == 30 * 86400 &&
          t.check_in_max_offline_secs == 14 * 86400);

    licentia_binding b;
    CHECK_OK(licentia_license_binding(l, &b));
    CHECK(b.kind == LICENTIA_BINDING_NODE_LOCKED && b.match_rule == LICENTIA_MATCH_MOST &&
          b.machine_count == 2 && b.max_machines == 0);
    CHECK_STRING(licentia_license_binding_machine(l, 0, p_, cap_, &n_), MACHINE_A);
    CHECK_STRING(licentia_license_binding_machine(l, 1, p_, cap_, &n_), MACHINE_B);
    CHECK_STATUS(licentia_license_binding_machine(l, 2, buf, sizeof buf, &n), LICENTIA_NOT_FOUND);
    CHECK_STATUS(licentia_license_binding_user(l, buf, sizeof buf, &n), LICENTIA_NOT_FOUND);

    /* Entitlements, sorted by code: export, render=8@2026-09-01, users=25. */
    CHECK(licentia_license_entitlement_count(l) == 3);
    const char *codes[] = {"export", "render", "users"};
    for (size_t i = 0; i < 3; i++) {
        CHECK_STRING(licentia_license_entitlement_code(l, i, p_, cap_, &n_), codes[i]);
    }
    licentia_entitlement e;
    CHECK_OK(licentia_license_entitlement_at(l, 0, &e));
    CHECK(!e.has_count && !e.expires.present);
    CHECK_OK(licentia_license_entitlement_at(l, 1, &e));
    CHECK(e.has_count && e.count == 8 && e.expires.present &&
          e.expires.value == at("2026-09-01"));
    CHECK_STATUS(licentia_license_entitlement_at(l, 3, &e), LICENTIA_NOT_FOUND);
    CHECK_STATUS(licentia_license_entitlement_code(l, 3, buf, sizeof buf, &n), LICENTIA_NOT_FOUND);
    CHECK_OK(licentia_license_entitlement(l, "users", at("2026-06-01"), &e));
    CHECK(e.has_count && e.count == 25 && !e.expires.present);
    CHECK(licentia_license_has_feature(l, "render", at("2026-08-31")));
    CHECK(!licentia_license_has_feature(l, "render", at("2026-09-01")));
    CHECK_STATUS(licentia_license_entitlement(l, "render", at("2026-09-01"), &e),
                 LICENTIA_NOT_FOUND);
    CHECK(!licentia_license_has_feature(l, "nothing", at("2026-06-01")));

    CHECK_STRING(licentia_license_metadata(l, "edition", p_, cap_, &n_), "enterprise");
    CHECK_STRING(licentia_license_metadata(l, "region", p_, cap_, &n_), "eu-west");
    CHECK_STRING(licentia_license_metadata(l, "note", p_, cap_, &n_), "");
    CHECK_STATUS(licentia_license_metadata(l, "absent", buf, sizeof buf, &n), LICENTIA_NOT_FOUND);

    /* The report: wrong product and machine, version not covered, check-in
     * overdue, in grace (a line of verdicts.txt, read through every accessor). */
    licentia_fingerprint *c = NULL;
    CHECK_OK(licentia_fingerprint_from_hex(
        "03486fa47d40ef0763312164530abcaa4903126b0cbfd297affa74f9da67c9b8fe5c033c157c6494"
        "b4f9eec841c56e0b96a5c8",
        &c));
    licentia_check_context ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.now = at("2027-01-10T00:00:00Z");
    ctx.product = "acme-cam";
    ctx.machine = c;
    ctx.has_release_date = true;
    ctx.release_date = at("2026-12-01");
    licentia_report *r = NULL;
    CHECK_OK(licentia_check(l, &ctx, &r));
    CHECK(licentia_report_state(r) == LICENTIA_STATE_INVALID);
    CHECK(licentia_report_finding_count(r) == 5);
    const licentia_rule rules[] = {LICENTIA_RULE_WRONG_PRODUCT, LICENTIA_RULE_WRONG_MACHINE,
                                   LICENTIA_RULE_VERSION_NOT_COVERED,
                                   LICENTIA_RULE_CHECK_IN_OVERDUE, LICENTIA_RULE_IN_GRACE};
    for (size_t i = 0; i < 5; i++) {
        licentia_finding f;
        CHECK_OK(licentia_report_finding(r, i, &f));
        CHECK(f.rule == rules[i]);
        CHECK(f.severity == (i < 4 ? LICENTIA_SEVERITY_FAILURE : LICENTIA_SEVERITY_WARNING));
        CHECK(f.has_remaining == (i == 4));
        CHECK_STRING(licentia_report_finding_message(r, i, p_, cap_, &n_), NULL);
        CHECK(strlen(last) > 10);
    }
    licentia_finding f;
    CHECK_STATUS(licentia_report_finding(r, 5, &f), LICENTIA_NOT_FOUND);
    CHECK_STATUS(licentia_report_finding_message(r, 5, buf, sizeof buf, &n), LICENTIA_NOT_FOUND);
    int64_t grace = 0;
    CHECK_OK(licentia_report_grace_remaining(r, &grace));
    CHECK(grace == at("2027-01-31") - at("2027-01-10"));
    CHECK_OK(licentia_report_finding(r, 4, &f));
    CHECK(f.remaining_secs == grace);
    CHECK_STRING(licentia_report_to_text(r, p_, cap_, &n_), NULL);
    CHECK(strncmp(last, "invalid\n", 8) == 0 && strstr(last, "202 (in_grace)") != NULL);
    licentia_report_free(r);

    /* A clean check: valid, no grace running. */
    ctx.now = at("2026-01-15");
    ctx.product = "acme-cad";
    ctx.release_date = at("2026-01-01");
    licentia_fingerprint *a = NULL;
    CHECK_OK(licentia_fingerprint_from_hex(MACHINE_A, &a));
    ctx.machine = a;
    CHECK_OK(licentia_check(l, &ctx, &r));
    CHECK(licentia_report_state(r) == LICENTIA_STATE_VALID);
    CHECK(licentia_report_finding_count(r) == 0);
    grace = 9;
    CHECK_STATUS(licentia_report_grace_remaining(r, &grace), LICENTIA_NOT_FOUND);
    CHECK(grace == 9);
    CHECK_STRING(licentia_report_to_text(r, p_, cap_, &n_), "valid");
    licentia_report_free(r);

    /* Verify and check in one call: the same verdict, no license handle;
     * text that does not verify is its verification status and no report. */
    r = NULL;
    CHECK_OK(licentia_verify_and_check(verifier, full, &ctx, &r));
    CHECK(licentia_report_state(r) == LICENTIA_STATE_VALID);
    licentia_report_free(r);
    ctx.now = at("2028-01-01");
    r = NULL;
    CHECK_OK(licentia_verify_and_check(verifier, full, &ctx, &r));
    licentia_report *two_calls = NULL;
    CHECK_OK(licentia_check(l, &ctx, &two_calls));
    CHECK(licentia_report_state(r) == LICENTIA_STATE_INVALID);
    CHECK(licentia_report_finding_count(r) == licentia_report_finding_count(two_calls));
    bool expired = false;
    for (size_t i = 0; i < licentia_report_finding_count(r); i++) {
        licentia_finding one, other;
        CHECK_OK(licentia_report_finding(r, i, &one));
        CHECK_OK(licentia_report_finding(two_calls, i, &other));
        CHECK(one.rule == other.rule && one.severity == other.severity &&
              one.has_remaining == other.has_remaining &&
              one.remaining_secs == other.remaining_secs);
        expired = expired || one.rule == LICENTIA_RULE_EXPIRED;
    }
    CHECK(expired);
    licentia_report_free(two_calls);
    licentia_report_free(r);
    r = NULL;
    CHECK_STATUS(licentia_verify_and_check(verifier, "not a license", &ctx, &r),
                 LICENTIA_NOT_LICENTIA_TEXT);
    CHECK(r == NULL);
    ctx.now = at("2026-01-15");

    /* machine and this_machine together are refused. */
    ctx.this_machine = true;
    r = NULL;
    CHECK_STATUS(licentia_check(l, &ctx, &r), LICENTIA_INVALID_ARGUMENT);
    CHECK(r == NULL);

    licentia_fingerprint_free(a);
    licentia_fingerprint_free(c);
    licentia_license_free(l);
    licentia_verifier_free(verifier);
    free(full);
}

/* Kinds and bindings the full license does not have. */
static void kinds(const char *dir) {
    licentia_verifier *verifier = issuer_verifier(dir);
    const char *files[] = {"licenses/temporary.lic", "licenses/named_user.lic",
                           "licenses/floating.lic", "licenses/trial.compact"};
    licentia_license *l[4] = {NULL, NULL, NULL, NULL};
    for (int i = 0; i < 4; i++) {
        char *text = read_file(dir, files[i]);
        CHECK_OK(licentia_verify(verifier, text, &l[i]));
        free(text);
    }
    CHECK(licentia_license_kind(l[0]) == LICENTIA_KIND_TEMPORARY);
    CHECK_STRING(licentia_license_replaces(l[0], p_, cap_, &n_), NULL);
    CHECK(strlen(last) == 32);
    licentia_binding b;
    CHECK_OK(licentia_license_binding(l[1], &b));
    CHECK(b.kind == LICENTIA_BINDING_NAMED_USER && b.machine_count == 0);
    CHECK_STRING(licentia_license_binding_user(l[1], p_, cap_, &n_), "jdoe");
    CHECK_OK(licentia_license_binding(l[2], &b));
    CHECK(b.kind == LICENTIA_BINDING_FLOATING && b.max_machines == 5);
    CHECK(licentia_license_kind(l[3]) == LICENTIA_KIND_TRIAL);
    char buf[64];
    size_t n = 0;
    CHECK_STATUS(licentia_license_licensee_email(l[1], buf, sizeof buf, &n), LICENTIA_NOT_FOUND);
    for (int i = 0; i < 4; i++) {
        licentia_license_free(l[i]);
    }
    licentia_verifier_free(verifier);
}

/* Fingerprints: this machine, hex, and a builder with vendor components. */
static void fingerprints(void) {
    licentia_fingerprint *here = NULL;
    licentia_status status = licentia_fingerprint_this_machine("acme-cad", &here);
    CHECK(status == LICENTIA_OK || status == LICENTIA_FINGERPRINT);
    CHECK((status == LICENTIA_OK) == (here != NULL));
    licentia_fingerprint_free(here);

    licentia_fingerprint_builder *builder = NULL;
    licentia_fingerprint *fp = NULL;
    CHECK_OK(licentia_fingerprint_builder_new("acme-cad", &builder));
    CHECK_OK(licentia_fingerprint_builder_add_vendor(builder, "serial", "SN-0001"));
    CHECK_OK(licentia_fingerprint_builder_add_vendor(builder, "board", "BRD-0001"));
    CHECK_OK(licentia_fingerprint_builder_add_vendor(builder, "disk", "DSK-0001"));
    CHECK_OK(licentia_fingerprint_builder_build(builder, &fp));
    CHECK_STRING(licentia_fingerprint_to_hex(fp, p_, cap_, &n_), MACHINE_A);
    licentia_fingerprint_free(fp);

    /* Errors surface at build, which still consumes the builder. */
    fp = NULL;
    CHECK_OK(licentia_fingerprint_builder_new("acme-cad", &builder));
    CHECK_OK(licentia_fingerprint_builder_add_vendor(builder, "serial", ""));
    CHECK_STATUS(licentia_fingerprint_builder_build(builder, &fp), LICENTIA_FINGERPRINT);
    CHECK(fp == NULL);
    CHECK_OK(licentia_fingerprint_builder_new("acme-cad", &builder));
    CHECK_STATUS(licentia_fingerprint_builder_build(builder, &fp), LICENTIA_FINGERPRINT);
    CHECK_OK(licentia_fingerprint_builder_new("acme-cad", &builder));
    CHECK_OK(licentia_fingerprint_builder_add_hostname(builder));
    status = licentia_fingerprint_builder_build(builder, &fp);
    CHECK(status == LICENTIA_OK || status == LICENTIA_FINGERPRINT);
    licentia_fingerprint_free(fp);
    fp = NULL;
    CHECK_OK(licentia_fingerprint_builder_new("acme-cad", &builder));
    CHECK_OK(licentia_fingerprint_builder_add_machine_id(builder));
    CHECK_OK(licentia_fingerprint_builder_add_vendor(builder, "pod", "uid-1"));
    status = licentia_fingerprint_builder_build(builder, &fp);
    CHECK(status == LICENTIA_OK || status == LICENTIA_FINGERPRINT);
    licentia_fingerprint_free(fp);
    /* A builder never built is freed on its own. */
    CHECK_OK(licentia_fingerprint_builder_new("acme-cad", &builder));
    licentia_fingerprint_builder_free(builder);

    fp = NULL;
    CHECK_STATUS(licentia_fingerprint_from_hex("zz", &fp), LICENTIA_FINGERPRINT);
    CHECK_STATUS(licentia_fingerprint_from_hex("", &fp), LICENTIA_FINGERPRINT);
    CHECK(fp == NULL);
}

/* Issuance from a JSON spec, and the issued license verified back. */
static void issuance(const char *dir) {
    test_files files = {.dir = dir};
    char *pem = test_file(&files, "keys/issuer.key");
    char *public_pem = test_file(&files, "keys/issuer.pub");
    licentia_issuer *issuer = NULL;
    CHECK_OK(licentia_issuer_from_pem(pem, &issuer));
    CHECK_STRING(licentia_issuer_public_key_pem(issuer, p_, cap_, &n_), public_pem);

    char spec[1024];
    snprintf(spec, sizeof spec,
             "{\"id\": \"0123456789abcdef0123456789abcdef\", \"product\": \"acme-cad\","
             " \"licensee\": \"Jane Doe\", \"email\": \"jane@example.com\","
             " \"issued_at\": \"2026-01-01\", \"machines\": [\"%s\"], \"match_rule\": \"any\","
             " \"seats\": 3, \"features\": [\"export\", \"render=4@2026-09-01\"],"
             " \"metadata\": {\"edition\": \"pro\"}, \"expires\": \"2027-01-01\","
             " \"grace_days\": 14}",
             MACHINE_A);
    licentia_document *doc = NULL;
    CHECK_OK(licentia_issuer_issue_json(issuer, spec, &doc));
    CHECK_STRING(licentia_document_armor(doc, p_, cap_, &n_), NULL);
    char armor[sizeof last];
    memcpy(armor, last, sizeof last);
    CHECK(strncmp(armor, "-----BEGIN LICENTIA LICENSE-----", 32) == 0);
    CHECK_STRING(licentia_document_compact(doc, p_, cap_, &n_), NULL);
    CHECK(strncmp(last, "lic.", 4) == 0);
    licentia_document_free(doc);

    licentia_verifier *verifier = NULL;
    licentia_license *l = NULL, *again = NULL;
    CHECK_OK(licentia_verifier_new(&verifier));
    CHECK_OK(licentia_verifier_add_key_pem(verifier, public_pem));
    CHECK_OK(licentia_verify(verifier, armor, &l));
    CHECK_OK(licentia_verify(verifier, last, &again));
    CHECK_STRING(licentia_license_id(l, p_, cap_, &n_), "0123456789abcdef0123456789abcdef");
    CHECK_STRING(licentia_license_id(again, p_, cap_, &n_), "0123456789abcdef0123456789abcdef");
    CHECK(licentia_license_seats(l) == 3);
    CHECK_STRING(licentia_license_metadata(l, "edition", p_, cap_, &n_), "pro");
    licentia_binding b;
    CHECK_OK(licentia_license_binding(l, &b));
    CHECK(b.kind == LICENTIA_BINDING_NODE_LOCKED && b.match_rule == LICENTIA_MATCH_ANY);
    licentia_license_free(l);
    licentia_license_free(again);
    licentia_verifier_free(verifier);

    doc = NULL;
    CHECK_STATUS(licentia_issuer_issue_json(issuer, "{\"produkt\": \"x\"}", &doc),
                 LICENTIA_INVALID_SPEC);
    CHECK_STATUS(licentia_issuer_issue_json(issuer, "{\"product\": \"acme\"}", &doc),
                 LICENTIA_INVALID_SPEC);
    CHECK_STATUS(licentia_issuer_issue_json(issuer, "not json", &doc), LICENTIA_INVALID_SPEC);
    CHECK_STATUS(licentia_issuer_issue_json(
                     issuer,
                     "{\"product\": \"acme\", \"licensee\": \"J\", \"expires\": \"someday\"}",
                     &doc),
                 LICENTIA_INVALID_ARGUMENT);
    CHECK_STATUS(licentia_issuer_issue_json(issuer,
                                            "{\"product\": \"acme\", \"licensee\": \"J\","
                                            " \"trial\": true}",
                                            &doc),
                 LICENTIA_INVALID_SPEC);
    CHECK(doc == NULL);
    CHECK_STRING(licentia_spec_problem("{\"product\": \"acme\", \"licensee\": \"J\","
                                       " \"trial\": true}",
                                       p_, cap_, &n_),
                 "invalid license specification: trial and temporary licenses need a hard "
                 "expiry");
    CHECK_STRING(licentia_spec_problem("{\"produkt\": 1}", p_, cap_, &n_), NULL);
    CHECK(strstr(last, "produkt") != NULL);
    char buf[64];
    size_t n = 3;
    CHECK_STATUS(licentia_spec_problem(spec, buf, sizeof buf, &n), LICENTIA_NOT_FOUND);
    CHECK(n == 3);
    CHECK_STATUS(licentia_spec_problem(NULL, buf, sizeof buf, &n), LICENTIA_NULL_ARGUMENT);
    CHECK_STATUS(licentia_spec_problem(spec, buf, sizeof buf, NULL), LICENTIA_NULL_ARGUMENT);
    licentia_issuer_free(issuer);

    /* A key file: refused while others can read it. */
    char path[] = "/tmp/licentia-capi-key-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    CHECK(write(fd, pem, strlen(pem)) == (ssize_t)strlen(pem));
    close(fd);
    issuer = NULL;
    chmod(path, 0644);
    CHECK_STATUS(licentia_issuer_from_key_file(path, &issuer), LICENTIA_INSECURE_KEY_FILE);
    CHECK(issuer == NULL);
    chmod(path, 0600);
    CHECK_OK(licentia_issuer_from_key_file(path, &issuer));
    licentia_issuer_free(issuer);
    unlink(path);
    CHECK_STATUS(licentia_issuer_from_key_file("/nonexistent/issuer.key", &issuer), LICENTIA_IO);
    CHECK_STATUS(licentia_issuer_from_pem("garbage", &issuer), LICENTIA_KEY_FORMAT);
    free_test_files(&files);
}

/* A check context for acme-cad guarded by the clock state at `path`. */
static licentia_check_context guarded_context(const char *path) {
    static const uint8_t secret[] = {1, 2, 3, 4};
    licentia_check_context ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.product = "acme-cad";
    ctx.clock_state_path = path;
    ctx.clock_secret = secret;
    ctx.clock_secret_len = sizeof secret;
    return ctx;
}

/* The clock guard: a clock set back past the latest time seen is reported,
 * a refused license does not move the time seen, and an edited state file is
 * refused. */
static void clock_guard(const char *dir) {
    licentia_verifier *verifier = issuer_verifier(dir);
    test_files files = {.dir = dir};
    char *text = test_file(&files, "licenses/unbound.lic");
    licentia_license *l = NULL;
    CHECK_OK(licentia_verify(verifier, text, &l));
    char path[] = "/tmp/licentia-capi-clock-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    unlink(path); /* the guard starts from a missing file */

    licentia_check_context ctx = guarded_context(path);
    licentia_report *r = NULL;
    ctx.now = at("2026-06-01");
    CHECK_OK(licentia_check(l, &ctx, &r));
    CHECK(licentia_report_state(r) == LICENTIA_STATE_VALID);
    licentia_report_free(r);
    ctx.now = at("2026-05-01");
    CHECK_OK(licentia_check(l, &ctx, &r));
    CHECK(licentia_report_state(r) == LICENTIA_STATE_INVALID);
    licentia_finding f;
    CHECK_OK(licentia_report_finding(r, 0, &f));
    CHECK(f.rule == LICENTIA_RULE_CLOCK_ROLLED_BACK);
    licentia_report_free(r);
    ctx.now = at("2026-06-02");
    CHECK_OK(licentia_check(l, &ctx, &r));
    CHECK(licentia_report_state(r) == LICENTIA_STATE_VALID);
    licentia_report_free(r);

    /* A license dated years ahead is refused, and its issue time is not
     * recorded: the good license still checks valid the next day. */
    char *key = test_file(&files, "keys/issuer.key");
    licentia_issuer *issuer = NULL;
    CHECK_OK(licentia_issuer_from_pem(key, &issuer));
    licentia_document *doc = NULL;
    CHECK_OK(licentia_issuer_issue_json(issuer,
                                        "{\"product\": \"acme-cad\", \"licensee\": \"J\","
                                        " \"issued_at\": \"2030-01-01\"}",
                                        &doc));
    CHECK_STRING(licentia_document_armor(doc, p_, cap_, &n_), NULL);
    licentia_license *ahead = NULL;
    CHECK_OK(licentia_verify(verifier, last, &ahead));
    ctx.now = at("2026-06-03");
    CHECK_OK(licentia_check(ahead, &ctx, &r));
    CHECK_OK(licentia_report_finding(r, 0, &f));
    CHECK(f.rule == LICENTIA_RULE_CLOCK_ROLLED_BACK);
    licentia_report_free(r);
    CHECK_OK(licentia_check(l, &ctx, &r));
    CHECK(licentia_report_state(r) == LICENTIA_STATE_VALID);
    licentia_report_free(r);
    licentia_license_free(ahead);
    licentia_document_free(doc);
    licentia_issuer_free(issuer);

    /* The state kept at this point, put back after a later run, is
     * reported (3009); deleting it is reported too (3008), not a fresh
     * start: its witness copy remembers. */
    char *saved = read_file("", path);
    CHECK(saved != NULL);
    ctx.now = at("2026-07-01");
    CHECK_OK(licentia_check(l, &ctx, &r));
    licentia_report_free(r);
    char *current = read_file("", path);
    CHECK(current != NULL);
    write_file(path, saved);
    r = NULL;
    CHECK_STATUS(licentia_check(l, &ctx, &r), LICENTIA_CLOCK_STATE_RESTORED);
    CHECK(r == NULL);
    unlink(path);
    CHECK_STATUS(licentia_check(l, &ctx, &r), LICENTIA_CLOCK_STATE_MISSING);
    CHECK(r == NULL);
    write_file(path, current);
    CHECK_OK(licentia_check(l, &ctx, &r));
    licentia_report_free(r);
    free(saved);
    free(current);
    /* A secret longer than any object is refused, not read. */
    ctx.clock_secret_len = (size_t)PTRDIFF_MAX + 1;
    r = NULL;
    CHECK_STATUS(licentia_check(l, &ctx, &r), LICENTIA_INVALID_ARGUMENT);
    CHECK(r == NULL);

    /* Another secret does not open the file. */
    static const uint8_t other[] = {9};
    ctx.clock_secret = other;
    ctx.clock_secret_len = sizeof other;
    r = NULL;
    CHECK_STATUS(licentia_check(l, &ctx, &r), LICENTIA_CLOCK_STATE_TAMPERED);
    CHECK(r == NULL);
    /* A secret pointer of NULL with a length is a NULL argument. */
    ctx.clock_secret = NULL;
    CHECK_STATUS(licentia_check(l, &ctx, &r), LICENTIA_NULL_ARGUMENT);
    unlink(path);
    char witness[64];
    snprintf(witness, sizeof witness, "%s.witness", path);
    unlink(witness);
    free_test_files(&files);
    licentia_license_free(l);
    licentia_verifier_free(verifier);
}

/* The clock guard's options (licentia_check_guarded): a witness kept in
 * another directory, and a first run said, so that deleting both copies is
 * reported instead of starting the guard again. */
static void clock_guard_options(const char *dir) {
    licentia_verifier *verifier = issuer_verifier(dir);
    char *text = read_file(dir, "licenses/unbound.lic");
    licentia_license *l = NULL;
    CHECK_OK(licentia_verify(verifier, text, &l));
    char state_dir[] = "/tmp/licentia-capi-state-XXXXXX";
    char witness_dir[] = "/tmp/licentia-capi-witness-XXXXXX";
    CHECK(mkdtemp(state_dir) != NULL);
    CHECK(mkdtemp(witness_dir) != NULL);
    char state[64], witness[64], beside[80];
    snprintf(state, sizeof state, "%s/clock", state_dir);
    snprintf(witness, sizeof witness, "%s/acme.seen", witness_dir);
    snprintf(beside, sizeof beside, "%s.witness", state);

    licentia_check_context ctx = guarded_context(state);
    ctx.now = at("2026-06-01");
    licentia_clock_options *options = NULL;
    CHECK_OK(licentia_clock_options_new(&options));
    CHECK_OK(licentia_clock_options_set_witness(options, witness));
    licentia_report *r = NULL;

    /* The first run: valid, its witness where it was told, none beside the state. */
    CHECK_OK(licentia_check_guarded(l, &ctx, options, &r));
    CHECK(licentia_report_state(r) == LICENTIA_STATE_VALID);
    licentia_report_free(r);
    CHECK(access(witness, F_OK) == 0);
    CHECK(access(beside, F_OK) != 0);
    /* The state's directory emptied: the witness elsewhere remembers. */
    unlink(state);
    r = NULL;
    CHECK_STATUS(licentia_check_guarded(l, &ctx, options, &r), LICENTIA_CLOCK_STATE_MISSING);
    CHECK(r == NULL);
    /* Both copies deleted after a first run, which the application says: reported. */
    unlink(witness);
    CHECK_OK(licentia_clock_options_set_started(options, true));
    CHECK_STATUS(licentia_check_guarded(l, &ctx, options, &r), LICENTIA_CLOCK_STATE_MISSING);
    CHECK(r == NULL);
    CHECK(access(state, F_OK) != 0 && access(witness, F_OK) != 0);
    /* Without `started`, neither copy is a fresh start (the first run). */
    CHECK_OK(licentia_clock_options_set_started(options, false));
    CHECK_OK(licentia_check_guarded(l, &ctx, options, &r));
    CHECK(licentia_report_state(r) == LICENTIA_STATE_VALID);
    licentia_report_free(r);
    /* `started` with both copies present: a normal run. */
    CHECK_OK(licentia_clock_options_set_started(options, true));
    ctx.now = at("2026-06-02");
    CHECK_OK(licentia_check_guarded(l, &ctx, options, &r));
    CHECK(licentia_report_state(r) == LICENTIA_STATE_VALID);
    licentia_report_free(r);

    /* NULL options, licentia_check, and a witness set back to NULL all look
     * beside the state, where there is no witness. */
    r = NULL;
    CHECK_STATUS(licentia_check_guarded(l, &ctx, NULL, &r), LICENTIA_CLOCK_STATE_MISSING);
    CHECK_STATUS(licentia_check(l, &ctx, &r), LICENTIA_CLOCK_STATE_MISSING);
    CHECK_OK(licentia_clock_options_set_witness(options, NULL));
    CHECK_STATUS(licentia_check_guarded(l, &ctx, options, &r), LICENTIA_CLOCK_STATE_MISSING);
    CHECK(r == NULL);

    /* Invalid arguments change nothing: a path not UTF-8 leaves the witness as it was. */
    CHECK_OK(licentia_clock_options_set_witness(options, witness));
    CHECK_STATUS(licentia_clock_options_set_witness(options, "/tmp/\xff"), LICENTIA_INVALID_UTF8);
    CHECK_OK(licentia_check_guarded(l, &ctx, options, &r));
    licentia_report_free(r);
    /* Options with no state file to guard are refused, not ignored. */
    ctx.clock_state_path = NULL;
    r = NULL;
    CHECK_STATUS(licentia_check_guarded(l, &ctx, options, &r), LICENTIA_INVALID_ARGUMENT);
    CHECK(r == NULL);
    /* Without options and without a state file: the unguarded check. */
    CHECK_OK(licentia_check_guarded(l, &ctx, NULL, &r));
    CHECK(licentia_report_state(r) == LICENTIA_STATE_VALID);
    licentia_report_free(r);

    licentia_clock_options_free(options);
    unlink(state);
    unlink(witness);
    CHECK(rmdir(state_dir) == 0);
    CHECK(rmdir(witness_dir) == 0);
    free(text);
    licentia_license_free(l);
    licentia_verifier_free(verifier);
}

/* NULL for every pointer argument of every function. */
static void null_arguments(const char *dir) {
    licentia_verifier *v = issuer_verifier(dir);
    test_files files = {.dir = dir};
    char *text = test_file(&files, "licenses/full.lic");
    char *pem = test_file(&files, "keys/issuer.pub");
    char *key = test_file(&files, "keys/issuer.key");
    char *renewal = test_file(&files, "documents/renewal_extend.renewal");
    char *rollover = test_file(&files, "documents/rollover.rollover");
    char *revocation = test_file(&files, "documents/revocation_1.revocation");
    char *request_text = test_file(&files, "documents/activation.request");
    char *answer = test_file(&files, "documents/activation.answer");
    licentia_license *l = NULL;
    licentia_fingerprint *fp = NULL;
    licentia_report *r = NULL;
    licentia_issuer *issuer = NULL;
    licentia_document *doc = NULL;
    licentia_activation_request *req = NULL;
    licentia_fingerprint_builder *fb = NULL;
    CHECK_OK(licentia_verify(v, text, &l));
    CHECK_OK(licentia_fingerprint_from_hex(MACHINE_A, &fp));
    CHECK_OK(licentia_issuer_from_pem(key, &issuer));
    CHECK_OK(licentia_issuer_issue_json(issuer, "{\"product\": \"p\", \"licensee\": \"J\"}", &doc));
    CHECK_OK(licentia_activation_request_parse(request_text, &req));
    CHECK_OK(licentia_fingerprint_builder_new("acme-cad", &fb));
    licentia_check_context ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.product = "acme-cad";
    CHECK_OK(licentia_check(l, &ctx, &r));

    char buf[64];
    size_t n = 0;
    int64_t i64 = 0;
    uint64_t u64 = 0;
    const uint8_t *versions = NULL;
    uint8_t raw[32] = {0};
    licentia_terms terms;
    licentia_binding binding;
    licentia_entitlement ent;
    licentia_finding finding;
    const licentia_status N = LICENTIA_NULL_ARGUMENT;

    CHECK_STATUS(licentia_supported_format_versions(NULL, &n), N);
    CHECK_STATUS(licentia_supported_format_versions(&versions, NULL), N);
    CHECK_STATUS(licentia_parse_time(NULL, &i64), N);
    CHECK_STATUS(licentia_parse_time("2026-01-01", NULL), N);
    CHECK_STATUS(licentia_format_time(0, buf, sizeof buf, NULL), N);
    CHECK_STATUS(licentia_format_time(0, NULL, 10, &n), N);

    CHECK_STATUS(licentia_verifier_new(NULL), N);
    CHECK_STATUS(licentia_verifier_from_pem(NULL, &v), N);
    CHECK_STATUS(licentia_verifier_from_pem(pem, NULL), N);
    CHECK_STATUS(licentia_verifier_add_key_pem(NULL, pem), N);
    CHECK_STATUS(licentia_verifier_add_key_pem(v, NULL), N);
    CHECK_STATUS(licentia_verifier_add_key_raw(NULL, raw), N);
    CHECK_STATUS(licentia_verifier_add_key_raw(v, NULL), N);
    CHECK_STATUS(licentia_verifier_accept_rollover(NULL, rollover), N);
    CHECK_STATUS(licentia_verifier_accept_rollover(v, NULL), N);
    CHECK_STATUS(licentia_verifier_set_revocation_list(NULL, revocation, "acme-cad"), N);
    CHECK_STATUS(licentia_verifier_set_revocation_list(v, NULL, "acme-cad"), N);
    CHECK_STATUS(licentia_verifier_set_revocation_list(v, revocation, NULL), N);
    CHECK_STATUS(licentia_verifier_revocation_sequence(NULL, &u64), N);
    CHECK_STATUS(licentia_verifier_revocation_sequence(v, NULL), N);
    CHECK_STATUS(licentia_verify(NULL, text, &l), N);
    CHECK_STATUS(licentia_verify(v, NULL, &l), N);
    CHECK_STATUS(licentia_verify(v, text, NULL), N);
    CHECK_STATUS(licentia_verify_lease(NULL, text, &l), N);
    CHECK_STATUS(licentia_verify_lease(v, NULL, &l), N);
    CHECK_STATUS(licentia_verify_lease(v, text, NULL), N);
    CHECK_STATUS(licentia_verify_file(NULL, "x", &l), N);
    CHECK_STATUS(licentia_verify_file(v, NULL, &l), N);
    CHECK_STATUS(licentia_verify_file(v, "x", NULL), N);

    /* Every string accessor: NULL handle, NULL out_len, NULL buffer with a length. */
#define STRING_NULLS(fn, ...)                                    \
    CHECK_STATUS(fn(NULL, __VA_ARGS__ buf, sizeof buf, &n), N);  \
    CHECK_STATUS(fn(l, __VA_ARGS__ buf, sizeof buf, NULL), N);   \
    CHECK_STATUS(fn(l, __VA_ARGS__ NULL, sizeof buf, &n), N)
    STRING_NULLS(licentia_license_id, );
    STRING_NULLS(licentia_license_product, );
    STRING_NULLS(licentia_license_licensee_name, );
    STRING_NULLS(licentia_license_licensee_email, );
    STRING_NULLS(licentia_license_customer_ref, );
    STRING_NULLS(licentia_license_key_id, );
    STRING_NULLS(licentia_license_binding_machine, 0, );
    STRING_NULLS(licentia_license_entitlement_code, 0, );
    STRING_NULLS(licentia_license_metadata, "edition", );
#undef STRING_NULLS
    CHECK_STATUS(licentia_license_metadata(l, NULL, buf, sizeof buf, &n), N);
    /* NULL is reported first, even for a value the license does not have. */
    CHECK_STATUS(licentia_license_replaces(NULL, buf, sizeof buf, &n), N);
    CHECK_STATUS(licentia_license_replaces(l, buf, sizeof buf, NULL), N);
    CHECK_STATUS(licentia_license_replaces(l, NULL, sizeof buf, &n), N);
    CHECK_STATUS(licentia_license_binding_user(NULL, buf, sizeof buf, &n), N);
    CHECK_STATUS(licentia_license_binding_user(l, buf, sizeof buf, NULL), N);
    CHECK_STATUS(licentia_license_binding_user(l, NULL, sizeof buf, &n), N);
    CHECK_STATUS(licentia_license_metadata(l, "absent", buf, sizeof buf, NULL), N);
    CHECK_STATUS(licentia_license_binding_machine(l, 9, buf, sizeof buf, NULL), N);
    CHECK(licentia_license_kind(NULL) == LICENTIA_KIND_INVALID);
    /* A length no buffer can have is refused before anything is written. */
    n = 3;
    CHECK_STATUS(licentia_license_id(l, buf, (size_t)PTRDIFF_MAX + 1, &n), LICENTIA_INVALID_ARGUMENT);
    CHECK_STATUS(licentia_license_id(l, buf, SIZE_MAX, &n), LICENTIA_INVALID_ARGUMENT);
    CHECK(n == 3);
    CHECK(licentia_license_seats(NULL) == 0);
    CHECK_STATUS(licentia_license_terms(NULL, &terms), N);
    CHECK_STATUS(licentia_license_terms(l, NULL), N);
    CHECK_STATUS(licentia_license_binding(NULL, &binding), N);
    CHECK_STATUS(licentia_license_binding(l, NULL), N);
    CHECK(!licentia_license_has_feature(NULL, "export", 0));
    CHECK(!licentia_license_has_feature(l, NULL, 0));
    CHECK_STATUS(licentia_license_entitlement(NULL, "users", 0, &ent), N);
    CHECK_STATUS(licentia_license_entitlement(l, NULL, 0, &ent), N);
    CHECK_STATUS(licentia_license_entitlement(l, "users", 0, NULL), N);
    CHECK(licentia_license_entitlement_count(NULL) == 0);
    CHECK_STATUS(licentia_license_entitlement_at(NULL, 0, &ent), N);
    CHECK_STATUS(licentia_license_entitlement_at(l, 0, NULL), N);
    CHECK_STATUS(licentia_license_apply_renewal(NULL, v, renewal), N);
    CHECK_STATUS(licentia_license_apply_renewal(l, NULL, renewal), N);
    CHECK_STATUS(licentia_license_apply_renewal(l, v, NULL), N);

    licentia_report *r2 = NULL;
    CHECK_STATUS(licentia_check(NULL, &ctx, &r2), N);
    CHECK_STATUS(licentia_check(l, NULL, &r2), N);
    CHECK_STATUS(licentia_check(l, &ctx, NULL), N);
    CHECK_STATUS(licentia_check_guarded(NULL, &ctx, NULL, &r2), N);
    CHECK_STATUS(licentia_check_guarded(l, NULL, NULL, &r2), N);
    CHECK_STATUS(licentia_check_guarded(l, &ctx, NULL, NULL), N);
    CHECK_STATUS(licentia_verify_and_check(NULL, text, &ctx, &r2), N);
    CHECK_STATUS(licentia_verify_and_check(v, NULL, &ctx, &r2), N);
    CHECK_STATUS(licentia_verify_and_check(v, text, NULL, &r2), N);
    CHECK_STATUS(licentia_verify_and_check(v, text, &ctx, NULL), N);
    CHECK_STATUS(licentia_clock_options_new(NULL), N);
    CHECK_STATUS(licentia_clock_options_set_witness(NULL, "w"), N);
    CHECK_STATUS(licentia_clock_options_set_started(NULL, true), N);
    ctx.product = NULL;
    CHECK_STATUS(licentia_check(l, &ctx, &r2), N);
    CHECK_STATUS(licentia_check_guarded(l, &ctx, NULL, &r2), N);
    CHECK_STATUS(licentia_verify_and_check(v, text, &ctx, &r2), N);
    CHECK(r2 == NULL);
    CHECK(licentia_report_state(NULL) == LICENTIA_STATE_INVALID);
    CHECK(licentia_report_finding_count(NULL) == 0);
    CHECK_STATUS(licentia_report_finding(NULL, 0, &finding), N);
    CHECK_STATUS(licentia_report_finding(r, 0, NULL), N);
    CHECK_STATUS(licentia_report_finding_message(NULL, 0, buf, sizeof buf, &n), N);
    CHECK_STATUS(licentia_report_finding_message(r, 9, buf, sizeof buf, NULL), N);
    CHECK_STATUS(licentia_report_finding_message(r, 9, NULL, sizeof buf, &n), N);
    CHECK_STATUS(licentia_report_grace_remaining(NULL, &i64), N);
    CHECK_STATUS(licentia_report_grace_remaining(r, NULL), N);
    CHECK_STATUS(licentia_report_to_text(NULL, buf, sizeof buf, &n), N);
    CHECK_STATUS(licentia_report_to_text(r, buf, sizeof buf, NULL), N);
    CHECK_STATUS(licentia_report_to_text(r, NULL, sizeof buf, &n), N);

    licentia_fingerprint *fp2 = NULL;
    CHECK_STATUS(licentia_fingerprint_this_machine(NULL, &fp2), N);
    CHECK_STATUS(licentia_fingerprint_this_machine("acme-cad", NULL), N);
    CHECK_STATUS(licentia_fingerprint_from_hex(NULL, &fp2), N);
    CHECK_STATUS(licentia_fingerprint_from_hex(MACHINE_A, NULL), N);
    CHECK_STATUS(licentia_fingerprint_to_hex(NULL, buf, sizeof buf, &n), N);
    CHECK_STATUS(licentia_fingerprint_to_hex(fp, buf, sizeof buf, NULL), N);
    CHECK_STATUS(licentia_fingerprint_to_hex(fp, NULL, sizeof buf, &n), N);
    CHECK_STATUS(licentia_fingerprint_builder_new(NULL, &fb), N);
    CHECK_STATUS(licentia_fingerprint_builder_new("acme-cad", NULL), N);
    CHECK_STATUS(licentia_fingerprint_builder_add_machine_id(NULL), N);
    CHECK_STATUS(licentia_fingerprint_builder_add_hostname(NULL), N);
    CHECK_STATUS(licentia_fingerprint_builder_add_vendor(NULL, "n", "v"), N);
    CHECK_STATUS(licentia_fingerprint_builder_add_vendor(fb, NULL, "v"), N);
    CHECK_STATUS(licentia_fingerprint_builder_add_vendor(fb, "n", NULL), N);
    CHECK_STATUS(licentia_fingerprint_builder_build(NULL, &fp2), N);
    CHECK_STATUS(licentia_fingerprint_builder_build(fb, NULL), N); /* fb left alone */
    CHECK(fp2 == NULL);
    licentia_fingerprint_builder_free(fb);

    licentia_activation_request *req2 = NULL;
    CHECK_STATUS(licentia_activation_request_new(NULL, "K", fp, 0, &req2), N);
    CHECK_STATUS(licentia_activation_request_new("p", NULL, fp, 0, &req2), N);
    CHECK_STATUS(licentia_activation_request_new("p", "K", NULL, 0, &req2), N);
    CHECK_STATUS(licentia_activation_request_new("p", "K", fp, 0, NULL), N);
    CHECK_STATUS(licentia_activation_request_new_for_id(NULL, "00", fp, 0, &req2), N);
    CHECK_STATUS(licentia_activation_request_new_for_id("p", NULL, fp, 0, &req2), N);
    CHECK_STATUS(licentia_activation_request_new_for_id("p", "00", NULL, 0, &req2), N);
    CHECK_STATUS(licentia_activation_request_new_for_id("p", "00", fp, 0, NULL), N);
    CHECK_STATUS(licentia_activation_request_parse(NULL, &req2), N);
    CHECK_STATUS(licentia_activation_request_parse(request_text, NULL), N);
    CHECK_STATUS(licentia_activation_request_to_text(NULL, buf, sizeof buf, &n), N);
    CHECK_STATUS(licentia_activation_request_to_text(req, buf, sizeof buf, NULL), N);
    CHECK_STATUS(licentia_activation_request_accept(NULL, v, answer, 0, buf, sizeof buf, &n), N);
    CHECK_STATUS(licentia_activation_request_accept(req, NULL, answer, 0, buf, sizeof buf, &n), N);
    CHECK_STATUS(licentia_activation_request_accept(req, v, NULL, 0, buf, sizeof buf, &n), N);
    CHECK_STATUS(licentia_activation_request_accept(req, v, answer, 0, buf, sizeof buf, NULL), N);
    CHECK_STATUS(licentia_activation_request_accept(req, v, answer, 0, NULL, sizeof buf, &n), N);
    CHECK_STATUS(licentia_activation_request_to_text(req, NULL, sizeof buf, &n), N);
    CHECK(req2 == NULL);

    licentia_issuer *issuer2 = NULL;
    licentia_document *doc2 = NULL;
    CHECK_STATUS(licentia_issuer_from_pem(NULL, &issuer2), N);
    CHECK_STATUS(licentia_issuer_from_pem(key, NULL), N);
    CHECK_STATUS(licentia_issuer_from_key_file(NULL, &issuer2), N);
    CHECK_STATUS(licentia_issuer_from_key_file("x", NULL), N);
    CHECK_STATUS(licentia_issuer_public_key_pem(NULL, buf, sizeof buf, &n), N);
    CHECK_STATUS(licentia_issuer_public_key_pem(issuer, buf, sizeof buf, NULL), N);
    CHECK_STATUS(licentia_issuer_public_key_pem(issuer, NULL, sizeof buf, &n), N);
    CHECK_STATUS(licentia_issuer_issue_json(NULL, "{}", &doc2), N);
    CHECK_STATUS(licentia_issuer_issue_json(issuer, NULL, &doc2), N);
    CHECK_STATUS(licentia_issuer_issue_json(issuer, "{}", NULL), N);
    CHECK_STATUS(licentia_document_armor(NULL, buf, sizeof buf, &n), N);
    CHECK_STATUS(licentia_document_armor(doc, buf, sizeof buf, NULL), N);
    CHECK_STATUS(licentia_document_compact(NULL, buf, sizeof buf, &n), N);
    CHECK_STATUS(licentia_document_compact(doc, buf, sizeof buf, NULL), N);
    CHECK_STATUS(licentia_document_armor(doc, NULL, sizeof buf, &n), N);
    CHECK_STATUS(licentia_document_compact(doc, NULL, sizeof buf, &n), N);
    CHECK(issuer2 == NULL && doc2 == NULL);

    /* Strings that are not UTF-8. */
    CHECK_STATUS(licentia_verify(v, "\xff\xfe", &l), LICENTIA_INVALID_UTF8);
    CHECK_STATUS(licentia_fingerprint_from_hex("\xc3", &fp2), LICENTIA_INVALID_UTF8);
    CHECK_STATUS(licentia_issuer_issue_json(issuer, "{\"product\": \"\xe9\"}", &doc2),
                 LICENTIA_INVALID_UTF8);

    free_test_files(&files);
    licentia_report_free(r);
    licentia_activation_request_free(req);
    licentia_document_free(doc);
    licentia_issuer_free(issuer);
    licentia_fingerprint_free(fp);
    licentia_license_free(l);
    licentia_verifier_free(v);
}

/* The environment probe: this machine, a fake root, a licence refusing
 * virtual machines giving its own rule, and NULL everywhere. */
static void environments(const char *dir) {
    licentia_environment *here = NULL, *qemu = NULL, *docker = NULL;
    CHECK_OK(licentia_environment_probe(&here));
    char evidence[1024];
    size_t len = 0;
    CHECK_OK(licentia_environment_evidence(here, LICENTIA_ENVIRONMENT_VIRTUAL_MACHINE, evidence,
                                           sizeof evidence, &len));
    printf("test_api: this machine: virtual machine: [%s]", evidence);
    CHECK_OK(licentia_environment_evidence(here, LICENTIA_ENVIRONMENT_CONTAINER, evidence,
                                           sizeof evidence, &len));
    printf(" container: [%s]\n", evidence);

    char root[4096];
    snprintf(root, sizeof root, "%s/environments/qemu", dir);
    CHECK_OK(licentia_environment_probe_root(root, &qemu));
    snprintf(root, sizeof root, "%s/environments/docker", dir);
    CHECK_OK(licentia_environment_probe_root(root, &docker));
    CHECK(licentia_environment_is(qemu, LICENTIA_ENVIRONMENT_VIRTUAL_MACHINE));
    CHECK(!licentia_environment_is(qemu, LICENTIA_ENVIRONMENT_CONTAINER));
    CHECK(licentia_environment_is(docker, LICENTIA_ENVIRONMENT_CONTAINER));
    CHECK(!licentia_environment_is(docker, 3));
    CHECK(!licentia_environment_is(NULL, LICENTIA_ENVIRONMENT_CONTAINER));
    CHECK_STRING(licentia_environment_evidence(qemu, LICENTIA_ENVIRONMENT_VIRTUAL_MACHINE, p_,
                                               cap_, &n_),
                 "dmi.sys_vendor: QEMU; cpuinfo.hypervisor: flag set");
    CHECK_STRING(licentia_environment_evidence(qemu, LICENTIA_ENVIRONMENT_CONTAINER, p_, cap_,
                                               &n_),
                 "");
    CHECK_STATUS(licentia_environment_evidence(qemu, 0, evidence, sizeof evidence, &len),
                 LICENTIA_INVALID_ARGUMENT);
    CHECK_STATUS(licentia_environment_evidence(NULL, 1, evidence, sizeof evidence, &len),
                 LICENTIA_NULL_ARGUMENT);
    CHECK_STATUS(licentia_environment_probe(NULL), LICENTIA_NULL_ARGUMENT);
    CHECK_STATUS(licentia_environment_probe_root(NULL, &docker), LICENTIA_NULL_ARGUMENT);
    CHECK_STATUS(licentia_environment_probe_root(root, NULL), LICENTIA_NULL_ARGUMENT);

    /* licenses/no_virtual_machines.lic: refused in the QEMU tree with 111,
     * its message naming the evidence; fine in the Docker one. */
    test_files files = {.dir = dir};
    licentia_verifier *v = issuer_verifier(dir);
    licentia_license *l = NULL;
    licentia_report *report = NULL;
    CHECK_OK(licentia_verify(v, test_file(&files, "licenses/no_virtual_machines.lic"), &l));
    licentia_check_context ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.product = "acme-cad";
    CHECK_OK(licentia_parse_time("2026-06-01", &ctx.now));
    CHECK_OK(licentia_check_in_environment(l, &ctx, NULL, qemu, &report));
    licentia_finding finding;
    CHECK(licentia_report_state(report) == LICENTIA_STATE_INVALID);
    CHECK(licentia_report_finding_count(report) == 1);
    CHECK_OK(licentia_report_finding(report, 0, &finding));
    CHECK(finding.rule == LICENTIA_RULE_VIRTUAL_MACHINE_NOT_ALLOWED && finding.rule == 111);
    CHECK(!licentia_license_allows(l, LICENTIA_ENVIRONMENT_VIRTUAL_MACHINE));
    CHECK(licentia_license_allows(l, LICENTIA_ENVIRONMENT_CONTAINER));
    CHECK(!licentia_license_allows(l, 0));
    CHECK(!licentia_license_allows(NULL, LICENTIA_ENVIRONMENT_CONTAINER));
    CHECK_STRING(licentia_report_finding_message(report, 0, p_, cap_, &n_), NULL);
    CHECK(strstr(last, "dmi.sys_vendor: QEMU") != NULL);
    CHECK(strcmp(licentia_rule_name(LICENTIA_RULE_CONTAINER_NOT_ALLOWED),
                 "container_not_allowed") == 0);
    licentia_report_free(report);
    report = NULL;
    char *text = test_file(&files, "licenses/no_virtual_machines.compact");
    CHECK_OK(licentia_verify_and_check_in_environment(v, text, &ctx, docker, &report));
    CHECK(licentia_report_state(report) == LICENTIA_STATE_VALID);
    licentia_report_free(report);
    report = NULL;
    CHECK_OK(licentia_verify_and_check_in_environment(v, text, &ctx, qemu, &report));
    CHECK(licentia_report_state(report) == LICENTIA_STATE_INVALID);
    licentia_report_free(report);
    report = NULL;
    CHECK_STATUS(licentia_check_in_environment(NULL, &ctx, NULL, qemu, &report),
                 LICENTIA_NULL_ARGUMENT);
    CHECK_STATUS(licentia_check_in_environment(l, NULL, NULL, qemu, &report),
                 LICENTIA_NULL_ARGUMENT);
    CHECK_STATUS(licentia_check_in_environment(l, &ctx, NULL, qemu, NULL),
                 LICENTIA_NULL_ARGUMENT);
    /* No environment given: the library probes this machine itself. */
    CHECK_OK(licentia_check(l, &ctx, &report));
    CHECK(licentia_report_state(report) ==
          (licentia_environment_is(here, LICENTIA_ENVIRONMENT_VIRTUAL_MACHINE)
               ? LICENTIA_STATE_INVALID
               : LICENTIA_STATE_VALID));
    licentia_report_free(report);
    licentia_license_free(l);
    licentia_verifier_free(v);
    free_test_files(&files);
    licentia_environment_free(here);
    licentia_environment_free(qemu);
    licentia_environment_free(docker);
}

/* Every free function accepts NULL. */
/* The issue's example, offline: a licence with maintenance to 2027-06-30
 * runs 3.1 (2027-05) and not 3.2 (2027-08), from the signed catalogue. */
static void release_catalogue(const char *dir) {
    licentia_verifier *verifier = issuer_verifier(dir);
    char *text = read_file(dir, "documents/release_catalogue.releases");
    char *lic = read_file(dir, "documents/release_catalogue.lic");
    licentia_release_catalogue *cat = NULL;
    CHECK_STATUS(licentia_verify_release_catalogue(verifier, text, "acme-cam", &cat),
                 LICENTIA_WRONG_PRODUCT);
    CHECK(cat == NULL);
    CHECK_STATUS(licentia_verify_release_catalogue(verifier, lic, "acme-cad", &cat),
                 LICENTIA_WRONG_DOCUMENT_KIND);
    CHECK_STATUS(licentia_verify_release_catalogue(verifier, "garbage", "acme-cad", &cat),
                 LICENTIA_NOT_LICENTIA_TEXT);
    CHECK_OK(licentia_verify_release_catalogue(verifier, text, "acme-cad", &cat));
    CHECK(licentia_release_catalogue_count(cat) == 4);
    CHECK_STRING(licentia_release_catalogue_version_at(cat, 1, p_, cap_, &n_), "3.1");
    char buf[16];
    size_t n = 77;
    CHECK_STATUS(licentia_release_catalogue_version_at(cat, 4, buf, sizeof buf, &n),
                 LICENTIA_NOT_FOUND);
    CHECK(n == 77);

    licentia_license *l = NULL;
    CHECK_OK(licentia_verify(verifier, lic, &l));
    bool may_run = false;
    CHECK_OK(licentia_license_may_run(l, cat, "3.1", &may_run));
    CHECK(may_run);
    CHECK_OK(licentia_license_may_run(l, cat, "3.2.0", &may_run));
    CHECK(!may_run);
    CHECK_STATUS(licentia_license_may_run(l, cat, "3.3", &may_run), LICENTIA_NOT_FOUND);
    CHECK_STRING(licentia_license_runnable_releases(l, cat, p_, cap_, &n_), "3.0\n3.1\n3.2-beta.1");

    /* The running version's date from the catalogue, into the check. */
    licentia_check_context ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.now = at("2027-09-02T00:00:00Z");
    ctx.product = "acme-cad";
    ctx.has_release_date = true;
    licentia_report *r = NULL;
    CHECK_OK(licentia_release_catalogue_date(cat, "3.1", &ctx.release_date));
    CHECK(ctx.release_date == at("2027-05-11T00:00:00Z"));
    CHECK_OK(licentia_check(l, &ctx, &r));
    CHECK(licentia_report_state(r) == LICENTIA_STATE_VALID);
    licentia_report_free(r);
    r = NULL;
    CHECK_OK(licentia_release_catalogue_date(cat, "3.2", &ctx.release_date));
    CHECK_OK(licentia_check(l, &ctx, &r));
    CHECK(licentia_report_state(r) == LICENTIA_STATE_INVALID);
    licentia_finding finding;
    CHECK_OK(licentia_report_finding(r, 0, &finding));
    CHECK(finding.rule == LICENTIA_RULE_VERSION_NOT_COVERED);
    licentia_report_free(r);
    int64_t date = 5;
    CHECK_STATUS(licentia_release_catalogue_date(cat, "9", &date), LICENTIA_NOT_FOUND);
    CHECK(date == 5);

    /* NULL arguments (another product's catalogue is refused when it is
     * verified, above). */
    CHECK_STATUS(licentia_verify_release_catalogue(NULL, text, "acme-cad", &cat),
                 LICENTIA_NULL_ARGUMENT);
    CHECK_STATUS(licentia_verify_release_catalogue(verifier, text, "acme-cad", NULL),
                 LICENTIA_NULL_ARGUMENT);
    CHECK_STATUS(licentia_license_may_run(l, NULL, "3.1", &may_run), LICENTIA_NULL_ARGUMENT);
    CHECK_STATUS(licentia_license_may_run(l, cat, NULL, &may_run), LICENTIA_NULL_ARGUMENT);
    CHECK_STATUS(licentia_license_may_run(l, cat, "3.1", NULL), LICENTIA_NULL_ARGUMENT);
    CHECK_STATUS(licentia_release_catalogue_date(NULL, "3.1", &date), LICENTIA_NULL_ARGUMENT);
    CHECK_STATUS(licentia_license_runnable_releases(NULL, cat, buf, sizeof buf, &n),
                 LICENTIA_NULL_ARGUMENT);
    CHECK_STATUS(licentia_license_runnable_releases(l, cat, buf, sizeof buf, NULL),
                 LICENTIA_NULL_ARGUMENT);
    CHECK(licentia_release_catalogue_count(NULL) == 0);

    licentia_license_free(l);
    licentia_release_catalogue_free(cat);
    licentia_verifier_free(verifier);
    free(lic);
    free(text);
}

/* Metering: the meters a license carries, read from the verified license;
 * the offline usage report a client writes (no back office is called);
 * NULL arguments, bad records and buffers too small. */
static void metering(const char *dir) {
    licentia_verifier *verifier = issuer_verifier(dir);
    char *text = read_file(dir, "licenses/metered.lic");
    licentia_license *l = NULL;
    CHECK_OK(licentia_verify(verifier, text, &l));
    CHECK(licentia_license_meter_count(l) == 2);
    licentia_meter m = {0, LICENTIA_METER_DAY};
    CHECK_OK(licentia_license_meter_at(l, 0, &m));
    CHECK(m.quota == 10000 && m.period == LICENTIA_METER_MONTH);
    CHECK_STRING(licentia_license_meter_name(l, 0, p_, cap_, &n_), "api_calls");
    CHECK_STRING(licentia_license_meter_name(l, 1, p_, cap_, &n_), "renders");
    CHECK_OK(licentia_license_meter(l, "renders", &m));
    CHECK(m.quota == 50 && m.period == LICENTIA_METER_TERM);
    CHECK_STATUS(licentia_license_meter_at(l, 2, &m), LICENTIA_NOT_FOUND);
    CHECK_STATUS(licentia_license_meter(l, "exports", &m), LICENTIA_NOT_FOUND);
    CHECK(m.quota == 50 && m.period == LICENTIA_METER_TERM); /* written only on success */
    char buf[16];
    size_t n = 77;
    CHECK_STATUS(licentia_license_meter_name(l, 2, buf, sizeof buf, &n), LICENTIA_NOT_FOUND);
    CHECK(licentia_license_meter_count(NULL) == 0);
    CHECK_STATUS(licentia_license_meter_at(NULL, 0, &m), LICENTIA_NULL_ARGUMENT);
    CHECK_STATUS(licentia_license_meter_at(l, 0, NULL), LICENTIA_NULL_ARGUMENT);
    CHECK_STATUS(licentia_license_meter(NULL, "renders", &m), LICENTIA_NULL_ARGUMENT);
    CHECK_STATUS(licentia_license_meter(l, NULL, &m), LICENTIA_NULL_ARGUMENT);
    CHECK_STATUS(licentia_license_meter(l, "renders", NULL), LICENTIA_NULL_ARGUMENT);
    CHECK_STATUS(licentia_license_meter_name(NULL, 0, buf, sizeof buf, &n), LICENTIA_NULL_ARGUMENT);
    CHECK_STATUS(licentia_license_meter_name(l, 0, buf, sizeof buf, NULL), LICENTIA_NULL_ARGUMENT);

    /* A client whose back office is out of reach still writes the report. */
    char store[] = "/tmp/licentia-capi-usage-XXXXXX";
    CHECK(mkdtemp(store) != NULL);
    licentia_client_config *config = NULL;
    licentia_client *client = NULL;
    CHECK_OK(licentia_client_config_new("https://127.0.0.1:1", "acme-cad", verifier, &config));
    CHECK_OK(licentia_client_config_set_store(config, store));
    CHECK_OK(licentia_client_config_set_retries(config, 0, 0));
    CHECK_OK(licentia_client_new(config, &client));
    char id[33];
    CHECK_OK(licentia_license_id(l, id, sizeof id, &n));
    const char *meters[] = {"renders", "api_calls"};
    const uint64_t amounts[] = {7, 1234};
    CHECK_STRING(licentia_client_usage_report(client, id, 3, meters, amounts, 2, p_, cap_, &n_),
                 NULL);
    CHECK(strncmp(last, "-----BEGIN LICENTIA USAGE REPORT-----\n", 38) == 0);
    CHECK(strstr(last, "-----END LICENTIA USAGE REPORT-----") != NULL);
    char report[1024];
    CHECK_STATUS(licentia_client_usage_report(client, "not-an-id", 3, meters, amounts, 2, report,
                                              sizeof report, &n),
                 LICENTIA_INVALID_ARGUMENT);
    const char *bad_names[] = {"renders", "Not A Code!"};
    CHECK_STATUS(licentia_client_usage_report(client, id, 3, bad_names, amounts, 2, report,
                                              sizeof report, &n),
                 LICENTIA_INVALID_SPEC);
    const char *null_name[] = {"renders", NULL};
    CHECK_STATUS(licentia_client_usage_report(client, id, 3, null_name, amounts, 2, report,
                                              sizeof report, &n),
                 LICENTIA_NULL_ARGUMENT);
    CHECK_STATUS(licentia_client_usage_report(client, id, 3, NULL, amounts, 2, report,
                                              sizeof report, &n),
                 LICENTIA_NULL_ARGUMENT);
    CHECK_STATUS(licentia_client_usage_report(client, id, 3, meters, NULL, 2, report,
                                              sizeof report, &n),
                 LICENTIA_NULL_ARGUMENT);
    CHECK_STATUS(licentia_client_usage_report(NULL, id, 3, meters, amounts, 2, report,
                                              sizeof report, &n),
                 LICENTIA_NULL_ARGUMENT);
    CHECK_STATUS(licentia_client_usage_report(client, NULL, 3, meters, amounts, 2, report,
                                              sizeof report, &n),
                 LICENTIA_NULL_ARGUMENT);
    CHECK_STATUS(licentia_client_usage_report(client, id, 3, meters, amounts, 2, report,
                                              sizeof report, NULL),
                 LICENTIA_NULL_ARGUMENT);

    /* Online, the batch needs the back office: out of reach, nothing is
     * written to `after`. */
    licentia_meter_usage after[2] = {{-1, -1, -1, {false, -1}}, {-1, -1, -1, {false, -1}}};
    CHECK_STATUS(licentia_client_record_usage(client, "KEY", "batch-1", meters, amounts, 2, after),
                 LICENTIA_UNREACHABLE);
    CHECK(after[0].used == -1 && after[1].quota == -1);
    CHECK_STATUS(licentia_client_record_usage(NULL, "KEY", "batch-1", meters, amounts, 2, after),
                 LICENTIA_NULL_ARGUMENT);
    CHECK_STATUS(licentia_client_record_usage(client, NULL, "batch-1", meters, amounts, 2, after),
                 LICENTIA_NULL_ARGUMENT);
    CHECK_STATUS(licentia_client_record_usage(client, "KEY", NULL, meters, amounts, 2, after),
                 LICENTIA_NULL_ARGUMENT);
    CHECK_STATUS(licentia_client_record_usage(client, "KEY", "batch-1", NULL, amounts, 2, after),
                 LICENTIA_NULL_ARGUMENT);
    CHECK_STATUS(licentia_client_record_usage(client, "KEY", "batch-1", meters, NULL, 2, after),
                 LICENTIA_NULL_ARGUMENT);
    CHECK_STATUS(licentia_client_record_usage(client, "KEY", "batch-1", null_name, amounts, 2,
                                              after),
                 LICENTIA_NULL_ARGUMENT);

    licentia_client_free(client);
    licentia_client_config_free(config);
    CHECK(rmdir(store) == 0);
    licentia_license_free(l);
    licentia_verifier_free(verifier);
    free(text);
}

static void free_null(void) {
    licentia_verifier_free(NULL);
    licentia_license_free(NULL);
    licentia_report_free(NULL);
    licentia_clock_options_free(NULL);
    licentia_fingerprint_free(NULL);
    licentia_fingerprint_builder_free(NULL);
    licentia_activation_request_free(NULL);
    licentia_issuer_free(NULL);
    licentia_document_free(NULL);
    licentia_environment_free(NULL);
    licentia_release_catalogue_free(NULL);
    CHECK(1);
}

/* A panic inside the library comes back as a status. */
static void panic_boundary(void) {
#if defined(LICENTIA_TEST_HOOKS)
    CHECK_STATUS(licentia_test_panic(), LICENTIA_PANIC);
    CHECK_STATUS(licentia_test_panic(), LICENTIA_PANIC); /* and the library still works */
    CHECK(strcmp(licentia_version(), "0.1.0") == 0);
#else
    fprintf(stderr, "test_api: built without LICENTIA_TEST_HOOKS: panic hook not tested\n");
    checks_failed++;
#endif
}

int main(int argc, char **argv) {
    const char *dir = vectors_dir(argc, argv);
    versions();
    accessors(dir);
    kinds(dir);
    fingerprints();
    issuance(dir);
    clock_guard(dir);
    clock_guard_options(dir);
    null_arguments(dir);
    environments(dir);
    release_catalogue(dir);
    metering(dir);
    free_null();
    panic_boundary();
    return finish("test_api");
}
