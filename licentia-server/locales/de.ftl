# Die Texte der Konsole auf Deutsch.

nav-label = Bereiche
nav-dashboard = Übersicht
nav-renewals = Zu verlängern
skip-to-content = Zum Inhalt springen
sign-out = Abmelden
footer-note = Lizenzen, Plätze und Verlängerungen
back-to-dashboard = Zurück zur Übersicht

sign-in-title = Anmelden
field-email = E-Mail-Adresse
field-password = Passwort
field-totp = Code aus Ihrer Authenticator-App
sign-in-button = Anmelden
sign-in-expired = Das Anmeldeformular war abgelaufen: bitte erneut versuchen.
sign-in-login-failed = E-Mail-Adresse oder Passwort falsch.
sign-in-totp-required = Geben Sie den sechsstelligen Code aus Ihrer Authenticator-App ein.
sign-in-account-locked = Zu viele Fehlversuche: dieses Konto ist vorübergehend gesperrt.

refusal-400 = Diese Anfrage ist nicht lesbar
refusal-401 = Bitte melden Sie sich an
refusal-403 = Nicht erlaubt
refusal-404 = Nicht gefunden
refusal-409 = Abgelehnt: widerspricht dem aktuellen Stand
refusal-413 = Zu groß
refusal-422 = Abgelehnt
refusal-423 = Gesperrt
refusal-429 = Zu viele Anfragen
refusal-500 = Etwas ist schiefgegangen
refusal-502 = Ein nachgelagerter Server ist ausgefallen
refusal-503 = Vorübergehend nicht verfügbar
refusal-internal = Der Server konnte dies nicht ausführen. Der Fehler wurde protokolliert; bitte später erneut versuchen.
refusal-status = HTTP-Status { $status }

tile-licenses-7 = Lizenzen, die in 7 Tagen enden
tile-licenses-30 = Lizenzen, die in 30 Tagen enden
tile-licenses-90 = Lizenzen, die in 90 Tagen enden
tile-subscriptions-30 = Abonnements, die sich in 30 Tagen verlängern
tile-seats-short = Produkte mit fast erschöpften Plätzen bei einem Kunden

field-within-days = Endet innerhalb von
field-group-by = Gruppieren nach
field-type = Anzeigen
field-columns = Spalten
group-plan = Tarif
group-type = Art
group-customer = Kunde
type-all = Lizenzen und Abonnements
type-license = Lizenzen
type-subscription = Abonnements
show = Anzeigen
export-csv = Als CSV exportieren
nothing-due = In diesem Zeitraum endet nichts.
days = { $count ->
    [one] { $count } Tag
   *[other] { $count } Tage
}
days-left = { $count ->
    [0] heute
    [one] noch { $count } Tag
   *[other] noch { $count } Tage
}
items-due = { $count ->
    [0] Nichts zu verlängern
    [one] { $count } zu verlängern
   *[other] { $count } zu verlängern
}

col-ends = Ende
col-id = Datensatz
col-type = Art
col-product = Produkt
col-plans = Tarif
col-customer = Kunde
col-licensee = Lizenznehmer
col-status = Status
col-seats = Plätze
col-days-left = Verbleibende Tage

kind-license-standard = Lizenz
kind-license-trial = Testlizenz
kind-subscription = Abonnement
status-active = Aktiv
status-suspended = Ausgesetzt
status-cancelled = Gekündigt
status-revoked = Widerrufen
