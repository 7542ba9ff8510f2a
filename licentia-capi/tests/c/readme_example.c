#include <licentia.h>
#include <stdio.h>
#include <time.h>

int main(int argc, char **argv) { /* usage: example ISSUER.pub LICENSE.lic PRODUCT */
    licentia_verifier *verifier = NULL;
    licentia_license *license = NULL;
    licentia_report *report = NULL;
    licentia_check_context ctx = {.now = time(NULL), .product = argc > 3 ? argv[3] : ""};
    char text[4096];
    size_t len;

    licentia_status status = argc == 4 ? licentia_verifier_from_key_file(argv[1], &verifier)
                                       : LICENTIA_INVALID_ARGUMENT;
    if (status == LICENTIA_OK) status = licentia_verify_file(verifier, argv[2], &license);
    if (status == LICENTIA_OK) status = licentia_check(license, &ctx, &report);
    if (status == LICENTIA_OK) status = licentia_report_to_text(report, text, sizeof text, &len);
    if (status == LICENTIA_OK) printf("%s\n", text); /* "valid", or each reason with its code */
    else fprintf(stderr, "error %u: %s\n", (unsigned)status, licentia_status_message(status));

    int usable = status == LICENTIA_OK && licentia_report_state(report) != LICENTIA_STATE_INVALID;
    licentia_report_free(report);
    licentia_license_free(license);
    licentia_verifier_free(verifier);
    return usable ? 0 : 1;
}
