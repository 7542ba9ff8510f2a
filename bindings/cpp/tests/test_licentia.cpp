// Tests of licentia.hpp against the real library and the shared vectors.
//
//   test_licentia [VECTORS_DIR]   (default tests/vectors)
//
// Prints "cpp: N passed, N failed"; exits non-zero on any failure.
#include "check.hpp"

#include <licentia.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <unistd.h>

std::string second_tu_verify(const std::string &pem, const std::string &text);

namespace {

using licentia::Status;
using std::chrono::hours;
using std::chrono::seconds;

std::string vectors;

std::string vector_file(const std::string &name) { return test::read_file(vectors + "/" + name); }

licentia::Verifier trusted() { return licentia::Verifier::from_pem(vector_file("keys/issuer.pub")); }

const char *const machine_a = "03609ac5750e57fd8727f95bcfff3ce06a03daa58406d6f907ab64a58baadb33254d03d444549f126d17d5fa8afb381c28ea4e";

// The handle types are move-only: copying one would free its handle twice.
template <class T> constexpr bool move_only() {
    return !std::is_copy_constructible<T>::value && !std::is_copy_assignable<T>::value &&
           std::is_nothrow_move_constructible<T>::value && std::is_nothrow_move_assignable<T>::value;
}
static_assert(move_only<licentia::Verifier>(), "Verifier");
static_assert(move_only<licentia::License>(), "License");
static_assert(move_only<licentia::Report>(), "Report");
static_assert(move_only<licentia::Fingerprint>(), "Fingerprint");
static_assert(move_only<licentia::FingerprintBuilder>(), "FingerprintBuilder");
static_assert(move_only<licentia::Issuer>(), "Issuer");
static_assert(move_only<licentia::Document>(), "Document");
static_assert(move_only<licentia::ActivationRequest>(), "ActivationRequest");

// The whitespace-separated fields of each non-comment line of a table.
std::vector<std::vector<std::string>> table(const std::string &name) {
    std::istringstream lines(vector_file(name));
    std::vector<std::vector<std::string>> rows;
    std::string line;
    while (std::getline(lines, line)) {
        std::istringstream words(line);
        std::vector<std::string> row;
        std::string word;
        while (words >> word) {
            row.push_back(word);
        }
        if (!row.empty() && row[0][0] != '#') {
            rows.push_back(row);
        }
    }
    return rows;
}

// "105,108" or "-", from a report's findings.
std::string codes(const licentia::Report &report) {
    std::string out;
    for (const licentia::Finding &f : report.findings()) {
        out += (out.empty() ? "" : ",") + std::to_string(static_cast<unsigned>(f.rule));
    }
    return out.empty() ? "-" : out;
}

// One verdicts.txt row (FILE NOW PRODUCT MACHINE RELEASE USER STATE CODES,
// and a ninth field, the fake root under environments/ to probe, on some),
// checked with `revocations` (may be null).
void check_verdict(const licentia::Verifier &verifier, const std::vector<std::string> &row,
                   const licentia::Verifier *revocations) {
    const std::string where = row[0] + " " + row[1] + " " + row[2];
    if (row.size() != 8 && row.size() != 9) {
        test::record(false, ("malformed vector line: " + where).c_str(), __FILE__, __LINE__);
        return;
    }
    const licentia::License license = verifier.verify(vector_file(row[0]));
    std::optional<licentia::Fingerprint> machine;
    if (row[3] != "-") {
        machine = licentia::Fingerprint::from_hex(row[3]);
    }
    licentia::CheckContext ctx;
    ctx.now = licentia::parse_time(row[1]);
    ctx.product = row[2];
    ctx.machine = machine ? &*machine : nullptr;
    if (row[4] != "-") {
        ctx.release_date = licentia::parse_time(row[4]);
    }
    if (row[5] != "-") {
        ctx.user = row[5];
    }
    ctx.revocations = revocations;
    std::optional<licentia::Environment> environment;
    if (row.size() == 9) {
        environment = licentia::Environment::probe_root(vectors + "/environments/" + row[8]);
        ctx.environment = &*environment;
    }
    const licentia::Report report = license.check(ctx);
    const std::string state(licentia::state_name(report.state()));
    const std::string got = state + " " + codes(report);
    const std::string expected = row[6] + " " + row[7];
    test::record(got == expected, where.c_str(), __FILE__, __LINE__);
    // Verified and checked in one call: the same verdict.
    const licentia::Report one_call = verifier.check(vector_file(row[0]), ctx);
    test::record(one_call.state() == report.state() && codes(one_call) == codes(report), where.c_str(), __FILE__,
                 __LINE__);
    if (got != expected) {
        std::cerr << "  got " << got << ", expected " << expected << '\n';
    }
}

void test_verdicts() {
    const licentia::Verifier verifier = trusted();
    for (const auto &row : table("verdicts.txt")) {
        check_verdict(verifier, row, nullptr);
    }
    CHECK(test::run() > 60);
}

void test_revoked() {
    const licentia::Verifier verifier = trusted();
    const auto rows = table("revoked.txt");
    CHECK(!rows.empty());
    for (const auto &row : rows) {
        licentia::Verifier revocations = trusted();
        revocations.set_revocation_list(vector_file(row[0]), row[3]);
        check_verdict(verifier, std::vector<std::string>(row.begin() + 1, row.end()), &revocations);
    }
}

void test_errors() {
    const licentia::Verifier verifier = trusted();
    const auto rows = table("errors.txt");
    CHECK(rows.size() >= 29);
    for (const auto &row : rows) {
        const auto expected = static_cast<Status>(std::stoul(row[1]));
        const std::string text = vector_file(row[0]);
        test::expect_status([&] { (void)verifier.verify(text); }, expected, row[2].c_str(), __FILE__, __LINE__);
        licentia::CheckContext ctx;
        ctx.now = licentia::parse_time("2026-06-01");
        ctx.product = "acme-cad";
        test::expect_status([&] { (void)verifier.check(text, ctx); }, expected, row[2].c_str(), __FILE__, __LINE__);
        test::expect_status([&] { (void)verifier.verify_file(vectors + "/" + row[0]); }, expected, row[2].c_str(),
                            __FILE__, __LINE__);
    }
}

void test_happy_path() {
    const licentia::Verifier verifier = trusted();
    const licentia::License license = verifier.verify(vector_file("licenses/typical.lic"));
    CHECK(license.product() == "acme-cad");
    CHECK(license.id().size() == 32);
    CHECK(license.key_id().size() == 16);
    CHECK(license.licensee_name() == "Jane Doe");
    CHECK(license.licensee_email() == std::optional<std::string>("jane@example.com"));
    CHECK(!license.customer_ref());
    CHECK(!license.replaces());
    CHECK(license.kind() == licentia::Kind::standard);

    const licentia::Terms terms = license.terms();
    CHECK(licentia::format_time(terms.issued_at) == "2026-01-01T00:00:00Z");
    CHECK(terms.soft_expiry == licentia::parse_time("2026-12-01"));
    CHECK(terms.hard_expiry == licentia::parse_time("2027-01-01T00:00:00Z"));
    CHECK(terms.grace == std::optional<seconds>(hours(24 * 14)));
    CHECK(!terms.valid_from && !terms.updates_until && !terms.check_in_interval);

    const licentia::Binding binding = license.binding();
    CHECK(binding.kind == licentia::BindingKind::node_locked);
    CHECK(binding.match_rule == licentia::MatchRule::two);
    CHECK(binding.machines == std::vector<std::string>{machine_a});
    CHECK(!binding.user);

    const auto now = licentia::parse_time("2026-06-01T00:00:00Z");
    const auto entitlements = license.entitlements();
    CHECK(entitlements.size() == 3);
    CHECK(license.has_feature("export", now));
    CHECK(!license.has_feature("teleport", now));
    const auto seats = license.entitlement("seats", now);
    CHECK(seats && seats->code == "seats" && seats->count == std::optional<std::uint32_t>(5));
    CHECK(!license.entitlement("teleport", now));

    // The vendor fingerprint of machine a, built here, is the vectors' one.
    const licentia::Fingerprint machine = licentia::FingerprintBuilder("acme-cad")
                                              .add_vendor("serial", "SN-0001")
                                              .add_vendor("board", "BRD-0001")
                                              .add_vendor("disk", "DSK-0001")
                                              .build();
    CHECK(machine.to_hex() == machine_a);

    licentia::CheckContext ctx;
    ctx.now = now;
    ctx.product = "acme-cad";
    ctx.machine = &machine;
    const licentia::Report report = license.check(ctx);
    CHECK(report.state() == licentia::State::valid);
    CHECK(report.findings().empty());
    CHECK(!report.grace_remaining());
    CHECK(report.to_text().find("valid") != std::string::npos);

    // In grace: a warning with the time left, and a message for the user.
    ctx.now = licentia::parse_time("2027-01-05T00:00:00Z");
    const licentia::Report grace = license.check(ctx);
    CHECK(grace.state() == licentia::State::valid_with_warnings);
    const auto findings = grace.findings();
    CHECK(findings.size() == 1 && findings[0].rule == licentia::Rule::in_grace &&
          findings[0].severity == licentia::Severity::warning && !findings[0].message.empty());
    CHECK(grace.grace_remaining() == std::optional<seconds>(hours(24 * 10)));
    CHECK(licentia::rule_name(licentia::Rule::in_grace) == "in_grace");

    // The second translation unit verifies with the same header.
    CHECK(second_tu_verify(vector_file("keys/issuer.pub"), vector_file("licenses/typical.compact")) ==
          license.id() + " 2026-01-01T00:00:00Z");
}

void test_full_license() {
    const licentia::License license = trusted().verify(vector_file("licenses/full.lic"));
    CHECK(license.licensee_name() == "Soci\xc3\xa9t\xc3\xa9 Exemplaire, Z\xc3\xbcrich");
    CHECK(license.customer_ref() == std::optional<std::string>("CUST-00042"));
    CHECK(license.seats() == 25);
    CHECK(license.metadata("edition") == std::optional<std::string>("enterprise"));
    CHECK(license.metadata("note") == std::optional<std::string>(""));
    CHECK(!license.metadata("missing"));
    const licentia::Terms terms = license.terms();
    CHECK(terms.valid_from == licentia::parse_time("2026-01-01"));
    CHECK(terms.updates_until == licentia::parse_time("2026-10-01"));
    CHECK(terms.check_in_interval == std::optional<seconds>(hours(24 * 30)));
    CHECK(terms.check_in_max_offline == std::optional<seconds>(hours(24 * 14)));
    CHECK(license.binding().machines.size() == 2);
    // render=8 stops on 2026-09-01, before the license does.
    const auto render = license.entitlement("render", licentia::parse_time("2026-06-01"));
    CHECK(render && render->expires == licentia::parse_time("2026-09-01"));
    CHECK(!license.has_feature("render", licentia::parse_time("2026-09-02")));

    const licentia::License named = trusted().verify(vector_file("licenses/named_user.lic"));
    CHECK(named.binding().kind == licentia::BindingKind::named_user);
    CHECK(named.binding().user == std::optional<std::string>("jdoe"));
    CHECK(trusted().verify(vector_file("licenses/floating.lic")).binding().max_machines == 5);
    CHECK(trusted().verify(vector_file("licenses/trial.lic")).kind() == licentia::Kind::trial);
    const licentia::License temporary = trusted().verify(vector_file("licenses/temporary.lic"));
    CHECK(temporary.kind() == licentia::Kind::temporary && temporary.replaces());
}

void test_moves() {
    licentia::Verifier verifier = trusted();
    licentia::Verifier other = std::move(verifier);
    CHECK(!verifier && other);
    // A moved-from object throws instead of reaching the library.
    CHECK_STATUS(verifier.verify(vector_file("licenses/unbound.lic")), Status::null_argument);
    CHECK_STATUS(verifier.add_key_pem(vector_file("keys/other.pub")), Status::null_argument);
    verifier = std::move(other); // assigning into a moved-from object
    CHECK(verifier && !other);
    licentia::Verifier &alias = verifier;
    verifier = std::move(alias); // self-move keeps the handle
    CHECK(verifier);

    licentia::License license = verifier.verify(vector_file("licenses/unbound.lic"));
    const std::string id = license.id();
    std::vector<licentia::License> licenses;
    licenses.push_back(std::move(license));
    licenses.push_back(verifier.verify(vector_file("licenses/trial.lic")));
    licenses.reserve(64); // reallocation moves every element
    CHECK(licenses[0].id() == id);
    CHECK_STATUS(license.id(), Status::null_argument);
    CHECK_STATUS(license.kind(), Status::null_argument);
    licentia::CheckContext ctx;
    ctx.now = licentia::parse_time("2026-06-01");
    ctx.product = "acme-cad";
    CHECK_STATUS(license.check(ctx), Status::null_argument);

    licentia::Report report = licenses[0].check(ctx);
    licentia::Report moved = std::move(report);
    CHECK(moved.state() == licentia::State::valid);
    CHECK_STATUS(report.state(), Status::null_argument);
    report = std::move(moved); // the assigned-over (empty) report frees nothing
    CHECK(report.state() == licentia::State::valid);

    licentia::Fingerprint machine = licentia::Fingerprint::from_hex(machine_a);
    licentia::Fingerprint taken = std::move(machine);
    CHECK_STATUS(machine.to_hex(), Status::null_argument);
    ctx.machine = &machine; // a moved-from fingerprint in a context is refused too
    CHECK_STATUS(licenses[0].check(ctx), Status::null_argument);
    machine = licentia::Fingerprint::from_hex(machine_a); // assigning over a live handle frees it
    machine = std::move(taken);
    CHECK(machine.to_hex() == machine_a);

    licentia::FingerprintBuilder builder("acme-cad");
    builder.add_vendor("serial", "SN-0001");
    licentia::FingerprintBuilder builder2 = std::move(builder);
    CHECK_STATUS(builder.add_vendor("disk", "x"), Status::null_argument);
    CHECK_STATUS(builder.build(), Status::null_argument);
    const licentia::Fingerprint built = builder2.build();
    CHECK(!builder2); // build() uses the builder up
    CHECK_STATUS(builder2.build(), Status::null_argument);
    // A failing build frees the builder too (valgrind sees no leak).
    licentia::FingerprintBuilder empty("acme-cad");
    CHECK_STATUS(empty.build(), Status::fingerprint);
    CHECK(!empty);
}

void test_exceptions() {
    licentia::Verifier verifier = trusted();
    // Error is a std::runtime_error whose what() is the library's message.
    try {
        (void)verifier.verify(vector_file("invalid/signature_bad.lic"));
        CHECK(false);
    } catch (const std::runtime_error &e) {
        CHECK(std::string(e.what()) == licentia::status_message(Status::bad_signature));
        const auto *error = dynamic_cast<const licentia::Error *>(&e);
        CHECK(error != nullptr && error->code() == 2002);
    }
    CHECK_STATUS(licentia::Verifier::from_pem("not a key"), Status::key_format);
    CHECK(licentia::Verifier::from_key_file(vectors + "/keys/issuer.pub").verify(vector_file("licenses/unbound.lic")));
    CHECK_STATUS(licentia::Verifier::from_key_file(vectors + "/keys/none.pub"), Status::io);
    CHECK_STATUS(licentia::Verifier::from_key_file(vectors + "/licenses/unbound.lic"), Status::key_format);
    std::array<std::uint8_t, 32> small_order{};
    small_order[0] = 1; // the identity point
    CHECK_STATUS(verifier.add_key_raw(small_order), Status::weak_key);
    CHECK_STATUS(licentia::Verifier::from_pem(vector_file("keys/small_order.pub")), Status::weak_key);
    CHECK_STATUS(licentia::Verifier::from_pem(vector_file("keys/other.pub")).verify(vector_file("licenses/unbound.lic")),
                 Status::unknown_key_id);
    CHECK_STATUS(verifier.verify(std::string("lic.\xff\xfe")), Status::invalid_utf8);
    CHECK_STATUS(verifier.verify_file(vectors + "/no/such.lic"), Status::io);
    CHECK_STATUS(licentia::parse_time("yesterday"), Status::invalid_argument);
    CHECK_STATUS(licentia::Fingerprint::from_hex("zz"), Status::fingerprint);
    CHECK_STATUS(licentia::Issuer::from_pem(vector_file("keys/issuer.pub")), Status::key_format);

    // Revocation lists: a newer one replaces an older one, never the reverse.
    CHECK(!verifier.revocation_sequence());
    verifier.set_revocation_list(vector_file("documents/revocation_2.revocation"), "acme-cad");
    CHECK(verifier.revocation_sequence() == std::optional<std::uint64_t>(2));
    CHECK_STATUS(verifier.set_revocation_list(vector_file("documents/revocation_1.revocation"), "acme-cad"),
                 Status::stale_revocation_list);
    CHECK_STATUS(trusted().set_revocation_list(vector_file("documents/revocation_1.revocation"), "other"),
                 Status::wrong_product);
    CHECK(verifier.revocation_sequence() == std::optional<std::uint64_t>(2));

    // Renewal tokens: for terms.lic only; the license is unchanged on error.
    licentia::License unbound = verifier.verify(vector_file("licenses/unbound.lic"));
    CHECK_STATUS(unbound.apply_renewal(verifier, vector_file("documents/renewal_extend.renewal")),
                 Status::renewal_mismatch);
    licentia::License terms = verifier.verify(vector_file("licenses/terms.lic"));
    terms.apply_renewal(verifier, vector_file("documents/renewal_extend.compact"));
    CHECK(terms.terms().hard_expiry == licentia::parse_time("2027-12-01"));
    terms.apply_renewal(verifier, vector_file("documents/renewal_feature.renewal"));
    const auto plugins = terms.entitlement("plugins", licentia::parse_time("2027-01-01"));
    CHECK(plugins && plugins->count == std::optional<std::uint32_t>(2));

    // Key rollover: the new key's license verifies once the statement is accepted.
    const std::string rolled = vector_file("documents/rollover_license.lic");
    CHECK_STATUS(verifier.verify(rolled), Status::unknown_key_id);
    CHECK_STATUS(verifier.accept_rollover(vector_file("documents/rollover_untrusted.rollover")),
                 Status::unknown_key_id);
    verifier.accept_rollover(vector_file("documents/rollover.rollover"));
    CHECK(verifier.verify(rolled).product() == "acme-cad");

    // A context that names a machine twice.
    licentia::CheckContext ctx;
    ctx.now = licentia::parse_time("2026-06-01");
    ctx.product = "acme-cad";
    const licentia::Fingerprint machine = licentia::Fingerprint::from_hex(machine_a);
    ctx.machine = &machine;
    ctx.this_machine = true;
    CHECK_STATUS(unbound.check(ctx), Status::invalid_argument);
}

void test_activation() {
    const licentia::Verifier verifier = trusted();
    const std::string request_text = vector_file("documents/activation.request");
    const licentia::ActivationRequest request = licentia::ActivationRequest::parse(request_text);
    CHECK(request.to_text() == request_text);
    const std::string answer = vector_file("documents/activation.answer");
    const std::string file = request.accept(verifier, answer, licentia::parse_time("2026-03-02T00:00:00Z"));
    const licentia::License license = verifier.verify(file);
    CHECK(license.binding().match_rule == licentia::MatchRule::most);
    // After the answer's window, or for another request, it is refused.
    CHECK_STATUS(request.accept(verifier, answer, licentia::parse_time("2026-03-09T00:00:00Z")),
                 Status::activation_mismatch);
    const licentia::Fingerprint machine = licentia::Fingerprint::from_hex(machine_a);
    const auto now = licentia::parse_time("2026-03-01T00:00:00Z");
    const licentia::ActivationRequest fresh =
        licentia::ActivationRequest::for_key("acme-cad", "ACME-0001-0002-0003", machine, now);
    CHECK_STATUS(fresh.accept(verifier, answer, now), Status::activation_mismatch);
    const licentia::ActivationRequest by_id =
        licentia::ActivationRequest::for_id("acme-cad", license.id(), machine, now);
    CHECK(licentia::ActivationRequest::parse(by_id.to_text()).to_text() == by_id.to_text());
    CHECK_STATUS(licentia::ActivationRequest::for_id("acme-cad", "not-an-id", machine, now),
                 Status::invalid_argument);
    CHECK_STATUS(licentia::ActivationRequest::parse("garbage"), Status::not_licentia_text);
}

void test_issue() {
    const licentia::Issuer issuer = licentia::Issuer::from_pem(vector_file("keys/issuer.key"));
    CHECK(issuer.public_key_pem() == vector_file("keys/issuer.pub"));
    const licentia::Document document = issuer.issue_json(R"({
        "product": "acme-cad", "licensee": "C++ Corp", "issued_at": "2026-01-01",
        "expires": "2027-01-01", "grace_days": 14, "features": ["export", "seats=5"],
        "metadata": {"edition": "pro"}
    })");
    const licentia::Verifier verifier = trusted();
    const licentia::License armored = verifier.verify(document.armor());
    const licentia::License compact = verifier.verify(document.compact());
    CHECK(armored.id() == compact.id());
    CHECK(armored.licensee_name() == "C++ Corp");
    CHECK(armored.metadata("edition") == std::optional<std::string>("pro"));
    CHECK(armored.terms().hard_expiry == licentia::parse_time("2027-01-01"));
    licentia::CheckContext ctx;
    ctx.now = licentia::parse_time("2026-06-01");
    ctx.product = "acme-cad";
    CHECK(armored.check(ctx).state() == licentia::State::valid);
    CHECK_STATUS(issuer.issue_json(R"({"product": "acme-cad", "licensee": "x", "colour": "red"})"),
                 Status::invalid_spec);
    CHECK_STATUS(issuer.issue_json(R"({"product": "acme-cad", "licensee": "x", "expires": "soon"})"),
                 Status::invalid_argument);
}

