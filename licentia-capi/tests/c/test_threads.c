/* One verifier, one license, one fingerprint and one issuer shared by
 * several threads at once, each verifying, checking, reading and issuing:
 * every thread must see exactly what the main thread saw.
 * Usage: test_threads [VECTORS_DIR] */
#include "check.h"

#include <pthread.h>

#define THREADS 8
#define ROUNDS 8

static const char *MACHINE_A =
    "03609ac5750e57fd8727f95bcfff3ce06a03daa58406d6f907ab64a58baadb33254d03d444549f12"
    "6d17d5fa8afb381c28ea4e";

/* What every thread shares, read-only. */
struct shared {
    const licentia_verifier *verifier;
    const licentia_license *license;
    const licentia_issuer *issuer;
    const char *text;
    licentia_check_context ctx;
    char id[64];
    char report[1024];
};

/* One thread's failures (threads do not touch the global counters). */
struct result {
    int failed;
};

static void *worker(void *arg) {
    const struct shared *s = arg;
    static struct result results[THREADS];
    static int next;
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&lock);
    struct result *me = &results[next++];
    pthread_mutex_unlock(&lock);

    for (int round = 0; round < ROUNDS; round++) {
        licentia_license *license = NULL;
        licentia_report *report = NULL;
        char buf[1024];
        size_t n = 0;
        /* Verify and check, against the shared verifier and context. */
        if (licentia_verify(s->verifier, s->text, &license) != LICENTIA_OK ||
            licentia_check(license, &s->ctx, &report) != LICENTIA_OK ||
            licentia_report_to_text(report, buf, sizeof buf, &n) != LICENTIA_OK ||
            strcmp(buf, s->report) != 0) {
            me->failed++;
        }
        licentia_report_free(report);
        licentia_license_free(license);
        /* Read the shared license, and check it again. */
        report = NULL;
        if (licentia_license_id(s->license, buf, sizeof buf, &n) != LICENTIA_OK ||
            strcmp(buf, s->id) != 0 ||
            licentia_check(s->license, &s->ctx, &report) != LICENTIA_OK ||
            licentia_report_state(report) != LICENTIA_STATE_VALID) {
            me->failed++;
        }
        licentia_report_free(report);
        /* Issue with the shared issuer. */
        licentia_document *doc = NULL;
        if (licentia_issuer_issue_json(s->issuer,
                                       "{\"product\": \"acme-cad\", \"licensee\": \"T\"}",
                                       &doc) != LICENTIA_OK ||
            licentia_document_compact(doc, buf, sizeof buf, &n) != LICENTIA_OK ||
            strncmp(buf, "lic.", 4) != 0) {
            me->failed++;
        }
        licentia_document_free(doc);
    }
    return me;
}

int main(int argc, char **argv) {
    const char *dir = vectors_dir(argc, argv);
    test_files files = {.dir = dir};
    char *text = test_file(&files, "licenses/full.lic");
    char *key = test_file(&files, "keys/issuer.key");
    licentia_verifier *verifier = issuer_verifier(dir);
    licentia_license *license = NULL;
    licentia_fingerprint *machine = NULL;
    licentia_issuer *issuer = NULL;
    licentia_report *report = NULL;
    struct shared s;
    memset(&s, 0, sizeof s);
    size_t n = 0;

    CHECK_OK(licentia_verify(verifier, text, &license));
    CHECK_OK(licentia_fingerprint_from_hex(MACHINE_A, &machine));
    CHECK_OK(licentia_issuer_from_pem(key, &issuer));
    s.verifier = verifier;
    s.license = license;
    s.issuer = issuer;
    s.text = text;
    s.ctx.product = "acme-cad";
    s.ctx.machine = machine;
    CHECK_OK(licentia_parse_time("2026-01-15T00:00:00Z", &s.ctx.now));
    CHECK_OK(licentia_license_id(license, s.id, sizeof s.id, &n));
    CHECK_OK(licentia_check(license, &s.ctx, &report));
    CHECK_OK(licentia_report_to_text(report, s.report, sizeof s.report, &n));
    CHECK(strcmp(s.report, "valid") == 0);
    licentia_report_free(report);

    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++) {
        CHECK(pthread_create(&threads[i], NULL, worker, &s) == 0);
    }
    for (int i = 0; i < THREADS; i++) {
        void *out = NULL;
        CHECK(pthread_join(threads[i], &out) == 0);
        CHECK(out != NULL && ((struct result *)out)->failed == 0);
    }

    licentia_issuer_free(issuer);
    licentia_fingerprint_free(machine);
    licentia_license_free(license);
    licentia_verifier_free(verifier);
    free_test_files(&files);
    return finish("test_threads");
}
