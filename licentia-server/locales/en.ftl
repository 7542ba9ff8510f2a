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
