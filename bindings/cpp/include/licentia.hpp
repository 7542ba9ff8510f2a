// licentia.hpp: a header-only C++17 wrapper over the C ABI of licentia
// (include/licentia.h, liblicentia.so / liblicentia.a).
//
// It adds no license logic: every call goes to one C function and converts
// its arguments and results.
//
// Conventions:
// - Each C handle has one move-only RAII class (Verifier, License, Report,
//   Fingerprint, FingerprintBuilder, Issuer, Document, ActivationRequest)
//   that frees it in its destructor. A moved-from object holds no handle:
//   destroying or reassigning it is safe, and calling a member on it throws
//   Error with Status::null_argument (it never reaches the C library).
// - Errors are exceptions: every C status other than LICENTIA_OK becomes a
//   licentia::Error carrying the Status, except where "absent" is a normal
//   answer (an optional field, a missing metadata key), which is
//   std::optional. Exceptions were chosen over a result type because a
//   failed verification has no useful value to return and the C++ standard
//   library already reports errors this way; catch licentia::Error, read
//   status() and branch on it.
// - Strings in are std::string_view (copied to add the terminating NUL),
//   strings out are std::string. Times are
//   std::chrono::system_clock::time_point (whole seconds; the system clock's
//   epoch is 1970-01-01T00:00:00Z on every supported platform), optional
//   terms are std::optional, durations are std::chrono::seconds.
// - Thread safety is the C library's: const members only read the handle.
#ifndef LICENTIA_HPP
#define LICENTIA_HPP

#include <licentia.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace licentia {

/// What a C call reports; the numbers are the C ABI's `licentia_status`
/// (1xxx format, 2xxx signature and keys, 3xxx documents, 4xxx I/O and
/// arguments, 5xxx internal).
enum class Status : std::uint32_t {
    ok = LICENTIA_OK,
    too_large = LICENTIA_TOO_LARGE,
    not_licentia_text = LICENTIA_NOT_LICENTIA_TEXT,
    armor_unterminated = LICENTIA_ARMOR_UNTERMINATED,
    trailing_data = LICENTIA_TRAILING_DATA,
    base64 = LICENTIA_BASE64,
    truncated = LICENTIA_TRUNCATED,
    unsupported_version = LICENTIA_UNSUPPORTED_VERSION,
    unknown_document_kind = LICENTIA_UNKNOWN_DOCUMENT_KIND,
    wrong_document_kind = LICENTIA_WRONG_DOCUMENT_KIND,
    malformed_body = LICENTIA_MALFORMED_BODY,
    unknown_key_id = LICENTIA_UNKNOWN_KEY_ID,
    bad_signature = LICENTIA_BAD_SIGNATURE,
    key_not_valid_at = LICENTIA_KEY_NOT_VALID_AT,
    weak_key = LICENTIA_WEAK_KEY,
    key_format = LICENTIA_KEY_FORMAT,
    insecure_key_file = LICENTIA_INSECURE_KEY_FILE,
    signer_failed = LICENTIA_SIGNER_FAILED,
    invalid_spec = LICENTIA_INVALID_SPEC,
    renewal_mismatch = LICENTIA_RENEWAL_MISMATCH,
    stale_revocation_list = LICENTIA_STALE_REVOCATION_LIST,
    wrong_product = LICENTIA_WRONG_PRODUCT,
    activation_mismatch = LICENTIA_ACTIVATION_MISMATCH,
    clock_state_tampered = LICENTIA_CLOCK_STATE_TAMPERED,
    fingerprint = LICENTIA_FINGERPRINT,
    clock_state_missing = LICENTIA_CLOCK_STATE_MISSING,
    clock_state_restored = LICENTIA_CLOCK_STATE_RESTORED,
    stale_rollover = LICENTIA_STALE_ROLLOVER,
    receipt_mismatch = LICENTIA_RECEIPT_MISMATCH,
    io = LICENTIA_IO,
    invalid_argument = LICENTIA_INVALID_ARGUMENT,
    null_argument = LICENTIA_NULL_ARGUMENT,
    invalid_utf8 = LICENTIA_INVALID_UTF8,
    buffer_too_small = LICENTIA_BUFFER_TOO_SMALL,
    not_found = LICENTIA_NOT_FOUND,
    panic = LICENTIA_PANIC,
    unreachable = LICENTIA_UNREACHABLE,
    refused = LICENTIA_REFUSED,
    bad_answer = LICENTIA_BAD_ANSWER,
    not_activated = LICENTIA_NOT_ACTIVATED,
};

/// The overall verdict of a check.
enum class State : std::uint32_t {
    valid = LICENTIA_STATE_VALID,
    valid_with_warnings = LICENTIA_STATE_VALID_WITH_WARNINGS,
    invalid = LICENTIA_STATE_INVALID,
};

/// A rule of the check; 1xx deny, 2xx only warn.
enum class Rule : std::uint32_t {
    wrong_product = LICENTIA_RULE_WRONG_PRODUCT,
    revoked = LICENTIA_RULE_REVOKED,
    not_yet_valid = LICENTIA_RULE_NOT_YET_VALID,
    clock_rolled_back = LICENTIA_RULE_CLOCK_ROLLED_BACK,
    wrong_machine = LICENTIA_RULE_WRONG_MACHINE,
    wrong_user = LICENTIA_RULE_WRONG_USER,
    version_not_covered = LICENTIA_RULE_VERSION_NOT_COVERED,
    expired = LICENTIA_RULE_EXPIRED,
    check_in_overdue = LICENTIA_RULE_CHECK_IN_OVERDUE,
    machine_released = LICENTIA_RULE_MACHINE_RELEASED,
    virtual_machine_not_allowed = LICENTIA_RULE_VIRTUAL_MACHINE_NOT_ALLOWED,
    container_not_allowed = LICENTIA_RULE_CONTAINER_NOT_ALLOWED,
    renew_soon = LICENTIA_RULE_RENEW_SOON,
    in_grace = LICENTIA_RULE_IN_GRACE,
    check_in_due = LICENTIA_RULE_CHECK_IN_DUE,
};

/// Whether a finding denies use or only warns.
enum class Severity : std::uint32_t {
    failure = LICENTIA_SEVERITY_FAILURE,
    warning = LICENTIA_SEVERITY_WARNING,
};

/// What sort of license it is.
enum class Kind : std::uint32_t {
    standard = LICENTIA_KIND_STANDARD,
    trial = LICENTIA_KIND_TRIAL,
    temporary = LICENTIA_KIND_TEMPORARY,
    /// Not a license (the C library's answer for none).
    invalid = LICENTIA_KIND_INVALID,
};

/// Where a license may run.
enum class BindingKind : std::uint32_t {
    unbound = LICENTIA_BINDING_UNBOUND,
    node_locked = LICENTIA_BINDING_NODE_LOCKED,
    floating = LICENTIA_BINDING_FLOATING,
    named_user = LICENTIA_BINDING_NAMED_USER,
};

/// How many of a licensed machine's components must match.
enum class MatchRule : std::uint32_t {
    all = LICENTIA_MATCH_ALL,
    most = LICENTIA_MATCH_MOST,
    two = LICENTIA_MATCH_TWO,
    any = LICENTIA_MATCH_ANY,
};

class Verifier;

/// A point in time, in whole seconds.
using TimePoint = std::chrono::system_clock::time_point;

/// A human message for a status (static text from the library).
inline const char *status_message(Status status) noexcept {
    return licentia_status_message(static_cast<std::uint32_t>(status));
}