void test_versions() {
    CHECK(!licentia::version().empty());
    const auto versions = licentia::supported_format_versions();
    bool writes_what_it_reads = false;
    for (std::uint8_t v : versions) {
        writes_what_it_reads = writes_what_it_reads || v == licentia::format_version();
    }
    CHECK(writes_what_it_reads);
    CHECK(licentia::format_time(licentia::parse_time("2027-01-31T12:00:00+01:00")) == "2027-01-31T11:00:00Z");
    // Sub-second times round down to the second.
    CHECK(licentia::format_time(licentia::parse_time("2026-01-01") + std::chrono::milliseconds(999)) ==
          "2026-01-01T00:00:00Z");
}

void test_clock_guard_and_this_machine() {
    const licentia::License license = trusted().verify(vector_file("licenses/unbound.lic"));
    const std::string state = std::string(std::getenv("TMPDIR") != nullptr ? std::getenv("TMPDIR") : "/tmp") +
                              "/licentia-cpp-clock-" + std::to_string(::getpid());
    std::remove(state.c_str());
    licentia::CheckContext ctx;
    ctx.product = "acme-cad";
    ctx.clock_state_path = state;
    ctx.clock_secret = std::vector<std::uint8_t>(32, 's');
    ctx.now = licentia::parse_time("2026-06-01");
    CHECK(codes(license.check(ctx)) == "-");
    // A month back from the latest time seen: the clock was rolled back.
    ctx.now = licentia::parse_time("2026-05-01");
    CHECK(codes(license.check(ctx)) == "104");
    std::ofstream(state) << "edited";
    CHECK_STATUS(license.check(ctx), Status::clock_state_tampered);
    std::remove(state.c_str());

    // Hosts without an OS machine id (some containers) refuse it clearly.
    try {
        const licentia::Fingerprint here = licentia::Fingerprint::this_machine("acme-cad");
        CHECK(licentia::Fingerprint::from_hex(here.to_hex()).to_hex() == here.to_hex());
        licentia::CheckContext local;
        local.now = licentia::parse_time("2026-06-01");
        local.product = "acme-cad";
        local.this_machine = true;
        CHECK(codes(trusted().verify(vector_file("licenses/node_locked_all.lic")).check(local)) == "105");
    } catch (const licentia::Error &e) {
        CHECK(e.status() == Status::fingerprint);
    }
}

