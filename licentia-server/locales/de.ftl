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

# Licences (console/licenses.rs)
nav-licenses = Lizenzen
issue-license = Lizenz ausstellen
search = Suchen
any = Alle
none = Keine
never = Nie
field-key = Schlüssel oder Lizenz-ID
no-license-found = Keine Lizenz entspricht dieser Suche.
licenses-found = { $count ->
    [0] Keine Lizenz
    [one] { $count } Lizenz
   *[other] { $count } Lizenzen
}
pages = Seiten
previous-page = Vorherige Seite
next-page = Nächste Seite
back-to-licenses = Zurück zu den Lizenzen
back-to-license = Zurück zur Lizenz
license-of = Lizenz von { $licensee }
terms = Bedingungen
term-policy = Richtlinie
term-features = Funktionen
term-valid-from = Gültig ab
term-expires = Läuft ab
term-grace = Kulanzzeit nach Ablauf
term-key = Schlüssel
download-file = Lizenzdatei herunterladen (.lic)
download-line = Einzeilig herunterladen
no-own-file = Diese Lizenz hat keine eigene Datei: Jede Maschine erhält ihre Datei bei der Aktivierung.
actions = Aktionen
action-renew = Verlängern
action-suspend = Sperren
action-reinstate = Wieder freigeben
action-revoke = Widerrufen
action-deactivate = Deaktivieren
machines = Maschinen
no-machines = Es wurde noch keine Maschine aktiviert.
col-machine = Maschine
col-platform = Plattform
col-mode = Aktivierung
col-activated = Aktiviert am
col-last-seen = Zuletzt gesehen
col-from = Von
col-until = Bis
col-operation = Vorgang
col-when = Wann
col-done-by = Ausgeführt von
col-details = Details
mode-online = Online
mode-offline = Offline
machine-active = Aktiv
machine-deactivated = Deaktiviert am { $date }
machine-named = Maschine { $fingerprint }
leases = Floating-Ausleihen
no-leases = Es wurde noch kein Platz ausgeliehen.
lease-held = Ausgeliehen
lease-expired = Abgelaufen
lease-returned = Zurückgegeben am { $date }
history = Verlauf
cancel = Abbrechen
field-reason = Grund (wird im Verlauf gespeichert)
confirm-suspend-title = Diese Lizenz sperren?
confirm-suspend-what = Die Lizenz wird beim nächsten Check-in jeder Maschine nicht mehr bestätigt, bis sie wieder freigegeben wird. Ihre Maschinen behalten ihre Plätze.
confirm-reinstate-title = Diese Lizenz wieder freigeben?
confirm-reinstate-what = Die Lizenz wird ab dem nächsten Check-in jeder Maschine wieder bestätigt.
confirm-revoke-title = Diese Lizenz widerrufen?
confirm-revoke-what = Die Lizenz wird beim nächsten Check-in nicht mehr bestätigt; der Widerruf ist endgültig: Sie kann nicht wieder freigegeben werden und kommt auf die Widerrufsliste.
confirm-deactivate-title = Diese Maschine deaktivieren?
confirm-deactivate-what = Die Maschine gibt ihren Platz zurück: Ihre Datei wird beim Check-in nicht mehr erneuert, und an ihrer Stelle kann eine andere Maschine aktiviert werden.
field-new-expiry = Neues Ablaufdatum
field-soft-expiry = Datum „bald verlängern“ (optional)
field-renew-mode = Was der Kunde erhält
renew-mode-file = Eine neue Lizenzdatei
renew-mode-token = Ein Verlängerungstoken für die Datei, die er hat
field-renew-which = Die Datei, die das Token verlängert
own-file = Die eigene Datei der Lizenz
renewal-token = Verlängerungstoken
renewal-token-made = Die Lizenz ist verlängert. Geben Sie dem Kunden dieses Verlängerungstoken:
field-issue-from = Ausstellen aus
choose = Auswählen
plans = Tarife
policies = Richtlinien
field-options = Optionen
no-customer = Kein Kunde (nur Administratoren des Herstellers)
field-seats-over = Plätze (leer: die der Richtlinie)
field-expires-over = Ablaufdatum (leer: die Laufzeit der Richtlinie)
license-issued = Lizenz ausgestellt
license-issued-for = Die Lizenz von { $licensee } ist ausgestellt.
license-key = Lizenzschlüssel
key-shown-once = Kopieren Sie diesen Schlüssel jetzt: Er wird nur einmal angezeigt. Das Backoffice speichert nur einen Hash davon.
open-license = Lizenz öffnen
temporary-title = Temporäre Lizenz bei einem Ausfall
temporary-quota = { $count ->
    [0] Diese Richtlinie erlaubt keine temporäre Lizenz.
    [one] Diese Richtlinie erlaubt { $count } temporäre Lizenz je Lizenz
   *[other] Diese Richtlinie erlaubt { $count } temporäre Lizenzen je Lizenz
}
temporary-period = { $count ->
    [one] innerhalb von { $count } Tag.
   *[other] innerhalb von { $count } Tagen.
}
temporary-duration = { $count ->
    [one] Jede gilt { $count } Tag, nie über die Lizenz hinaus, und belegt keinen Platz.
   *[other] Jede gilt { $count } Tage, nie über die Lizenz hinaus, und belegt keinen Platz.
}
field-replacement = Fingerabdruck der Ersatzmaschine
temporary-issue = Temporäre Lizenz ausstellen
temporary-made = Temporäre Lizenz ausgestellt, gültig bis { $date }.
temporary-file = Temporäre Lizenzdatei (als .lic-Datei neben dem Produkt speichern)
offline-title = Offline-Aktivierung
offline-what = Eine Maschine ohne Netzzugang schreibt eine Aktivierungsanfrage-Datei. Laden Sie sie hier hoch und bringen Sie die signierte Antwortdatei zurück zur Maschine.
field-request-file = Aktivierungsanfrage-Datei
field-valid-days = Tage, in denen die Antwort verwendet werden kann
offline-answer = Antwortdatei herunterladen