/// The stable snake_case name of a rule (`"expired"`); empty when unknown.
inline std::string_view rule_name(Rule rule) noexcept {
    const char *name = licentia_rule_name(static_cast<std::uint32_t>(rule));
    return name != nullptr ? std::string_view(name) : std::string_view();
}

/// The stable snake_case name of a state (`"valid"`); empty when unknown.
inline std::string_view state_name(State state) noexcept {
    const char *name = licentia_state_name(static_cast<std::uint32_t>(state));
    return name != nullptr ? std::string_view(name) : std::string_view();
}

/// A failed call: the status the C library returned, with its message as
/// what(). Thrown by every member that calls the library.
class Error : public std::runtime_error {
public:
    /// An error for `status`, whose what() is the library's message.
    explicit Error(Status status) : std::runtime_error(status_message(status)), status_(status) {}

    /// An error for `status` with a message of the caller's.
    Error(Status status, const std::string &message)
        : std::runtime_error(message), status_(status) {}

    /// The status, e.g. Status::bad_signature.
    Status status() const noexcept { return status_; }

    /// The status as its stable number, e.g. 2002.
    std::uint32_t code() const noexcept { return static_cast<std::uint32_t>(status_); }

private:
    Status status_;
};

namespace detail {

/// Throws Error unless `status` is LICENTIA_OK.
inline void check(licentia_status status) {
    if (status != LICENTIA_OK) {
        throw Error(static_cast<Status>(status));
    }
}

/// Unix seconds to a time point.
inline TimePoint from_unix(std::int64_t secs) {
    return TimePoint(std::chrono::seconds(secs));
}

/// A time point to Unix seconds, rounded down to the second.
inline std::int64_t to_unix(TimePoint time) {
    return std::chrono::floor<std::chrono::seconds>(time.time_since_epoch()).count();
}

inline std::optional<TimePoint> from_optional(const licentia_optional_time &time) {
    return time.present ? std::optional<TimePoint>(from_unix(time.value)) : std::nullopt;
}

/// Reads a string out through the C buffer convention: first into a small
/// buffer on the stack, then, when the library asks for more, into one of
/// the length it named. `NOT_FOUND` gives nullopt; other failures throw.
template <class Call> std::optional<std::string> read_optional_string(Call call) {
    std::array<char, 256> small{};
    std::size_t len = 0;
    licentia_status status = call(small.data(), small.size(), &len);
    if (status == LICENTIA_OK) {
        return std::string(small.data(), len);
    }
    if (status == LICENTIA_NOT_FOUND) {
        return std::nullopt;
    }
    if (status != LICENTIA_BUFFER_TOO_SMALL) {
        throw Error(static_cast<Status>(status));
    }
    std::vector<char> big(len + 1);
    check(call(big.data(), big.size(), &len));
    return std::string(big.data(), len);
}

/// As read_optional_string, for strings that are always present.
template <class Call> std::string read_string(Call call) {
    std::optional<std::string> text = read_optional_string(call);
    if (!text) {
        throw Error(Status::not_found);
    }
    return *std::move(text);
}

/// Owns one C handle of type T, freed by Free; move-only.
template <class T, void (*Free)(T *)> class Handle {
public:
    Handle() noexcept = default;
    explicit Handle(T *raw) noexcept : raw_(raw) {}
    Handle(const Handle &) = delete;
    Handle &operator=(const Handle &) = delete;
    Handle(Handle &&other) noexcept : raw_(std::exchange(other.raw_, nullptr)) {}
    Handle &operator=(Handle &&other) noexcept {
        if (this != &other) {
            Free(raw_);
            raw_ = std::exchange(other.raw_, nullptr);
        }
        return *this;
    }
    ~Handle() { Free(raw_); }

    /// The handle; throws Error(null_argument) when there is none (moved from).
    T *get() const {
        if (raw_ == nullptr) {
            throw Error(Status::null_argument, "licentia: use of a moved-from object");
        }
        return raw_;
    }

    /// Gives the handle up without freeing it.
    T *release() noexcept { return std::exchange(raw_, nullptr); }

    explicit operator bool() const noexcept { return raw_ != nullptr; }

private:
    T *raw_ = nullptr;
};

/// Creates a handle through a C constructor `call(T **out)`.
template <class H, class Call> H make(Call call) {
    typename std::remove_pointer<decltype(std::declval<H>().get())>::type *raw = nullptr;
    check(call(&raw));
    return H(raw);
}

} // namespace detail

/// The library's version, e.g. "0.1.0".
inline std::string version() { return licentia_version(); }

/// The format version this library writes.
inline std::uint8_t format_version() noexcept { return licentia_format_version(); }

/// The format versions this library reads.
inline std::vector<std::uint8_t> supported_format_versions() {
    const std::uint8_t *versions = nullptr;
    std::size_t count = 0;
    detail::check(licentia_supported_format_versions(&versions, &count));
    return std::vector<std::uint8_t>(versions, versions + count);
}

/// Parses RFC 3339 (`2027-01-31T12:00:00Z`, any offset) or a bare date
/// (`2027-01-31`, midnight UTC); Error(invalid_argument) otherwise.
inline TimePoint parse_time(std::string_view text) {
    std::int64_t secs = 0;
    detail::check(licentia_parse_time(std::string(text).c_str(), &secs));
    return detail::from_unix(secs);
}

/// Formats a time as RFC 3339 in UTC (`2027-01-31T00:00:00Z`).
inline std::string format_time(TimePoint time) {
    const std::int64_t secs = detail::to_unix(time);
    return detail::read_string([secs](char *buf, std::size_t len, std::size_t *out) {
        return licentia_format_time(secs, buf, len, out);
    });
}

/// A machine's hashed components for one product.
class Fingerprint {
public:
    /// This machine's default fingerprint for `product` (its OS machine id);
    /// Error(fingerprint) where there is none (containers).
    static Fingerprint this_machine(std::string_view product) {
        const std::string p(product);
        return Fingerprint(detail::make<Raw>(
            [&](licentia_fingerprint **out) { return licentia_fingerprint_this_machine(p.c_str(), out); }));
    }

    /// Parses the hex text form (as to_hex() writes and the CLI prints).
    static Fingerprint from_hex(std::string_view hex) {
        const std::string h(hex);
        return Fingerprint(detail::make<Raw>(
            [&](licentia_fingerprint **out) { return licentia_fingerprint_from_hex(h.c_str(), out); }));
    }

    /// The hex text form.
    std::string to_hex() const {
        const licentia_fingerprint *raw = handle_.get();
        return detail::read_string([raw](char *buf, std::size_t len, std::size_t *out) {
            return licentia_fingerprint_to_hex(raw, buf, len, out);
        });
    }

    /// The C handle, for calling the C API directly (still owned here).
    const licentia_fingerprint *c_handle() const { return handle_.get(); }

    /// Whether this object holds a fingerprint (false once moved from).
    explicit operator bool() const noexcept { return static_cast<bool>(handle_); }

private:
    using Raw = detail::Handle<licentia_fingerprint, licentia_fingerprint_free>;
    explicit Fingerprint(Raw handle) noexcept : handle_(std::move(handle)) {}
    friend class FingerprintBuilder;
    Raw handle_;
};

/// Collects a machine's components for one product, then builds a
/// Fingerprint (for containers: add a vendor component of your own).
class FingerprintBuilder {
public:
    /// A builder for `product` with no component yet.
    explicit FingerprintBuilder(std::string_view product) {
        const std::string p(product);
        handle_ = detail::make<Raw>([&](licentia_fingerprint_builder **out) {
            return licentia_fingerprint_builder_new(p.c_str(), out);
        });
    }

