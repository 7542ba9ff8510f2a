// The client story from C++, against a real `licentia serve` over HTTPS
// that scripts/test-bindings.sh starts, stops and starts again:
//
//   client_story PHASE BASE CA_FILE KEY_PEM STORE LOCKED_KEY FLOATING_KEY
//
// online:  activate, check in, a second machine refused (the server's words
//          in the exception), deactivate, the second takes the seat; a
//          floating seat out, kept alive, refused to another, returned.
// offline: (server stopped) the check-in answers the stored license.
// back:    (server started again) the check-in is online again.
#include "check.hpp"

#include <cstring>

namespace {

struct Story {
    std::string base, ca, store;
    licentia::Verifier keys;

    licentia::Client client(const char *serial) const {
        licentia::FingerprintBuilder builder("cad");
        builder.add_vendor("serial", serial);
        const licentia::Fingerprint machine = builder.build();
        licentia::ClientOptions options;
        options.store = store + "/" + serial;
        options.ca_file = ca;
        options.machine = &machine;
        options.timeout = std::chrono::milliseconds(5000);
        options.retries = {{1, std::chrono::milliseconds(50)}};
        return licentia::Client(base, "cad", keys, options);
    }
};

void online(const Story &story, const std::string &locked, const std::string &floating) {
    const licentia::Client first = story.client("SN-1");
    const licentia::Client second = story.client("SN-2");
    CHECK(!first.check_offline().has_value());
    const licentia::ClientStatus activated = first.activate(locked);
    CHECK(activated.online());
    CHECK(activated.report().state() != licentia::State::invalid);
    CHECK(activated.license().product() == "cad");
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

    const licentia::TimePoint ends = first.checkout_lease(floating);
    const auto [renewed, still] = first.heartbeat_if_due(floating);
    CHECK(!renewed && still == ends);
    CHECK_STATUS(second.checkout_lease(floating), licentia::Status::refused);
    first.return_lease(floating);
    CHECK_STATUS(first.return_lease(floating), licentia::Status::not_activated);
    second.checkout_lease(floating);
    second.return_lease(floating);
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
    const Story story{argv[2], argv[3], argv[5], licentia::Verifier::from_pem(test::read_file(argv[4]))};
    const std::string phase = argv[1];
    if (phase == "online") {
        online(story, argv[6], argv[7]);
    } else {
        check_in(story, phase == "back");
    }
    return test::finish(("cpp client " + phase).c_str());
}