// The clock guard's options: the witness kept elsewhere, and a first run
// said, so that deleting both copies is reported.
void test_clock_guard_options() {
    const licentia::License license = trusted().verify(vector_file("licenses/unbound.lic"));
    const std::string tmp = std::getenv("TMPDIR") != nullptr ? std::getenv("TMPDIR") : "/tmp";
    const std::string prefix = tmp + "/licentia-cpp-options-" + std::to_string(::getpid());
    const std::string state = prefix + ".state", witness = prefix + ".seen";
    licentia::CheckContext ctx;
    ctx.product = "acme-cad";
    ctx.clock_state_path = state;
    ctx.clock_secret = std::vector<std::uint8_t>(32, 's');
    ctx.clock_witness_path = witness;
    ctx.now = licentia::parse_time("2026-06-01");
    CHECK(codes(license.check(ctx)) == "-");
    CHECK(std::ifstream(witness).good());
    CHECK(!std::ifstream(state + ".witness").good());
    ctx.clock_started = true;
    CHECK(codes(license.check(ctx)) == "-");
    // The one-call check takes the same options (through two C calls).
    CHECK(codes(trusted().check(vector_file("licenses/unbound.lic"), ctx)) == "-");
    std::remove(state.c_str());
    std::remove(witness.c_str());
    CHECK_STATUS(license.check(ctx), Status::clock_state_missing);
    CHECK_STATUS(trusted().check(vector_file("licenses/unbound.lic"), ctx), Status::clock_state_missing);
    // An option with no state file to guard is refused, not ignored.
    ctx.clock_state_path.reset();
    CHECK_STATUS(license.check(ctx), Status::invalid_argument);
}