    /// Adds this machine's OS machine id.
    FingerprintBuilder &add_machine_id() {
        detail::check(licentia_fingerprint_builder_add_machine_id(handle_.get()));
        return *this;
    }

    /// Adds this machine's host name.
    FingerprintBuilder &add_hostname() {
        detail::check(licentia_fingerprint_builder_add_hostname(handle_.get()));
        return *this;
    }

    /// Adds a component the application supplies; only its keyed hash is kept.
    FingerprintBuilder &add_vendor(std::string_view name, std::string_view value) {
        const std::string n(name), v(value);
        detail::check(licentia_fingerprint_builder_add_vendor(handle_.get(), n.c_str(), v.c_str()));
        return *this;
    }

    /// Builds the fingerprint. The builder is used up, whether this
    /// succeeds or throws.
    Fingerprint build() {
        licentia_fingerprint_builder *builder = handle_.get();
        licentia_fingerprint *raw = nullptr;
        // The C call frees the builder on every path once `out` is given.
        handle_.release();
        detail::check(licentia_fingerprint_builder_build(builder, &raw));
        return Fingerprint(Fingerprint::Raw(raw));
    }

    /// Whether this object holds a builder (false once built or moved from).
    explicit operator bool() const noexcept { return static_cast<bool>(handle_); }

private:
    using Raw = detail::Handle<licentia_fingerprint_builder, licentia_fingerprint_builder_free>;
    Raw handle_;
};

/// What an environment signal points to.
enum class EnvironmentKind : std::uint32_t {
    virtual_machine = LICENTIA_ENVIRONMENT_VIRTUAL_MACHINE,
    container = LICENTIA_ENVIRONMENT_CONTAINER,
};

/// Where the product runs: the signals of a virtual machine or a container,
/// each named with what it saw (`dmi.sys_vendor: QEMU`). A check probes
/// this machine itself (once per process) when a license refuses either;
/// set CheckContext::environment to decide instead.
class Environment {
public:
    /// This machine (probed once per process, then kept).
    static Environment probe() { return Environment(detail::make<Raw>(licentia_environment_probe)); }

    /// The tree under `root` instead of `/` (a chroot, a test's fake tree):
    /// its files only, no CPUID, no process variables.
    static Environment probe_root(std::string_view root) {
        const std::string r(root);
        return Environment(detail::make<Raw>(
            [&](licentia_environment **out) { return licentia_environment_probe_root(r.c_str(), out); }));
    }

    /// Whether any signal of `kind` was seen.
    bool is(EnvironmentKind kind) const noexcept {
        return licentia_environment_is(handle_.get(), static_cast<std::uint32_t>(kind));
    }

    /// The signals of `kind` as one line, `name: saw; name: saw` (empty
    /// when none was seen).
    std::string evidence(EnvironmentKind kind) const {
        const licentia_environment *raw = handle_.get();
        return detail::read_string([raw, kind](char *buf, std::size_t len, std::size_t *out) {
            return licentia_environment_evidence(raw, static_cast<std::uint32_t>(kind), buf, len, out);
        });
    }

    /// The C handle, for calling the C API directly (still owned here).
    const licentia_environment *c_handle() const { return handle_.get(); }

    /// Whether this object holds an environment (false once moved from).
    explicit operator bool() const noexcept { return static_cast<bool>(handle_); }

private:
    using Raw = detail::Handle<licentia_environment, licentia_environment_free>;
    explicit Environment(Raw handle) noexcept : handle_(std::move(handle)) {}
    Raw handle_;
};

/// What the check needs to know about the running product. Only `now` and
/// `product` are required; the pointers are borrowed for the call only.
struct CheckContext {
    /// The current time; the library never reads the clock itself.
    TimePoint now;
    /// The product code of the running application.
    std::string product;
    /// This machine's fingerprint, for node-locked licenses.
    const Fingerprint *machine = nullptr;
    /// Read this machine's default fingerprint instead (not with `machine`).
    bool this_machine = false;
    /// The current user, for named-user licenses.
    std::optional<std::string> user;
    /// The running version's release date, for updates-until.
    std::optional<TimePoint> release_date;
    /// The last successful online check-in.
    std::optional<TimePoint> last_check_in;
    /// The verifier whose revocation list applies.
    const Verifier *revocations = nullptr;
    /// The clock-guard state file, sealed with `clock_secret`.
    std::optional<std::string> clock_state_path;
    /// The application's secret for the clock-guard file.
    std::vector<std::uint8_t> clock_secret;
    /// Where the clock guard's second copy, the witness, lives (default:
    /// beside the state, `<state>.witness`); a directory of its own means
    /// deleting or restoring the state's directory is detected too.
    std::optional<std::string> clock_witness_path;
    /// Whether a first run already happened (say so once the product is
    /// activated): then neither copy on disk is Status::clock_state_missing
    /// instead of a fresh start. Either clock option without
    /// `clock_state_path` is Status::invalid_argument.
    bool clock_started = false;
    /// Where the product runs, for a license refusing virtual machines or
    /// containers; null: the library probes this machine when such a
    /// license asks (once per process).
    const Environment *environment = nullptr;
};

/// One rule that failed or warned.
struct Finding {
    Rule rule;
    Severity severity;
    /// How long the license keeps working (grace and check-in warnings).
    std::optional<std::chrono::seconds> remaining;
    /// What happened and what to do, in a sentence.
    std::string message;
};

/// The verdict of a check.
class Report {
public:
    /// The overall state.
    State state() const { return static_cast<State>(licentia_report_state(handle_.get())); }

    /// Every rule that failed or warned: failures first, then by code.
    std::vector<Finding> findings() const {
        const licentia_report *raw = handle_.get();
        const std::size_t count = licentia_report_finding_count(raw);
        std::vector<Finding> findings;
        findings.reserve(count);
        for (std::size_t i = 0; i < count; ++i) {
            licentia_finding f{};
            detail::check(licentia_report_finding(raw, i, &f));
            std::optional<std::chrono::seconds> remaining;
            if (f.has_remaining) {
                remaining = std::chrono::seconds(f.remaining_secs);
            }
            findings.push_back(Finding{static_cast<Rule>(f.rule), static_cast<Severity>(f.severity), remaining,
                                       detail::read_string([raw, i](char *buf, std::size_t len, std::size_t *out) {
                                           return licentia_report_finding_message(raw, i, buf, len, out);
                                       })});
        }
        return findings;
    }

    /// The shortest grace still running, if any.
    std::optional<std::chrono::seconds> grace_remaining() const {
        std::int64_t secs = 0;
        const licentia_status status = licentia_report_grace_remaining(handle_.get(), &secs);
        if (status == LICENTIA_NOT_FOUND) {
            return std::nullopt;
        }
        detail::check(status);
        return std::chrono::seconds(secs);
    }

    /// The whole report as text for a person.
    std::string to_text() const {
        const licentia_report *raw = handle_.get();
        return detail::read_string([raw](char *buf, std::size_t len, std::size_t *out) {
            return licentia_report_to_text(raw, buf, len, out);
        });
    }

    /// Whether this object holds a report (false once moved from).
    explicit operator bool() const noexcept { return static_cast<bool>(handle_); }

private:
    using Raw = detail::Handle<licentia_report, licentia_report_free>;
    explicit Report(Raw handle) noexcept : handle_(std::move(handle)) {}
    friend class License;
    friend class Verifier;
    friend class ClientStatus;
    Raw handle_;
};

