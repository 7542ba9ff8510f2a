// Verifies a license file and prints its verdict.
//   readme_example PUBLIC_KEY.pem LICENSE.lic
#include <licentia.hpp>

#include <iostream>

int main(int argc, char **argv) {
    if (argc != 3) {
        std::cerr << "usage: " << argv[0] << " PUBLIC_KEY.pem LICENSE.lic\n";
        return 2;
    }
    try {
        const licentia::Verifier verifier = licentia::Verifier::from_key_file(argv[1]);
        const licentia::License license = verifier.verify_file(argv[2]);

        licentia::CheckContext ctx;
        ctx.now = licentia::parse_time("2026-11-15T00:00:00Z"); // in a product: system_clock::now()
        ctx.product = "acme-cad";
        const licentia::Report report = license.check(ctx);

        std::cout << license.licensee_name() << ": " << licentia::state_name(report.state()) << '\n';
        for (const licentia::Finding &finding : report.findings()) {
            std::cout << "  " << licentia::rule_name(finding.rule) << ": " << finding.message << '\n';
        }
        return report.state() == licentia::State::invalid ? 1 : 0;
    } catch (const licentia::Error &e) {
        std::cerr << "license refused (" << e.code() << "): " << e.what() << '\n';
        return 1;
    }
}
