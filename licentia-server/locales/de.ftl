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

## Personen: Konten, Rechte, Einstellungen, Passwörter
nav-accounts = Konten
nav-settings = Meine Einstellungen
cancel = Abbrechen
yes = ja
no = nein
save = Speichern
node-vendor = der Hersteller (alles)
node-partner = Partner
node-customer = Kunde
node-site = Standort
role-admin = Administrator
role-issuer = Aussteller
role-finance = Finanzen
role-auditor = Prüfer
role-member-manager = Mitgliederverwaltung
language-en = English
language-fr = Français
language-de = Deutsch
right-raise = darf Plätze erhöhen
right-lower = darf Plätze verringern
right-monthly-only = nur monatliche Abonnements
right-renewal = darf die Verlängerungsoption ändern
accounts-caption = Die Personen, die sich anmelden, im Bereich Ihrer Administratorrechte
col-name = Name
col-language = Sprache
col-time-zone = Zeitzone
col-second-factor = Zweiter Faktor
col-created = Angelegt
col-rights = Delegierte Rechte
col-granted-since = Seit
col-actions = Aktionen
account-disabled = deaktiviert
new-account = Neues Konto
field-role = Rolle
field-node = Wo
field-first-password = Erstes Passwort (optional)
first-password-help = Mindestens 12 Zeichen. Leer lassen und stattdessen eine Einladung senden: die Person wählt dann ihr eigenes.
create-account = Konto anlegen
grants = Rechte
add-grant = Eine Rolle vergeben
account-actions = Konto
send-invitation = Einladung zum Festlegen eines Passworts senden
invitation-sent = Eine Einladung wurde an { $email } gesendet.
disable-title = { $name } deaktivieren?
disable-consequence = { $email } kann sich nicht mehr anmelden: offene Sitzungen enden sofort und API-Tokens werden widerrufen. Der Verlauf bleibt erhalten.
disable-button = Konto deaktivieren
revoke-grant-title = Dieses Recht widerrufen?
revoke-grant-consequence = Das Konto verliert diese Rolle an dieser Stelle sofort; seine anderen Rechte bleiben.
revoke-grant-button = Widerrufen
settings-profile = Sprache und Zeitzone
time-zone-help = Datumsangaben erscheinen in dieser Zeitzone. Jeder IANA-Name, z. B. Europe/Berlin.
settings-password = Passwort
field-current-password = Aktuelles Passwort
field-new-password = Neues Passwort
field-password-again = Neues Passwort wiederholen
password-rule = Mindestens 12 Zeichen.
change-password = Passwort ändern
passwords-differ = Die beiden neuen Passwörter unterscheiden sich.
password-changed = Ihr Passwort wurde geändert.
settings-totp = Zweiter Faktor
totp-on = Die Anmeldung verlangt einen Code aus Ihrer Authenticator-App.
totp-off = Die Anmeldung verlangt nur Ihr Passwort. Schützen Sie dieses Konto mit einem Code aus einer Authenticator-App.
totp-start = Authenticator-App einrichten
totp-scan = Geben Sie dieses Geheimnis in Ihre Authenticator-App ein (oder die Adresse darunter) und tippen Sie den angezeigten Code. Das Geheimnis wird nur jetzt gezeigt.
totp-confirm = Code bestätigen
forgot-password = Passwort vergessen?
reset-title = Passwort zurücksetzen
reset-button = Link zusenden
reset-mailed = Wenn diese Adresse ein Konto hat, ist ein Link zum Festlegen eines neuen Passworts unterwegs. Er gilt einmal und nur kurz.
set-password-title = Wählen Sie Ihr Passwort
field-link-token = Code aus dem Link
link-token-help = Wird aus dem zugesandten Link übernommen; sonst fügen Sie ein, was nach „#token=“ folgt.
set-password-button = Passwort festlegen
password-set = Ihr Passwort ist festgelegt: Sie können sich anmelden.
# Kunden, Mitglieder und Abonnements (Ticket 13: die Wazo- und Rainbow-Ansichten).
nav-customers = Kunden
nav-subscriptions = Abonnements
no-customers = Kein Kunde liegt in Ihrem Bereich.
tree-caption = Plätze je Produkt an jedem Knoten: gehalten, an Unterknoten vergeben, von Mitgliedern und Geräten belegt, frei.
col-node = Knoten
col-allocated = Zugeteilt
col-given = Vergeben
col-used = Belegt
col-free = Frei
col-consumed = Verbraucht
seats-consumed = { $consumed } von { $allocated } verbraucht
no-seats = Keine Plätze
seats-heading = Plätze
children-heading = Unterknoten
no-children = Dieser Knoten hat keine Unterknoten.
history-link = Verlauf der Berechtigungen
allocate-heading = Plätze an einen Unterknoten geben
allocate-top-heading = Plätze an einen obersten Knoten geben
allocate-rule = Die Plätze eines Knotens kommen von seinem übergeordneten Knoten. Nur die Buchhaltung erhöht eine Zuteilung; Admin, Aussteller und Buchhaltung dürfen sie senken.
field-child = Unterknoten
field-seats = Plätze
allocate-button = Zuteilung festlegen
add-child-heading = Knoten hinzufügen
field-kind = Art
field-name = Name
field-node-name = Name des neuen Knotens
field-email-optional = E-Mail-Adresse (optional)
add-child-button = Hinzufügen
members-heading = Mitglieder
no-members = Keine Mitglieder.
members-count = { $count ->
    [one] { $count } Mitglied
   *[other] { $count } Mitglieder
}
col-service = Dienst
col-options = Optionen
col-license = Lizenz
col-since = Mitglied seit
no-service = kein Dienst
default-plan-mark = Standardtarif
add-member-heading = Mitglied hinzufügen
field-service-from = Einen Dienst aus dem Standardtarif vergeben ({ $plan })
no-default-plan = Dieser Knoten hat keinen Standardtarif: das Mitglied erhält keinen Dienst.
add-member-button = Mitglied hinzufügen
actions = Aktionen
unassign-service = Dienst entziehen
delete-member = Mitglied löschen
confirm-unassign = Dienst entziehen?
confirm-unassign-what = Der Dienst von { $name } wird entzogen: die Lizenz wird widerrufen, die Geräte funktionieren nicht mehr und der Platz wird frei.
confirm-delete-member = Mitglied löschen?
confirm-delete-member-what = { $name } wird gelöscht.
confirm-delete-member-service = { $name } wird gelöscht: zuerst wird der Dienst entzogen, die Lizenz widerrufen und der Platz frei.
confirm-lower-allocation = Zuteilung senken?
confirm-lower-allocation-what = { $child } hält dann { $to } statt { $from } Plätze von { $product }; { $back } gehen an diesen Knoten zurück.
lower-seats = Plätze senken
confirm-lower-seats = Plätze senken?
confirm-lower-seats-what = Das Abonnement hat dann { $to } statt { $from } Plätze, seine Lizenzen ebenso.
done-allocation = Die Zuteilung ist gespeichert.
done-child = Der Knoten ist hinzugefügt.
done-member = Das Mitglied ist hinzugefügt.
done-deleted = Das Mitglied ist gelöscht.
done-unassigned = Der Dienst ist entzogen.
done-seats = Die Plätze sind geändert.
done-renewal = Die Verlängerungsoption ist geändert.
history-of = Verlauf von { $name }
history-heading = Verlauf
history-empty = Noch nichts verzeichnet.
history-older = Spätere Einträge
history-more = Spätere Einträge stehen im Verlauf der API.
col-operation = Vorgang
col-when = Wann
col-done-by = Durch
col-details = Einzelheiten
no-subscriptions = Kein Abonnement liegt in Ihrem Bereich.
col-plan = Tarif
col-term = Laufzeit
col-term-end = Laufzeitende
col-renewal = Verlängerung
col-expires = Läuft ab am
col-final-end = Letzter Tag
col-next-invoice = Nächste Rechnung
col-last-day-to-cancel = Letzter Kündigungstag
term-monthly = Monatlich
term-prepaid-1y = 1 Jahr im Voraus bezahlt
term-prepaid-3y = 3 Jahre im Voraus bezahlt
term-prepaid-5y = 5 Jahre im Voraus bezahlt
renewal-none = Keine Verlängerung
renewal-once = Einmal verlängert
renewal-always = Jede Laufzeit verlängert
renewal-switch_to_monthly = Monatlich verlängert
renews-on = nächste Laufzeit ab { $date }
status-ended = Beendet
members-of-plan = Mitglieder von { $customer } mit einem Dienst { $plan }
change-heading = Ändern
change-seats-button = Plätze ändern
change-renewal-button = Verlängerung ändern
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