/// Every time term of a license (renewals applied).
struct Terms {
    TimePoint issued_at;
    std::optional<TimePoint> valid_from;
    std::optional<TimePoint> soft_expiry;
    std::optional<TimePoint> hard_expiry;
    std::optional<std::chrono::seconds> grace;
    std::optional<TimePoint> updates_until;
    /// Check in at least this often...
    std::optional<std::chrono::seconds> check_in_interval;
    /// ...and after a missed check-in, keep working offline this long.
    std::optional<std::chrono::seconds> check_in_max_offline;
};

/// Where a license may run.
struct Binding {
    BindingKind kind;
    /// Node-locked: how components must match.
    MatchRule match_rule;
    /// Node-locked: the licensed machines' fingerprints, in hex.
    std::vector<std::string> machines;
    /// Floating: the machine cap (else 0).
    std::uint32_t max_machines;
    /// Named user: the user.
    std::optional<std::string> user;
};

/// One entitlement (feature) granted by a license.
struct Entitlement {
    std::string code;
    std::optional<std::uint32_t> count;
    /// When this feature alone stops, if before the license does.
    std::optional<TimePoint> expires;
};

/// When a meter's quota renews.
enum class MeterPeriod : std::uint32_t {
    day = LICENTIA_METER_DAY,
    month = LICENTIA_METER_MONTH,
    year = LICENTIA_METER_YEAR,
    /// Once, for the license's whole term.
    term = LICENTIA_METER_TERM,
};

/// A consumable quota the license carries: `quota` units of `name` per
/// `period`. The back office counts and enforces it.
struct Meter {
    std::string name;
    std::uint64_t quota;
    MeterPeriod period;
};

/// Units consumed of one meter: a record of a usage batch or report.
struct UsageRecord {
    std::string meter;
    std::uint64_t amount;
};

/// What the license consumed of one meter in its current period, as the
/// back office counted it (Client::record_usage).
struct MeterUsage {
    std::string meter;
    std::int64_t used;
    std::int64_t quota;
    TimePoint period_start;
    /// nullopt for the term of a license that never expires.
    std::optional<TimePoint> period_end;
};

/// A verified release catalogue, from Verifier::verify_release_catalogue:
/// a product's releases in version order.
class ReleaseCatalogue {
public:
    /// Every version listed, in version order.
    std::vector<std::string> versions() const {
        const licentia_release_catalogue *raw = handle_.get();
        std::vector<std::string> all;
        for (std::size_t i = 0, n = licentia_release_catalogue_count(raw); i < n; ++i) {
            all.push_back(detail::read_string([raw, i](char *buf, std::size_t len, std::size_t *out) {
                return licentia_release_catalogue_version_at(raw, i, buf, len, out);
            }));
        }
        return all;
    }

    /// When `version` was released ("3.1" finds "3.1.0"); nullopt when the
    /// catalogue does not list it. Give it to the check as
    /// CheckContext::release_date.
    std::optional<TimePoint> release_date(std::string_view version) const {
        std::int64_t date = 0;
        const licentia_status status =
            licentia_release_catalogue_date(handle_.get(), std::string(version).c_str(), &date);
        if (status == LICENTIA_NOT_FOUND) {
            return std::nullopt;
        }
        detail::check(status);
        return detail::from_unix(date);
    }

    /// The C handle, for calling the C API directly (still owned here).
    const licentia_release_catalogue *c_handle() const { return handle_.get(); }

    /// Whether this object holds a catalogue (false once moved from).
    explicit operator bool() const noexcept { return static_cast<bool>(handle_); }

private:
    using Raw = detail::Handle<licentia_release_catalogue, licentia_release_catalogue_free>;
    explicit ReleaseCatalogue(Raw handle) noexcept : handle_(std::move(handle)) {}
    friend class Verifier;

    Raw handle_;
};

/// A verified license, from Verifier::verify.
class License {
public:
    /// Checks the license against `ctx`: the verdict is in the report (an
    /// expired license is a report, not an exception).
    Report check(const CheckContext &ctx) const;

    /// The id, as 32 lower-case hex digits.
    std::string id() const { return text(licentia_license_id); }
    /// The product code.
    std::string product() const { return text(licentia_license_product); }
    /// The licensee's name.
    std::string licensee_name() const { return text(licentia_license_licensee_name); }
    /// The licensee's e-mail, if any.
    std::optional<std::string> licensee_email() const { return optional_text(licentia_license_licensee_email); }
    /// The vendor's customer reference, if any.
    std::optional<std::string> customer_ref() const { return optional_text(licentia_license_customer_ref); }
    /// The id (16 hex digits) of the key that signed it.
    std::string key_id() const { return text(licentia_license_key_id); }
    /// For a temporary license, the id of the license it stands in for.
    std::optional<std::string> replaces() const { return optional_text(licentia_license_replaces); }

    /// What sort of license it is.
    Kind kind() const { return static_cast<Kind>(licentia_license_kind(handle_.get())); }

    /// Seats granted (informational offline).
    std::uint32_t seats() const { return licentia_license_seats(handle_.get()); }

    /// Whether the license runs in an environment of `kind`: false when it
    /// refuses virtual machines or containers (rules 111 and 112).
    bool allows(EnvironmentKind kind) const noexcept {
        return licentia_license_allows(handle_.get(), static_cast<std::uint32_t>(kind));
    }

    /// Every time term.
    Terms terms() const {
        licentia_terms t{};
        detail::check(licentia_license_terms(handle_.get(), &t));
        Terms terms{detail::from_unix(t.issued_at), detail::from_optional(t.valid_from),
                    detail::from_optional(t.soft_expiry), detail::from_optional(t.hard_expiry),
                    std::nullopt, detail::from_optional(t.updates_until), std::nullopt, std::nullopt};
        if (t.has_grace) {
            terms.grace = std::chrono::seconds(t.grace_secs);
        }
        if (t.has_check_in) {
            terms.check_in_interval = std::chrono::seconds(t.check_in_interval_secs);
            terms.check_in_max_offline = std::chrono::seconds(t.check_in_max_offline_secs);
        }
        return terms;
    }

    /// The binding, with the licensed machines or user.
    Binding binding() const {
        const licentia_license *raw = handle_.get();
        licentia_binding b{};
        detail::check(licentia_license_binding(raw, &b));
        Binding binding{static_cast<BindingKind>(b.kind), static_cast<MatchRule>(b.match_rule), {}, b.max_machines,
                        optional_text(licentia_license_binding_user)};
        for (std::size_t i = 0; i < b.machine_count; ++i) {
            binding.machines.push_back(detail::read_string([raw, i](char *buf, std::size_t len, std::size_t *out) {
                return licentia_license_binding_machine(raw, i, buf, len, out);
            }));
        }
        return binding;
    }

    /// Whether feature `code` is granted and in force at `now`.
    bool has_feature(std::string_view code, TimePoint now) const {
        return licentia_license_has_feature(handle_.get(), std::string(code).c_str(), detail::to_unix(now));
    }

    /// The entitlement `code`, if granted and in force at `now`.
    std::optional<Entitlement> entitlement(std::string_view code, TimePoint now) const {
        const std::string c(code);
        licentia_entitlement e{};
        const licentia_status status = licentia_license_entitlement(handle_.get(), c.c_str(), detail::to_unix(now), &e);
        if (status == LICENTIA_NOT_FOUND) {
            return std::nullopt;
        }
        detail::check(status);
        return convert(c, e);
    }

