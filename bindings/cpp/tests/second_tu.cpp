// The second translation unit: includes licentia.hpp like the first, so the
// link proves the header defines nothing twice (everything inline).
#include <licentia.hpp>

#include <string>

// Declared in test_licentia.cpp; uses the header's classes and functions
// in this translation unit too.
std::string second_tu_verify(const std::string &pem, const std::string &text);

std::string second_tu_verify(const std::string &pem, const std::string &text) {
    const licentia::Verifier verifier = licentia::Verifier::from_pem(pem);
    const licentia::License license = verifier.verify(text);
    return license.id() + " " + licentia::format_time(license.terms().issued_at);
}
