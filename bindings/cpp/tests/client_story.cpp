// The client story from C++, against a real `licentia serve` over HTTPS
// that scripts/test-bindings.sh starts, stops and starts again:
//
//   client_story PHASE BASE CA_FILE KEY_PEM STORE LOCKED_KEY FLOATING_KEY
//
// STORE holds pin.txt (the server certificate's SPKI pin) and spare.key
// (one more node-locked license key).
//
// online:  activate, check in, a second machine refused (the server's words
//          in the exception), deactivate, the second takes the seat; the
//          new revocation list refuses the first machine's kept copy of its
//          file offline; a floating seat out, kept alive, refused to
//          another, returned; a pinned client reaches its server only.
// offline: (server stopped) the check-in answers the stored license.
// back:    (server started again) the check-in is online again.
// give-back: the second machine, and a spare one, give their licenses back
//          offline (STORE/give-back.request, STORE/spare.request).
// receipt: the back office's STORE/give-back.receipt refused for the spare
//          license, accepted for its own; the seat taken again.
#include "check.hpp"

#include <cstring>
#include <fstream>

namespace {

struct Story {
    std::string base, ca, store, key_pem;
    licentia::Verifier keys;

    licentia::Client client(const char *serial, std::vector<std::string> pins = {}) const {
        licentia::FingerprintBuilder builder("cad");
        builder.add_vendor("serial", serial);
        const licentia::Fingerprint machine = builder.build();
        licentia::ClientOptions options;
        options.store = store + "/" + serial;
        options.ca_file = ca;
        options.machine = &machine;
        options.timeout = std::chrono::milliseconds(5000);
        options.retries = {{1, std::chrono::milliseconds(50)}};
        options.pins = std::move(pins);
        return licentia::Client(base, "cad", keys, options);
    }
};

std::string store_line(const Story &story, const std::string &name) {
    std::string text = test::read_file((story.store + "/" + name).c_str());
    return text.substr(0, text.find('\n'));
}

void write_store_file(const Story &story, const std::string &name, const std::string &text) {
    std::ofstream(story.store + "/" + name) << text;
}

// Whether `file`, checked now on machine `serial` with `list` (when given),
// reports that the machine gave its license back.
bool released(const Story &story, const std::string &file, const char *serial, const std::string *list) {
    licentia::Verifier verifier = licentia::Verifier::from_pem(test::read_file(story.key_pem.c_str()));
    if (list != nullptr) {
        verifier.set_revocation_list(*list, "cad");
    }
    licentia::FingerprintBuilder builder("cad");
    builder.add_vendor("serial", serial);
    const licentia::Fingerprint machine = builder.build();
    licentia::CheckContext ctx;
    ctx.now = std::chrono::system_clock::now();
    ctx.product = "cad";
    ctx.machine = &machine;
    ctx.revocations = &verifier;
    const licentia::Report report = verifier.verify(file).check(ctx);
    bool found = false;
    for (const licentia::Finding &f : report.findings()) {
        found |= f.rule == licentia::Rule::machine_released;
    }
    CHECK(found == (report.state() == licentia::State::invalid));
    return found;
}

void online(const Story &story, const std::string &locked, const std::string &floating) {
    const licentia::Client first = story.client("SN-1");
    const licentia::Client second = story.client("SN-2");
    CHECK(!first.check_offline().has_value());
    const licentia::ClientStatus activated = first.activate(locked);
    CHECK(activated.online());
    CHECK(activated.report().state() != licentia::State::invalid);
    CHECK(activated.license().product() == "cad");
    const std::string copy = test::read_file((story.store + "/SN-1/license.lic").c_str());
    const licentia::Validation view = first.validate();
    CHECK(view.standing == licentia::Standing::active && view.activated && !view.refreshed);
    CHECK(view.seats_used == 1);
    CHECK(first.check_in().online());

    try {
        second.activate(locked);
        CHECK(false);
    } catch (const licentia::Error &e) {
        CHECK(e.status() == licentia::Status::refused);
        CHECK(std::strstr(e.what(), "no_seat_available") != nullptr);
    }
    CHECK(!second.check_offline().has_value());

    first.deactivate();
    CHECK(!first.check_offline().has_value());
    CHECK(second.activate(locked).online());

    // The new revocation list refuses the first machine's kept copy.
    CHECK(first.refresh_revocations() > 0);
    const std::optional<std::string> list = first.revocation_list();
    CHECK(list.has_value());
    CHECK(!released(story, copy, "SN-1", nullptr));
    CHECK(list && released(story, copy, "SN-1", &*list));
    const std::string moved = test::read_file((story.store + "/SN-2/license.lic").c_str());
    CHECK(list && !released(story, moved, "SN-2", &*list));

    const licentia::TimePoint ends = first.checkout_lease(floating);
    const auto [renewed, still] = first.heartbeat_if_due(floating);
    CHECK(!renewed && still == ends);
    CHECK_STATUS(second.checkout_lease(floating), licentia::Status::refused);
    first.return_lease(floating);
    CHECK_STATUS(first.return_lease(floating), licentia::Status::not_activated);
    second.checkout_lease(floating);
    second.return_lease(floating);

    // Pinned: the right pin connects, another is unreachable, keeps nothing.
    CHECK(story.client("SN-2", {store_line(story, "pin.txt")}).check_in().online());
    const licentia::Client elsewhere = story.client("SN-6", {std::string(64, 'a')});
    try {
        elsewhere.activate(locked);
        CHECK(false);
    } catch (const licentia::Error &e) {
        CHECK(e.status() == licentia::Status::unreachable);
        CHECK(std::strstr(e.what(), "pinned") != nullptr);
    }
    CHECK(!elsewhere.check_offline().has_value());
    try {
        story.client("SN-6", {"not a pin"});
        CHECK(false);
    } catch (const licentia::Error &e) {
        CHECK(e.status() == licentia::Status::invalid_argument);
    }
}

void give_back(const Story &story) {
    const licentia::Client second = story.client("SN-2");
    const std::string request = second.deactivate_offline();
    CHECK(request.find("BEGIN LICENTIA DEACTIVATION REQUEST") != std::string::npos);
    CHECK(second.deactivate_offline() == request);
    CHECK(!second.check_offline().has_value());
    write_store_file(story, "give-back.request", request);
    const licentia::Client spare = story.client("SN-5");
    spare.activate(store_line(story, "spare.key"));
    write_store_file(story, "spare.request", spare.deactivate_offline());
}

void receipt(const Story &story, const std::string &locked) {
    const std::string receipt = test::read_file((story.store + "/give-back.receipt").c_str());
    CHECK_STATUS(story.client("SN-5").accept_deactivation_receipt(receipt), licentia::Status::receipt_mismatch);
    const licentia::Client second = story.client("SN-2");
    second.accept_deactivation_receipt(receipt);
    CHECK_STATUS(second.accept_deactivation_receipt(receipt), licentia::Status::not_activated);
    CHECK(second.activate(locked).online());
}

void check_in(const Story &story, bool expect_online) {
    const licentia::ClientStatus status = story.client("SN-2").check_in();
    CHECK(status.online() == expect_online);
    CHECK(status.offline_reason().has_value() == !expect_online);
    CHECK(status.report().state() != licentia::State::invalid);
}

} // namespace

int main(int argc, char **argv) {
    if (argc != 8) {
        std::cerr << "usage: client_story PHASE BASE CA KEY_PEM STORE LOCKED_KEY FLOATING_KEY\n";
        return 2;
    }
    const Story story{argv[2], argv[3], argv[5], argv[4], licentia::Verifier::from_pem(test::read_file(argv[4]))};
    const std::string phase = argv[1];
    if (phase == "online") {
        online(story, argv[6], argv[7]);
    } else if (phase == "give-back") {
        give_back(story);
    } else if (phase == "receipt") {
        receipt(story, argv[6]);
    } else {
        check_in(story, phase == "back");
    }
    return test::finish(("cpp client " + phase).c_str());
}