    /// Every entitlement listed (in force or not), sorted by code.
    std::vector<Entitlement> entitlements() const {
        const licentia_license *raw = handle_.get();
        const std::size_t count = licentia_license_entitlement_count(raw);
        std::vector<Entitlement> all;
        all.reserve(count);
        for (std::size_t i = 0; i < count; ++i) {
            licentia_entitlement e{};
            detail::check(licentia_license_entitlement_at(raw, i, &e));
            all.push_back(convert(detail::read_string([raw, i](char *buf, std::size_t len, std::size_t *out) {
                                      return licentia_license_entitlement_code(raw, i, buf, len, out);
                                  }),
                                  e));
        }
        return all;
    }

    /// Every meter the license carries, sorted by name.
    std::vector<Meter> meters() const {
        const licentia_license *raw = handle_.get();
        const std::size_t count = licentia_license_meter_count(raw);
        std::vector<Meter> all;
        all.reserve(count);
        for (std::size_t i = 0; i < count; ++i) {
            licentia_meter m{};
            detail::check(licentia_license_meter_at(raw, i, &m));
            all.push_back(Meter{detail::read_string([raw, i](char *buf, std::size_t len, std::size_t *out) {
                                    return licentia_license_meter_name(raw, i, buf, len, out);
                                }),
                                m.quota, static_cast<MeterPeriod>(m.period)});
        }
        return all;
    }

    /// The meter `name`, if the license carries it.
    std::optional<Meter> meter(std::string_view name) const {
        const std::string n(name);
        licentia_meter m{};
        const licentia_status status = licentia_license_meter(handle_.get(), n.c_str(), &m);
        if (status == LICENTIA_NOT_FOUND) {
            return std::nullopt;
        }
        detail::check(status);
        return Meter{n, m.quota, static_cast<MeterPeriod>(m.period)};
    }

    /// The vendor metadata value for `key`, if present.
    std::optional<std::string> metadata(std::string_view key) const {
        const licentia_license *raw = handle_.get();
        const std::string k(key);
        return detail::read_optional_string([raw, &k](char *buf, std::size_t len, std::size_t *out) {
            return licentia_license_metadata(raw, k.c_str(), buf, len, out);
        });
    }

    /// Applies a renewal token verified with `verifier`; the license is
    /// unchanged when this throws.
    void apply_renewal(const Verifier &verifier, std::string_view token);

    /// Whether the license's maintenance (updates-until) covers release
    /// `version` of `catalogue`: Error(not_found) when the catalogue does
    /// not list it, Error(wrong_product) when it is another product's.
    bool may_run(const ReleaseCatalogue &catalogue, std::string_view version) const {
        bool may = false;
        detail::check(licentia_license_may_run(handle_.get(), catalogue.c_handle(),
                                               std::string(version).c_str(), &may));
        return may;
    }

    /// The versions of `catalogue` the license may run, in version order
    /// (Error(wrong_product) for another product's catalogue).
    std::vector<std::string> runnable_releases(const ReleaseCatalogue &catalogue) const {
        const licentia_license *raw = handle_.get();
        const licentia_release_catalogue *cat = catalogue.c_handle();
        const std::string lines =
            detail::read_string([raw, cat](char *buf, std::size_t len, std::size_t *out) {
                return licentia_license_runnable_releases(raw, cat, buf, len, out);
            });
        std::vector<std::string> versions;
        for (std::size_t from = 0; from < lines.size();) {
            const std::size_t found = lines.find('\n', from);
            const std::size_t end = found == std::string::npos ? lines.size() : found;
            versions.push_back(lines.substr(from, end - from));
            from = end + 1;
        }
        return versions;
    }

    /// The C handle, for calling the C API directly (still owned here).
    const licentia_license *c_handle() const { return handle_.get(); }

    /// Whether this object holds a license (false once moved from).
    explicit operator bool() const noexcept { return static_cast<bool>(handle_); }

private:
    using Raw = detail::Handle<licentia_license, licentia_license_free>;
    using StringFn = licentia_status (*)(const licentia_license *, char *, std::size_t, std::size_t *);
    explicit License(Raw handle) noexcept : handle_(std::move(handle)) {}
    friend class Verifier;
    friend class ClientStatus;

    std::optional<std::string> optional_text(StringFn fn) const {
        const licentia_license *raw = handle_.get();
        return detail::read_optional_string(
            [raw, fn](char *buf, std::size_t len, std::size_t *out) { return fn(raw, buf, len, out); });
    }
    std::string text(StringFn fn) const {
        const licentia_license *raw = handle_.get();
        return detail::read_string(
            [raw, fn](char *buf, std::size_t len, std::size_t *out) { return fn(raw, buf, len, out); });
    }
    static Entitlement convert(std::string code, const licentia_entitlement &e) {
        return Entitlement{std::move(code), e.has_count ? std::optional<std::uint32_t>(e.count) : std::nullopt,
                           detail::from_optional(e.expires)};
    }

    Raw handle_;
};

/// A set of trusted public keys, and the revocation list held.
class Verifier {
public:
    /// A verifier that trusts no key yet.
    Verifier() : handle_(detail::make<Raw>(licentia_verifier_new)) {}

    /// A verifier trusting one SPKI PEM public key.
    static Verifier from_pem(std::string_view pem) {
        Verifier verifier;
        verifier.add_key_pem(pem);
        return verifier;
    }

    /// A verifier trusting the public key in an SPKI PEM file.
    static Verifier from_key_file(std::string_view path) {
        const std::string p(path);
        return Verifier(detail::make<Raw>(
            [&](licentia_verifier **out) { return licentia_verifier_from_key_file(p.c_str(), out); }));
    }

    /// Trusts one more SPKI PEM public key.
    void add_key_pem(std::string_view pem) {
        detail::check(licentia_verifier_add_key_pem(handle_.get(), std::string(pem).c_str()));
    }

    /// Trusts one more public key given as its raw 32 bytes.
    void add_key_raw(const std::array<std::uint8_t, 32> &key) {
        detail::check(licentia_verifier_add_key_raw(handle_.get(), key.data()));
    }

    /// Accepts a key-rollover statement signed by a trusted key.
    void accept_rollover(std::string_view text) {
        detail::check(licentia_verifier_accept_rollover(handle_.get(), std::string(text).c_str()));
    }

    /// Verifies and holds a revocation list for `product` (replacing an
    /// older one; Error(stale_revocation_list) for one not newer).
    void set_revocation_list(std::string_view text, std::string_view product) {
        detail::check(licentia_verifier_set_revocation_list(handle_.get(), std::string(text).c_str(),
                                                            std::string(product).c_str()));
    }

    /// The sequence number of the revocation list held, if any.
    std::optional<std::uint64_t> revocation_sequence() const {
        std::uint64_t sequence = 0;
        const licentia_status status = licentia_verifier_revocation_sequence(handle_.get(), &sequence);
        if (status == LICENTIA_NOT_FOUND) {
            return std::nullopt;
        }
        detail::check(status);
        return sequence;
    }

    /// Verifies a signed release catalogue for `product` with the trusted keys.
    ReleaseCatalogue verify_release_catalogue(std::string_view text, std::string_view product) const {
        const licentia_verifier *raw = handle_.get();
        const std::string t(text), p(product);
        return ReleaseCatalogue(detail::make<ReleaseCatalogue::Raw>([&](licentia_release_catalogue **out) {
            return licentia_verify_release_catalogue(raw, t.c_str(), p.c_str(), out);
        }));
    }