// A license refusing virtual machines: its own rule in a QEMU tree, naming
// the evidence; this machine probed and printed.
void test_environment() {
    using licentia::EnvironmentKind;
    const licentia::Environment here = licentia::Environment::probe();
    std::cout << "cpp: this machine: virtual machine [" << here.evidence(EnvironmentKind::virtual_machine)
              << "] container [" << here.evidence(EnvironmentKind::container) << "]\n";
    CHECK(here.is(EnvironmentKind::virtual_machine) == !here.evidence(EnvironmentKind::virtual_machine).empty());
    const licentia::Environment qemu = licentia::Environment::probe_root(vectors + "/environments/qemu");
    CHECK(qemu.is(EnvironmentKind::virtual_machine) && !qemu.is(EnvironmentKind::container));
    const licentia::Verifier verifier = trusted();
    licentia::CheckContext ctx;
    ctx.now = licentia::parse_time("2026-06-01");
    ctx.product = "acme-cad";
    ctx.environment = &qemu;
    const licentia::Report report = verifier.check(vector_file("licenses/no_virtual_machines.lic"), ctx);
    CHECK(report.state() == licentia::State::invalid && report.findings().size() == 1);
    CHECK(report.findings().at(0).rule == licentia::Rule::virtual_machine_not_allowed);
    CHECK(report.findings().at(0).message.find("dmi.sys_vendor: QEMU") != std::string::npos);
    CHECK(licentia::rule_name(licentia::Rule::container_not_allowed) == "container_not_allowed");
    const licentia::License refusing = verifier.verify(vector_file("licenses/no_containers.lic"));
    CHECK(refusing.allows(EnvironmentKind::virtual_machine) && !refusing.allows(EnvironmentKind::container));
}

} // namespace

