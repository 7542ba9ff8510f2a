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
tile-contracts-90 = contracts and lots ending within 90 days
tile-seats-short = products nearly out of seats at a customer

field-within-days = Ending within
field-group-by = Group by
field-type = Show
field-columns = Columns
group-plan = Plan
group-type = Type
group-customer = Customer
group-contract-type = Contract type
group-supplier = Supplier
type-all = Everything
type-license = Licences
type-subscription = Subscriptions
type-contract = Contracts and lots
show = Show
export-csv = Export CSV
nothing-due = Nothing ends in this window.
renewals-whole-group = All { $count } of { $group }
renewals-groups-showing = Groups { $first }–{ $last } of { $count }
renewals-groups-named = Groups { $first } to { $last }
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
col-supplier = Supplier
col-contract-type = Contract type
col-starts = Starts
col-cost = Cost

kind-license-standard = Licence
kind-license-trial = Trial licence
kind-subscription = Subscription
kind-contract = Contract
kind-lot = Purchase lot
status-active = Active
status-suspended = Suspended
status-cancelled = Cancelled
status-revoked = Revoked

## Catalogue, keys, purchases, notices (console/catalogue.rs, keys.rs, purchases.rs, notices.rs, sheet.rs).
nav-catalogue = Catalogue
nav-purchases = Purchases
nav-notices = Notices
nav-keys = Keys
sheet-cancel = Cancel
sheet-required = required
sheet-heed = Note:
sheet-refused = Refused:
sheet-first-rows = Only the first { $count } are shown.