    /// Verifies a license given as armored or compact text.
    License verify(std::string_view text) const {
        const licentia_verifier *raw = handle_.get();
        const std::string t(text);
        return License(detail::make<License::Raw>(
            [&](licentia_license **out) { return licentia_verify(raw, t.c_str(), out); }));
    }

    /// Verifies a license given as text and checks it, in one C call
    /// (`licentia_verify_and_check`): `verify(text).check(ctx)`, the same
    /// report and the same exceptions, for a product that wants the verdict
    /// and not the license.
    Report check(std::string_view text, const CheckContext &ctx) const;

    /// Reads a license file and verifies it.
    License verify_file(std::string_view path) const {
        const licentia_verifier *raw = handle_.get();
        const std::string p(path);
        return License(detail::make<License::Raw>(
            [&](licentia_license **out) { return licentia_verify_file(raw, p.c_str(), out); }));
    }

    /// The C handle, for calling the C API directly (still owned here).
    const licentia_verifier *c_handle() const { return handle_.get(); }

    /// Whether this object holds a verifier (false once moved from).
    explicit operator bool() const noexcept { return static_cast<bool>(handle_); }

private:
    using Raw = detail::Handle<licentia_verifier, licentia_verifier_free>;
    explicit Verifier(Raw handle) noexcept : handle_(std::move(handle)) {}
    Raw handle_;
};

namespace detail {
/// The C context for `ctx`, borrowing its strings and handles.
inline licentia_check_context c_context(const CheckContext &ctx) {
    licentia_check_context c{};
    c.now = detail::to_unix(ctx.now);
    c.product = ctx.product.c_str();
    c.machine = ctx.machine != nullptr ? ctx.machine->c_handle() : nullptr;
    c.this_machine = ctx.this_machine;
    c.user = ctx.user ? ctx.user->c_str() : nullptr;
    c.has_release_date = ctx.release_date.has_value();
    c.release_date = ctx.release_date ? detail::to_unix(*ctx.release_date) : 0;
    c.has_last_check_in = ctx.last_check_in.has_value();
    c.last_check_in = ctx.last_check_in ? detail::to_unix(*ctx.last_check_in) : 0;
    c.revocations = ctx.revocations != nullptr ? ctx.revocations->c_handle() : nullptr;
    c.clock_state_path = ctx.clock_state_path ? ctx.clock_state_path->c_str() : nullptr;
    c.clock_secret = ctx.clock_secret.empty() ? nullptr : ctx.clock_secret.data();
    c.clock_secret_len = ctx.clock_secret.size();
    return c;
}
}  // namespace detail

inline Report Verifier::check(std::string_view text, const CheckContext &ctx) const {
    if (ctx.clock_witness_path || ctx.clock_started) {
        return verify(text).check(ctx);  // the clock guard's options: the two calls
    }
    const licentia_check_context c = detail::c_context(ctx);
    const licentia_verifier *raw = handle_.get();
    const licentia_environment *seen = ctx.environment != nullptr ? ctx.environment->c_handle() : nullptr;
    const std::string t(text);
    return Report(detail::make<Report::Raw>([&](licentia_report **out) {
        return licentia_verify_and_check_in_environment(raw, t.c_str(), &c, seen, out);
    }));
}

inline Report License::check(const CheckContext &ctx) const {
    const licentia_check_context c = detail::c_context(ctx);
    const licentia_license *raw = handle_.get();
    const licentia_environment *seen = ctx.environment != nullptr ? ctx.environment->c_handle() : nullptr;
    if (!ctx.clock_witness_path && !ctx.clock_started) {
        return Report(detail::make<Report::Raw>(
            [&](licentia_report **out) { return licentia_check_in_environment(raw, &c, nullptr, seen, out); }));
    }
    using Options = detail::Handle<licentia_clock_options, licentia_clock_options_free>;
    const Options options = detail::make<Options>(licentia_clock_options_new);
    const char *witness = ctx.clock_witness_path ? ctx.clock_witness_path->c_str() : nullptr;
    detail::check(licentia_clock_options_set_witness(options.get(), witness));
    detail::check(licentia_clock_options_set_started(options.get(), ctx.clock_started));
    return Report(detail::make<Report::Raw>(
        [&](licentia_report **out) { return licentia_check_in_environment(raw, &c, options.get(), seen, out); }));
}

inline void License::apply_renewal(const Verifier &verifier, std::string_view token) {
    detail::check(licentia_license_apply_renewal(handle_.get(), verifier.c_handle(), std::string(token).c_str()));
}

/// A signed document just issued, in both text forms.
class Document {
public:
    /// Armored text, for files and e-mail.
    std::string armor() const {
        const licentia_document *raw = handle_.get();
        return detail::read_string([raw](char *buf, std::size_t len, std::size_t *out) {
            return licentia_document_armor(raw, buf, len, out);
        });
    }

    /// Compact one-line text, for environment variables and QR codes.
    std::string compact() const {
        const licentia_document *raw = handle_.get();
        return detail::read_string([raw](char *buf, std::size_t len, std::size_t *out) {
            return licentia_document_compact(raw, buf, len, out);
        });
    }

    /// Whether this object holds a document (false once moved from).
    explicit operator bool() const noexcept { return static_cast<bool>(handle_); }

private:
    using Raw = detail::Handle<licentia_document, licentia_document_free>;
    explicit Document(Raw handle) noexcept : handle_(std::move(handle)) {}
    friend class Issuer;
    Raw handle_;
};

/// A signing key that issues licenses (for back-office tools).
class Issuer {
public:
    /// An issuer from an Ed25519 PKCS#8 PEM private key.
    static Issuer from_pem(std::string_view pem) {
        const std::string p(pem);
        return Issuer(detail::make<Raw>([&](licentia_issuer **out) { return licentia_issuer_from_pem(p.c_str(), out); }));
    }

    /// An issuer from a private key file (refused when others may read it).
    static Issuer from_key_file(std::string_view path) {
        const std::string p(path);
        return Issuer(
            detail::make<Raw>([&](licentia_issuer **out) { return licentia_issuer_from_key_file(p.c_str(), out); }));
    }

    /// The public key as SPKI PEM, for products to trust.
    std::string public_key_pem() const {
        const licentia_issuer *raw = handle_.get();
        return detail::read_string([raw](char *buf, std::size_t len, std::size_t *out) {
            return licentia_issuer_public_key_pem(raw, buf, len, out);
        });
    }

    /// Issues a license from a JSON specification (the CLI's `--spec` fields).
    Document issue_json(std::string_view spec_json) const {
        const licentia_issuer *raw = handle_.get();
        const std::string spec(spec_json);
        return Document(detail::make<Document::Raw>(
            [&](licentia_document **out) { return licentia_issuer_issue_json(raw, spec.c_str(), out); }));
    }

    /// Whether this object holds an issuer (false once moved from).
    explicit operator bool() const noexcept { return static_cast<bool>(handle_); }

private:
    using Raw = detail::Handle<licentia_issuer, licentia_issuer_free>;
    explicit Issuer(Raw handle) noexcept : handle_(std::move(handle)) {}
    Raw handle_;
};

/// An offline activation request: carry to_text() to the back office, keep
/// the object (or its text, to parse later) to accept the answer.
class ActivationRequest {
public:
    /// A request for `product` on `machine` with the customer's license key.
    static ActivationRequest for_key(std::string_view product, std::string_view license_key,
                                     const Fingerprint &machine, TimePoint now) {
        const std::string p(product), k(license_key);
        const licentia_fingerprint *m = machine.c_handle();
        return ActivationRequest(detail::make<Raw>([&](licentia_activation_request **out) {
            return licentia_activation_request_new(p.c_str(), k.c_str(), m, detail::to_unix(now), out);
        }));
    }