// The issue's example, offline: maintenance to 2027-06-30 runs 3.1
// (2027-05) and not 3.2 (2027-08), from the signed catalogue.
void test_release_catalogue() {
    const licentia::Verifier verifier = trusted();
    const std::string text = vector_file("documents/release_catalogue.releases");
    CHECK_STATUS(verifier.verify_release_catalogue(text, "acme-cam"), licentia::Status::wrong_product);
    const licentia::ReleaseCatalogue catalogue = verifier.verify_release_catalogue(text, "acme-cad");
    CHECK((catalogue.versions() == std::vector<std::string>{"3.0", "3.1", "3.2-beta.1", "3.2"}));
    CHECK(catalogue.release_date("3.1.0") == licentia::parse_time("2027-05-11"));
    CHECK(!catalogue.release_date("9"));
    const licentia::License license = verifier.verify(vector_file("documents/release_catalogue.lic"));
    CHECK((license.runnable_releases(catalogue) == std::vector<std::string>{"3.0", "3.1", "3.2-beta.1"}));
    CHECK(license.may_run(catalogue, "3.1"));
    CHECK(!license.may_run(catalogue, "3.2"));
    CHECK_STATUS(license.may_run(catalogue, "3.3"), licentia::Status::not_found);
    licentia::CheckContext ctx;
    ctx.now = licentia::parse_time("2027-09-02");
    ctx.product = "acme-cad";
    ctx.release_date = catalogue.release_date("3.1");
    CHECK(license.check(ctx).state() == licentia::State::valid);
    ctx.release_date = catalogue.release_date("3.2");
    CHECK(license.check(ctx).state() == licentia::State::invalid);
}

