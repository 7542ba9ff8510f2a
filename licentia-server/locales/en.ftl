# The console's words in English (the fallback of every other language).
# Every id here must exist in fr.ftl and de.ftl (a unit test checks).

nav-label = Sections
nav-dashboard = Dashboard
nav-renewals = To renew
skip-to-content = Skip to content
sign-out = Sign out
footer-note = licences, seats and renewals
back-to-dashboard = Back to the dashboard

sign-in-title = Sign in
field-email = E-mail address
field-password = Password
field-totp = Code from your authenticator app
sign-in-button = Sign in
sign-in-expired = The sign-in form had expired: please try again.
sign-in-login-failed = Wrong e-mail address or password.
sign-in-totp-required = Enter the six-digit code from your authenticator app.
sign-in-account-locked = Too many failed attempts: this account is locked for a while.

refusal-400 = This request cannot be read
refusal-401 = Please sign in
refusal-403 = Not allowed
refusal-404 = Not found
refusal-409 = Refused: it conflicts with the current state
refusal-413 = Too large
refusal-422 = Refused
refusal-423 = Locked
refusal-429 = Too many requests
refusal-500 = Something went wrong
refusal-502 = A server further on failed
refusal-503 = Unavailable for a moment
refusal-internal = The server could not do this. It has been logged; please try again later.
refusal-status = HTTP status { $status }

tile-licenses-7 = licences ending within 7 days
tile-licenses-30 = licences ending within 30 days
tile-licenses-90 = licences ending within 90 days
tile-subscriptions-30 = subscriptions renewing within 30 days
tile-seats-short = products nearly out of seats at a customer

field-within-days = Ending within
field-group-by = Group by
field-type = Show
field-columns = Columns
group-plan = Plan
group-type = Type
group-customer = Customer
type-all = Licences and subscriptions
type-license = Licences
type-subscription = Subscriptions
show = Show
export-csv = Export CSV
nothing-due = Nothing ends in this window.
days = { $count ->
    [one] { $count } day
   *[other] { $count } days
}
days-left = { $count ->
    [0] today
    [one] { $count } day left
   *[other] { $count } days left
}
items-due = { $count ->
    [0] Nothing to renew
    [one] { $count } to renew
   *[other] { $count } to renew
}

col-ends = Ends
col-id = Record
col-type = Type
col-product = Product
col-plans = Plan
col-customer = Customer
col-licensee = Licensee
col-status = Status
col-seats = Seats
col-days-left = Days left

kind-license-standard = Licence
kind-license-trial = Trial licence
kind-subscription = Subscription
status-active = Active
status-suspended = Suspended
status-cancelled = Cancelled
status-revoked = Revoked

# Licences (console/licenses.rs)
nav-licenses = Licences
issue-license = Issue a licence
search = Search
any = Any
none = None
never = Never
field-key = Key or licence id
no-license-found = No licence matches this search.
licenses-found = { $count ->
    [0] No licence
    [one] { $count } licence
   *[other] { $count } licences
}
pages = Pages
previous-page = Previous page
next-page = Next page
back-to-licenses = Back to the licences
back-to-license = Back to the licence
license-of = Licence of { $licensee }
terms = Terms
term-policy = Policy
term-features = Features
term-valid-from = Valid from
term-expires = Expires
term-grace = Grace after expiry
term-key = Key
download-file = Download the licence file (.lic)
download-line = Download it on one line
no-own-file = This licence has no file of its own: each machine gets its file when it is activated.
actions = Actions
action-renew = Renew
action-suspend = Suspend
action-reinstate = Reinstate
action-revoke = Revoke
action-deactivate = Deactivate
machines = Machines
no-machines = No machine has been activated.
col-machine = Machine
col-platform = Platform
col-mode = Activation
col-activated = Activated
col-last-seen = Last seen
col-from = From
col-until = Until
col-operation = Operation
col-when = When
col-done-by = Done by
col-details = Details
mode-online = Online
mode-offline = Offline
machine-active = Active
machine-deactivated = Deactivated on { $date }
machine-named = Machine { $fingerprint }
leases = Floating leases
no-leases = No seat has been checked out.
lease-held = Held
lease-expired = Expired
lease-returned = Returned on { $date }
history = History
cancel = Cancel
field-reason = Reason (kept in the history)
confirm-suspend-title = Suspend this licence?
confirm-suspend-what = The licence stops validating at the next check-in of each machine, until it is reinstated. Its machines keep their seats.
confirm-reinstate-title = Reinstate this licence?
confirm-reinstate-what = The licence validates again from the next check-in of each machine.
confirm-revoke-title = Revoke this licence?
confirm-revoke-what = The licence stops validating at the next check-in; revocation is final: it cannot be reinstated, and the licence joins the revocation list.
confirm-deactivate-title = Deactivate this machine?
confirm-deactivate-what = The machine gives its seat back: its file is no longer renewed at check-in, and another machine can be activated in its place.
field-new-expiry = New expiry date
field-soft-expiry = "Renew soon" date (optional)
field-renew-mode = What the customer receives
renew-mode-file = A new licence file
renew-mode-token = A renewal token for the file they hold
field-renew-which = The file a token renews
own-file = The licence's own file
renewal-token = Renewal token
renewal-token-made = The licence is renewed. Give this renewal token to the customer:
field-issue-from = Issue from
choose = Choose
plans = Plans
policies = Policies
field-options = Options
no-customer = No customer (vendor admins only)
field-seats-over = Seats (leave empty for the policy's)
field-expires-over = Expiry date (leave empty for the policy's duration)
license-issued = Licence issued
license-issued-for = The licence of { $licensee } is issued.
license-key = Licence key
key-shown-once = Copy this key now: it is shown only once. The back office keeps only a hash of it.
open-license = Open the licence
temporary-title = Temporary licence for an outage
temporary-quota = { $count ->
    [0] This policy allows no temporary licence.
    [one] This policy allows { $count } temporary licence per licence
   *[other] This policy allows { $count } temporary licences per licence
}
temporary-period = { $count ->
    [one] in any { $count } day.
   *[other] in any { $count } days.
}
temporary-duration = { $count ->
    [one] Each is valid { $count } day, never past the licence, and takes no seat.
   *[other] Each is valid { $count } days, never past the licence, and takes no seat.
}
field-replacement = Fingerprint of the replacement machine
temporary-issue = Issue the temporary licence
temporary-made = Temporary licence issued, valid until { $date }.
temporary-file = Temporary licence file (save it as a .lic file beside the product)
offline-title = Offline activation
offline-what = A machine without network access writes an activation request file. Upload it here, and carry the signed answer file back to the machine.
field-request-file = Activation request file
field-valid-days = Days the answer may be used
offline-answer = Download the answer file