    /// A request naming the license by its id (32 hex digits).
    static ActivationRequest for_id(std::string_view product, std::string_view license_id,
                                    const Fingerprint &machine, TimePoint now) {
        const std::string p(product), id(license_id);
        const licentia_fingerprint *m = machine.c_handle();
        return ActivationRequest(detail::make<Raw>([&](licentia_activation_request **out) {
            return licentia_activation_request_new_for_id(p.c_str(), id.c_str(), m, detail::to_unix(now), out);
        }));
    }

    /// Parses a request's text, to accept its answer in a later run.
    static ActivationRequest parse(std::string_view text) {
        const std::string t(text);
        return ActivationRequest(detail::make<Raw>(
            [&](licentia_activation_request **out) { return licentia_activation_request_parse(t.c_str(), out); }));
    }

    /// The request as armored text.
    std::string to_text() const {
        const licentia_activation_request *raw = handle_.get();
        return detail::read_string([raw](char *buf, std::size_t len, std::size_t *out) {
            return licentia_activation_request_to_text(raw, buf, len, out);
        });
    }

    /// Verifies the back office's answer at `now` and gives the
    /// machine-locked license file it carries (armored text).
    std::string accept(const Verifier &verifier, std::string_view answer, TimePoint now) const {
        const licentia_activation_request *raw = handle_.get();
        const licentia_verifier *v = verifier.c_handle();
        const std::string a(answer);
        const std::int64_t secs = detail::to_unix(now);
        return detail::read_string([&](char *buf, std::size_t len, std::size_t *out) {
            return licentia_activation_request_accept(raw, v, a.c_str(), secs, buf, len, out);
        });
    }

    /// Whether this object holds a request (false once moved from).
    explicit operator bool() const noexcept { return static_cast<bool>(handle_); }

private:
    using Raw = detail::Handle<licentia_activation_request, licentia_activation_request_free>;
    explicit ActivationRequest(Raw handle) noexcept : handle_(std::move(handle)) {}
    Raw handle_;
};

/// Where a license stands for this machine after a Client call.
class ClientStatus {
public:
    /// Whether the back office answered (false: the stored license was
    /// checked offline because it could not be reached).
    bool online() const { return licentia_client_status_online(handle_.get()); }

    /// Whole days of grace left offline, when one is running.
    std::optional<std::int64_t> grace_days() const {
        std::int64_t days = 0;
        const licentia_status status = licentia_client_status_grace_days(handle_.get(), &days);
        if (status == LICENTIA_NOT_FOUND) {
            return std::nullopt;
        }
        detail::check(status);
        return days;
    }

    /// Why the back office could not be reached, when it could not.
    std::optional<std::string> offline_reason() const {
        const licentia_client_status *raw = handle_.get();
        return detail::read_optional_string([raw](char *buf, std::size_t len, std::size_t *out) {
            return licentia_client_status_offline_reason(raw, buf, len, out);
        });
    }

    /// The check's verdict.
    Report report() const {
        const licentia_client_status *raw = handle_.get();
        return Report(detail::make<Report::Raw>(
            [raw](licentia_report **out) { return licentia_client_status_report(raw, out); }));
    }

    /// The verified license held.
    License license() const {
        const licentia_client_status *raw = handle_.get();
        return License(detail::make<License::Raw>(
            [raw](licentia_license **out) { return licentia_client_status_license(raw, out); }));
    }

private:
    using Raw = detail::Handle<licentia_client_status, licentia_client_status_free>;
    explicit ClientStatus(Raw handle) noexcept : handle_(std::move(handle)) {}
    friend class Client;
    Raw handle_;
};

/// Where the back office holds a license.
enum class Standing : std::uint32_t {
    active = LICENTIA_STANDING_ACTIVE,
    suspended = LICENTIA_STANDING_SUSPENDED,
    revoked = LICENTIA_STANDING_REVOKED,
};

/// The back office's view of the license and this machine (Client::validate).
struct Validation {
    Standing standing;
    std::int64_t seats;
    std::int64_t seats_used;
    std::optional<TimePoint> expires_at;
    /// Whether this machine holds a live activation there.
    bool activated;
    /// Whether a fresh file came (the terms changed) and was kept.
    bool refreshed;
};

/// How a Client is set up; only `store` is required.
struct ClientOptions {
    /// The directory the client keeps the license, activation and lease in.
    std::string store;
    /// A PEM file of the CA that signs the back office's certificate
    /// (default: the built-in Mozilla roots).
    std::optional<std::string> ca_file;
    /// Pins of the back office's certificate: SHA-256 of its SPKI or DER,
    /// as 64 hex digits or 44 base64 characters (empty: no pinning).
    std::vector<std::string> pins;
    /// This machine's fingerprint (default: this machine's own); not owned.
    const Fingerprint *machine = nullptr;
    /// How long one request may take.
    std::optional<std::chrono::milliseconds> timeout;
    /// Retries of a request that got no answer, and the first wait.
    std::optional<std::pair<std::uint32_t, std::chrono::milliseconds>> retries;
    /// The application's secret for the clock guard (empty: no guard).
    std::vector<std::uint8_t> clock_secret;
};

/// The product's client of the back office: activation, check-in, floating
/// leases, deactivation. Calls block; a failed one throws Error with the
/// back office's own words for Status::refused.
class Client {
public:
    /// A client of the back office at `server` for `product`, trusting the
    /// keys `keys` trusts.
    Client(std::string_view server, std::string_view product, const Verifier &keys, const ClientOptions &options) {
        const std::string s(server), p(product);
        auto config = detail::make<Config>(
            [&](licentia_client_config **out) { return licentia_client_config_new(s.c_str(), p.c_str(), keys.c_handle(), out); });
        licentia_client_config *raw = config.get();
        detail::check(licentia_client_config_set_store(raw, options.store.c_str()));
        if (options.ca_file) {
            detail::check(licentia_client_config_set_ca_file(raw, options.ca_file->c_str()));
        }
        for (const std::string &pin : options.pins) {
            fail_unless_ok(licentia_client_config_add_pin(raw, pin.c_str()));
        }
        if (options.machine != nullptr) {
            detail::check(licentia_client_config_set_machine(raw, options.machine->c_handle()));
        }
        if (options.timeout) {
            detail::check(licentia_client_config_set_timeout_ms(raw, static_cast<std::uint32_t>(options.timeout->count())));
        }
        if (options.retries) {
            detail::check(licentia_client_config_set_retries(raw, options.retries->first,
                                                             static_cast<std::uint32_t>(options.retries->second.count())));
        }
        if (!options.clock_secret.empty()) {
            detail::check(licentia_client_config_set_clock_secret(raw, options.clock_secret.data(), options.clock_secret.size()));
        }
        handle_ = call<Raw>([raw](licentia_client **out) { return licentia_client_new(raw, out); });
    }

    /// Activates this machine with `license_key`: one seat, the file
    /// verified and kept. Nothing is kept when this throws.
    ClientStatus activate(std::string_view license_key) const {
        const std::string key(license_key);
        const licentia_client *raw = handle_.get();
        return ClientStatus(call<ClientStatus::Raw>(
            [&](licentia_client_status **out) { return licentia_client_activate(raw, key.c_str(), out); }));
    }