// The meters of the metered vector, and the offline usage report a client
// writes with its back office out of reach (the batch needs it: unreachable).
void test_metering() {
    const licentia::Verifier verifier = trusted();
    const licentia::License license = verifier.verify(vector_file("licenses/metered.lic"));
    const std::vector<licentia::Meter> meters = license.meters();
    CHECK(meters.size() == 2);
    CHECK(meters.size() == 2 && meters[0].name == "api_calls" && meters[0].quota == 10000 &&
          meters[0].period == licentia::MeterPeriod::month);
    const std::optional<licentia::Meter> renders = license.meter("renders");
    CHECK(renders && renders->quota == 50 && renders->period == licentia::MeterPeriod::term);
    CHECK(!license.meter("exports"));

    char store[] = "/tmp/licentia-cpp-usage-XXXXXX";
    CHECK(mkdtemp(store) != nullptr);
    licentia::ClientOptions options;
    options.store = store;
    options.retries = std::make_pair(0u, std::chrono::milliseconds(0));
    {
        const licentia::Client client("https://127.0.0.1:1", "acme-cad", verifier, options);
        const std::vector<licentia::UsageRecord> used{{"api_calls", 1234}, {"renders", 7}};
        const std::string report = client.usage_report(license.id(), 3, used);
        CHECK(report.rfind("-----BEGIN LICENTIA USAGE REPORT-----\n", 0) == 0);
        CHECK_STATUS(client.usage_report("not-an-id", 3, used), Status::invalid_argument);
        CHECK_STATUS(client.usage_report(license.id(), 3, {{"Not A Code!", 1}}), Status::invalid_spec);
        CHECK_STATUS(client.record_usage("KEY", "batch-1", used), Status::unreachable);
    }
    CHECK(rmdir(store) == 0);
}

int main(int argc, char **argv) {
    vectors = argc > 1 ? argv[1] : "tests/vectors";
    try {
        test_verdicts();
        test_revoked();
        test_errors();
        test_happy_path();
        test_full_license();
        test_moves();
        test_exceptions();
        test_activation();
        test_issue();
        test_versions();
        test_clock_guard_and_this_machine();
        test_clock_guard_options();
        test_environment();
        test_release_catalogue();
        test_metering();
    } catch (const std::exception &e) {
        test::record(false, e.what(), __FILE__, __LINE__);
    }
    return test::finish("cpp");
}
