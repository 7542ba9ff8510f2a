/* Small helpers shared by the C tests: counted checks and file reading. */
#ifndef LICENTIA_TEST_CHECK_H
#define LICENTIA_TEST_CHECK_H

#include <licentia.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int checks_run;
static int checks_failed;

/* Records one check; prints where it failed. */
#define CHECK(cond)                                                         \
    do {                                                                    \
        checks_run++;                                                       \
        if (!(cond)) {                                                      \
            checks_failed++;                                                \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
                    #cond);                                                 \
        }                                                                   \
    } while (0)

/* Checks a call's status, naming both statuses when they differ. */
#define CHECK_STATUS(call, expected)                                          \
    do {                                                                      \
        licentia_status got_ = (call);                                        \
        checks_run++;                                                         \
        if (got_ != (licentia_status)(expected)) {                            \
            checks_failed++;                                                  \
            fprintf(stderr, "%s:%d: %s: got %u (%s), expected %u\n", __FILE__, \
                    __LINE__, #call, (unsigned)got_,                          \
                    licentia_status_message(got_), (unsigned)(expected));     \
        }                                                                     \
    } while (0)

#define CHECK_OK(call) CHECK_STATUS(call, LICENTIA_OK)

/* Prints the closing line and gives the exit code. */
static inline int finish(const char *name) {
    printf("%s: %d checks, %d failed\n", name, checks_run, checks_failed);
    return checks_failed == 0 && checks_run > 0 ? 0 : 1;
}

/* Reads a whole file into a NUL-terminated string (free it); NULL on error. */
static inline char *read_file(const char *dir, const char *name) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        return NULL;
    }
    size_t cap = 4096, len = 0, n;
    char *text = malloc(cap);
    while (text != NULL && (n = fread(text + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (len + 1 == cap) {
            char *bigger = realloc(text, cap * 2);
            if (bigger == NULL) {
                free(text);
            }
            text = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    if (text != NULL) {
        text[len] = '\0';
    }
    return text;
}

/* The files one test function reads: each read with `test_file`, all freed
 * together by `free_test_files`, so no read can go without its free. */
typedef struct {
    const char *dir;
    size_t count;
    char *texts[16];
} test_files;

/* Reads `name` under `files->dir` (see read_file) and keeps it for
 * free_test_files; NULL, and a failed check, when it cannot be read. */
static inline char *test_file(test_files *files, const char *name) {
    char *text = read_file(files->dir, name);
    checks_run++;
    if (text == NULL) {
        checks_failed++;
        return NULL;
    }
    if (files->count == sizeof files->texts / sizeof files->texts[0]) {
        checks_failed++;
        fprintf(stderr, "test_file: more than %zu files; raise test_files.texts\n",
                files->count);
        free(text);
        return NULL;
    }
    files->texts[files->count++] = text;
    return text;
}

/* Frees every file `files` read. */
static inline void free_test_files(test_files *files) {
    while (files->count > 0) {
        free(files->texts[--files->count]);
    }
}

/* The directory of the shared vectors: argv[1], else tests/vectors. */
static inline const char *vectors_dir(int argc, char **argv) {
    return argc > 1 ? argv[1] : "tests/vectors";
}

/* A verifier trusting keys/issuer.pub, or NULL. */
static inline licentia_verifier *issuer_verifier(const char *dir) {
    char *pem = read_file(dir, "keys/issuer.pub");
    licentia_verifier *verifier = NULL;
    if (pem == NULL || licentia_verifier_from_pem(pem, &verifier) != LICENTIA_OK) {
        fprintf(stderr, "cannot load keys/issuer.pub\n");
    }
    free(pem);
    return verifier;
}

#endif