    /// Checks in; when the back office cannot be reached, the stored
    /// license checked offline (online() false) rather than an error.
    ClientStatus check_in() const {
        const licentia_client *raw = handle_.get();
        return ClientStatus(
            call<ClientStatus::Raw>([raw](licentia_client_status **out) { return licentia_client_check_in(raw, out); }));
    }

    /// The stored license checked offline now; nullopt before an activation.
    std::optional<ClientStatus> check_offline() const {
        licentia_client_status *out = nullptr;
        const licentia_status status = licentia_client_check_offline(handle_.get(), &out);
        if (status == LICENTIA_NOT_ACTIVATED) {
            return std::nullopt;
        }
        fail_unless_ok(status);
        return ClientStatus(ClientStatus::Raw(out));
    }

    /// Asks the back office how the license and this machine stand, taking
    /// no seat; a fresh file (new terms) is verified and kept.
    Validation validate() const {
        licentia_validation v{};
        fail_unless_ok(licentia_client_validate(handle_.get(), &v));
        return Validation{static_cast<Standing>(v.standing), v.seats, v.seats_used,
                          detail::from_optional(v.expires_at), v.activated, v.refreshed};
    }

    /// Gives this machine's seat back (and any lease) and forgets it.
    void deactivate() const { fail_unless_ok(licentia_client_deactivate(handle_.get())); }

    /// Fetches the product's revocation list, verified, and keeps it when
    /// newer; every later check applies it. The sequence of the list held.
    std::uint64_t refresh_revocations() const {
        std::uint64_t sequence = 0;
        fail_unless_ok(licentia_client_refresh_revocations(handle_.get(), &sequence));
        return sequence;
    }

    /// The armored revocation list held; nullopt before one was fetched.
    std::optional<std::string> revocation_list() const {
        return client_string([raw = handle_.get()](char *buf, std::size_t len, std::size_t *out) {
            return licentia_client_revocation_list(raw, buf, len, out);
        });
    }

    /// Gives this machine's license back without the back office: the file
    /// deleted, the offline deactivation request (armored) to carry there.
    /// Called again before the receipt came, the same request.
    std::string deactivate_offline() const {
        auto text = client_string([raw = handle_.get()](char *buf, std::size_t len, std::size_t *out) {
            return licentia_client_deactivate_offline(raw, buf, len, out);
        });
        return text ? *std::move(text) : throw Error(Status::not_found);
    }

    /// Verifies the back office's receipt for the pending offline
    /// deactivation and forgets the request; Status::receipt_mismatch for a
    /// receipt of another license or request.
    void accept_deactivation_receipt(std::string_view receipt) const {
        fail_unless_ok(licentia_client_accept_deactivation_receipt(handle_.get(), std::string(receipt).c_str()));
    }

    /// Checks a floating seat out; when the lease ends.
    TimePoint checkout_lease(std::string_view license_key) const {
        std::int64_t ends = 0;
        fail_unless_ok(licentia_client_checkout_lease(handle_.get(), std::string(license_key).c_str(), &ends));
        return detail::from_unix(ends);
    }

    /// Extends the lease held once half its time is gone (call it every
    /// minute or so): whether it did, and when the lease ends.
    std::pair<bool, TimePoint> heartbeat_if_due(std::string_view license_key) const {
        bool renewed = false;
        std::int64_t ends = 0;
        fail_unless_ok(licentia_client_heartbeat_if_due(handle_.get(), std::string(license_key).c_str(), &renewed, &ends));
        return {renewed, detail::from_unix(ends)};
    }

    /// Returns the lease held early.
    void return_lease(std::string_view license_key) const {
        fail_unless_ok(licentia_client_return_lease(handle_.get(), std::string(license_key).c_str()));
    }

    /// Counts a batch of consumption against the meters of the license
    /// whose key is `license_key`, all or nothing; the usage of each
    /// record's meter after it. `batch_id` names the batch: sent again it is
    /// counted once. Past a quota the back office refuses it all
    /// (Status::refused, "quota_exceeded" in the words).
    std::vector<MeterUsage> record_usage(std::string_view license_key, std::string_view batch_id,
                                         const std::vector<UsageRecord> &records) const {
        const std::string key(license_key), batch(batch_id);
        const Records in(records);
        std::vector<licentia_meter_usage> out(records.size());
        fail_unless_ok(licentia_client_record_usage(handle_.get(), key.c_str(), batch.c_str(), in.meters.data(),
                                                    in.amounts.data(), records.size(), out.data()));
        std::vector<MeterUsage> usage;
        usage.reserve(records.size());
        for (std::size_t i = 0; i < records.size(); ++i) {
            usage.push_back(MeterUsage{records[i].meter, out[i].used, out[i].quota,
                                       detail::from_unix(out[i].period_start), detail::from_optional(out[i].period_end)});
        }
        return usage;
    }

    /// The armored offline usage report of what this machine consumed of
    /// license `license_id`'s meters since its previous report, numbered
    /// `counter` (keep it; raise it by one per report, the first is 1):
    /// staff carry it to the back office, which accepts each counter once.
    std::string usage_report(std::string_view license_id, std::uint64_t counter,
                             const std::vector<UsageRecord> &records) const {
        const std::string id(license_id);
        const Records in(records);
        auto text = client_string([&, raw = handle_.get()](char *buf, std::size_t len, std::size_t *out) {
            return licentia_client_usage_report(raw, id.c_str(), counter, in.meters.data(), in.amounts.data(),
                                                records.size(), buf, len, out);
        });
        return text ? *std::move(text) : throw Error(Status::not_found);
    }

private:
    using Config = detail::Handle<licentia_client_config, licentia_client_config_free>;

    /// Records as the C arrays of names and amounts (the names borrowed).
    struct Records {
        explicit Records(const std::vector<UsageRecord> &records) {
            for (const UsageRecord &r : records) {
                meters.push_back(r.meter.c_str());
                amounts.push_back(r.amount);
            }
        }
        std::vector<const char *> meters;
        std::vector<std::uint64_t> amounts;
    };
    using Raw = detail::Handle<licentia_client, licentia_client_free>;

    /// Throws Error with the call's own words unless `status` is OK.
    static void fail_unless_ok(licentia_status status) {
        if (status == LICENTIA_OK) {
            return;
        }
        std::string words = detail::read_string([](char *buf, std::size_t len, std::size_t *out) {
            return licentia_client_error_message(buf, len, out);
        });
        throw Error(static_cast<Status>(status), words.empty() ? status_message(static_cast<Status>(status)) : words);
    }

    /// A string through a client call (the caller's buffer protocol),
    /// nullopt for LICENTIA_NOT_FOUND, failing with the call's words.
    template <class Call> static std::optional<std::string> client_string(Call c) {
        std::array<char, 256> small{};
        std::size_t len = 0;
        licentia_status status = c(small.data(), small.size(), &len);
        if (status == LICENTIA_OK) {
            return std::string(small.data(), len);
        }
        if (status == LICENTIA_NOT_FOUND) {
            return std::nullopt;
        }
        if (status != LICENTIA_BUFFER_TOO_SMALL) {
            fail_unless_ok(status);
        }
        std::vector<char> big(len + 1);
        fail_unless_ok(c(big.data(), big.size(), &len));
        return std::string(big.data(), len);
    }

    /// Makes a handle through a C call, failing with the call's words.
    template <class H, class Call> static H call(Call c) {
        typename std::remove_pointer<decltype(std::declval<H>().get())>::type *raw = nullptr;
        fail_unless_ok(c(&raw));
        return H(raw);
    }

    Raw handle_;
};

} // namespace licentia

#endif // LICENTIA_HPP