cat-products = Products
cat-policies = Policies
cat-plans = Plans
cat-new-product = New product
cat-new-policy = New policy
cat-new-plan = New plan
cat-create = Create
cat-code = Code
cat-name = Name
cat-id = Identifier
cat-created = Created
cat-product = Product
cat-policy = Policy
cat-kind = Kind
cat-binding = Binding
cat-seats = Seats
cat-duration = Duration
cat-options = Options
cat-features = Features
cat-perpetual = perpetual
cat-none = None yet.
cat-no-options = This plan has no add-on options.
cat-meter-prices = Meter prices
cat-meter-prices-rule = One meter per line: METER | PRICE PER UNIT | UNITS INCLUDED, the price in the plan's currency (e.g. api_calls | 0.01 | 10000): each period, the units of a licence beyond the included ones are billed on the subscription's next invoice. The meter must be one of the policy's; needs the plan's price.
cat-no-meter-prices = This plan bills no usage.
cat-unit-price = Price per unit
cat-included = Units included each period
cat-open-product = Open the product { $product }
cat-open-policy = Open the policy { $policy }
cat-count-products = { $count ->
    [one] { $count } product
   *[other] { $count } products
}
cat-count-policies = { $count ->
    [one] { $count } policy
   *[other] { $count } policies
}
cat-count-plans = { $count ->
    [one] { $count } plan
   *[other] { $count } plans
}
cat-product-lead = A product is what licences are for: its code is written into every licence file.
cat-code-rule = 1 to 64 characters: letters, digits, '-', '_' and '.' only. Unique.
cat-name-rule = 1 to 256 characters, as people read it.
cat-product-fixed = A product's code is written into every licence issued for it: it never changes; its name may.
cat-policies-lead = A policy is a licence template: its duration, binding, seats, grace, check-in and features.
cat-policy-lead = Every licence issued from this policy takes these terms.
cat-policy-fixed = A change of a policy applies to the licences issued after it: licences already issued keep the terms they were signed with. A policy's product and binding never change.
cat-plans-lead = A plan (Essential, Business, Enterprise…) is a policy and the add-on options a licence of it may take.
cat-plan-lead = A plan names a policy; its options add features to the licences that take them.
cat-plan-fixed = A change of a plan applies to the licences issued after it: licences already issued keep their entitlements. Nothing is deleted: a plan no longer sold is retired.
cat-edit = Edit
cat-edit-title = Edit { $name }
cat-save = Save changes
cat-retire = Retire
cat-retired = retired
cat-retire-title = Retire { $name }?
cat-retire-what = { $name } will be offered for no new licence or subscription. It stays in the catalogue, marked retired, and the licences already issued from it keep working unchanged. A retirement is final.
cat-retired-notice = Retired on { $date }: offered for no new licence or subscription; the licences already issued from it are unchanged.
cat-plan-name-rule = 1 to 128 characters, unique per product.
cat-plan-policy-rule = The policy licences of this plan are made from; the plan belongs to its product.
cat-options-rule = One option per line: CODE | Name | FEATURE, FEATURE | PRICE (the features and the price, per seat per month in the plan's currency, may be left out). Each code once.
cat-currency = Currency
cat-currency-rule = ISO 4217 code of the plan's prices; none: the plan is not invoiced.
cat-unpriced = Not priced
cat-price = Price per seat per month
cat-price-rule = In the currency's major unit, e.g. 15.00 (at most as many decimals as the currency has).
cat-tax-rate = Tax rate (%)
cat-tax-rate-rule = A percentage from 0 to 100, e.g. 20 or 5.5; applies to the plan and its options.
cat-tax-shown = tax { $rate } %
cat-kind-standard = Standard
cat-kind-trial = Trial
cat-binding-node-locked = Node-locked
cat-binding-unbound = Unbound
cat-binding-floating = Floating
cat-binding-named-user = Named user
cat-match-all = all components
cat-match-most = most components
cat-match-two = two components
cat-match-any = any component
cat-f-product-id = Product
cat-f-product-id-rule = The product its licences are for.
cat-f-name = Name
cat-f-name-rule = 1 to 128 characters, unique per product.
cat-f-kind = Kind
cat-f-kind-rule = Standard or trial.
cat-f-binding = Binding
cat-f-binding-rule = Node-locked to machines, unbound, floating (leases up to the seats) or named user.
cat-f-match-rule = Machine match rule
cat-f-match-rule-rule = How many of a machine's components must match for a node-locked licence to stay valid.
cat-f-duration-days = Duration (days)
cat-f-duration-days-rule = Licences expire this many days after issue; leave empty for perpetual.
cat-f-seats = Seats
cat-f-seats-rule = Machines of a node-locked licence, the cap of a floating one; at least 1.
cat-f-grace-days = Grace after expiry (days)
cat-f-grace-days-rule = Days a licence is still allowed, with a warning, after it expires; empty for none.
cat-f-check-in-days = Check in every (days)
cat-f-check-in-days-rule = The product checks in online this often; empty for never.
cat-f-max-offline-days = Offline grace (days)
cat-f-max-offline-days-rule = Days a machine may stay offline after a missed check-in.
cat-f-renew-soon-days = Renew soon (days before expiry)
cat-f-renew-soon-days-rule = Licences warn "renew soon" this many days before they expire; needs a duration, and fewer days than it; empty for no warning.
cat-f-maintenance-days = Maintenance (days)
cat-f-maintenance-days-rule = Versions released up to this many days after issue are covered; renewing a perpetual licence extends it; empty for every version.
cat-f-allow-virtual-machines = Virtual machines
cat-f-allow-virtual-machines-rule = Whether the licences run in a virtual machine; refused, the product's verdict says so (rule 111) where it detects a hypervisor, which a determined host can hide.
cat-f-allow-containers = Containers
cat-f-allow-containers-rule = Whether the licences run in a container (Docker, Podman, Kubernetes, LXC); refused, the product's verdict says so (rule 112) where it detects one.
cat-allow-true = allowed
cat-allow-false = refused
cat-f-entitlements = Features
cat-f-entitlements-rule = One per line: CODE, CODE=COUNT or CODE@YYYY-MM-DD (its own end).
cat-f-meters = Meters
cat-f-meters-rule = One per line: NAME=QUOTA/PERIOD, the period day, month, year or term (e.g. api_calls=10000/month).
cat-f-temp-quota = Temporary licences per period
cat-f-temp-quota-rule = Temporary licences a licence may have per period, for a failed machine; at least 1.
cat-f-temp-period-days = Temporary licence period (days)
cat-f-temp-period-days-rule = The period the quota counts over; at least 1.
cat-f-temp-duration-days = Temporary licence length (days)
cat-f-temp-duration-days-rule = How long a temporary licence runs; at least 1.
cat-f-lease-ttl-secs = Lease length (seconds)
cat-f-lease-ttl-secs-rule = A floating lease lasts this long unless renewed; at least 1.
cat-f-max-transfers = Machine moves per period
cat-f-max-transfers-rule = Machines the product may give back per period; empty for no limit (staff are not limited).
cat-f-transfer-period-days = Move period (days)
cat-f-transfer-period-days-rule = The period the moves count over; at least 1.

keys-title = Signing keys
keys-lead = The active key signs every licence, renewal and revocation list; trusted keys still validate what they signed; retired keys are named in every revocation list.
keys-done = Done: key { $key }.
keys-rotate = Rotate the signing key
keys-download-active = Download the active public key (PEM)
keys-count = { $count ->
    [one] { $count } key
   *[other] { $count } keys
}
keys-id = Key id
keys-state = State
keys-public = Public key
keys-rollover = Rollover statement
keys-action = Action
keys-pem = PEM
keys-statement = Download
keys-first = none (first key)
keys-signs-now = signs now
keys-retire = Retire…
keys-retired-final = retired for good
keys-state-active = Active
keys-state-trusted = Trusted
keys-state-retired = Retired
keys-rotate-button = Rotate now
keys-rotate-what = A new key becomes the active key and signs everything from now on. The current key { $key } stays trusted: licences it signed keep validating.
keys-rotate-field = Products in the field learn the new key from its rollover statement, signed by the current key, when they next fetch the keys; a product that never fetches them must be shipped the new public key before it meets a licence the new key signed.
keys-rotate-old = Nothing already issued changes. To stop trusting the old key later, retire it.
keys-retire-title = Retire key { $key }
keys-retire-button = Retire this key
keys-retire-what = Licences signed by it stop validating once products fetch the revocation list: every revocation list from now on names this key.
keys-retire-final-note = Retirement is final: the key is never trusted again. Reissue the licences it signed with the active key first.

pur-title = Purchases
pur-lead = Lots bought by the top of the customer tree, and the customers they were re-billed to. Re-billing moves no seat: seats move by allocation.
pur-new = Record a purchase
pur-new-lead = A lot raises its buyer's seats of the product by its quantity.
pur-record = Record the purchase
pur-any = Any
pur-count = { $count ->
    [one] { $count } purchase
   *[other] { $count } purchases
}
pur-none = No purchase here.
pur-customer = Customer
pur-product = Product
pur-customer-id = Buyer
pur-customer-id-rule = A node at the top of the customer tree (usually a partner).
pur-product-id = Product
pur-product-id-rule = The product bought.
pur-quantity = Quantity
pur-quantity-rule = Seats bought: a whole number from 1 to 1000000000.
pur-serial = Serial
pur-serial-rule = Serial or registration key, unique per product; optional.
pur-version = Version
pur-version-rule = The version bought; optional.
pur-purchased-on = Purchased on
pur-purchased-on-rule = A calendar date, YYYY-MM-DD.
pur-renews-on = Renews on
pur-renews-on-rule = After the purchase date, YYYY-MM-DD; optional.
pur-cost = Cost
pur-cost-rule = A decimal amount such as 1234.50, at most the currency's decimals; needs its currency.
pur-currency = Currency
pur-currency-rule = An ISO 4217 code such as EUR, USD or JPY.
pur-po-number = PO number
pur-po-number-rule = Purchase order number; optional.
pur-invoice-number = Invoice number
pur-invoice-number-rule = Invoice number; optional.
pur-notes = Notes
pur-notes-rule = Free text; optional.
pur-contract-id = Contract
pur-contract-id-rule = The renewal contract covering the lot, one of the buyer's; optional.
pur-no-contract = None
pur-rebilled = Re-billed
pur-not-rebilled = Not yet re-billed
pur-lot-title = Lot of { $product }
pur-back = Back to the purchases
pur-rebillings = Re-billings
pur-no-rebillings = Nothing re-billed yet.
pur-when = When
pur-rebill = Re-bill part of this lot
pur-rebill-lead = { $count ->
    [0] Every seat of this lot is re-billed already.
    [one] { $count } seat of this lot can still be re-billed.
   *[other] { $count } seats of this lot can still be re-billed.
}
pur-rebill-customer = Customer billed
pur-rebill-customer-rule = A customer within your part of the tree.
pur-rebill-quantity = Seats re-billed
pur-rebill-quantity-rule = Never more than the lot has not yet re-billed.

ntc-title = Notices
ntc-lead = Who receives notices (webhooks and e-mail addresses), and the notices the jobs wrote, newest first.
ntc-new = New notice subscription
ntc-new-lead = Choose the notices, and one place to send them: an e-mail address, or (admin only) a webhook.
ntc-subscribe = Subscribe
ntc-made = Subscription made
ntc-secret = Signing secret
ntc-secret-once = Copy this secret now: it is shown only once. The webhook's receiver checks each notice's signature with it.
ntc-back = Back to the notices
ntc-count-subscriptions = { $count ->
    [one] { $count } subscription
   *[other] { $count } subscriptions
}
ntc-notifications = Notifications written
ntc-count-notifications = { $count ->
    [one] { $count } notification
   *[other] { $count } notifications
}
ntc-no-subscriptions = Nobody subscribes to notices yet.
ntc-no-notifications = No notice written yet.
ntc-target = Sent to
ntc-to-webhook = webhook { $url }
ntc-to-email = e-mail { $email }
ntc-kinds = Notices
ntc-kinds-rule = At least one.
ntc-email = E-mail address
ntc-email-rule = Such as ops@example.com; give either this or a webhook.
ntc-webhook = Webhook URL
ntc-webhook-rule = https:// (or http://), no internal address; admin only; give either this or an e-mail address.
ntc-role = Role
ntc-role-rule = Deliver to the accounts holding this role; another role than admin subscribes only for itself.
ntc-no-role = none
ntc-delete = Delete…
ntc-delete-title = Delete this notice subscription
ntc-delete-what = It receives no more notices, and its pending deliveries are cancelled. Deliveries already made stay in the log.
ntc-delete-button = Delete the subscription
ntc-written = Written
ntc-kind = Kind
ntc-subject = About
ntc-due-on = Date announced
ntc-lead-days = Days ahead
ntc-run-date = Job run of
ntc-notification-title = Notice: { $kind }
ntc-deliveries = Deliveries
ntc-no-deliveries = No subscription receives this notice.
ntc-status = Status
ntc-retry = Retry state
ntc-attempts = Attempts
ntc-last-error = Last error
ntc-attempts-title = Every attempt
ntc-no-attempts = No attempt made yet.
ntc-attempt = Attempt
ntc-at = At
ntc-code = Reply code
ntc-error = Error
ntc-next = Next attempt
ntc-ok = succeeded
ntc-delivered = delivered { $when }
ntc-pending-first = first attempt due
ntc-retry-at = retried at { $when }
ntc-failed = attempts used up: given up
ntc-cancelled = subscription deleted
ntc-status-pending = Pending
ntc-status-delivered = Delivered
ntc-status-failed = Failed
ntc-status-cancelled = Cancelled
ntc-kind-license-expiring = licence expiring
ntc-kind-subscription-expiring = subscription expiring
ntc-kind-subscription-renewing = subscription renewing
ntc-kind-subscription-renewed = subscription renewed
ntc-kind-invoice-due = invoice due
ntc-kind-cancellation-deadline = cancellation deadline
ntc-kind-contract-ending = contract ending

## People: accounts, grants, settings, passwords
nav-accounts = Accounts
nav-settings = My settings
cancel = Cancel
yes = yes
no = no
save = Save
node-vendor = the vendor (everything)
node-partner = partner
node-customer = customer
node-site = site
role-admin = Admin
role-issuer = Issuer
role-finance = Finance
role-auditor = Auditor
role-member-manager = Member manager
language-en = English
language-fr = Français
language-de = Deutsch
right-raise = may raise seats
right-lower = may lower seats
right-monthly-only = monthly subscriptions only
right-renewal = may change the renewal option
accounts-caption = The people who sign in, within your admin grants
col-name = Name
col-language = Language
col-time-zone = Time zone
col-second-factor = Second factor
col-created = Created
col-rights = Delegated rights
col-granted-since = Since
col-actions = Actions
account-disabled = disabled
new-account = New account
field-role = Role
field-node = Where
field-first-password = First password (optional)
first-password-help = At least 12 characters. Leave it empty and send an invitation instead: the person then chooses their own.
create-account = Create the account
grants = Grants
add-grant = Grant a role
account-actions = Account
send-invitation = Mail an invitation to set a password
invitation-sent = An invitation was mailed to { $email }.
disable-title = Disable { $name }?
disable-consequence = { $email } will no longer be able to sign in: their open sessions end now and their API tokens are revoked. Their history stays.
disable-button = Disable the account
revoke-grant-title = Revoke this grant?
revoke-grant-consequence = The account loses this role at this place at once; its other grants stay.
revoke-grant-button = Revoke
settings-profile = Language and time zone
time-zone-help = Dates are shown in this time zone. Any IANA name, such as Europe/Paris.
settings-password = Password
field-current-password = Current password
field-new-password = New password
field-password-again = New password, again
password-rule = At least 12 characters.
change-password = Change the password
passwords-differ = The two new passwords differ.
password-changed = Your password was changed.
settings-totp = Second factor
totp-on = Sign-in asks for a code from your authenticator app.
totp-off = Sign-in asks only for your password. Add a code from an authenticator app to protect this account.
totp-start = Set up an authenticator app
totp-scan = Enter this secret in your authenticator app (or the address below), then type the code it shows. The secret is shown only now.
totp-confirm = Confirm the code
forgot-password = Forgot your password?
reset-title = Reset your password
reset-button = Mail me a link
reset-mailed = If this address has an account, a link to set a new password is on its way. It works once, for a short time.
set-password-title = Choose your password
field-link-token = Code from the link
link-token-help = Filled in from the link you were mailed; otherwise paste what follows "#token=".
set-password-button = Set the password
password-set = Your password is set: you can sign in.
# Customers, members and subscriptions (issue 13: the Wazo and Rainbow screens).
nav-customers = Customers
nav-subscriptions = Subscriptions
no-customers = No customer is within your reach.
tree-caption = Seats per product at each node: held, given to children, used by members and machines, free.
col-node = Node
tree-search = Find a node by name
tree-up = Up one level
tree-children-of = Under
tree-expand = Children
col-allocated = Allocated
col-given = Given
col-used = Used
col-free = Free
col-consumed = Consumed
seats-consumed = { $consumed } of { $allocated } consumed
no-seats = No seats held
seats-heading = Seats
children-heading = Children
all-children = Every child, a page at a time
no-children = This node has no children.
history-link = Entitlement history
allocate-heading = Give seats to a child
allocate-top-heading = Give seats to a top node
allocate-rule = A node's seats come from its parent. Only finance raises an allocation; admin, issuer and finance may lower one.
field-child = Child
field-seats = Seats
allocate-button = Set allocation
add-child-heading = Add a node
field-kind = Kind
field-name = Name
field-node-name = Name of the new node
field-email-optional = E-mail address (optional)
add-child-button = Add
members-heading = Members
no-members = No members.
members-count = { $count ->
    [one] { $count } member
   *[other] { $count } members
}
col-service = Service
col-options = Options
col-license = Licence
col-since = Member since
no-service = no service
default-plan-mark = default plan
add-member-heading = Add a member
field-service-from = Give a service from the default plan ({ $plan })
no-default-plan = This node has no default plan: the member gets no service.
add-member-button = Add member
actions = Actions
unassign-service = Unassign service
delete-member = Delete member
confirm-unassign = Unassign the service?
confirm-unassign-what = { $name }'s service will be unassigned: its licence is revoked, its machines stop working and its seat becomes free.
confirm-delete-member = Delete the member?
confirm-delete-member-what = { $name } will be deleted.
confirm-delete-member-service = { $name } will be deleted: their service is unassigned first, its licence revoked and its seat freed.
confirm-lower-allocation = Lower the allocation?
confirm-lower-allocation-what = { $child } will hold { $to } seats of { $product } instead of { $from }; { $back } go back to this node.
lower-seats = Lower seats
confirm-lower-seats = Lower the seats?
confirm-lower-seats-what = The subscription will have { $to } seats instead of { $from }, and its licences too.
done-allocation = The allocation is saved.
done-child = The node is added.
done-member = The member is added.
done-deleted = The member is deleted.
done-unassigned = The service is unassigned.
done-seats = The seats are changed.
done-renewal = The renewal option is changed.
done-star = This subscription is now the default licence: new members take one of its licences.
# Members in bulk: import (checked first, nothing written) and export.
import-members = Import members (CSV)
export-members = Export members (CSV)
import-title = Import members
import-what = One member a line, after a first line naming the columns. customer names this node or a node below it, by id or external reference; name and email are required; plan_id gives each member a service of that plan, with options separated by ";". Every row is checked first, and nothing is written until all of them pass and you confirm.
import-columns = Columns:
field-csv-file = CSV file
field-csv-text = Or paste the CSV here (used when no file is chosen)
import-progress = Upload progress
import-check = Check the rows
import-report = Rows to correct
import-refused = { $count ->
    [one] 1 row is refused: nothing was written. Correct it and check again.
   *[other] { $count } rows are refused: nothing was written. Correct them and check again.
}
col-line = Line
col-column = Column
col-problem = What is wrong
import-no-csv = Choose a CSV file or paste its text.
import-no-rows = The file names no member: after the line of column names, one member a line.
confirm-import = Create the members?
confirm-import-what = { $count ->
    [one] Every row passed: 1 member will be created in { $node }.
   *[other] Every row passed: { $count } members will be created in { $node }.
}
import-button = { $count ->
    [one] Create 1 member
   *[other] Create { $count } members
}
import-done = { $count ->
    [one] 1 member is created in { $node }.
   *[other] { $count } members are created in { $node }.
}
import-see-members = See the members
history-of = History of { $name }
history-heading = History
history-empty = Nothing recorded yet.
history-older = Later entries
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
paging-showing = Showing { $first }–{ $last }
paging-none = Nothing on this page
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
license-qr = The licence on one line, as a QR code: scan it to carry the licence to a machine with no network.
license-qr-alt = QR code of the licence's one-line form
no-own-file = This licence has no file of its own: each machine gets its file when it is activated.
action-renew = Renew
action-suspend = Suspend
action-reinstate = Reinstate
action-revoke = Revoke
action-deactivate = Deactivate
machines = Machines
no-machines = No machine has been activated.
machines-all = All the machines
machines-of = Machines of { $licensee }
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
no-subscriptions = No subscription is within your reach.
col-plan = Plan
col-term = Term
col-term-end = Term ends
col-renewal = Renewal
col-expires = Expires
col-final-end = Last day
col-next-invoice = Next invoice
col-last-day-to-cancel = Last day to cancel
term-monthly = Monthly
term-prepaid-1y = 1 year prepaid
term-prepaid-3y = 3 years prepaid
term-prepaid-5y = 5 years prepaid
renewal-none = Does not renew
renewal-once = Renews once
renewal-always = Renews every term
renewal-switch_to_monthly = Renews as monthly
renews-on = next term from { $date }
status-ended = Ended
subscription-members = Members served: { $assigned } of { $seats } licences, { $free } free
star-subscription-mark = default licence of the company
make-star-button = Make it the default licence
change-heading = Change
change-seats-button = Change seats
change-renewal-button = Change renewal
mode-online = Online
mode-offline = Offline
machine-active = Active
machine-deactivated = Deactivated on { $date }
machine-named = Machine { $fingerprint }
leases = Floating leases
leases-all = All the leases
leases-of = Floating leases of { $licensee }
no-leases = No seat has been checked out.
meters = Meters (this period)
col-meter = Meter
col-used-quota = Used / quota
col-period = Period
meter-period-day = each day (UTC)
meter-period-month = each month (UTC)
meter-period-year = each year (UTC)
meter-period-term = the licence's term
lease-held = Held
lease-expired = Expired
lease-returned = Returned on { $date }
history = History
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
field-updates-until = End of maintenance (optional: versions released until then are covered)
field-renew-mode = What the customer receives
renew-mode-file = A new licence file
renew-mode-token = A renewal token for the file they hold
field-renew-which = The file a token renews
action-renew-machine = Renew its file
renew-other-machine = Another machine: choose it from
renew-other-machine-link = the licence’s machines
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
field-request-code = …or its code, read over the telephone (groups of five characters)
field-valid-days = Days the answer may be used
offline-answer = Download the answer file
offline-answer-qr = Show the answer as a QR code
offline-qr-shown = The answer is signed: scan this QR code with a phone and carry it to the machine, or copy its one-line form.
offline-qr-alt = QR code of the activation answer's one-line form
offline-answer-line = The answer on one line
telephone-title = Activation by telephone
telephone-what = The machine shows a request code of six groups of five characters. Type it as the caller reads it; each group has a check digit, so a mistyped group is named. Read the answer code back: the machine accepts it until the day shown.
field-telephone-code = Telephone request code
telephone-answer = Answer the code
telephone-answered = Read this answer code to the caller. The machine accepts it until { $date }.
telephone-qr-alt = QR code of the answer code

## Reports
nav-reports = Reports
report-numbers = The numbers
chart-empty = Nothing to show yet.
report-time-to-activation = Time from issue to first activation (median, per product)
median-days = median { $days } days
col-licences = Licences
col-activated-count = Activated
col-median-days = Median (days)
col-p90-days = 90th percentile (days)
never-activated-note = Licences never activated are counted in the table and left out of the median and the 90th percentile.
report-platforms = Machines active per platform
machines-active = { $count ->
    [one] { $count } machine
   *[other] { $count } machines
}
col-active = Active
col-total = Ever activated
report-licence-models = Licences per model
binding-unbound = unbound
binding-node-locked = node-locked
binding-floating = floating
binding-named-user = named user
col-model = Model
col-seats-used = Seats used
report-issued = Licences issued per month
col-month = Month
tile-cancel-this-month = subscriptions whose last day to cancel is this month
subs-cancellable-lead = Only the subscriptions whose last day to cancel is between today and the end of this month.
subs-all = All subscriptions
tile-failed-deliveries = notice deliveries that failed for good
tile-activations-today = activations today (UTC)

## Refusals: the API's problems, said again by kind, with their numbers.
problem-account-locked = Too many failed sign-ins: this account is locked for a while.
problem-allocation-exceeds-parent = The parent holds { $allocated } seats: { $given } given to its children, { $used } in use, { $free } free.
problem-allocation-exhausted = This customer holds { $allocated } seats of this product: { $used } in use, { $given } given to its children. None is free.
problem-allocation-in-use = This node gave { $given } seats to its children and uses { $used }: it cannot hold fewer.
problem-allocation-purchased = This node bought { $purchased } seats of this product: it cannot hold fewer.
problem-bad-request = This request cannot be read: { $detail }
problem-buyer-not-root = A lot is bought by the top of the customer tree, which allocates it down and may re-bill it; this customer has a parent.
problem-holder-not-root = A contract is held by the top of the customer tree, as the lots it covers; this customer has a parent.
problem-conflict = Refused: { $detail }
problem-csrf-token-missing = The form expired. Open the page again and repeat.
problem-current-password-wrong = The current password is not this one.
problem-customer-required = A licence naming no customer is an administrator's act: choose its customer.
problem-database-busy = The database is busy. Please retry in a moment.
problem-database-unavailable = The database cannot be reached. Please retry in a moment.
problem-does-not-renew = The subscription ends with its current term: it does not renew.
problem-ends-by-itself = The subscription ends by itself on { $final_end }, before any end a notice could still reach.
problem-file-not-trusted = The file does not verify with the trusted keys.
problem-forbidden = Not allowed: { $detail }
problem-internal = The server could not do this. It has been logged; please try again later.
problem-invalid = Refused: { $detail }
problem-invalid-rows = Some rows are wrong; nothing was changed.
problem-key-active = The active key cannot be retired: rotate first.
problem-key-retired = This key is already retired.
problem-key-rotated = Another rotation came first: try again.
problem-keys-changing = The signing keys changed during the request: try again.
problem-lease-ended = The lease has expired or was returned: check a seat out again.
problem-license-changed = The licence changed while this was being done; nothing was changed. Read it again and retry.
problem-license-expired = The licence has expired.
problem-license-inactive = The licence is not active.
problem-license-revoked = The licence is revoked.
problem-license-status = The licence is { $license_status ->
        [suspended] suspended
        [revoked] revoked
        [active] active
       *[other] { $license_status }
    }: this change is not possible.
problem-license-suspended = The licence is suspended.
problem-link-invalid = This link is unknown, used or expired: ask for a new one.
problem-login-failed = Wrong e-mail address or password.
problem-lot-exceeded = The lot has { $quantity } seats and { $rebilled } are re-billed already: { $asked } cannot be re-billed.
problem-mail-failed = The mail relay did not take the message: try again later.
problem-method-not-allowed = This address does not take that request.
problem-no-route = There is no such page.
problem-no-seat-available = All { $seats } seats are in use.
problem-no-service = The member holds no service.
problem-not-activated = This machine is not activated for this licence.
problem-not-current-term = Only the current term can change; it ends on { $term_end }.
problem-not-found = Not found: { $detail }
problem-overloaded = The server is as busy as it may be: retry shortly.
problem-parent-unallocated = The parent node holds no seats of this product.
problem-rate-limited = Too many requests: wait a moment and retry.
problem-read-only = The database accepts no changes for now: an operator has to make it writable.
problem-request-timeout = The request took too long to arrive.
problem-retired = { $record ->
        [product] This product is retired: it does not change and is offered for nothing new.
        [policy] This policy is retired: it does not change and is offered for nothing new.
        [plan] This plan is retired: it does not change and is offered for nothing new.
        [customer] This customer is retired: it does not change and takes nothing new.
       *[other] This record is retired: it does not change and is offered for nothing new.
    }
problem-rights-not-delegated = This change of the subscription is the partner's to make, unless it delegated that right to you.
problem-seats-in-use = { $seats_used } seats are in use: the licence cannot have fewer.
problem-seats-raise-forbidden = You may give at most { $entitled } seats; { $seats } is a raise, which only finance may make.
problem-service-assigned = The member holds a service already: unassign it first.
problem-service-changed = The member's service changed meanwhile: read the member again.
problem-session-ended = Your session has ended: please sign in again.
problem-storage-full = The database is full: an operator has to free space.
problem-subscription-changed = The subscription kept changing during the request: try again.
problem-subscription-ended = The subscription has ended.
problem-subscription-inactive = The subscription is { $subscription_status ->
        [cancelled] cancelled
        [ended] ended
        [suspended] suspended
       *[other] { $subscription_status }
    }.
problem-temporary-quota-used = This licence already had { $used ->
        [one] one temporary licence
       *[other] { $used } temporary licences
    } in the current period: its quota is { $quota }.
problem-token-expired = This key has expired: ask for a new one.
problem-too-large = This is larger than the server accepts.
problem-too-late-to-cancel = The last day to cancel the term ending { $term_end } was { $last_day_to_cancel }. The next possible end is { $next_possible_end }, by cancelling on or before { $next_last_day_to_cancel }.
problem-totp-invalid = This code does not match: start the set-up again.
problem-totp-required = This account has a second factor: enter its current code.
problem-transfer-limit = This licence moved machines { $limit } times in { $period_days } days, its policy's limit. The next move is allowed from { $next_move }.
problem-quota-exceeded = Meter { $meter } has used { $used } of its { $quota } this period: { $asked } more would pass the quota. Nothing was counted.
problem-usage-report-replayed = Usage report { $counter } of this machine was not counted: report { $last_counter } was accepted already, and each report counts once, in order.
problem-unauthorized = Please sign in: { $detail }
problem-unsupported-media-type = This kind of content is not accepted here.
problem-webhook-refused = The address is refused: { $detail }
problem-wrong-binding = { $needs ->
        [floating] Only floating licences lease seats.
       *[other] This licence is not activated machine by machine: { $binding ->
        [floating] check out a lease
       *[other] it has no machine
    }.
    }
problem-subscription-full = All { $seats } licences of the subscription serve members: free one, or raise its seats.
problem-subscription-seats-assigned = { $assigned } members hold a licence of this subscription: it cannot have fewer than { $assigned } seats.
problem-option-in-use = { $members } members hold an option being removed: change their options first.
problem-children-active = { $children ->
        [one] One node under this one is in use: retire it first.
       *[other] { $children } nodes under this one are in use: retire them first.
    }

## Editing and retiring a node of the tree.
done-edited = The changes are saved.
done-retired = The node is retired: it takes nothing new.
node-edit-title = Edit { $name }
node-edit-lead = Its kind and its place in the tree stay: its licences, seats and grants hang from them.
node-name-rule = As people know the company or the site.
node-email-rule = Where the back office writes to it (optional).
node-ref-rule = Your own reference for it, e.g. in your CRM (optional).
field-external-ref = Reference
node-retire-what = { $name } will take no new licence, member, subscription, purchase or node under it, and will not change. What it holds runs on until it ends; it stays in the tree, marked retired, with its history. The nodes under it must be retired first. A retirement is final.
node-retired = Retired on { $date }: it takes nothing new; what it holds runs on until it ends.
# Invoices
nav-invoices = Invoices
tile-invoices-due = invoices due
inv-title = Invoices
inv-lead = What the nightly job bills at each billing period: one invoice per subscription per period, and one per partner per month for its allocated seats. licentia takes no payment: an invoice is due until it is recorded paid (elsewhere) or void.
inv-csv = Export as CSV
inv-any = Any
inv-customer = Customer
inv-status = Status
inv-period-from = Periods starting from
inv-period-to = Periods starting until
inv-count = { $count ->
    [one] One invoice
   *[other] { $count } invoices
}
inv-none = No invoice here.
inv-period = Period
inv-kind = Billed for
inv-kind-subscription = Subscription
inv-kind-allocation = Allocated seats
inv-total = Total
inv-net = Net
inv-tax = Tax
inv-status-due = Due
inv-status-paid = Paid
inv-status-void = Void
inv-invoice-title = Invoice for { $period }
inv-back = Back to the invoices
inv-mark-paid = Record as paid
inv-mark-void = Void the invoice
inv-id = Id
inv-written = Written
inv-open-subscription = Open the subscription
inv-settled = Settled
inv-note = Note
inv-note-rule = A payment reference, or why it is void; optional, at most 512 characters.
inv-lines = Lines
inv-line = Line
inv-quantity = Seats
inv-unit = Per seat per month
inv-months = Months
inv-amount = Amount
inv-no-lines = This invoice has no line.
inv-paid-title = Record the invoice of { $total } as paid?
inv-paid-what = The invoice is recorded as settled elsewhere: licentia takes no payment. It stops counting as due, and it cannot be changed back.
inv-void-title = Void the invoice of { $total }?
inv-void-what = The invoice stops counting as due and is kept, marked void; it cannot be changed back. The period is not invoiced again.
problem-adjustment-invoiced = A prorated change was invoiced meanwhile: try again.
problem-usage-invoiced = Usage was invoiced meanwhile: try again.
problem-invoice-settled = The invoice is already { $invoice_status ->
        [paid] paid
        [void] void
       *[other] { $invoice_status }
    }.
field-billing-cycle = Billing cycle
cycle-monthly = monthly
cycle-quarterly = quarterly
cycle-yearly = yearly
cycle-changing = { $now }, then { $next } from { $date }
problem-bad-cursor = This link to a page of the list is out of date: open the list again from its first page.

## Contracts and billing follow-up
nav-contracts = Contracts
ctr-title = Contracts
ctr-lead = Renewal contracts with suppliers, by end date, with the last day to cancel each one and the purchase lots it covers.
ctr-back = Back to the contracts
ctr-registers-title = Suppliers and contract types
ctr-registers-lead = The suppliers contracts are signed with, and the kinds of contract (maintenance, subscription, support...).
ctr-suppliers = Suppliers
ctr-types = Contract types
ctr-name = Name
ctr-name-rule = 1 to 200 characters, unique in its list.
ctr-recorded = Recorded
ctr-none = Nothing recorded yet.
ctr-add-supplier = Add a supplier
ctr-add-contract-type = Add a contract type
ctr-new = Record a contract
ctr-new-lead = A renewal contract with a supplier, held by a node at the top of the customer tree. Its end is announced to those who asked for it.
ctr-record = Record the contract
ctr-count = { $count ->
    [one] { $count } contract
   *[other] { $count } contracts
}
ctr-reference = Reference
ctr-reference-rule = The supplier's reference, unique per supplier.
ctr-customer-id = Holder
ctr-customer-id-rule = A node at the top of the customer tree (usually a partner).
ctr-supplier-id = Supplier
ctr-supplier-id-rule = One of the suppliers recorded.
ctr-contract-type-id = Contract type
ctr-contract-type-id-rule = One of the contract types recorded.
ctr-starts-on = Starts on
ctr-starts-on-rule = A calendar date, YYYY-MM-DD.
ctr-ends-on = Ends on
ctr-ends-on-rule = The last day, after the start, YYYY-MM-DD.
ctr-notice-period = Notice period
ctr-notice-period-rule = Such as "3 months before term end"; optional.
ctr-cost = Cost
ctr-cost-rule = A decimal amount such as 1234.50, at most the currency's decimals; needs its currency.
ctr-currency = Currency
ctr-currency-rule = An ISO 4217 code such as EUR, USD or JPY.
ctr-po-number = PO number
ctr-po-number-rule = Purchase order number; optional.
ctr-invoice-number = Invoice number
ctr-invoice-number-rule = Invoice number; optional.
ctr-last-day-to-cancel = Last day to cancel
ctr-one-title = Contract { $reference }
ctr-lots = Lots covered
ctr-no-lots = No lot is linked to this contract yet.
ctr-edit = Change the terms
ctr-save = Save the terms
fup-title = Billing follow-up
fup-lead = Each re-billing to a client opens an item here until it is invoiced and closed.
fup-status = Status
fup-open = Open
fup-done = Done
fup-lot = Lot
fup-close = Close
fup-count = { $count ->
    [one] { $count } item
   *[other] { $count } items
}
fup-opened = Opened
fup-client = Client billed
fup-buyer = Billed by
fup-none = No item here.
fup-close-title = Close this follow-up item?
fup-close-consequence = It moves to the done items and cannot be opened again.

## Releases (a product's page; a licence's page)
rel-count = { $count ->
    [one] { $count } release
   *[other] { $count } releases
}
rel-new = New release
rel-add = Add the release
rel-version = Version
rel-version-rule = Numbers separated by dots, optionally '-' and a tag: 3.1, 4.0-beta.1. Each version once.
rel-date = Release date
rel-date-rule = A licence's maintenance covers the releases dated up to its end.
rel-channel = Channel
rel-channel-rule = Such as stable or beta: letters, digits, '-', '_' and '.'.
rel-notes = Notes
rel-notes-rule = Optional, up to 256 characters: they go into the signed release catalogue.
rel-download-url = Download address
rel-download-url-rule = Optional: where the product downloads this release.
rel-download = Download
term-updates-until = End of maintenance
term-releases = Releases it may run
